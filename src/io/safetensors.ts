// The safetensors format as bytes, with no file system, so it works in browsers too: an 8-byte
// little-endian header length, a JSON header ({name: {dtype, shape, data_offsets}, __metadata__}),
// space-padded to 8-byte alignment, then the raw little-endian tensor bytes with no gaps.

import { creation } from "../api/functions.js";
import type { DType } from "../core/dtype.js";
import { Tensor } from "../api/tensor.js";

/** Tensors by name, as a module's stateDict() gives them (a Map is accepted too). */
export type TensorMap = Record<string, Tensor> | Map<string, Tensor>;

/** Free-form string metadata stored under the header's `__metadata__` key. */
export type Metadata = Record<string, string>;

/** A decoded file: its tensors and its metadata. */
export interface SafetensorsContents {
  /** The tensors, by name (a state dict). */
  tensors: Record<string, Tensor>;
  /** The file's `__metadata__` string pairs. */
  metadata: Metadata;
}

/** One header entry as the format spells it. */
interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const WRITE_CODE: Record<DType, string> = { float64: "F64", float32: "F32", int32: "I32", bool: "BOOL" };
// rank of each code in the reference implementation's Dtype enum, which orders its data area
const ORDER: Record<DType, number> = { float64: 3, float32: 2, int32: 1, bool: 0 };

/** Element widths of the codes we read; F16, BF16, I64 and the small integers are widened on load. */
const READ_WIDTH: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

// the reference implementation refuses headers above 100 MB; so do we, before allocating
const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function entriesOf(tensors: TensorMap): [string, Tensor][] {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, t] of list) {
    if (!(t instanceof Tensor)) throw new TypeError(`serialize: '${name}' is not a Tensor`);
    if (name === "__metadata__") throw new RangeError("serialize: '__metadata__' is reserved and cannot name a tensor");
  }
  return list;
}

/** The tensor's elements as little-endian bytes. */
function bytesOf(t: Tensor): Uint8Array {
  const data = t.dataSync();
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return raw;
  const out = new Uint8Array(raw.length);
  const w = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < raw.length; i += w) for (let k = 0; k < w; k++) out[i + k] = raw[i + w - 1 - k]!;
  return out;
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file. Tensors are laid out in
 * the reference writer's order (its dtype order, descending, then by name).
 */
