// The native backend's Kernels: buffers live in the addon (opaque handles the garbage collector
// frees; no dispose needed) and arithmetic runs there. Each call writes its views' geometry into
// one shared Float64Array (dtype, offset, ndim, shape..., strides...) that the addon reads, far
// cheaper than handing it JS objects to pick apart. Tiny tensors (scalars, small biases) are
// plain typed arrays instead, and ops whose operands are all tiny run on the reference loops:
// for them an addon buffer's bookkeeping would cost more than the arithmetic.

import { allocArray, type DType, type TypedArray } from "../../core/dtype.js";
import { contiguousStrides, numelOf, type Shape } from "../../core/shape.js";
import { type Handle, type Kernels, scatterReduceOps, type View } from "../kernels.js";
import { referenceKernels } from "../js/reference.js";
import type { NativeAddon, NativeBuffer, OpCodes } from "./addon.js";
import { nativeAttention } from "./attention.js";

/** The most dims the addon takes; larger views run on the reference loops over copies. */
const MAX_DIMS = 32;
/** Uploads and reads up to this many elements go through the staging array. */
const STAGED = 256;
/** Tensors up to this many elements are typed arrays (V8 keeps them on its heap: 64 bytes). */
const TINY = 16;
/** The addon's codes of the fused activations (ActivationKind in native/isa.h). */
const ACTIVATION_CODES = { gelu: 0, geluTanh: 1, silu: 2 } as const;

const dtypeCode: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/** The native backend's kernels, plus free() for Tensor.dispose. */
export type NativeKernels = Kernels & { free(handle: Handle): void };

const buf = (h: Handle) => h as NativeBuffer;
/** True for a tiny tensor's typed array, false for an addon buffer. */
const tiny = (h: Handle) => ArrayBuffer.isView(h);

/**
 * Kernels that run in `addon` (the Node addon, or the WebAssembly module behind the same
 * interface), naming ops by the codes looked up in it; `name` is the backend's.
 */
