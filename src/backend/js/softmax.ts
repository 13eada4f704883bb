// Softmax and log-softmax along a view's last dim, and their gradients, in the reference
// backend: each row is shifted by its maximum before exp (no overflow), and a NaN anywhere in a
// row makes the whole row NaN, as in PyTorch.

import type { TypedArray } from "../../core/dtype.js";
import type { Handle, View } from "../kernels.js";
import { forEachLastDimRow } from "./strided.js";

const arr = (h: Handle) => h as TypedArray;

/** out = softmax (or, with `log`, log-softmax) of x along the last dim. */
export function softmaxInto(x: View, log: boolean, out: View): void {
  const [xs, os] = [arr(x.handle), arr(out.handle)];
  const n = x.shape.at(-1) ?? 1;
  const [sx, so] = [x.strides.at(-1) ?? 0, out.strides.at(-1) ?? 0];
  forEachLastDimRow([x, out], ([xo, oo]) => {
    let max = -Infinity;
    for (let i = 0, k = xo!; i < n; i++, k += sx) {
      const v = xs[k]!;
      if (v !== v) {
        max = v;
        break;
      }
      if (v > max) max = v;
    }
    let sum = 0;
    for (let i = 0, k = xo!; i < n; i++, k += sx) sum += Math.exp(xs[k]! - max);
    if (log) {
      const shift = Math.log(sum);
      for (let i = 0, k = xo!, j = oo!; i < n; i++, k += sx, j += so) os[j] = xs[k]! - max - shift;
    } else {
      for (let i = 0, k = xo!, j = oo!; i < n; i++, k += sx, j += so) os[j] = Math.exp(xs[k]! - max) / sum;
    }
  });
}

/** out = the gradient of a (log-)softmax along the last dim: g − e^y·Σg (log) or y·(g − Σg·y). */
export function softmaxBackwardInto(g: View, y: View, log: boolean, out: View): void {
  const [gs, ys, os] = [arr(g.handle), arr(y.handle), arr(out.handle)];
  const n = g.shape.at(-1) ?? 1;
  const [sg, sy, so] = [g.strides.at(-1) ?? 0, y.strides.at(-1) ?? 0, out.strides.at(-1) ?? 0];
  forEachLastDimRow([g, y, out], ([go, yo, oo]) => {
    let s = 0;
    if (log) {
      for (let i = 0, k = go!; i < n; i++, k += sg) s += gs[k]!;
      for (let i = 0, k = go!, l = yo!, j = oo!; i < n; i++, k += sg, l += sy, j += so)
        os[j] = gs[k]! - Math.exp(ys[l]!) * s;
    } else {
      for (let i = 0, k = go!, l = yo!; i < n; i++, k += sg, l += sy) s += gs[k]! * ys[l]!;
      for (let i = 0, k = go!, l = yo!, j = oo!; i < n; i++, k += sg, l += sy, j += so) os[j] = ys[l]! * (gs[k]! - s);
    }
  });
}