export function serialize(tensors: TensorMap, metadata?: Metadata): Uint8Array<ArrayBuffer> {
  const list = entriesOf(tensors).sort(([na, a], [nb, b]) => {
    const r = ORDER[b.dtype] - ORDER[a.dtype];
    return r !== 0 ? r : na < nb ? -1 : na > nb ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`serialize: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let at = 0;
  for (const [name, t] of list) {
    const bytes = bytesOf(t);
    header[name] = { dtype: WRITE_CODE[t.dtype], shape: [...t.shape], data_offsets: [at, at + bytes.length] };
    blobs.push(bytes);
    at += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + at);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const b of blobs) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

/** A parsed and fully validated header: nothing is decoded until every entry checks out. */
interface Layout {
  metadata: Metadata;
  entries: [string, Entry][];
  dataStart: number;
}

/** Reads the header length from the first 8 bytes; `source` names the file in errors. */
export function headerLength(first8: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8) {
    throw new RangeError(`${source}: file is ${fileSize} bytes, too short for a safetensors header (needs 8+)`);
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER) throw new RangeError(`${source}: header length ${n} exceeds the 100 MB limit (corrupt file?)`);
  if (8 + n > fileSize) {
    throw new RangeError(
      `${source}: header claims ${n} bytes but only ${fileSize - 8} follow the length field (truncated file?)`,
    );
  }
  return n;
}

/** The header's JSON object (the n bytes after the length field). */
function headerJson(bytes: Uint8Array, n: number, source: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SyntaxError(`${source}: the header is not valid UTF-8 JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new SyntaxError(`${source}: the header must be a JSON object`);
  }
  return header as Record<string, unknown>;
}

/** Parses and checks the JSON header against the file size. */
function parseLayout(bytes: Uint8Array, source: string): Layout {
  const n = headerLength(bytes.subarray(0, 8), bytes.length, source);
  const header = headerJson(bytes, n, source);
  const metadata: Metadata = {};
  const entries: [string, Entry][] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (typeof v !== "string") throw new SyntaxError(`${source}: __metadata__ '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push([name, checkEntry(name, value, source)]);
  }
  const dataLen = bytes.length - 8 - n;
  // tensors must tile the data area exactly: no gaps, no overlaps, nothing after the last one
  const ordered = [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let end = 0;
  for (const [name, e] of ordered) {
    const [s, t] = e.data_offsets;
    if (s !== end) {
      throw new RangeError(
        `${source}: tensor '${name}' starts at byte ${s} of the data area, expected ${end} (overlapping or missing data)`,
      );
    }
    if (t > dataLen) {
      throw new RangeError(
        `${source}: tensor '${name}' ends at byte ${t} but the data area has only ${dataLen} bytes (truncated file?)`,
      );
    }
    end = t;
  }
  if (end !== dataLen) {
    throw new RangeError(`${source}: the data area has ${dataLen} bytes but the tensors cover ${end} (trailing bytes)`);
  }
  return { metadata, entries, dataStart: 8 + n };
}

function checkEntry(name: string, value: unknown, source: string): Entry {
  const e = value as Partial<Entry> | null;
  const where = `${source}: tensor '${name}'`;
  if (typeof e !== "object" || e === null) throw new SyntaxError(`${where}: header entry is not an object`);
  if (typeof e.dtype !== "string" || !(e.dtype in READ_WIDTH)) {
    throw new TypeError(
      `${where}: unsupported dtype ${JSON.stringify(e.dtype)} (readable: ${Object.keys(READ_WIDTH)})`,
    );
  }
  if (!Array.isArray(e.shape) || e.shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new SyntaxError(`${where}: shape ${JSON.stringify(e.shape)} is not a list of non-negative integers`);
  }
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || off.some((x) => !Number.isInteger(x) || x < 0) || off[1] < off[0]) {
    throw new SyntaxError(`${where}: data_offsets ${JSON.stringify(off)} must be two ascending byte offsets`);
  }
  const need = e.shape.reduce((a, b) => a * b, 1) * READ_WIDTH[e.dtype]!;
  if (off[1] - off[0] !== need) {
    throw new RangeError(
      `${where}: ${e.dtype} of shape [${e.shape.join(", ")}] needs ${need} bytes but data_offsets span ${off[1] - off[0]}`,
    );
  }
  return e as Entry;
}

/** Decodes one tensor's bytes (copied, so the result is aligned and owns its memory). */
function decode(e: Entry, raw: Uint8Array, name: string, source: string): Tensor {
  const w = READ_WIDTH[e.dtype]!;
  // a fresh, aligned buffer: Node's Buffer.slice would share (and expose) the whole file's memory
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  if (!LITTLE_ENDIAN && w > 1) for (let i = 0; i < bytes.length; i += w) bytes.subarray(i, i + w).reverse();
  const buf = bytes.buffer;
  const shape = e.shape;
  switch (e.dtype) {
    case "F64":
      return creation.tensor(new Float64Array(buf), { shape });
    case "F32":
      return creation.tensor(new Float32Array(buf), { shape });
    case "I32":
      return creation.tensor(new Int32Array(buf), { shape });
    case "BOOL":
      return creation.tensor(bytes, { shape, dtype: "bool" });
    case "I16":
      return creation.tensor(Int32Array.from(new Int16Array(buf)), { shape });
    case "I8":
      return creation.tensor(Int32Array.from(new Int8Array(buf)), { shape });
    case "U8":
      return creation.tensor(Int32Array.from(bytes), { shape });
    case "I64": {
      const big = new BigInt64Array(buf);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = big[i]!;
        if (v > 2147483647n || v < -2147483648n) {
          throw new RangeError(`${source}: tensor '${name}' (I64) holds ${v}, which does not fit in int32`);
        }
        out[i] = Number(v);
      }
      return creation.tensor(out, { shape });
    }
    default: {
      // F16 and BF16 widen to float32
      const half = new Uint16Array(buf);
      const out = new Float32Array(half.length);
      for (let i = 0; i < half.length; i++) out[i] = e.dtype === "BF16" ? bf16(half[i]!) : f16(half[i]!);
      return creation.tensor(out, { shape });
    }
  }
}

function bf16(h: number): number {
  return new Float32Array(new Uint32Array([h << 16]).buffer)[0]!;
}

function f16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes a safetensors file held in memory. The header is validated in full before any tensor
 * is built, so a corrupt or truncated file throws (naming `source` and the problem) and never
 * yields part of a model.
 */
export function deserialize(bytes: Uint8Array, source = "safetensors"): SafetensorsContents {
  const { metadata, entries, dataStart } = parseLayout(bytes, source);
  const tensors: Record<string, Tensor> = {};
  for (const [name, e] of entries) {
    tensors[name] = decode(
      e,
      bytes.subarray(dataStart + e.data_offsets[0], dataStart + e.data_offsets[1]),
      name,
      source,
    );
  }
  return { tensors, metadata };
}

/** Reads only the `__metadata__` of a header (the first 8 + header-length bytes of a file suffice). */
export function parseMetadata(headerBytes: Uint8Array, source = "safetensors"): Metadata {
  const n = headerLength(headerBytes.subarray(0, 8), headerBytes.length, source);
  const meta = headerJson(headerBytes, n, source).__metadata__ ?? {};
  return { ...(meta as Metadata) };
}
