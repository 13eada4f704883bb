// Stable sorting along a view's last dim in the reference backend. NaN sorts above every number,
// as in PyTorch: last in ascending order, first in descending order; equal values (NaNs among
// them) keep their order either way.

import type { TypedArray } from "../../core/dtype.js";
import type { Handle, View } from "../kernels.js";
import { forEachLastDimRow } from "./strided.js";

const arr = (h: Handle) => h as TypedArray;

/** Ascending order with NaN above every number; 0 for equal values and for two NaNs. */
function ascending(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** values, indices = x sorted along its last dim (stably), and where each value came from. */
export function sortInto(x: View, descending: boolean, values: View, indices: View): void {
  const [xs, vs, is] = [arr(x.handle), arr(values.handle), arr(indices.handle)];
  const n = x.shape.at(-1) ?? 1;
  const [sx, sv, si] = [x.strides.at(-1) ?? 0, values.strides.at(-1) ?? 0, indices.strides.at(-1) ?? 0];
  const row = new Float64Array(n);
  const order = new Int32Array(n);
  // the position breaks ties, so the order is stable whatever algorithm sort() uses
  const compare = descending
    ? (i: number, j: number) => ascending(row[j]!, row[i]!) || i - j
    : (i: number, j: number) => ascending(row[i]!, row[j]!) || i - j;
  forEachLastDimRow([x, values, indices], ([xo, vo, io]) => {
    for (let i = 0, k = xo!; i < n; i++, k += sx) {
      row[i] = xs[k]!;
      order[i] = i;
    }
    order.sort(compare);
    for (let i = 0, j = vo!, l = io!; i < n; i++, j += sv, l += si) {
      vs[j] = row[order[i]!]!;
      is[l] = order[i]!;
    }
  });
}
