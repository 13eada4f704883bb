// Strided copies of the reference backend, shared by every kernel that needs a dense operand.

import { allocArray, type TypedArray } from "../../core/dtype.js";
import { contiguousStrides, isContiguous, numelOf } from "../../core/shape.js";
import type { Handle, View } from "../kernels.js";
import { coalesce, forEachRow } from "./strided.js";

const arr = (h: Handle) => h as TypedArray;

/** The typed array and offset of `v` laid out contiguously, copying only when needed. */
export function contiguousOf(v: View): { a: TypedArray; off: number } {
  if (isContiguous(v.shape, v.strides)) return { a: arr(v.handle), off: v.offset };
  const out = allocArray(v.dtype, numelOf(v.shape));
  copyView(v, { handle: out, dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 });
  return { a: out, off: 0 };
}

/** Copies src into dst element by element, converting to dst's dtype. */
export function copyView(src: View, dst: View): void {
  const s = arr(src.handle);
  const d = arr(dst.handle);
  const walk = coalesce(src.shape, [src.strides, dst.strides]);
  const [ss, ds] = [walk.strides[0]!.at(-1)!, walk.strides[1]!.at(-1)!];
  const boolOut = dst.dtype === "bool";
  forEachRow(walk, [src.offset, dst.offset], (o, n) => {
    let i = o[0]!;
    let j = o[1]!;
    if (boolOut) for (let k = 0; k < n; k++, i += ss, j += ds) d[j] = s[i] !== 0 ? 1 : 0;
    else for (let k = 0; k < n; k++, i += ss, j += ds) d[j] = s[i]!;
  });
}
