// The WebAssembly module behind the interface of the native addon, so that one set of kernels
// (src/backend/native/kernels.ts) drives both. A kernel call is one export, cr_call, with its
// arguments in a static area of the module's memory: a kind and a number each (a value or a
// buffer's address); views go through the descriptor, which here is a view of the module's own
// memory, so nothing is copied. Buffers are the module's, held by small JS handles whose
// collection frees them.

import { dtypeCodeBytes, type NativeAddon, type NativeBuffer } from "../native/addon.js";
import type { WasmRuntime } from "./runtime.js";

/**
 * What a group of buffers shows the garbage collector: an ArrayBuffer as large as the group.
 * The module's memory is invisible to V8, and the FinalizationRegistry that frees a dropped
 * buffer only runs after a full collection, which V8 starts when the memory it knows of grows;
 * without this, a training loop's dropped tensors would pile up in the module's memory between
 * the rare collections its small JS heap needs, and the fresh memory that then replaces them
 * would cost a page fault per page. Counting every buffer left to the collector (not only memory
 * new to the module; not those freed at once) gives a collection for every few dozen megabytes
 * of garbage, so the pool keeps serving warm blocks. A group's ArrayBuffer is never touched and
 * is larger than the C library's largest pooled allocation, so it is a fresh mapping of untouched
 * pages: address space, not memory.
 */
class Ballast {
  bytes: ArrayBuffer | null = null;
}
/** Buffers are grouped by this many bytes (above glibc's 32 MB mmap threshold ceiling). */
const BALLAST_BYTES = 33 << 20;
/**
 * How much a group shows per byte: V8 starts a collection after about 64 MB of growth in what it
 * knows of, so showing each byte twice collects after about 32 MB of the module's garbage.
 */
const GARBAGE_WEIGHT = 2;

/** A buffer of the module: the address of its native Buffer record. */
class WasmBuffer {
  constructor(
    readonly address: number,
    readonly ballast: Ballast,
    readonly bytes: number,
  ) {}
}

// Arg::Kind of native/args.h
const KIND_NULL = 1;
const KIND_NUMBER = 2;
const KIND_BUFFER = 3;
const KIND_BYTES = 4;
/** The most arguments a call takes (kMaxArgs), and the bytes each tiny typed array may have. */
const MAX_ARGS = 12;
const TINY_BYTES = 256;

const arrayTypes = [Float32Array, Float64Array, Int32Array, Uint8Array] as const;

/** The names in a '\n'-joined C string of the module. */
function names(memory: WebAssembly.Memory, address: number): string[] {
  const text = cString(memory, address);
  return text.split("\n").filter((s) => s.length > 0);
}

/** A NUL-terminated UTF-8 string of the module (copied out: TextDecoder refuses shared memory). */
function cString(memory: WebAssembly.Memory, address: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = address;
  while (bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.slice(address, end));
}

