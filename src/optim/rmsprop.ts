// RMSprop (optionally centered, with momentum), following torch.optim.RMSprop: the running mean
// of squared gradients scales each step; eps is added after the square root.

import type { Tensor } from "../api/tensor.js";
import { checkOption, Optimizer, type ParamGroup, type Params, type ParamState, withDefaults } from "./optimizer.js";

/** Hyperparameters of RMSprop. */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Decay rate of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Divide by the gradient's estimated variance rather than its second moment (default false). */
  centered: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * torch.optim.RMSprop: v ← αv + (1−α)g²; avg = √(v − ḡ²) if centered (ḡ the running mean of g)
 * else √v; then p ← p − lr·g/(avg + eps), or through a momentum buffer b ← μb + g/(avg + eps).
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    const o = withDefaults<RMSpropOptions>("RMSprop", opts, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
    checkOption("RMSprop", "learning rate", o.lr, o.lr >= 0, ">= 0");
    checkOption("RMSprop", "eps", o.eps, o.eps >= 0, ">= 0");
    checkOption("RMSprop", "momentum", o.momentum, o.momentum >= 0, ">= 0");
    checkOption("RMSprop", "weightDecay", o.weightDecay, o.weightDecay >= 0, ">= 0");
    checkOption("RMSprop", "alpha", o.alpha, o.alpha >= 0, ">= 0");
    super(params, o);
  }

  protected override readonly updateKeepingNoGradient = RMSprop.prototype.update;

  protected update(g: ParamGroup & RMSpropOptions, p: Tensor, grad: Tensor, st: ParamState): void {
    st.step = ((st.step as number | undefined) ?? 0) + 1;
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p, { alpha: g.weightDecay });
    const squareAvg = this.buffer(st, "squareAvg", p);
    squareAvg.mul_(g.alpha).add_(d.mul(d), { alpha: 1 - g.alpha });
    let avg: Tensor;
    if (g.centered) {
      const gradAvg = this.buffer(st, "gradAvg", p);
      gradAvg.mul_(g.alpha).add_(d, { alpha: 1 - g.alpha });
      avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add(g.eps);
    if (g.momentum > 0) {
      const buf = this.buffer(st, "momentumBuffer", p);
      buf.mul_(g.momentum).add_(d.div(avg));
      p.add_(buf, { alpha: -g.lr });
    } else {
      p.add_(d.div(avg), { alpha: -g.lr });
    }
  }
}
