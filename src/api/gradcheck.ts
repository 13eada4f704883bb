// gradcheck: compares the engine's Jacobian with central finite differences in float64, element
// by element, and names the worst mismatch. gradgradcheck does the same for the gradient itself.

import { checkOptions } from "../core/options.js";
import { fmtShape } from "../core/shape.js";
import { creation, elementwise } from "./functions.js";
import type { Tensor } from "./tensor.js";

const { randn, tensor } = creation;
const { mul } = elementwise;
import { grad } from "./grad.js";
import { enableGrad } from "../graph/grad-mode.js";

/** Tolerances of gradcheck. */
export interface GradcheckOptions {
  /** Step of the central finite differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Tolerance relative to the numerical gradient (default 1e-3). */
  rtol?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

const asList = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r : [r]);

/** Returns true when analytical and numerical Jacobians agree; otherwise throws with the worst element. */
export function gradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  checkOptions("gradcheck", opts, ["eps", "atol", "rtol"]);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== "float64") {
      throw new TypeError(`gradcheck: input ${i} is ${t.dtype}; finite differences need float64 inputs`);
    }
  });
  const diffIdx = inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (!diffIdx.length) throw new Error("gradcheck: no input requires grad");
  const outputs = asList(fn(...inputs));
  const outSizes = outputs.map((o) => o.numel());
  // analytical: one vjp per output element gives one row of the Jacobian
  const analytical = diffIdx.map((i) => outputs.map((o) => new Float64Array(o.numel() * inputs[i]!.numel())));
  outputs.forEach((o, oi) => {
    if (!o.requiresGrad) return;
    for (let e = 0; e < outSizes[oi]!; e++) {
      const v = new Float64Array(o.numel());
      v[e] = 1;
      // only this output: others may not require grad, and their rows are filled on their own turn
      const gs = grad(
        [o],
        diffIdx.map((i) => inputs[i]!),
        { gradOutputs: [tensor(v, { shape: o.shape, dtype: o.dtype })], retainGraph: true, allowUnused: true },
      );
      gs.forEach((g, k) => {
        if (!g) return;
        const row = g.dataSync();
        const n = inputs[diffIdx[k]!]!.numel();
        for (let j = 0; j < n; j++) analytical[k]![oi]![e * n + j] = row[j]!;
      });
    }
  });
  // numerical: perturb each input element both ways
  let worst = { err: -1, msg: "" };
  diffIdx.forEach((i, k) => {
    const base = inputs[i]!;
    const data = Float64Array.from(base.dataSync());
    const n = data.length;
    for (let j = 0; j < n; j++) {
      const evalAt = (delta: number) => {
        const d = Float64Array.from(data);
        d[j]! += delta;
        const perturbed = inputs.map((t, q) =>
          q === i ? tensor(d, { shape: base.shape, dtype: base.dtype, requiresGrad: true }) : t,
        );
        // grad mode stays on: fn may itself differentiate (gradgradcheck)
        return enableGrad(() => asList(fn(...perturbed)).map((o) => Float64Array.from(o.dataSync())));
      };
      const plus = evalAt(eps);
      const minus = evalAt(-eps);
      outputs.forEach((_, oi) => {
        for (let e = 0; e < outSizes[oi]!; e++) {
          const num = (plus[oi]![e]! - minus[oi]![e]!) / (2 * eps);
          const ana = analytical[k]![oi]![e * n + j]!;
          const err = Math.abs(num - ana) - (atol + rtol * Math.abs(num));
          if (err > worst.err || Number.isNaN(ana) !== Number.isNaN(num)) {
            worst = {
              err: Number.isNaN(err) ? Infinity : err,
              msg:
                `gradcheck: Jacobian mismatch for output ${oi} element ${e} w.r.t. input ${i} ` +
                `(shape ${fmtShape(base.shape)}) element ${j}: numerical ${num}, analytical ${ana}`,
            };
          }
        }
      });
    }
  });
  if (worst.err > 0) throw new Error(worst.msg);
  return true;
}

/** gradcheck of the gradient: second derivatives through createGraph against finite differences. */
export function gradgradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  checkOptions("gradgradcheck", opts, ["eps", "atol", "rtol"]);
  const outputs = asList(fn(...inputs));
  const vs = outputs.map((o) => randn(o.shape, { dtype: "float64" }));
  const diff = inputs.filter((t) => t.requiresGrad);
  const gradFn = (...xs: Tensor[]) => {
    const outs = asList(fn(...xs));
    const gs = grad(
      outs,
      xs.filter((t) => t.requiresGrad),
      { gradOutputs: vs, createGraph: true, allowUnused: true },
    );
    return gs.map((g, k) => g ?? mul(diff[k]!, 0));
  };
  return gradcheck(gradFn, inputs, opts);
}
