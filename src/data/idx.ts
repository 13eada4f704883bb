// The IDX format of MNIST (any platform; the bytes are already in memory): a magic number
// 0x0000TTDD (T the element type, D the number of dims; 2051 = ubyte images, 2049 = ubyte
// labels), D big-endian uint32 sizes, then the elements, big-endian.

import { creation } from "../api/functions.js";
import type { Tensor } from "../api/tensor.js";

const TYPES: Record<number, { name: string; width: number; read: (v: DataView, at: number) => number }> = {
  0x08: { name: "ubyte", width: 1, read: (v, at) => v.getUint8(at) },
  0x09: { name: "byte", width: 1, read: (v, at) => v.getInt8(at) },
  0x0b: { name: "short", width: 2, read: (v, at) => v.getInt16(at, false) },
  0x0c: { name: "int", width: 4, read: (v, at) => v.getInt32(at, false) },
  0x0d: { name: "float", width: 4, read: (v, at) => v.getFloat32(at, false) },
  0x0e: { name: "double", width: 8, read: (v, at) => v.getFloat64(at, false) },
};

/**
 * Decodes an IDX file held in memory into a tensor: integer types give int32, float gives
 * float32, double float64. Bad magic numbers and truncated data throw, naming `source`.
 */
export function parseIdx(bytes: Uint8Array, source = "<idx>"): Tensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new RangeError(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const magic = view.getUint32(0, false);
  const type = TYPES[(magic >> 8) & 0xff];
  const ndim = magic & 0xff;
  if (magic >>> 16 !== 0 || !type || ndim === 0) {
    throw new SyntaxError(
      `${source}: bad magic number 0x${magic.toString(16).padStart(8, "0")} (${magic}); expected an IDX file ` +
        `such as 2051 (images) or 2049 (labels)${bytes[0] === 0x1f && bytes[1] === 0x8b ? " — this is gzip data; decompress it first" : ""}`,
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new RangeError(
      `${source}: truncated header: ${ndim} dims need ${headerBytes} bytes, the file has ${bytes.length}`,
    );
  }
  const shape = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d, false));
  const n = shape.reduce((a, b) => a * b, 1);
  const need = headerBytes + n * type.width;
  if (bytes.length < need) {
    throw new RangeError(
      `${source}: truncated: the header declares ${shape.join("×")} ${type.name} elements (${need - headerBytes} bytes) ` +
        `but only ${bytes.length - headerBytes} bytes of data follow`,
    );
  }
  if (type.width === 1 && type.name === "ubyte") {
    return creation.tensor(Int32Array.from(bytes.subarray(headerBytes, need)), { shape });
  }
  const out =
    type.name === "double" ? new Float64Array(n) : type.name === "float" ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = type.read(view, headerBytes + i * type.width);
  return creation.tensor(out, { shape });
}

/** Encodes a tensor as IDX (ubyte when its values are integers in 0…255, else int/double). */
export function toIdx(t: Tensor): Uint8Array {
  const data = t.dataSync();
  const ints = t.dtype === "int32" || t.dtype === "bool";
  const ubyte = ints && data.every((v) => v >= 0 && v <= 255);
  const code = ubyte ? 0x08 : ints ? 0x0c : 0x0e;
  const width = TYPES[code]!.width;
  const out = new Uint8Array(4 + 4 * t.ndim + data.length * width);
  const view = new DataView(out.buffer);
  view.setUint32(0, (code << 8) | t.ndim, false);
  t.shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  const at = 4 + 4 * t.ndim;
  for (let i = 0; i < data.length; i++) {
    if (ubyte) out[at + i] = data[i]!;
    else if (ints) view.setInt32(at + 4 * i, data[i]!, false);
    else view.setFloat64(at + 8 * i, data[i]!, false);
  }
  return out;
}