/** The module as a NativeAddon; `onCall` runs before each kernel (the thread pool starts lazily). */
export function wasmAddon(rt: WasmRuntime, onCall: () => void): NativeAddon & { views(): Views } {
  const x = rt.exports;
  const memory = rt.memory;
  const area = new Float64Array(memory.buffer, x.cr_call_area(), 3 * MAX_ARGS);
  const desc = new Float64Array(memory.buffer, x.cr_desc(), x.cr_desc_length());
  const staging = new Float64Array(memory.buffer, x.cr_staging(), x.cr_staging_length());
  const scratch = x.cr_malloc(MAX_ARGS * TINY_BYTES);
  const scratchBytes = new Uint8Array(memory.buffer, scratch, MAX_ARGS * TINY_BYTES);
  const freed = new FinalizationRegistry<number>((address) => x.cr_delete(address));

  let group = new Ballast();
  let groupBytes = 0;
  function wrap(address: number, bytes: number): WasmBuffer {
    if (address === 0) {
      throw new RangeError(
        `wasm backend: cannot allocate a buffer of ${bytes} bytes (out of memory: the module's memory ends at 4 GiB)`,
      );
    }
    const b = new WasmBuffer(address, group, bytes);
    freed.register(b, address);
    groupBytes += b.bytes;
    if (groupBytes >= BALLAST_BYTES) {
      group.bytes = new ArrayBuffer(GARBAGE_WEIGHT * groupBytes);
      group = new Ballast();
      groupBytes = 0;
    }
    return b;
  }
  const addressOf = (b: NativeBuffer) => (b as WasmBuffer).address;
  /** The buffer's bytes as a typed array of dtype code dt, over the module's memory (not a copy). */
  function dataOf(b: NativeBuffer, dt: number, forWrite?: number): ArrayBufferView {
    const a = addressOf(b);
    const p = forWrite === undefined ? x.cr_data(a) : x.cr_data_for_write(a, forWrite);
    const Ctor = arrayTypes[dt]!;
    return new Ctor(memory.buffer, p, x.cr_bytes(a) / Ctor.BYTES_PER_ELEMENT);
  }

  /** dataOf for reading, refusing a buffer already freed. */
  function readable(b: NativeBuffer, dt: number): ArrayBufferView {
    const w = b as WasmBuffer;
    if (w.bytes > 0 && x.cr_bytes(w.address) === 0) throw new RangeError("read: the buffer was disposed");
    return dataOf(b, dt);
  }

  /** Runs kernel call `index` over `args` (numbers, buffers, null, tiny typed arrays). */
  function call(index: number, name: string, args: unknown[]): void {
    onCall();
    const tinies: [ArrayBufferView, number][] = [];
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      let kind = KIND_NULL;
      let value = 0;
      let length = 0;
      if (typeof v === "number") {
        kind = KIND_NUMBER;
        value = v;
      } else if (v instanceof WasmBuffer) {
        kind = KIND_BUFFER;
        value = v.address;
      } else if (ArrayBuffer.isView(v)) {
        length = v.byteLength;
        if (length > TINY_BYTES) throw new RangeError(`${name}: a typed-array operand of ${length} bytes is too large`);
        // one array passed twice (two views of one tiny tensor) must be one copy, or the copy
        // written back last would undo what the kernel wrote through the other
        let at = tinies.find(([t]) => t === v)?.[1];
        if (at === undefined) {
          at = i * TINY_BYTES;
          scratchBytes.set(new Uint8Array(v.buffer, v.byteOffset, length), at);
          tinies.push([v, at]);
        }
        kind = KIND_BYTES;
        value = scratch + at;
      } else if (v !== null && v !== undefined) {
        throw new TypeError(`${name}: argument ${i} is not a number, buffer or typed array`);
      }
      area[i] = kind;
      area[MAX_ARGS + i] = value;
      area[2 * MAX_ARGS + i] = length;
    }
    let rc: number;
    try {
      rc = x.cr_call(index, args.length);
    } catch (e) {
      // a trap: the C++ runtime aborted (it says why on stderr first) or a kernel failed
      const why = rt.said.text.trim() || (e instanceof Error ? e.message : String(e));
      rt.said.text = "";
      throw new Error(`${name}: the wasm kernel stopped: ${why}`, { cause: e });
    }
    // tiny outputs come back; copying the inputs back too is cheaper than telling them apart
    for (const [v, at] of tinies)
      new Uint8Array(v.buffer, v.byteOffset, v.byteLength).set(scratchBytes.subarray(at, at + v.byteLength));
    if (rc !== 0) {
      const message = cString(memory, x.cr_message());
      throw rc === 2 ? new TypeError(message) : new RangeError(message);
    }
  }

  const addon: Record<string, unknown> = {
    abi: x.cr_abi(),
    unaryOps: names(memory, x.cr_names(1)),
    binaryOps: names(memory, x.cr_names(2)),
    reduceOps: names(memory, x.cr_names(3)),
    scanOps: names(memory, x.cr_names(4)),
    views: () => ({ desc, staging }),
    init() {
      throw new Error("wasm backend: its descriptor is its own memory (views()), not one handed to it");
    },
    alloc: (dt: number, n: number) => wrap(x.cr_alloc(dt, n * dtypeCodeBytes(dt), 1), n * dtypeCodeBytes(dt)),
    upload(dt: number, data: ArrayBufferView) {
      const b = wrap(x.cr_alloc(dt, data.byteLength, 0), data.byteLength);
      new Uint8Array(memory.buffer, x.cr_data_for_write(b.address, data.byteLength), data.byteLength).set(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
      return b;
    },
    uploadStaged(dt: number, n: number) {
      const b = wrap(x.cr_alloc(dt, n * dtypeCodeBytes(dt), 0), n * dtypeCodeBytes(dt));
      (dataOf(b, dt, n * dtypeCodeBytes(dt)) as Float64Array).set(staging.subarray(0, n));
      return b;
    },
    read: (b: NativeBuffer, dt: number) => (readable(b, dt) as Float64Array).slice(),
    readStaged(b: NativeBuffer, dt: number) {
      const data = readable(b, dt) as Float64Array;
      if (data.length > staging.length) return -1;
      staging.set(data);
      return data.length;
    },
    write(b: NativeBuffer, data: ArrayBufferView) {
      const bytes = x.cr_bytes(addressOf(b));
      if (data.byteLength > bytes) throw new RangeError("write: the data is larger than the buffer (was it disposed?)");
      const dst = dataOf(b, 3, data.byteLength) as Uint8Array;
      dst.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    },
    fill(b: NativeBuffer, dt: number, offset: number, n: number, value: number) {
      const width = dtypeCodeBytes(dt);
      const bytes = x.cr_bytes(addressOf(b));
      if (offset < 0 || n < 0 || (offset + n) * width > bytes)
        throw new RangeError("fill: range outside the buffer (was it disposed?)");
      const whole = offset === 0 && n * width >= bytes;
      (dataOf(b, dt, whole ? bytes : undefined) as Float64Array).fill(value, offset, offset + n);
    },
    free(b: NativeBuffer) {
      const w = b as WasmBuffer;
      // a buffer handed back at once (a gradient the backward walk used up) is no garbage: it
      // leaves the open group's count, so only what waits for the collector asks for collections
      if (w.ballast === group && x.cr_bytes(w.address) > 0) groupBytes -= w.bytes;
      x.cr_release(w.address);
    },
    pooledBytes: () => x.cr_pooled_bytes(),
    setNumThreads(n: number) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError("setNumThreads: expected a positive integer");
      x.cr_set_num_threads(n);
    },
    getNumThreads: () => x.cr_get_num_threads(),
    simd: () => cString(memory, x.cr_simd()),
    simdPaths: () => [cString(memory, x.cr_simd())],
  };
  names(memory, x.cr_names(0)).forEach((name, index) => {
    if (name in addon) return; // the buffer functions above are this side's own
    addon[name] = (...args: unknown[]) => call(index, name, args);
  });
  return addon as unknown as NativeAddon & { views(): Views };
}

/** The descriptor and staging arrays a backend writes views and small values into. */
export interface Views {
  desc: Float64Array;
  staging: Float64Array;
}
