// ReduceLROnPlateau (cr.optim.lrScheduler.ReduceLROnPlateau): the one scheduler driven by a metric
// rather than by a count of steps, so it shares only the scheduler base with the others.

import { checkOptions } from "../core/options.js";
import { type SchedulableOptimizer, SchedulerBase } from "./scheduler-base.js";

/** Options of ReduceLROnPlateau (PyTorch's, camelCased). */
export interface PlateauOptions {
  /** Whether the metric should go down ('min', the default) or up ('max'). */
  mode?: "min" | "max";
  /** The factor applied to the rate at each reduction (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before a reduction (default 10). */
  patience?: number;
  /** How much better a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** Whether threshold is relative to the best metric ('rel', the default) or absolute. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** The lowest rate, for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** ReduceLROnPlateau: multiplies the rate by `factor` once a metric stops improving for `patience` epochs. */
export class ReduceLROnPlateau extends SchedulerBase {
  /** Whether the metric should go down or up. */
  readonly mode: "min" | "max";
  /** The factor applied to the rate at each reduction. */
  readonly factor: number;
  /** Epochs without improvement tolerated before a reduction. */
  readonly patience: number;
  /** How much better a metric must be to count as an improvement. */
  readonly threshold: number;
  /** Whether threshold is relative or absolute. */
  readonly thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. */
  readonly cooldown: number;
  /** The lowest rate of each group. */
  readonly minLrs: number[];
  /** Reductions smaller than this are skipped. */
  readonly eps: number;
  /** The best metric seen so far. */
  best: number;
  /** Epochs since the metric last improved (reset after each reduction and during cooldown). */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Epochs recorded so far. */
  lastEpoch = 0;

  constructor(optimizer: SchedulableOptimizer, opts: PlateauOptions = {}) {
    super(optimizer);
    checkOptions("ReduceLROnPlateau", opts, [
      "mode",
      "factor",
      "patience",
      "threshold",
      "thresholdMode",
      "cooldown",
      "minLr",
      "eps",
    ]);
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel" } = opts;
    if (factor >= 1) throw new RangeError(`ReduceLROnPlateau: factor must be < 1, got ${factor}`);
    if (mode !== "min" && mode !== "max") throw new RangeError(`ReduceLROnPlateau: unknown mode '${mode as string}'`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs")
      throw new RangeError(`ReduceLROnPlateau: unknown thresholdMode '${thresholdMode as string}'`);
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n)
      throw new RangeError(`ReduceLROnPlateau: expected ${n} minLr values, got ${minLr.length}`);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: n }, () => minLr);
    this.best = mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Records one epoch's metric (e.g. validation loss) and reduces the rate if it has plateaued. */
  step(metric: number): void {
    const current = Number(metric);
    this.lastEpoch++;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]!);
        // changes smaller than eps are ignored, as in PyTorch
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}
