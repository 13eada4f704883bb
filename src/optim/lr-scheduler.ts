// Learning-rate schedulers (cr.optim.lrScheduler), with PyTorch's recursive ("chainable")
// formulas so the sequence of rates matches torch.optim.lr_scheduler step for step. Each writes
// `lr` (and for OneCycleLR the momentum) into the optimizer's parameter groups.

import { checkOptions } from "../core/options.js";
import { type SchedulableOptimizer, SchedulerBase } from "./scheduler-base.js";

export type { SchedulableOptimizer, SchedulerStateDict } from "./scheduler-base.js";
export { ReduceLROnPlateau, type PlateauOptions } from "./reduce-lr-on-plateau.js";

/** Base of the epoch/step-driven schedulers: step() advances lastEpoch and sets each group's lr. */
export abstract class LRScheduler extends SchedulerBase {
  /** The learning rates the groups had when the scheduler was created (PyTorch's base_lrs). */
  baseLrs: number[];
  /** How many times step() has run, minus one (0 right after construction). */
  lastEpoch = -1;

  constructor(optimizer: SchedulableOptimizer) {
    super(optimizer);
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** The schedule's value for lastEpoch, computed from the groups' current rates where chainable. */
  protected abstract computeLr(): number[];

  /** Advances the schedule by one epoch (or batch, for OneCycleLR); call after optimizer.step(). */
  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** StepLR: multiplies the rate by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    /** Epochs between reductions. */
    readonly stepSize: number,
    /** The factor applied at each reduction. */
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1)
      throw new RangeError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    this.step();
  }
  protected computeLr(): number[] {
    const e = this.lastEpoch;
    return this.optimizer.paramGroups.map((g) => (e === 0 || e % this.stepSize !== 0 ? g.lr : g.lr * this.gamma));
  }
}

/** ExponentialLR: multiplies the rate by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    /** The factor applied every epoch. */
    readonly gamma: number,
  ) {
    super(optimizer);
    this.step();
  }
  protected computeLr(): number[] {
    return this.optimizer.paramGroups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }
}

