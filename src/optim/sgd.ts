// Stochastic gradient descent with momentum, dampening, Nesterov momentum, L2 weight decay and
// maximisation: the update rule of torch.optim.SGD, operation for operation.

import type { Tensor } from "../api/tensor.js";
import { checkOption, Optimizer, type ParamGroup, type Params, type ParamState, withDefaults } from "./optimizer.js";

/** Hyperparameters of SGD (PyTorch's names in camelCase). */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Dampening of the momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Use Nesterov momentum (default false). */
  nesterov: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * torch.optim.SGD: p ← p − lr·d, where d is the gradient (+ weightDecay·p) passed through momentum.
 *
 * @example
 * const opt = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> = {}) {
    const o = withDefaults<SGDOptions>("SGD", opts, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    });
    checkOption("SGD", "learning rate", o.lr, o.lr >= 0, ">= 0");
    checkOption("SGD", "momentum", o.momentum, o.momentum >= 0, ">= 0");
    checkOption("SGD", "weightDecay", o.weightDecay, o.weightDecay >= 0, ">= 0");
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(
        `SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${o.momentum}, dampening ${o.dampening}`,
      );
    }
    super(params, o);
  }

  protected override readonly updateKeepingNoGradient = SGD.prototype.update;

  protected update(g: ParamGroup & SGDOptions, p: Tensor, grad: Tensor, st: ParamState): void {
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(p, { alpha: g.weightDecay });
    if (g.momentum !== 0) {
      let buf = st.momentumBuffer;
      // the first step seeds the buffer with the gradient itself, not (1 − dampening)·gradient
      if (typeof buf !== "object") st.momentumBuffer = buf = d.clone();
      else buf.mul_(g.momentum).add_(d, { alpha: 1 - g.dampening });
      d = g.nesterov ? d.add(buf, { alpha: g.momentum }) : buf;
    }
    p.add_(d, { alpha: -g.lr });
  }
}
