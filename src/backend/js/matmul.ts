// Batched matrix product of the reference backend. Rows are accumulated in float64 and each
// batch reads its operands in place when their inner two dims are row-major.

import type { TypedArray } from "../../core/dtype.js";
import { contiguousStrides, numelOf } from "../../core/shape.js";
import type { View } from "../kernels.js";
import { contiguousOf } from "./copy.js";

/** True when the inner two dims of v are laid out as a dense row-major matrix. */
function rowMajor(v: View): boolean {
  const n = v.shape.length;
  const [rows, cols] = [v.shape[n - 2]!, v.shape[n - 1]!];
  return (cols === 1 || v.strides[n - 1] === 1) && (rows === 1 || v.strides[n - 2] === cols);
}

/** The batch offsets of a view's leading dims, in row-major batch order. */
function batchOffsets(v: View, batch: readonly number[]): Float64Array {
  const nb = numelOf(batch);
  const offs = new Float64Array(nb);
  const bstr = contiguousStrides(batch);
  for (let b = 0; b < nb; b++) {
    let off = v.offset;
    for (let d = 0, rem = b; d < batch.length; d++) {
      const i = Math.floor(rem / bstr[d]!);
      rem -= i * bstr[d]!;
      off += i * v.strides[d]!;
    }
    offs[b] = off;
  }
  return offs;
}

/** out[b] = a[b] @ b[b] for every batch index b. */
export function matmulInto(a: View, b: View, out: TypedArray): void {
  const nd = a.shape.length;
  const [M, K] = [a.shape[nd - 2]!, a.shape[nd - 1]!];
  const N = b.shape[nd - 1]!;
  const batch = a.shape.slice(0, nd - 2);
  const av = rowMajor(a) ? a : { ...a, ...asContiguous(a) };
  const bv = rowMajor(b) ? b : { ...b, ...asContiguous(b) };
  const A = av.handle as TypedArray;
  const B = bv.handle as TypedArray;
  const aOffs = batchOffsets(av, batch);
  const bOffs = batchOffsets(bv, batch);
  const acc = new Float64Array(N);
  for (let bi = 0; bi < aOffs.length; bi++) {
    const ao = aOffs[bi]!;
    const bo = bOffs[bi]!;
    const oo = bi * M * N;
    for (let i = 0; i < M; i++) {
      acc.fill(0);
      const arow = ao + i * K;
      for (let k = 0; k < K; k++) {
        const aik = A[arow + k]!;
        const brow = bo + k * N;
        for (let j = 0; j < N; j++) acc[j]! += aik * B[brow + j]!;
      }
      for (let j = 0; j < N; j++) out[oo + i * N + j] = acc[j]!;
    }
  }
}

function asContiguous(v: View) {
  const { a, off } = contiguousOf(v);
  return { handle: a, strides: contiguousStrides(v.shape), offset: off };
}
