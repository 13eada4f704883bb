// Normalisation layers: BatchNorm1d/2d/3d (running statistics as buffers running_mean, running_var,
// num_batches_tracked, PyTorch's names), LayerNorm and GroupNorm.

import { noGrad } from "../../graph/grad-mode.js";
import { creation } from "../../api/functions.js";
import { fmtShape, sameShape } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";
import { batchNormRelu, groupNorm, layerNorm } from "../functional/norm.js";
import * as init from "../init.js";
import { checkOptions } from "../../core/options.js";
import { Module, shapeError } from "../module.js";
import { keepsNoTensors } from "../handoff.js";
import { Parameter } from "../parameter.js";

/** Options of the batch norm layers. */
export interface BatchNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages; null for a cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias. */
  affine?: boolean;
  /** Keep running statistics for eval mode (else eval uses batch statistics too). */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  /** [C] scale, or null when not affine */
  weight: Parameter | null;
  /** [C] shift, or null when not affine */
  bias: Parameter | null;
  /** Running mean [C] (a buffer). */
  declare running_mean: Tensor | null;
  /** Running (unbiased) variance [C] (a buffer). */
  declare running_var: Tensor | null;
  /** Number of training batches seen (an int32 buffer). */
  declare num_batches_tracked: Tensor | null;
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Weight of each new batch in the running averages; null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether running statistics are kept for eval mode. */
  readonly trackRunningStats: boolean;

  constructor(
    /** The number of channels C. */
    readonly numFeatures: number,
    opts: BatchNormOptions,
  ) {
    super();
    checkOptions(new.target.name, opts, ["eps", "momentum", "affine", "trackRunningStats"]);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(creation.ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(creation.zeros([numFeatures])) : null;
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? creation.zeros([numFeatures]) : null);
    this.registerBuffer("running_var", track ? creation.ones([numFeatures]) : null);
    this.registerBuffer("num_batches_tracked", track ? creation.zeros([], { dtype: "int32" }) : null);
  }

  /** The running mean (camelCase alias of the running_mean buffer). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** The running variance (alias of running_var). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** Batches seen in training (alias of num_batches_tracked). */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Resets the running statistics to mean 0, variance 1, no batches. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    init.zeros(this.running_mean!);
    init.ones(this.running_var!);
    init.zeros(this.num_batches_tracked!);
  }

  /** Resets the statistics, and the weight and bias to 1 and 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) init.ones(this.weight);
    if (this.bias) init.zeros(this.bias);
  }

  /** Throws unless x has the layout this layer normalises. */
  protected abstract checkInput(x: Tensor): void;

  /** Normalises with batch statistics in training (updating the running ones), running statistics in eval. */
  forward(x: Tensor): Tensor {
    return this._normalize(x, false);
  }

  /** @internal relu(forward(x)) as one fused op, for nn.Sequential (see its forward). */
  override _forwardRelu(x: Tensor): Tensor {
    return this._normalize(x, true);
  }

  private _normalize(x: Tensor, relu: boolean): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const seen = noGrad(() => this.num_batches_tracked!.add_(1));
      factor = this.momentum === null ? 1 / seen.item() : this.momentum;
    }
    const useBatch = this.training || (this.running_mean === null && this.running_var === null);
    const keep = !this.training || this.trackRunningStats;
    const opts = { weight: this.weight, bias: this.bias, training: useBatch, momentum: factor, eps: this.eps };
    return batchNormRelu(x, keep ? this.running_mean : null, keep ? this.running_var : null, opts, relu);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over [N, C] or [N, C, L] (torch.nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNormBase {
  /** Normalises numFeatures channels. */
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }
  /** Throws unless x is [N, C] or [N, C, L]. */
  protected checkInput(x: Tensor): void {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      shapeError(this, `input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]`, x);
    }
  }
}

/** Batch norm over [N, C, H, W] (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  /** Normalises numFeatures channels. */
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }
  /** Throws unless x is [N, C, H, W]. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) shapeError(this, `input [N, ${this.numFeatures}, H, W]`, x);
  }
}

/** Batch norm over [N, C, D, H, W] (torch.nn.BatchNorm3d). */
export class BatchNorm3d extends BatchNormBase {
  /** Normalises numFeatures channels. */
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }
  /** Throws unless x is [N, C, D, H, W]. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 5 || x.shape[1] !== this.numFeatures) shapeError(this, `input [N, ${this.numFeatures}, D, H, W]`, x);
  }
}

/** Options of LayerNorm. */
export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learnable elementwise weight (and bias). */
  elementwiseAffine?: boolean;
  /** Learnable bias when affine (default true). */
  bias?: boolean;
}

/** Normalises over the trailing normalizedShape dims (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  /** normalizedShape-shaped scale, or null */
  weight: Parameter | null;
  /** normalizedShape-shaped shift, or null */
  bias: Parameter | null;
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance for stability. */
  readonly eps: number;

  /** Weight 1 and bias 0 of normalizedShape. */
  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions("LayerNorm", opts, ["eps", "elementwiseAffine", "bias"]);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(creation.ones(this.normalizedShape)) : null;
    this.bias = affine && (opts.bias ?? true) ? new Parameter(creation.zeros(this.normalizedShape)) : null;
  }

  /** x [..., ...normalizedShape] normalised over the trailing dims. */
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || !sameShape(x.shape.slice(x.ndim - k), this.normalizedShape)) {
      shapeError(this, `input [..., ${this.normalizedShape.join(", ")}]`, x);
    }
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/** Normalises over groups of channels (torch.nn.GroupNorm). */
export class GroupNorm extends Module {
  /** [numChannels] scale, or null */
  weight: Parameter | null;
  /** [numChannels] shift, or null */
  bias: Parameter | null;
  /** Added to the variance for stability. */
  readonly eps: number;

  /** numChannels split into numGroups groups. */
  constructor(
    /** The number of groups the channels are split into. */
    readonly numGroups: number,
    /** The number of channels C. */
    readonly numChannels: number,
    opts: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    checkOptions("GroupNorm", opts, ["eps", "affine"]);
    if (numChannels % numGroups) {
      throw new RangeError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    }
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(creation.ones([numChannels])) : null;
    this.bias = affine ? new Parameter(creation.zeros([numChannels])) : null;
  }

  /** x [N, numChannels, …] normalised per group. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) shapeError(this, `input [N, ${this.numChannels}, …]`, x);
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}

keepsNoTensors(BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, GroupNorm);
