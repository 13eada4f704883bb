// The native backend's Kernels: buffers live in the addon (opaque handles the garbage collector
// frees; no dispose needed) and all arithmetic runs there. Each call writes its views' geometry
// into one shared Float64Array (dtype, offset, ndim, shape..., strides...) that the addon reads,
// which is far cheaper than handing it JS objects to pick apart.

import { allocArray, type DType, type TypedArray } from "../../tensor/dtype.js";
import { contiguousStrides, numelOf, type Shape } from "../../tensor/shape.js";
import { binaryOps, type Handle, type Kernels, type ReduceOp, unaryOps, type View } from "../kernels.js";
import { referenceKernels } from "../js/reference.js";
import type { NativeAddon, NativeBuffer } from "./addon.js";

/** The most dims the addon takes; larger views run on the reference loops over copies. */
const MAX_DIMS = 32;

const dtypeCode: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };
const reduceCode: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, argmax: 4, argmin: 5 };
const unaryCode = Object.fromEntries(unaryOps.map((op, i) => [op, i])) as Record<string, number>;
const binaryCode = Object.fromEntries(binaryOps.map((op, i) => [op, i])) as Record<string, number>;

/** The native backend's kernels, plus free() for Tensor.dispose. */
export type NativeKernels = Kernels & { free(handle: Handle): void };

const buf = (h: Handle) => h as NativeBuffer;

/** Kernels that run in `addon`. */
export function nativeKernels(addon: NativeAddon): NativeKernels {
  const desc = new Float64Array(8 + 4 * (3 + 2 * MAX_DIMS));
  addon.init(desc);
  let pos = 0;

  /** Appends v's geometry to the descriptor and returns its buffer. */
  function put(v: View): NativeBuffer {
    const nd = v.shape.length;
    desc[pos++] = dtypeCode[v.dtype];
    desc[pos++] = v.offset;
    desc[pos++] = nd;
    for (let d = 0; d < nd; d++) desc[pos + d] = v.shape[d]!;
    pos += nd;
    for (let d = 0; d < nd; d++) desc[pos + d] = v.strides[d]!;
    pos += nd;
    return buf(v.handle);
  }
  const read = (h: Handle, dtype: DType) => addon.read(buf(h), dtypeCode[dtype]) as TypedArray;
  const fits = (...views: View[]) => views.every((v) => v.shape.length <= MAX_DIMS);

  // NOTE: views with more dims than the addon takes run on the reference kernels over copies,
  // and the result is written back; slow, but such tensors are rare.
  const typed = (v: View): View => ({ ...v, handle: read(v.handle, v.dtype) });
  function viaReference(out: Handle, dtype: DType, n: number, run: (o: TypedArray) => void): void {
    const o = allocArray(dtype, n);
    run(o);
    addon.write(buf(out), o);
  }

  return {
    name: "native",
    alloc: (dtype, size) => addon.alloc(dtypeCode[dtype], size),
    upload(dtype, data) {
      const arr = allocArray(dtype, data.length);
      if (dtype === "bool") for (let i = 0; i < data.length; i++) arr[i] = data[i] ? 1 : 0;
      else arr.set(data);
      return addon.upload(dtypeCode[dtype], arr);
    },
    readSync: read,
    read: (h, dtype) => Promise.resolve(read(h, dtype)),
    fill(h, dtype, offset, n, value) {
      addon.fill(buf(h), dtypeCode[dtype], offset, n, value);
    },
    copy(src, dst) {
      if (fits(src, dst)) {
        pos = 0;
        return addon.copy(put(src), put(dst));
      }
      const d = typed(dst);
      referenceKernels.copy(typed(src), d);
      addon.write(buf(dst.handle), d.handle as TypedArray);
    },
    unary(op, x, out, outDtype) {
      if (!fits(x)) return viaReference(out, outDtype, numelOf(x.shape), (o) => referenceKernels.unary(op, typed(x), o, outDtype));
      pos = 0;
      addon.unary(unaryCode[op]!, put(x), buf(out), dtypeCode[outDtype]);
    },
    binary(op, a, b, out, outDtype) {
      if (!fits(a))
        return viaReference(out, outDtype, numelOf(a.shape), (o) => referenceKernels.binary(op, typed(a), typed(b), o, outDtype));
      pos = 0;
      addon.binary(binaryCode[op]!, put(a), put(b), buf(out), dtypeCode[outDtype]);
    },
    where(cond, a, b, out, outDtype) {
      if (!fits(a))
        return viaReference(out, outDtype, numelOf(a.shape), (o) =>
          referenceKernels.where(typed(cond), typed(a), typed(b), o, outDtype),
        );
      pos = 0;
      addon.where(put(cond), put(a), put(b), buf(out), dtypeCode[outDtype]);
    },
    reduce(op, x, nReduce, out, outDtype) {
      if (!fits(x)) {
        const rows = numelOf(x.shape.slice(0, x.shape.length - nReduce));
        return viaReference(out, outDtype, rows, (o) => referenceKernels.reduce(op, typed(x), nReduce, o, outDtype));
      }
      pos = 0;
      addon.reduce(reduceCode[op], put(x), nReduce, buf(out), dtypeCode[outDtype]);
    },
    matmul(a, b, out, dtype) {
      if (!fits(a)) {
        const n = (numelOf(a.shape) / a.shape.at(-1)!) * b.shape.at(-1)!;
        return viaReference(out, dtype, n, (o) => referenceKernels.matmul(typed(a), typed(b), o, dtype));
      }
      pos = 0;
      addon.matmul(put(a), put(b), buf(out), dtypeCode[dtype]);
    },
    gather(x, dim, index, out) {
      if (!fits(x))
        return viaReference(out, x.dtype, numelOf(index.shape), (o) => referenceKernels.gather(typed(x), dim, typed(index), o));
      pos = 0;
      addon.gather(put(x), dim, put(index), buf(out));
    },
    scatterAdd(dst, dstShape: Shape, dim, index, src) {
      // dst shares src's dtype: the op casts both to the result type
      if (!fits(src)) {
        const d = read(dst, src.dtype);
        referenceKernels.scatterAdd(d, dstShape, dim, typed(index), typed(src));
        return addon.write(buf(dst), d);
      }
      pos = 0;
      const dstView = { handle: dst, dtype: src.dtype, shape: dstShape, strides: contiguousStrides(dstShape), offset: 0 };
      addon.scatterAdd(put(dstView), dim, put(index), put(src));
    },
    free(h) {
      addon.free(buf(h));
    },
  };
}