/** CosineAnnealingLR: ηₜ = ηmin + (η₀ − ηmin)(1 + cos(πt/Tmax))/2, applied recursively as PyTorch does. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    /** Epochs of the half cosine, from the initial rate down to etaMin. */
    readonly tMax: number,
    /** The rate at the bottom of the cosine. */
    readonly etaMin = 0,
  ) {
    super(optimizer);
    if (!(tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be positive, got ${tMax}`);
    this.step();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    // past the trough the recursive ratio is 0/0, so PyTorch steps back up by the first increment
    if ((e - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }
}

/** Options of OneCycleLR (PyTorch's, camelCased). */
export interface OneCycleOptions {
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** Epochs in the cycle, with stepsPerEpoch (when totalSteps is not given). */
  epochs?: number;
  /** Steps per epoch, with epochs. */
  stepsPerEpoch?: number;
  /** The share of the cycle spent warming up (default 0.3). */
  pctStart?: number;
  /** How the rate moves between phases: 'cos' (default) or 'linear'. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's β₁) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the peak rate (default 0.85). */
  baseMomentum?: number;
  /** The momentum at the lowest rates (default 0.95). */
  maxMomentum?: number;
  /** The initial rate is maxLr / divFactor (default 25). */
  divFactor?: number;
  /** The final rate is the initial rate / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Add a phase back down to the initial rate before the final annealing (default false). */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: "initialLr" | "maxLr" | "minLr";
  endLr: "initialLr" | "maxLr" | "minLr";
  startMomentum: "maxMomentum" | "baseMomentum";
  endMomentum: "maxMomentum" | "baseMomentum";
}

/**
 * OneCycleLR (Smith's 1cycle): warm up from maxLr/divFactor to maxLr, then anneal to
 * initialLr/finalDivFactor, cycling momentum (or Adam's β₁) inversely. Step once per batch.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  readonly totalSteps: number;
  /** Whether momentum (or Adam's β₁) cycles inversely to the rate. */
  readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;
  private readonly phases: Phase[];
  private readonly anneal: "cos" | "linear";

  constructor(optimizer: SchedulableOptimizer, maxLr: number | number[], opts: OneCycleOptions = {}) {
    checkOptions("OneCycleLR", opts, [
      "totalSteps",
      "epochs",
      "stepsPerEpoch",
      "pctStart",
      "annealStrategy",
      "cycleMomentum",
      "baseMomentum",
      "maxMomentum",
      "divFactor",
      "finalDivFactor",
      "threePhase",
    ]);
    const {
      pctStart = 0.3,
      annealStrategy = "cos",
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
    } = opts;
    const groups = optimizer.paramGroups;
    const perGroup = (name: string, v: number | number[]) => {
      if (!Array.isArray(v)) return groups.map(() => v);
      if (v.length !== groups.length)
        throw new RangeError(`OneCycleLR: expected ${groups.length} values for ${name}, got ${v.length}`);
      return v;
    };
    const maxLrs = perGroup("maxLr", maxLr);
    groups.forEach((g, i) => {
      g.initialLr = maxLrs[i]! / divFactor;
      g.maxLr = maxLrs[i]!;
      g.minLr = (g.initialLr as number) / finalDivFactor;
    });
    const useBeta1 = "betas" in optimizer.defaults;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !useBeta1) {
        throw new Error("OneCycleLR: the optimizer must support momentum (or Adam's betas) when cycleMomentum is on");
      }
      for (const g of groups) {
        if (useBeta1) g.betas = [maxMomentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = maxMomentum;
        g.maxMomentum = maxMomentum;
        g.baseMomentum = baseMomentum;
      }
    }
    super(optimizer);
    if (opts.totalSteps !== undefined) {
      if (!Number.isInteger(opts.totalSteps) || opts.totalSteps <= 0)
        throw new RangeError(`OneCycleLR: expected a positive integer totalSteps, got ${opts.totalSteps}`);
      this.totalSteps = opts.totalSteps;
    } else if (opts.epochs !== undefined && opts.stepsPerEpoch !== undefined) {
      this.totalSteps = opts.epochs * opts.stepsPerEpoch;
      if (!Number.isInteger(this.totalSteps) || this.totalSteps <= 0)
        throw new RangeError(`OneCycleLR: epochs and stepsPerEpoch must be positive integers`);
    } else {
      throw new RangeError("OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch");
    }
    if (!(pctStart >= 0 && pctStart <= 1))
      throw new RangeError(`OneCycleLR: pctStart must be in [0, 1], got ${pctStart}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear")
      throw new RangeError(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got '${annealStrategy as string}'`);
    this.anneal = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    const n = this.totalSteps;
    this.phases = threePhase
      ? [
          {
            endStep: pctStart * n - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startMomentum: "maxMomentum",
            endMomentum: "baseMomentum",
          },
          {
            endStep: 2 * pctStart * n - 2,
            startLr: "maxLr",
            endLr: "initialLr",
            startMomentum: "baseMomentum",
            endMomentum: "maxMomentum",
          },
          {
            endStep: n - 1,
            startLr: "initialLr",
            endLr: "minLr",
            startMomentum: "maxMomentum",
            endMomentum: "maxMomentum",
          },
        ]
      : [
          {
            endStep: pctStart * n - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startMomentum: "maxMomentum",
            endMomentum: "baseMomentum",
          },
          {
            endStep: n - 1,
            startLr: "maxLr",
            endLr: "minLr",
            startMomentum: "baseMomentum",
            endMomentum: "maxMomentum",
          },
        ];
    this.step();
  }

  private annealFn(start: number, end: number, pct: number): number {
    // cos: end + (start − end)/2 · (1 + cos(π·pct)); linear: start + (end − start)·pct
    return this.anneal === "cos"
      ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (end - start) * pct + start;
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new RangeError(`OneCycleLR: tried to step ${t + 1} times; the schedule has ${this.totalSteps} total steps`);
    }
    return this.optimizer.paramGroups.map((g) => {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (t <= ph.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (ph.endStep - start);
          if (this.cycleMomentum) {
            const m = this.annealFn(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
            if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
            else g.momentum = m;
          }
          return this.annealFn(g[ph.startLr] as number, g[ph.endLr] as number, pct);
        }
        start = ph.endStep;
      }
      return g.lr;
    });
  }
}
