// The fused Adam/AdamW update in the reference backend: one pass over a parameter, its gradient
// and its moments. Every intermediate is rounded to the parameter's dtype where the composed
// ops (mul_, add_, sqrt, div, add) would store one, so it follows their float32 results.

import type { TypedArray } from "../../core/dtype.js";
import type { AdamHyper, Handle, View } from "../kernels.js";

const arr = (h: Handle) => h as TypedArray;

/**
 * p, m, v (and vmax under AMSGrad) updated in place from the gradient g; all dense views of one
 * shape and float dtype (see Kernels.adamStep).
 */
export function adamStepInto(p: View, g: View, m: View, v: View, vmax: View | null, h: AdamHyper): void {
  const r = p.dtype === "float32" ? Math.fround : (x: number) => x;
  const [ps, gs, ms, vs] = [arr(p.handle), arr(g.handle), arr(m.handle), arr(v.handle)];
  const xs = vmax ? arr(vmax.handle) : null;
  const n = p.shape.reduce((a, b) => a * b, 1);
  const [b1, b2] = [r(h.beta1), r(h.beta2)];
  const [a1, a2] = [r(1 - h.beta1), r(1 - h.beta2)];
  const decay = r(1 - h.lr * h.weightDecay);
  const [bc2, eps, step, wd] = [r(h.biasCorrection2Sqrt), r(h.eps), r(-h.lr / h.biasCorrection1), r(h.weightDecay)];
  for (let i = 0; i < n; i++) {
    const [ip, ig, im, iv] = [p.offset + i, g.offset + i, m.offset + i, v.offset + i];
    let d = h.maximize ? -gs[ig]! : gs[ig]!;
    let w = ps[ip]!;
    if (h.weightDecay !== 0 && h.decoupled) w = r(w * decay);
    else if (h.weightDecay !== 0) d = r(d + r(wd * w));
    const mi = r(r(ms[im]! * b1) + r(a1 * d));
    const vi = r(r(vs[iv]! * b2) + r(a2 * r(d * d)));
    ms[im] = mi;
    vs[iv] = vi;
    let second = vi;
    if (xs) {
      const ix = vmax!.offset + i;
      const prev = xs[ix]!;
      second = prev !== prev || vi !== vi ? prev + vi : prev > vi ? prev : vi;
      xs[ix] = second;
    }
    const denom = r(r(Math.sqrt(second) / bc2) + eps);
    ps[ip] = r(w + r(step * r(mi / denom)));
  }
}
