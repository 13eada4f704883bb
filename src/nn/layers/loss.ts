// Loss modules: each checks and holds its options and calls the functional form. Class weights are
// buffers named as PyTorch's (weight, pos_weight), so they appear in the state dict.

import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { ctcLoss, type CTCLossOptions, type Lengths } from "../functional/loss-ctc.js";
import {
  gaussianNllLoss,
  type GaussianNLLOptions,
  poissonNllLoss,
  type PoissonNLLOptions,
} from "../functional/loss-likelihood.js";
import { multiLabelSoftMarginLoss } from "../functional/loss-margin.js";
import {
  checkReduction,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  klDiv,
  type KLDivOptions,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
  smoothL1Loss,
} from "../functional/loss.js";
import { Module } from "../module.js";

/** The reduction every loss module takes. */
export interface LossOptions {
  /** 'mean' (the default), 'sum', or 'none' for the per-element losses. */
  reduction?: Reduction;
}

/** A loss module: its options checked against `keys` (reduction besides), errors naming the class `name`. */
export abstract class Loss extends Module {
  /** How the per-element losses are reduced. */
  readonly reduction: Reduction;
  constructor(name: string, opts: LossOptions, keys: readonly string[] = []) {
    super();
    checkOptions(name, opts, ["reduction", ...keys]);
    this.reduction = opts.reduction ?? "mean";
    checkReduction(this.reduction, name);
  }
  /** The reduction, when it is not the default. */
  override extraRepr(): string {
    return this.reduction === "mean" ? "" : `reduction='${this.reduction}'`;
  }
}

