// scatterReduce on the reference backend: walk the index tensor's shape in order; src is addressed
// with its own strides and dst (contiguous) with its strides at every dim but `dim`, where the
// index value picks the position. Index order is the order of the writes, so "assign" keeps the
// last value sent to a position, as PyTorch's CPU loop does.

import type { DType, TypedArray } from "../../core/dtype.js";
import { contiguousStrides, numelOf, type Shape } from "../../core/shape.js";
import type { Handle, ScatterReduce, View } from "../kernels.js";
import { coalesce, forEachRow } from "./strided.js";

type Combine = (a: number, b: number) => number;

// NOTE: NaN wins both ways: a > NaN and a < NaN are false, so the NaN test comes first
const COMBINE: Record<ScatterReduce, Combine> = {
  assign: (_a, b) => b,
  sum: (a, b) => a + b,
  prod: (a, b) => a * b,
  amax: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  amin: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
};

/** The combination for `dtype`: int32 products wrap as 32-bit integers, like the native kernel's. */
function combineFor(reduce: ScatterReduce, dtype: DType): Combine {
  return reduce === "prod" && dtype === "int32" ? Math.imul : COMBINE[reduce];
}

/** dst[.. index along dim ..] = reduce(dst[..], src[..]); throws on an out-of-range index. */
export function scatterReduceInto(
  dst: Handle,
  dstShape: Shape,
  dim: number,
  index: View,
  src: View,
  reduce: ScatterReduce,
  includeSelf: boolean,
): void {
  const d = dst as TypedArray;
  const is = index.handle as TypedArray;
  const ss = src.handle as TypedArray;
  const size = dstShape[dim]!;
  const strides = contiguousStrides(dstShape);
  const step = strides[dim]!;
  const dStrides = strides.map((s, k) => (k === dim ? 0 : s));
  const combine = combineFor(reduce, src.dtype);
  // without includeSelf a position's first value replaces what is there
  const touched = includeSelf || reduce === "assign" ? null : new Uint8Array(numelOf(dstShape));
  const walk = coalesce(index.shape, [index.strides, src.strides, dStrides]);
  const [si, sv, sd] = [0, 1, 2].map((v) => walk.strides[v]!.at(-1)!) as [number, number, number];
  forEachRow(walk, [index.offset, src.offset, 0], (off, n) => {
    let [i, s, o] = off as [number, number, number];
    for (let k = 0; k < n; k++, i += si, s += sv, o += sd) {
      let at = is[i]!;
      if (at < 0) at += size;
      if (at < 0 || at >= size) {
        throw new RangeError(`scatterReduce: index ${is[i]} is out of bounds for dimension ${dim} with size ${size}`);
      }
      const t = o + at * step;
      if (touched && !touched[t]) {
        touched[t] = 1;
        d[t] = ss[s]!;
      } else d[t] = combine(d[t]!, ss[s]!);
    }
  });
}
