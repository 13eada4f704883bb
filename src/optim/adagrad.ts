// Adagrad, following torch.optim.Adagrad: the sum of squared gradients scales each step, and the
// learning rate decays as lr / (1 + (t−1)·lrDecay).

import type { Tensor } from "../api/tensor.js";
import { checkOption, Optimizer, type ParamGroup, type Params, type ParamState, withDefaults } from "./optimizer.js";

/** Hyperparameters of Adagrad. */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** The learning rate is lr / (1 + (step − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator (default 1e-10). */
  eps: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/** torch.optim.Adagrad: s ← s + g², p ← p − clr·g/(√s + eps) with clr = lr/(1 + (t−1)·lrDecay). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    const o = withDefaults<AdagradOptions>("Adagrad", opts, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
    checkOption("Adagrad", "learning rate", o.lr, o.lr >= 0, ">= 0");
    checkOption("Adagrad", "lrDecay", o.lrDecay, o.lrDecay >= 0, ">= 0");
    checkOption("Adagrad", "weightDecay", o.weightDecay, o.weightDecay >= 0, ">= 0");
    checkOption(
      "Adagrad",
      "initialAccumulatorValue",
      o.initialAccumulatorValue,
      o.initialAccumulatorValue >= 0,
      ">= 0",
    );
    checkOption("Adagrad", "eps", o.eps, o.eps >= 0, ">= 0");
    super(params, o);
    // PyTorch creates the accumulator eagerly, so a state dict taken before the first step has it
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const st: ParamState = { step: 0 };
        this.buffer(st, "sum", p, group.initialAccumulatorValue);
        this.state.set(p, st);
      }
    }
  }

  protected override readonly updateKeepingNoGradient = Adagrad.prototype.update;

  protected update(g: ParamGroup & AdagradOptions, p: Tensor, grad: Tensor, st: ParamState): void {
    const step = ((st.step as number | undefined) ?? 0) + 1;
    st.step = step;
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p, { alpha: g.weightDecay });
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = this.buffer(st, "sum", p, g.initialAccumulatorValue);
    sum.add_(d.mul(d));
    p.add_(d.div(sum.sqrt().add(g.eps)), { alpha: -clr });
  }
}
