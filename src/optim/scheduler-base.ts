// What every learning-rate scheduler shares (lr-scheduler.ts's and reduce-lr-on-plateau.ts's):
// the optimizer it drives, the last rates it set, and its state as plain data for checkpoints.

import type { ParamGroup } from "./optimizer.js";

/** What a scheduler needs of an optimizer: its groups and its default hyperparameters. */
export interface SchedulableOptimizer {
  /** The parameter groups, whose `lr` the scheduler sets. */
  paramGroups: ParamGroup[];
  /** The optimizer's hyperparameters (which tell momentum from Adam's betas). */
  readonly defaults: object;
}

/** Scheduler state as plain data (counters, rates, settings), for checkpoints. */
export type SchedulerStateDict = Record<string, unknown>;

/** What every scheduler shares: its optimizer, the last rates it set, and its state dict. */
export abstract class SchedulerBase {
  /** The rates the last step set, one per group. */
  protected lastLr: number[];

  constructor(
    /** The optimizer whose groups' rates this scheduler sets. */
    readonly optimizer: SchedulableOptimizer,
  ) {
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates after the last step(), one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's counters and settings (every field but the optimizer), deep-copied. */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = structuredClone(v);
    return out;
  }

  /** Restores what stateDict() returned. */
  loadStateDict(sd: SchedulerStateDict): void {
    Object.assign(this, structuredClone(sd));
  }
}
