// The reference backend: pure TypeScript over typed arrays, float64-capable, runs wherever
// JavaScript does. It is the living spec every faster backend is tested against.

import { allocArray, type DType, type TypedArray } from "../../core/dtype.js";
import { contiguousStrides, isContiguous, numelOf, type Shape } from "../../core/shape.js";
import { contiguousOf, copyView } from "./copy.js";
import type { Handle, Kernels, View } from "../kernels.js";
import { binaryLoops, unaryLoops } from "./elementwise.js";
import { coalesce, forEachRow } from "./strided.js";
import { matmulInto } from "./matmul.js";
import { maxPoolInto } from "./pool.js";
import { adamStepInto } from "./optim.js";
import {
  batchNormBackwardInto,
  batchNormForwardInto,
  batchNormTrainInto,
  batchNormStatsInto,
  layerNormBackwardInto,
  layerNormForwardInto,
} from "./norm.js";
import { reduceRows } from "./reduce.js";
import { scanInto } from "./scan.js";
import { scatterReduceInto } from "./scatter.js";
import { softmaxBackwardInto, softmaxInto } from "./softmax.js";
import { activationBackwardInto, activationInto } from "./activation.js";
import { attentionBackwardInto, attentionInto } from "./attention.js";
import { sortInto } from "./sort.js";
import { gruCellBackwardInto, gruCellInto, lstmCellBackwardInto, lstmCellInto } from "./recurrent.js";

const arr = (h: Handle) => h as TypedArray;

function indexAt(idx: TypedArray, at: number, size: number, op: string, dim: number): number {
  let v = idx[at]!;
  if (v < 0) v += size;
  if (v < 0 || v >= size) {
    throw new RangeError(`${op}: index ${idx[at]} is out of bounds for dimension ${dim} with size ${size}`);
  }
  return v;
}

/** Bool results of arithmetic are 0/1, as in PyTorch (True + True is True, not 2); tests already are. */
function asBool(o: TypedArray): void {
  for (let k = 0; k < o.length; k++) if (o[k]! > 1) o[k] = 1;
}

/** 1 for a dense view, 0 for a broadcast scalar (all strides 0), -1 otherwise. */
function runStride(v: View): number {
  if (isContiguous(v.shape, v.strides)) return 1;
  for (const s of v.strides) if (s !== 0) return -1;
  return 0;
}

