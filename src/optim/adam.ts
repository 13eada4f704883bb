// Adam and AdamW (with AMSGrad and maximisation), following torch.optim.Adam / AdamW's
// single-tensor update: bias-corrected first and second moments, eps added after the sqrt.

import type { Tensor } from "../api/tensor.js";
import { kernels } from "../backend/registry.js";
import { sameShape } from "../core/shape.js";
import { checkOption, Optimizer, type ParamGroup, type Params, type ParamState, withDefaults } from "./optimizer.js";

/** Hyperparameters of Adam and AdamW. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator, after the square root (default 1e-8). */
  eps: number;
  /** Weight decay: L2 added to the gradient in Adam (default 0), decoupled in AdamW (default 1e-2). */
  weightDecay: number;
  /** Use the largest second moment seen so far (AMSGrad; default false). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

function validated(name: string, o: AdamOptions): AdamOptions {
  checkOption(name, "learning rate", o.lr, o.lr >= 0, ">= 0");
  checkOption(name, "eps", o.eps, o.eps >= 0, ">= 0");
  checkOption(name, "beta1", o.betas[0], o.betas[0] >= 0 && o.betas[0] < 1, "in [0, 1)");
  checkOption(name, "beta2", o.betas[1], o.betas[1] >= 0 && o.betas[1] < 1, "in [0, 1)");
  checkOption(name, "weightDecay", o.weightDecay, o.weightDecay >= 0, ">= 0");
  return o;
}

/** Whether the backend's fused update can take these: dense tensors of one shape and float dtype. */
function fusable(...ts: Tensor[]): boolean {
  const [p] = ts as [Tensor];
  return (
    (p.dtype === "float32" || p.dtype === "float64") &&
    ts.every((t) => t.dtype === p.dtype && t.isContiguous() && sameShape(t.shape, p.shape))
  );
}

/**
 * The shared moment update: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², then
 * p ← p − lr/(1−β₁ᵗ) · m / (√v̂/√(1−β₂ᵗ) + eps), with v̂ = max over time of v under AMSGrad.
 * Weight decay is L2 (added to the gradient) or, `decoupled`, AdamW's p ← p·(1 − lr·weightDecay).
 * Dense parameters take the backend's one-pass kernel; the composed ops are the same rule.
 */
function adamStep(
  g: ParamGroup & AdamOptions,
  p: Tensor,
  grad: Tensor,
  st: ParamState,
  buffer: BufferFn,
  decoupled: boolean,
): void {
  const [beta1, beta2] = g.betas;
  const step = ((st.step as number | undefined) ?? 0) + 1;
  st.step = step;
  const expAvg = buffer(st, "expAvg", p);
  const expAvgSq = buffer(st, "expAvgSq", p);
  const maxSq = g.amsgrad ? buffer(st, "maxExpAvgSq", p) : null;
  if (fusable(p, grad, expAvg, expAvgSq, ...(maxSq ? [maxSq] : []))) {
    if (p.numel() > 0) {
      kernels().adamStep(p._view(), grad._view(), expAvg._view(), expAvgSq._view(), maxSq ? maxSq._view() : null, {
        lr: g.lr,
        beta1,
        beta2,
        eps: g.eps,
        weightDecay: g.weightDecay,
        decoupled,
        maximize: g.maximize,
        biasCorrection1: 1 - beta1 ** step,
        biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
      });
    }
    for (const t of [p, expAvg, expAvgSq, maxSq]) if (t) t.storage.version++;
    return;
  }
  if (g.maximize) grad = grad.neg();
  if (g.weightDecay !== 0) {
    if (decoupled) p.mul_(1 - g.lr * g.weightDecay);
    else grad = grad.add(p, { alpha: g.weightDecay });
  }
  expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
  expAvgSq.mul_(beta2).add_(grad.mul(grad), { alpha: 1 - beta2 });
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  let second = expAvgSq;
  if (maxSq) {
    maxSq.copy_(maxSq.maximum(expAvgSq));
    second = maxSq;
  }
  const denom = second.sqrt().div(biasCorrection2Sqrt).add(g.eps);
  p.add_(expAvg.div(denom), { alpha: -(g.lr / biasCorrection1) });
}

type BufferFn = (state: ParamState, key: string, param: Tensor) => Tensor;

/**
 * torch.optim.Adam: weight decay is L2 (added to the gradient before the moments).
 *
 * @example
 * const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(
      params,
      validated(
        "Adam",
        withDefaults<AdamOptions>("Adam", opts, {
          lr: 1e-3,
          betas: [0.9, 0.999],
          eps: 1e-8,
          weightDecay: 0,
          amsgrad: false,
          maximize: false,
        }),
      ),
    );
  }

  protected override readonly updateKeepingNoGradient = Adam.prototype.update;

  protected update(g: ParamGroup & AdamOptions, p: Tensor, grad: Tensor, st: ParamState): void {
    adamStep(g, p, grad, st, (s, k, q) => this.buffer(s, k, q), false);
  }
}

/** torch.optim.AdamW: decoupled weight decay, p ← p·(1 − lr·weightDecay) before the Adam step. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(
      params,
      validated(
        "AdamW",
        withDefaults<AdamOptions>("AdamW", opts, {
          lr: 1e-3,
          betas: [0.9, 0.999],
          eps: 1e-8,
          weightDecay: 1e-2,
          amsgrad: false,
          maximize: false,
        }),
      ),
    );
  }

  protected override readonly updateKeepingNoGradient = AdamW.prototype.update;

  protected update(g: ParamGroup & AdamOptions, p: Tensor, grad: Tensor, st: ParamState): void {
    adamStep(g, p, grad, st, (s, k, q) => this.buffer(s, k, q), true);
  }
}
