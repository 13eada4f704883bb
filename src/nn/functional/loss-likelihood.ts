// Negative log-likelihood losses of two distributions, composed from ops with PyTorch's formulas:
// Poisson (on the rate or its log, with Stirling's term for the full loss) and Gaussian (with
// PyTorch's rules for a variance of fewer dims, and its clamp kept out of the gradient).

import { functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape, sameShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { checkReduction, reduceLoss, type ReductionOptions } from "./loss.js";

const F = "torch.nn.functional";

/** Options of poissonNllLoss. */
export interface PoissonNLLOptions extends ReductionOptions {
  /** The input is the log of the rate (default true): loss e^x − y·x; else x − y·log(x + eps). */
  logInput?: boolean;
  /** Add Stirling's approximation of log(y!) where y > 1 (default false). */
  full?: boolean;
  /** Keeps log(x + eps) finite at a rate of 0 when logInput is false (default 1e-8). */
  eps?: number;
}

/** The negative log-likelihood of target counts under a Poisson distribution with the input's rate. */
export function poissonNllLoss(input: Tensor, target: Tensor, opts: PoissonNLLOptions = {}): Tensor {
  checkOptions("poissonNllLoss", opts, ["logInput", "full", "eps", "reduction"]);
  const { logInput = true, full = false, eps = 1e-8 } = opts;
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    // y·log y − y + ½·log(2πy), counted only where y > 1
    const stirling = target
      .mul(target.log())
      .sub(target)
      .add(
        target
          .mul(2 * Math.PI)
          .log()
          .mul(0.5),
      );
    loss = loss.add(functions.where(target.le(1), 0, stirling));
  }
  return reduceLoss(loss, opts.reduction, "poissonNllLoss");
}

/** Options of gaussianNllLoss. */
export interface GaussianNLLOptions extends ReductionOptions {
  /** Add the constant ½·log 2π (default false). */
  full?: boolean;
  /** The smallest variance used (default 1e-6). */
  eps?: number;
}

/**
 * ½·(log var + (input − target)²/var), var clamped at eps. var has the input's shape, or one dim
 * fewer, or a last dim of 1 (one variance shared along the last dim).
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  opts: GaussianNLLOptions = {},
): Tensor {
  checkOptions("gaussianNllLoss", opts, ["full", "eps", "reduction"]);
  const { full = false, eps = 1e-6, reduction = "mean" } = opts;
  let v = variance;
  if (!sameShape(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (input.ndim > 0 && sameShape(lead, v.shape)) v = v.unsqueeze(-1);
    else if (!(v.ndim > 0 && sameShape(lead, v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1)) {
      throw new RangeError(
        `gaussianNllLoss: var ${fmtShape(v.shape)} must have the input's shape ${fmtShape(input.shape)}, ` +
          `or that shape without its last dim, or with a last dim of 1`,
      );
    }
  }
  checkReduction(reduction, "gaussianNllLoss");
  if (v.numel() > 0 && v.amin().item() < 0) throw new RangeError("gaussianNllLoss: var has a negative entry");
  // the clamped value with the unclamped gradient: PyTorch clamps under no_grad
  v = v.add(v.clamp(eps).sub(v).detach());
  let loss = v.log().add(input.sub(target).square().div(v)).mul(0.5);
  if (full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return reduceLoss(loss, reduction, "gaussianNllLoss");
}

// targets on both sides of 1, where Stirling's term starts (PyTorch's term jumps there)
const aroundOne = [0.5, 1.5, 3, 0.25, 2.2, 4, 0.8, 1.1];

/** The likelihood losses' table entries. */
export const likelihoodLossComposites = [
  defineComposite<PoissonNLLOptions>({
    name: "poissonNllLoss",
    call: ([x, y], o) => poissonNllLoss(x as Tensor, y as Tensor, o),
    options: {
      keys: ["logInput", "full", "eps", "reduction"],
    },
    samples: [
      {
        inputs: [{ shape: [2, 3] }, { shape: [2, 3], domain: "positive" }],
        attrs: {},
        torch: `${F}.poisson_nll_loss(x0, x1)`,
      },
      {
        inputs: [{ shape: [2, 4] }, { shape: [2, 4], values: aroundOne }],
        attrs: { full: true, reduction: "none" },
        torch: `${F}.poisson_nll_loss(x0, x1, full=True, reduction='none')`,
        note: "Stirling's term where the target is above 1",
      },
      {
        inputs: [
          { shape: [8], domain: "positive" },
          { shape: [8], values: aroundOne },
        ],
        attrs: { logInput: false, eps: 0.01, full: true, reduction: "sum" },
        torch: `${F}.poisson_nll_loss(x0, x1, log_input=False, full=True, eps=0.01, reduction='sum')`,
      },
    ],
  }),
  defineComposite<GaussianNLLOptions>({
    name: "gaussianNllLoss",
    call: ([x, y, v], o) => gaussianNllLoss(x as Tensor, y as Tensor, v as Tensor, o),
    options: {
      keys: ["full", "eps", "reduction"],
    },
    samples: [
      {
        inputs: [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 3], domain: "positive" }],
        attrs: {},
        torch: `${F}.gaussian_nll_loss(x0, x1, x2)`,
      },
      {
        inputs: [{ shape: [3, 2] }, { shape: [3, 2] }, { shape: [3], domain: "positive" }],
        attrs: { full: true, reduction: "none" },
        torch: `${F}.gaussian_nll_loss(x0, x1, x2, full=True, reduction='none')`,
        note: "one variance per row, one dim fewer than the input",
      },
      {
        inputs: [{ shape: [3, 2] }, { shape: [3, 2] }, { shape: [3, 1], domain: "positive" }],
        attrs: { reduction: "sum" },
        torch: `${F}.gaussian_nll_loss(x0, x1, x2, reduction='sum')`,
      },
      {
        inputs: [{ shape: [4] }, { shape: [4] }, { shape: [4], values: [0.5, 1e-9, 2, 0], grad: false }],
        attrs: { eps: 0.01 },
        torch: `${F}.gaussian_nll_loss(x0, x1, x2, eps=0.01)`,
        note: "variances below eps, clamped (their unclamped gradient: test/nn/activations-losses.test.ts)",
      },
    ],
  }),
];