/** Mean squared error (torch.nn.MSELoss). */
export class MSELoss extends Loss {
  /** Loss with the given reduction (default 'mean'). */
  constructor(opts: LossOptions = {}) {
    super("MSELoss", opts);
  }
  /** (input − target)² reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error (torch.nn.L1Loss). */
export class L1Loss extends Loss {
  /** Loss with the given reduction (default 'mean'). */
  constructor(opts: LossOptions = {}) {
    super("L1Loss", opts);
  }
  /** |input − target| reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss (torch.nn.HuberLoss). */
export class HuberLoss extends Loss {
  /** Where the loss turns from quadratic to linear. */
  readonly delta: number;
  /** Quadratic below delta (default 1), linear above. */
  constructor(opts: LossOptions & { delta?: number } = {}) {
    super("HuberLoss", opts, ["delta"]);
    this.delta = opts.delta ?? 1;
  }
  /** huberLoss(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Smooth L1 loss (torch.nn.SmoothL1Loss). */
export class SmoothL1Loss extends Loss {
  /** Where the loss turns from quadratic to L1. */
  readonly beta: number;
  /** Quadratic below beta (default 1), L1 above. */
  constructor(opts: LossOptions & { beta?: number } = {}) {
    super("SmoothL1Loss", opts, ["beta"]);
    this.beta = opts.beta ?? 1;
  }
  /** smoothL1Loss(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Binary cross-entropy on probabilities (torch.nn.BCELoss). */
export class BCELoss extends Loss {
  /** Per-element rescaling weight (a buffer), or null. */
  declare weight: Tensor | null;
  /** Loss with an optional weight broadcast against the input. */
  constructor(opts: LossOptions & { weight?: Tensor | null } = {}) {
    super("BCELoss", opts, ["weight"]);
    this.registerBuffer("weight", opts.weight ?? null);
  }
  /** binaryCrossEntropy(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross-entropy on logits, numerically stable (torch.nn.BCEWithLogitsLoss). */
export class BCEWithLogitsLoss extends Loss {
  /** Per-element rescaling weight (a buffer), or null. */
  declare weight: Tensor | null;
  /** Weight of positive examples per class (a buffer), or null. */
  declare pos_weight: Tensor | null;
  /** Loss with optional weight and posWeight. */
  constructor(opts: LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super("BCEWithLogitsLoss", opts, ["weight", "posWeight"]);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("pos_weight", opts.posWeight ?? null);
  }
  /** binaryCrossEntropyWithLogits(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

/** Options of NLLLoss and CrossEntropyLoss. */
export interface ClassLossOptions extends LossOptions {
  /** Weight per class [C]. */
  weight?: Tensor | null;
  /** Target value that contributes nothing (default −100). */
  ignoreIndex?: number;
}

/** Negative log-likelihood of log-probabilities (torch.nn.NLLLoss). */
export class NLLLoss extends Loss {
  /** Class weights [C] (a buffer), or null. */
  declare weight: Tensor | null;
  /** The target value that contributes nothing. */
  readonly ignoreIndex: number;
  /** Loss with optional class weights and an ignored target value. */
  constructor(opts: ClassLossOptions = {}) {
    super("NLLLoss", opts, ["weight", "ignoreIndex"]);
    this.registerBuffer("weight", opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  /** nllLoss(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Cross-entropy of logits against class indices or probabilities (torch.nn.CrossEntropyLoss). */
export class CrossEntropyLoss extends Loss {
  /** Class weights [C] (a buffer), or null. */
  declare weight: Tensor | null;
  /** The target value that contributes nothing. */
  readonly ignoreIndex: number;
  /** The share of each target's probability spread evenly over the classes. */
  readonly labelSmoothing: number;
  /** Loss with optional class weights, ignored target value and label smoothing. */
  constructor(opts: ClassLossOptions & { labelSmoothing?: number } = {}) {
    super("CrossEntropyLoss", opts, ["weight", "ignoreIndex", "labelSmoothing"]);
    this.registerBuffer("weight", opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  /** crossEntropy(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Kullback–Leibler divergence (torch.nn.KLDivLoss). */
export class KLDivLoss extends Module {
  /** How the per-element terms are reduced ('batchmean' gives the true KL divergence). */
  readonly reduction: NonNullable<KLDivOptions["reduction"]>;
  /** Whether the target is given as log-probabilities. */
  readonly logTarget: boolean;
  /** reduction 'mean' (default, as PyTorch), 'batchmean' (the true KL), 'sum' or 'none'. */
  constructor(opts: KLDivOptions = {}) {
    super();
    checkOptions("KLDivLoss", opts, ["reduction", "logTarget"]);
    this.reduction = opts.reduction ?? "mean";
    checkReduction(this.reduction, "KLDivLoss", ["batchmean"]);
    this.logTarget = opts.logTarget ?? false;
  }
  /** klDiv(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}', logTarget=${this.logTarget}`;
  }
}

/** The negative log-likelihood of counts under a Poisson distribution (torch.nn.PoissonNLLLoss). */
export class PoissonNLLLoss extends Loss {
  /** Whether the input is the log of the rate. */
  readonly logInput: boolean;
  /** Whether Stirling's approximation of log(y!) is added. */
  readonly full: boolean;
  /** Keeps log(x + eps) finite at a rate of 0 when logInput is false. */
  readonly eps: number;
  /** logInput (default true), full (default false), eps (default 1e-8). */
  constructor(opts: PoissonNLLOptions = {}) {
    super("PoissonNLLLoss", opts, ["logInput", "full", "eps"]);
    this.logInput = opts.logInput ?? true;
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-8;
  }
  /** poissonNllLoss(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    const { logInput, full, eps, reduction } = this;
    return poissonNllLoss(input, target, { logInput, full, eps, reduction });
  }
}

/** The negative log-likelihood under a Gaussian with a predicted variance (torch.nn.GaussianNLLLoss). */
export class GaussianNLLLoss extends Loss {
  /** Whether the constant ½·log 2π is added. */
  readonly full: boolean;
  /** The smallest variance used. */
  readonly eps: number;
  /** full (default false), eps (default 1e-6). */
  constructor(opts: GaussianNLLOptions = {}) {
    super("GaussianNLLLoss", opts, ["full", "eps"]);
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-6;
  }
  /** gaussianNllLoss(input, target, variance) reduced. */
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** The mean over classes of the logistic loss of each label (torch.nn.MultiLabelSoftMarginLoss). */
export class MultiLabelSoftMarginLoss extends Loss {
  /** Class weights [C] (a buffer), or null. */
  declare weight: Tensor | null;
  /** Loss with optional class weights. */
  constructor(opts: LossOptions & { weight?: Tensor | null } = {}) {
    super("MultiLabelSoftMarginLoss", opts, ["weight"]);
    this.registerBuffer("weight", opts.weight ?? null);
  }
  /** multiLabelSoftMarginLoss(input, target) reduced. */
  forward(input: Tensor, target: Tensor): Tensor {
    return multiLabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Connectionist temporal classification loss (torch.nn.CTCLoss). */
export class CTCLoss extends Loss {
  /** The blank class. */
  readonly blank: number;
  /** Whether infinite losses (no alignment fits) and their gradients become 0. */
  readonly zeroInfinity: boolean;
  /** blank (default 0), reduction (default 'mean': each loss ÷ its target length), zeroInfinity (default false). */
  constructor(opts: CTCLossOptions = {}) {
    super("CTCLoss", opts, ["blank", "zeroInfinity"]);
    this.blank = opts.blank ?? 0;
    this.zeroInfinity = opts.zeroInfinity ?? false;
  }
  /** ctcLoss(logProbs, targets, inputLengths, targetLengths) reduced. */
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Lengths, targetLengths: Lengths): Tensor {
    const { blank, zeroInfinity, reduction } = this;
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank, zeroInfinity, reduction });
  }
  /** The reduction and the blank class, when they are not the defaults. */
  override extraRepr(): string {
    return [super.extraRepr(), this.blank ? `blank=${this.blank}` : ""].filter(Boolean).join(", ");
  }
}
