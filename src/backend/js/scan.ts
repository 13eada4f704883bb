// Inclusive scans along a view's last dim in the reference backend: running sums, products,
// extremes and log-sum-exps, accumulated in double and stored in the output's dtype. The running
// extremes also record where they were taken: the later position on ties and at every NaN (a NaN
// wins and stays), as PyTorch's cummax and cummin do.

import type { TypedArray } from "../../core/dtype.js";
import type { Handle, ScanOp, View } from "../kernels.js";
import { forEachLastDimRow } from "./strided.js";

const arr = (h: Handle) => h as TypedArray;

/** log(e^a + e^b) without overflow; equal infinities stay as they are, a NaN makes NaN. */
export function logAddExp(a: number, b: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  // NOTE: -inf + -inf (and inf + inf) would give inf - inf = NaN through the shifted form
  if (lo === hi && !Number.isFinite(lo)) return lo;
  return hi + Math.log1p(Math.exp(lo - hi));
}

/** out = the inclusive scan `op` of x along its last dim; indices (max, min) = where each extreme was taken. */
export function scanInto(op: ScanOp, x: View, out: View, indices: View | null): void {
  const [xs, os] = [arr(x.handle), arr(out.handle)];
  const n = x.shape.at(-1) ?? 1;
  const [sx, so] = [x.strides.at(-1) ?? 0, out.strides.at(-1) ?? 0];
  if (op === "max" || op === "min") {
    const is = indices ? arr(indices.handle) : null;
    const si = indices?.strides.at(-1) ?? 0;
    const views = indices ? [x, out, indices] : [x, out];
    const beats = op === "max" ? (v: number, best: number) => v >= best : (v: number, best: number) => v <= best;
    forEachLastDimRow(views, ([xo, oo, io]) => {
      let best = NaN;
      let at = 0;
      for (let i = 0, k = xo!, j = oo!, l = io ?? 0; i < n; i++, k += sx, j += so, l += si) {
        const v = xs[k]!;
        if (i === 0 || v !== v || (best === best && beats(v, best))) {
          best = v;
          at = i;
        }
        os[j] = best;
        if (is) is[l] = at;
      }
    });
    return;
  }
  forEachLastDimRow([x, out], ([xo, oo]) => {
    let acc = op === "sum" ? 0 : op === "prod" ? 1 : -Infinity;
    for (let i = 0, k = xo!, j = oo!; i < n; i++, k += sx, j += so) {
      const v = xs[k]!;
      acc = op === "sum" ? acc + v : op === "prod" ? acc * v : logAddExp(acc, v);
      os[j] = acc;
    }
  });
}