/** The reference kernels. */
export const referenceKernels = {
  name: "js",
  alloc: (dtype: DType, size: number) => allocArray(dtype, size),
  upload(dtype: DType, data: ArrayLike<number>) {
    const out = allocArray(dtype, data.length);
    if (dtype === "bool") for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0;
    else out.set(data);
    return out;
  },
  readSync: (h: Handle) => arr(h).slice(),
  read: (h: Handle) => Promise.resolve(arr(h).slice()),
  fill(h: Handle, _dtype: DType, offset: number, n: number, value: number) {
    arr(h).fill(value, offset, offset + n);
  },
  copy: copyView,
  unary(op, x, out, outDtype) {
    const o = arr(out);
    const xs = arr(x.handle);
    if (isContiguous(x.shape, x.strides)) {
      unaryLoops[op](xs, x.offset, 1, o, 0, numelOf(x.shape));
      if (outDtype === "bool") asBool(o);
      return;
    }
    const walk = coalesce(x.shape, [x.strides, contiguousStrides(x.shape)]);
    const s = walk.strides[0]!.at(-1)!;
    forEachRow(walk, [x.offset, 0], (off, n) => unaryLoops[op](xs, off[0]!, s, o, off[1]!, n));
    if (outDtype === "bool") asBool(o);
  },
  binary(op, a, b, out, outDtype) {
    const o = arr(out);
    const [as, bs] = [arr(a.handle), arr(b.handle)];
    // one run when both are dense or one is a broadcast scalar: the common small-op case
    const sa = runStride(a);
    const sb = runStride(b);
    if (sa >= 0 && sb >= 0) {
      binaryLoops[op](as, a.offset, sa, bs, b.offset, sb, o, 0, numelOf(a.shape));
      if (outDtype === "bool") asBool(o);
      return;
    }
    const walk = coalesce(a.shape, [a.strides, b.strides, contiguousStrides(a.shape)]);
    const [ra, rb] = [walk.strides[0]!.at(-1)!, walk.strides[1]!.at(-1)!];
    forEachRow(walk, [a.offset, b.offset, 0], (off, n) =>
      binaryLoops[op](as, off[0]!, ra, bs, off[1]!, rb, o, off[2]!, n),
    );
    if (outDtype === "bool") asBool(o);
  },
  axpy(alpha, x, out) {
    const o = arr(out.handle);
    const xs = arr(x.handle);
    const walk = coalesce(x.shape, [x.strides, out.strides]);
    const [sx, so] = [walk.strides[0]!.at(-1)!, walk.strides[1]!.at(-1)!];
    forEachRow(walk, [x.offset, out.offset], (off, n) => {
      let [i, k] = off as [number, number];
      for (let j = 0; j < n; j++, i += sx, k += so) o[k] = o[k]! + alpha * xs[i]!;
    });
  },
  where(cond, a, b, out, _outDtype) {
    const o = arr(out);
    const [cs, as, bs] = [arr(cond.handle), arr(a.handle), arr(b.handle)];
    const walk = coalesce(a.shape, [cond.strides, a.strides, b.strides, contiguousStrides(a.shape)]);
    const [sc, sa, sb] = [0, 1, 2].map((v) => walk.strides[v]!.at(-1)!) as [number, number, number];
    forEachRow(walk, [cond.offset, a.offset, b.offset, 0], (off, n) => {
      let [c, i, j, k] = off as [number, number, number, number];
      for (const end = k + n; k < end; k++, c += sc, i += sa, j += sb) o[k] = cs[c] !== 0 ? as[i]! : bs[j]!;
    });
  },
  reduce(op, x, nReduce, out, _outDtype) {
    const { a, off } = contiguousOf(x);
    const inner = numelOf(x.shape.slice(x.shape.length - nReduce));
    reduceRows(op, a, off, inner, arr(out));
  },
  softmax: softmaxInto,
  softmaxBackward: softmaxBackwardInto,
  activation: activationInto,
  activationBackward: activationBackwardInto,
  scan: scanInto,
  sort: sortInto,
  matmul(a, b, out, _dtype) {
    matmulInto(a, b, arr(out));
  },
  gather(x, dim, index, out) {
    const xs = arr(x.handle);
    const is = arr(index.handle);
    const o = arr(out);
    const size = x.shape[dim]!;
    // walk index's shape; x is addressed with its own strides at every dim but `dim`
    const xStrides = x.strides.map((s, d) => (d === dim ? 0 : s));
    const walk = coalesce(index.shape, [index.strides, xStrides, contiguousStrides(index.shape)]);
    if (index.shape.length !== x.shape.length) throw new RangeError("gather: index must have as many dims as input");
    const [si, sx] = [walk.strides[0]!.at(-1)!, walk.strides[1]!.at(-1)!];
    const step = x.strides[dim]!;
    forEachRow(walk, [index.offset, x.offset, 0], (off, n) => {
      let [i, xo, k] = off as [number, number, number];
      for (const end = k + n; k < end; k++, i += si, xo += sx)
        o[k] = xs[xo + indexAt(is, i, size, "gather", dim) * step]!;
    });
  },
  scatterAdd(dst, dstShape: Shape, dim, index, src) {
    const d = arr(dst);
    const is = arr(index.handle);
    const ss = arr(src.handle);
    const size = dstShape[dim]!;
    const dStrides = contiguousStrides(dstShape).map((s, k) => (k === dim ? 0 : s));
    const step = contiguousStrides(dstShape)[dim]!;
    const walk = coalesce(index.shape, [index.strides, src.strides, dStrides]);
    const [si, sс, sd] = [0, 1, 2].map((v) => walk.strides[v]!.at(-1)!) as [number, number, number];
    forEachRow(walk, [index.offset, src.offset, 0], (off, n) => {
      let [i, s, o] = off as [number, number, number];
      for (let k = 0; k < n; k++, i += si, s += sс, o += sd)
        d[o + indexAt(is, i, size, "scatterAdd", dim) * step]! += ss[s]!;
    });
  },
  scatterReduce: scatterReduceInto,
  maxPool(x, geometry, values, positions) {
    maxPoolInto(x, geometry, arr(values), arr(positions));
  },
  adamStep: adamStepInto,
  batchNormStats: batchNormStatsInto,
  batchNormForward: batchNormForwardInto,
  batchNormTrain: batchNormTrainInto,
  batchNormBackward: batchNormBackwardInto,
  layerNormForward: layerNormForwardInto,
  layerNormBackward: layerNormBackwardInto,
  attention: attentionInto,
  attentionBackward: attentionBackwardInto,
  lstmCell: lstmCellInto,
  lstmCellBackward: lstmCellBackwardInto,
  gruCell: gruCellInto,
  gruCellBackward: gruCellBackwardInto,
} satisfies Kernels;