export function nativeKernels(addon: NativeAddon, codes: OpCodes, name = "native"): NativeKernels {
  const own = addon.views?.();
  const desc = own?.desc ?? new Float64Array(8 + 4 * (3 + 2 * MAX_DIMS));
  // NOTE: small uploads and reads (scalars above all) pass their values through this array:
  // handing the addon a fresh typed array would make V8 move it off its heap first
  const staging = own?.staging ?? new Float64Array(STAGED);
  if (!own) addon.init(desc, staging);
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
  /** True when every view given is over a tiny tensor's typed array. */
  const tinyViews = (...views: (View | null)[]) => views.every((v) => !v || tiny(v.handle));
  /** A 0/1 flag, then v's geometry when there is a v; its buffer or null. */
  function putOptional(v: View | null): NativeBuffer | null {
    desc[pos++] = v ? 1 : 0;
    return v ? put(v) : null;
  }
  function read(h: Handle, dtype: DType): TypedArray {
    if (tiny(h)) return (h as TypedArray).slice();
    const n = addon.readStaged(buf(h), dtypeCode[dtype]);
    if (n < 0 || n > STAGED) return addon.read(buf(h), dtypeCode[dtype]) as TypedArray;
    const out = allocArray(dtype, n);
    for (let i = 0; i < n; i++) out[i] = staging[i]!;
    return out;
  }
  const fits = (...views: View[]) => views.every((v) => v.shape.length <= MAX_DIMS);
  const allTiny = (...handles: Handle[]) => handles.every(tiny);

  // NOTE: views with more dims than the addon takes run on the reference kernels over copies,
  // and the result is written back; slow, but such tensors are rare.
  const typed = (v: View): View => ({ ...v, handle: read(v.handle, v.dtype) });
  function viaReference(out: Handle, dtype: DType, n: number, run: (o: TypedArray) => void): void {
    const o = allocArray(dtype, n);
    run(o);
    writeBack(out, o);
  }
  function writeBack(h: Handle, data: TypedArray): void {
    if (tiny(h)) (h as TypedArray).set(data);
    else addon.write(buf(h), data);
  }

  /** A fused recurrent cell: the reference loops when every view is tiny, else the addon's kernel `op`. */
  function cell(op: "lstmCell" | "lstmCellBackward" | "gruCell" | "gruCellBackward") {
    return (...views: View[]): void => {
      if (allTiny(...views.map((v) => v.handle))) return (referenceKernels[op] as (...v: View[]) => void)(...views);
      pos = 0;
      (addon[op] as (...b: NativeBuffer[]) => void)(...views.map(put));
    };
  }

  return {
    name,
    alloc: (dtype, size) => (size <= TINY ? allocArray(dtype, size) : addon.alloc(dtypeCode[dtype], size)),
    upload(dtype, data) {
      const n = data.length;
      if (n <= TINY) return referenceKernels.upload(dtype, data);
      if (n <= STAGED) {
        if (dtype === "bool") for (let i = 0; i < n; i++) staging[i] = data[i] !== 0 ? 1 : 0;
        else for (let i = 0; i < n; i++) staging[i] = data[i]!;
        return addon.uploadStaged(dtypeCode[dtype], n);
      }
      const arr = allocArray(dtype, data.length);
      if (dtype === "bool") for (let i = 0; i < data.length; i++) arr[i] = data[i] !== 0 ? 1 : 0;
      else arr.set(data);
      return addon.upload(dtypeCode[dtype], arr);
    },
    readSync: read,
    read: (h, dtype) => Promise.resolve(read(h, dtype)),
    fill(h, dtype, offset, n, value) {
      if (tiny(h)) return referenceKernels.fill(h, dtype, offset, n, value);
      addon.fill(buf(h), dtypeCode[dtype], offset, n, value);
    },
    copy(src, dst) {
      if (allTiny(src.handle, dst.handle)) return referenceKernels.copy(src, dst);
      if (fits(src, dst)) {
        pos = 0;
        return addon.copy(put(src), put(dst));
      }
      const d = typed(dst);
      referenceKernels.copy(typed(src), d);
      writeBack(dst.handle, d.handle as TypedArray);
    },
    unary(op, x, out, outDtype) {
      if (allTiny(x.handle, out)) return referenceKernels.unary(op, x, out, outDtype);
      if (!fits(x))
        return viaReference(out, outDtype, numelOf(x.shape), (o) => referenceKernels.unary(op, typed(x), o, outDtype));
      pos = 0;
      addon.unary(codes.unary[op], put(x), buf(out), dtypeCode[outDtype]);
    },
    binary(op, a, b, out, outDtype) {
      if (allTiny(a.handle, b.handle, out)) return referenceKernels.binary(op, a, b, out, outDtype);
      if (!fits(a))
        return viaReference(out, outDtype, numelOf(a.shape), (o) =>
          referenceKernels.binary(op, typed(a), typed(b), o, outDtype),
        );
      pos = 0;
      addon.binary(codes.binary[op], put(a), put(b), buf(out), dtypeCode[outDtype]);
    },
    axpy(alpha, x, out) {
      if (allTiny(x.handle, out.handle)) return referenceKernels.axpy(alpha, x, out);
      if (!fits(x, out)) {
        const o = typed(out);
        referenceKernels.axpy(alpha, typed(x), o);
        return writeBack(out.handle, o.handle as TypedArray);
      }
      pos = 0;
      const src = put(x);
      addon.axpy(alpha, src, put(out));
    },
    where(cond, a, b, out, outDtype) {
      if (allTiny(cond.handle, a.handle, b.handle, out)) return referenceKernels.where(cond, a, b, out, outDtype);
      if (!fits(a))
        return viaReference(out, outDtype, numelOf(a.shape), (o) =>
          referenceKernels.where(typed(cond), typed(a), typed(b), o, outDtype),
        );
      pos = 0;
      addon.where(put(cond), put(a), put(b), buf(out), dtypeCode[outDtype]);
    },
    reduce(op, x, nReduce, out, outDtype) {
      if (allTiny(x.handle, out)) return referenceKernels.reduce(op, x, nReduce, out, outDtype);
      if (!fits(x)) {
        const rows = numelOf(x.shape.slice(0, x.shape.length - nReduce));
        return viaReference(out, outDtype, rows, (o) => referenceKernels.reduce(op, typed(x), nReduce, o, outDtype));
      }
      pos = 0;
      addon.reduce(codes.reduce[op], put(x), nReduce, buf(out), dtypeCode[outDtype]);
    },
    softmax(x, log, out) {
      if (allTiny(x.handle, out.handle)) return referenceKernels.softmax(x, log, out);
      if (!fits(x, out)) {
        const o = typed(out);
        referenceKernels.softmax(typed(x), log, o);
        return writeBack(out.handle, o.handle as TypedArray);
      }
      pos = 0;
      const src = put(x);
      addon.softmax(src, put(out), log ? 1 : 0);
    },
    softmaxBackward(g, y, log, out) {
      if (allTiny(g.handle, y.handle, out.handle)) return referenceKernels.softmaxBackward(g, y, log, out);
      if (!fits(g, y, out)) {
        const o = typed(out);
        referenceKernels.softmaxBackward(typed(g), typed(y), log, o);
        return writeBack(out.handle, o.handle as TypedArray);
      }
      pos = 0;
      const gv = put(g);
      const yv = put(y);
      addon.softmaxBackward(gv, yv, put(out), log ? 1 : 0);
    },
    activation(kind, x, out) {
      if (allTiny(x.handle, out) || !fits(x))
        return viaReference(out, x.dtype, numelOf(x.shape), (o) => referenceKernels.activation(kind, typed(x), o));
      pos = 0;
      addon.activation(ACTIVATION_CODES[kind], put(x), buf(out));
    },
    activationBackward(kind, g, x, out) {
      if (allTiny(g.handle, x.handle, out) || !fits(g, x))
        return viaReference(out, x.dtype, numelOf(x.shape), (o) =>
          referenceKernels.activationBackward(kind, typed(g), typed(x), o),
        );
      pos = 0;
      const gv = put(g);
      addon.activationBackward(ACTIVATION_CODES[kind], gv, put(x), buf(out));
    },
    scan(op, x, out, indices) {
      const handles = indices ? [x.handle, out.handle, indices.handle] : [x.handle, out.handle];
      if (allTiny(...handles) || !fits(x)) {
        const o = typed(out);
        const i = indices && typed(indices);
        referenceKernels.scan(op, typed(x), o, i);
        writeBack(out.handle, o.handle as TypedArray);
        if (indices && i) writeBack(indices.handle, i.handle as TypedArray);
        return;
      }
      pos = 0;
      const src = put(x);
      const dst = put(out);
      if (indices) addon.scan(codes.scan[op], src, dst, put(indices));
      else addon.scan(codes.scan[op], src, dst);
    },
    sort(x, descending, values, indices) {
      if (allTiny(x.handle, values.handle, indices.handle) || !fits(x)) {
        const [v, i] = [typed(values), typed(indices)];
        referenceKernels.sort(typed(x), descending, v, i);
        writeBack(values.handle, v.handle as TypedArray);
        return writeBack(indices.handle, i.handle as TypedArray);
      }
      pos = 0;
      const src = put(x);
      const v = put(values);
      addon.sort(src, v, put(indices), descending ? 1 : 0);
    },
    matmul(a, b, out, dtype) {
      if (allTiny(a.handle, b.handle, out)) return referenceKernels.matmul(a, b, out, dtype);
      if (!fits(a)) {
        const n = (numelOf(a.shape) / a.shape.at(-1)!) * b.shape.at(-1)!;
        return viaReference(out, dtype, n, (o) => referenceKernels.matmul(typed(a), typed(b), o, dtype));
      }
      pos = 0;
      addon.matmul(put(a), put(b), buf(out), dtypeCode[dtype]);
    },
    gather(x, dim, index, out) {
      if (allTiny(x.handle, index.handle, out)) return referenceKernels.gather(x, dim, index, out);
      if (!fits(x))
        return viaReference(out, x.dtype, numelOf(index.shape), (o) =>
          referenceKernels.gather(typed(x), dim, typed(index), o),
        );
      pos = 0;
      addon.gather(put(x), dim, put(index), buf(out));
    },
    scatterAdd(dst, dstShape: Shape, dim, index, src) {
      // dst shares src's dtype: the op casts both to the result type
      if (allTiny(dst, index.handle, src.handle)) return referenceKernels.scatterAdd(dst, dstShape, dim, index, src);
      if (!fits(src)) {
        const d = read(dst, src.dtype);
        referenceKernels.scatterAdd(d, dstShape, dim, typed(index), typed(src));
        return writeBack(dst, d);
      }
      pos = 0;
      const dstView = {
        handle: dst,
        dtype: src.dtype,
        shape: dstShape,
        strides: contiguousStrides(dstShape),
        offset: 0,
      };
      addon.scatterAdd(put(dstView), dim, put(index), put(src));
    },
    scatterReduce(dst, dstShape: Shape, dim, index, src, reduce, includeSelf) {
      // dst holds src's dtype, as scatterAdd's does
      if (allTiny(dst, index.handle, src.handle) || !fits(src)) {
        const d = read(dst, src.dtype);
        referenceKernels.scatterReduce(d, dstShape, dim, typed(index), typed(src), reduce, includeSelf);
        return writeBack(dst, d);
      }
      pos = 0;
      const strides = contiguousStrides(dstShape);
      const d = put({ handle: dst, dtype: src.dtype, shape: dstShape, strides, offset: 0 });
      addon.scatterReduce(d, dim, put(index), put(src), scatterReduceOps.indexOf(reduce), includeSelf ? 1 : 0);
    },
    maxPool(x, geometry, values, positions) {
      if (allTiny(x.handle, values, positions) || !fits(x)) {
        const [v, p] = [read(values, x.dtype), read(positions, "int32")];
        referenceKernels.maxPool(typed(x), geometry, v, p);
        writeBack(values, v);
        return writeBack(positions, p);
      }
      pos = 0;
      const src = put(x);
      desc[pos++] = geometry.kernel.length;
      for (const list of [geometry.kernel, geometry.stride, geometry.dilation]) for (const n of list) desc[pos++] = n;
      addon.maxPool(src, buf(values), buf(positions));
    },
    convDirect(x, w, bias, padding, dilation, groups, out) {
      pos = 0;
      const [xb, wb] = [put(x), put(w)];
      const bb = bias ? put(bias) : null;
      for (const n of [...padding, ...dilation, groups]) desc[pos++] = n;
      addon.convDirect(xb, wb, bb, buf(out));
    },
    convWeightGrad(x, g, kernel, padding, dilation, groups, out, bias) {
      pos = 0;
      const [xb, gb] = [put(x), put(g)];
      for (const n of [...kernel, ...padding, ...dilation, groups]) desc[pos++] = n;
      addon.convWeightGrad(xb, gb, buf(out), putOptional(bias ?? null));
    },
    adamStep(p, g, m, v, vmax, h) {
      if (allTiny(p.handle, g.handle, m.handle, v.handle, ...(vmax ? [vmax.handle] : []))) {
        return referenceKernels.adamStep(p, g, m, v, vmax, h);
      }
      pos = 0;
      const [pb, gb, mb, vb] = [put(p), put(g), put(m), put(v)];
      const xb = vmax ? put(vmax) : null;
      for (const n of [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled ? 1 : 0, h.maximize ? 1 : 0])
        desc[pos++] = n;
      desc[pos++] = h.biasCorrection1;
      desc[pos++] = h.biasCorrection2Sqrt;
      addon.adamStep(pb, gb, mb, vb, xb);
    },
    batchNormStats(x, eps, stats) {
      if (tinyViews(x, stats)) return referenceKernels.batchNormStats(x, eps, stats);
      pos = 0;
      const src = put(x);
      desc[pos++] = eps;
      addon.batchNormStats(src, put(stats));
    },
    batchNormForward(x, stats, weight, bias, out, relu) {
      if (tinyViews(x, stats, weight, bias, out))
        return referenceKernels.batchNormForward(x, stats, weight, bias, out, relu);
      pos = 0;
      const h = [put(x), put(stats), putOptional(weight), putOptional(bias)] as const;
      desc[pos++] = relu ? 1 : 0;
      addon.batchNormForward(...h, put(out));
    },
    batchNormTrain(x, eps, stats, weight, bias, out, relu) {
      if (tinyViews(x, stats, weight, bias, out))
        return referenceKernels.batchNormTrain(x, eps, stats, weight, bias, out, relu);
      pos = 0;
      const src = put(x);
      desc[pos++] = eps;
      const h = [src, put(stats), putOptional(weight), putOptional(bias)] as const;
      desc[pos++] = relu ? 1 : 0;
      addon.batchNormTrain(...h, put(out));
    },
    batchNormBackward(g, x, stats, weight, training, dx, dwb, relu, bias) {
      if (tinyViews(g, x, stats, weight, dx, dwb, bias))
        return referenceKernels.batchNormBackward(g, x, stats, weight, training, dx, dwb, relu, bias);
      pos = 0;
      const h = [put(g), put(x), put(stats), putOptional(weight)] as const;
      desc[pos++] = training ? 1 : 0;
      const outs = [putOptional(dx), putOptional(dwb)] as const;
      desc[pos++] = relu ? 1 : 0;
      addon.batchNormBackward(...h, ...outs, putOptional(bias));
    },
    layerNormForward(x, eps, weight, bias, out, stats) {
      if (tinyViews(x, weight, bias, out, stats))
        return referenceKernels.layerNormForward(x, eps, weight, bias, out, stats);
      pos = 0;
      desc[pos++] = eps;
      const h = [put(x), putOptional(weight), putOptional(bias)] as const;
      addon.layerNormForward(...h, put(out), put(stats));
    },
    layerNormBackward(g, x, stats, weight, dx, dwb) {
      if (tinyViews(g, x, stats, weight, dx, dwb))
        return referenceKernels.layerNormBackward(g, x, stats, weight, dx, dwb);
      pos = 0;
      const h = [put(g), put(x), put(stats), putOptional(weight)] as const;
      addon.layerNormBackward(...h, putOptional(dx), putOptional(dwb));
    },
    ...nativeAttention(addon, { reset: () => void (pos = 0), put, typed, writeBack, tiny }),
    lstmCell: cell("lstmCell"),
    lstmCellBackward: cell("lstmCellBackward"),
    gruCell: cell("gruCell"),
    gruCellBackward: cell("gruCellBackward"),
    free(h) {
      if (!tiny(h)) addon.free(buf(h));
    },
  };
}
