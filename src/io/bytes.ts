// save and load on bytes, for every platform: save with no path gives the safetensors bytes; load
// reads a Uint8Array, an ArrayBuffer, a Blob (a File from an <input>) or a fetch Response. Paths
// are Node's: files.ts passes its file access in, and without one a path is refused with what to pass.

import {
  deserialize,
  headerLength,
  parseMetadata,
  serialize,
  type Metadata,
  type SafetensorsContents,
  type TensorMap,
} from "./safetensors.js";
import type { Tensor } from "../api/tensor.js";

/** What load reads on any platform: a safetensors file's bytes, a Blob (or File), or a fetch Response. */
export type BytesSource = Uint8Array | ArrayBuffer | ArrayBufferView | Blob | Response;

/** How a platform reads and writes paths (Node's is in files.ts; browsers have none). */
export interface PathAccess {
  /** The whole file. */
  read(file: string, who: string): Promise<Uint8Array>;
  /** The length field and the JSON header only, not the tensor data. */
  readHeader(file: string, who: string): Promise<Uint8Array>;
  /** Replaces the file atomically. */
  write(file: string, bytes: Uint8Array, who: string): Promise<void>;
}

/** A source's bytes and how errors name it ("load: model.safetensors"). */
interface Read {
  bytes: Uint8Array;
  label: string;
}

const isResponse = (x: Blob | Response): x is Response => "status" in x && "headers" in x;

function describe(x: unknown): string {
  if (x === null || typeof x !== "object") return x === null ? "null" : typeof x;
  return (x as object).constructor?.name ?? "an object";
}

function noPaths(file: string, who: string): Error {
  return new TypeError(
    `${who}: cannot use the path '${file}': reading and writing files needs Node. ` +
      (who === "save"
        ? "Call save(tensors) for the bytes (a Uint8Array), then store or download them"
        : `Pass the file's bytes (Uint8Array or ArrayBuffer), a Blob or a fetch Response, e.g. ${who}(await fetch("${file}"))`),
  );
}

/**
 * save's two call shapes, as safetensors has them: (tensors, file, metadata?) writes the file
 * through `paths`; (tensors, metadata?) and (tensors, undefined, metadata?) give the bytes.
 */
export async function saveVia(
  tensors: TensorMap,
  fileOrMetadata: string | Metadata | undefined,
  metadata: Metadata | undefined,
  paths: PathAccess | undefined,
): Promise<Uint8Array<ArrayBuffer> | void> {
  if (fileOrMetadata !== undefined && typeof fileOrMetadata !== "string") {
    if (typeof fileOrMetadata !== "object" || !fileOrMetadata || Array.isArray(fileOrMetadata) || metadata) {
      throw new TypeError(
        `save: the second argument is a path (a string) or the metadata (strings by key), got ${describe(fileOrMetadata)}`,
      );
    }
    return serialize(tensors, fileOrMetadata);
  }
  const bytes = serialize(tensors, metadata);
  if (fileOrMetadata === undefined) return bytes;
  if (!paths) throw noPaths(fileOrMetadata, "save");
  await paths.write(fileOrMetadata, bytes, "save");
}

async function bodyOf(source: Blob | Response, label: string): Promise<Uint8Array> {
  if (isResponse(source)) {
    if (!source.ok) {
      throw new Error(`${label} answered ${source.status} ${source.statusText}`.trim() + ", not a safetensors file");
    }
    if (source.bodyUsed) throw new TypeError(`${label}: the Response's body was already read; pass a fresh Response`);
  }
  try {
    return new Uint8Array(await source.arrayBuffer());
  } catch (e) {
    throw new Error(`${label}: cannot read the body: ${(e as Error).message}`, { cause: e });
  }
}

/** The bytes of a path (through `paths`), of bytes, of a Blob or of a Response, named for errors. */
async function readVia(source: BytesSource | string, who: string, paths: PathAccess | undefined): Promise<Read> {
  if (typeof source === "string") {
    if (!paths) throw noPaths(source, who);
    return { bytes: await paths.read(source, who), label: `${who}: ${source}` };
  }
  if (source instanceof Uint8Array) return { bytes: source, label: who };
  if (ArrayBuffer.isView(source)) {
    return { bytes: new Uint8Array(source.buffer, source.byteOffset, source.byteLength), label: who };
  }
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), label: who };
  if (typeof source === "object" && source !== null && typeof (source as Blob).arrayBuffer === "function") {
    const blob = source as Blob | Response;
    const name = isResponse(blob) ? blob.url || "the response" : (blob as File).name || "the blob";
    const label = `${who}: ${name}`;
    return { bytes: await bodyOf(blob, label), label };
  }
  throw new TypeError(
    `${who}: expected the file's bytes (Uint8Array or ArrayBuffer), a Blob, a fetch Response` +
      `${paths ? " or a path" : ""}, got ${describe(source)}`,
  );
}

/** Decodes a safetensors source with its metadata; a corrupt or truncated one throws and loads nothing. */
export async function loadFileVia(
  source: BytesSource | string,
  paths: PathAccess | undefined,
): Promise<SafetensorsContents> {
  const { bytes, label } = await readVia(source, "load", paths);
  return deserialize(bytes, label);
}

/** A safetensors source's `__metadata__`; paths and Blobs are read only as far as the header. */
export async function loadMetadataVia(source: BytesSource | string, paths: PathAccess | undefined): Promise<Metadata> {
  const who = "loadMetadata";
  if (typeof source === "string" && paths)
    return parseMetadata(await paths.readHeader(source, who), `${who}: ${source}`);
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    const label = `${who}: ${(source as File).name || "the blob"}`;
    const n = headerLength(await bodyOf(source.slice(0, 8), label), source.size, label);
    return parseMetadata(await bodyOf(source.slice(0, 8 + n), label), label);
  }
  const { bytes, label } = await readVia(source, who, paths);
  return parseMetadata(bytes, label);
}

/** Encodes tensors (e.g. `model.stateDict()`) as a safetensors file's bytes, which PyTorch can read. */
export function save(tensors: TensorMap, metadata?: Metadata): Promise<Uint8Array<ArrayBuffer>>;
/** The same, with the metadata after an empty path (as Node's save(tensors, file, metadata) is called). */
export function save(tensors: TensorMap, file: undefined, metadata?: Metadata): Promise<Uint8Array<ArrayBuffer>>;
export function save(
  tensors: TensorMap,
  fileOrMetadata?: Metadata,
  metadata?: Metadata,
): Promise<Uint8Array<ArrayBuffer>> {
  return saveVia(tensors, fileOrMetadata, metadata, undefined) as Promise<Uint8Array<ArrayBuffer>>;
}

/** Loads a state dict (name → tensor) from safetensors bytes, a Blob or a fetch Response. */
export async function load(source: BytesSource): Promise<Record<string, Tensor>> {
  return (await loadFileVia(source, undefined)).tensors;
}

/** Loads safetensors bytes, a Blob or a fetch Response with its metadata. */
export const loadFile = (source: BytesSource): Promise<SafetensorsContents> => loadFileVia(source, undefined);

/** Reads only the `__metadata__` of safetensors bytes, a Blob or a fetch Response. */
export const loadMetadata = (source: BytesSource): Promise<Metadata> => loadMetadataVia(source, undefined);
