// Sample inputs of the op table. Each primitive declares a few calls (input shapes, where their
// values come from, attributes, and the same call in PyTorch); gradcheck, the backend conformance
// tests and the PyTorch golden values all run over them, so a new op is tested by declaring it.

import type { DType } from "../core/dtype.js";

/**
 * Where a sample input's values come from. Float domains map distinct non-zero integers k in
 * [-30, 30] to values, so inputs never tie (max, min and maximum stay differentiable).
 */
export type Domain =
  /** ±0.1 … ±3, never 0. */
  | "real"
  /** 0.3 … 3.2, for log, sqrt and friends. */
  | "positive"
  /** |x| < 1.25, for tan. */
  | "small"
  /** ±0.07 … ±3.03, at least 0.02 from every integer and half-integer (floor, round, remainder). */
  | "offGrid"
  /** ±0.03 … ±0.97, inside (−1, 1) (asin, atanh). */
  | "unit"
  /** 1.2 … 4.1, above 1 (acosh). */
  | "aboveOne"
  /** Like real, but |x| never ties either (the inf-norm). */
  | "distinctAbs"
  /** 0 or 1 (a bool tensor). */
  | "bool"
  /** Integers 0 … `bound` − 1 (an int32 index tensor). */
  | "index";

/** One input of a sample call. */
export interface SampleInput {
  readonly shape: readonly number[];
  /** Default "real". */
  readonly domain?: Domain;
  /** Default float64 (bool for "bool", int32 for "index"). */
  readonly dtype?: DType;
  /** For "index": the exclusive upper bound. */
  readonly bound?: number;
  /** Fixed values instead of drawn ones. */
  readonly values?: readonly number[];
  /** False for a float input that is a constant of the call (class weights), not differentiated. */
  readonly grad?: boolean;
}

/** One sample call of an op. */
export interface Sample<A> {
  readonly inputs: readonly SampleInput[];
  readonly attrs: A;
  /** The same call in PyTorch: a Python expression of torch and the inputs x0, x1, … */
  readonly torch: string;
  /** What the sample shows, where the shapes alone do not say it. */
  readonly note?: string;
}

const DOMAINS: Record<Exclude<Domain, "bool" | "index">, (k: number) => number> = {
  real: (k) => k / 10,
  positive: (k) => Math.abs(k) / 10 + 0.2,
  small: (k) => k / 25,
  offGrid: (k) => k / 10 + 0.03,
  unit: (k) => k / 31,
  aboveOne: (k) => Math.abs(k) / 10 + 1.1,
  distinctAbs: (k) => (k > 0 ? k / 10 : k / 10 - 0.05),
};

/** The dtype a sample input is made with. */
export function sampleDtype(input: SampleInput): DType {
  return input.dtype ?? (input.domain === "bool" ? "bool" : input.domain === "index" ? "int32" : "float64");
}

/** True when gradcheck differentiates this input. */
export function isGradInput(input: SampleInput): boolean {
  const d = sampleDtype(input);
  return (d === "float64" || d === "float32") && input.grad !== false;
}

/**
 * The values of a sample's inputs, row-major, drawn from a fixed stream (the same on every run
 * and in the golden generator, which reads them from JSON). Float values are distinct across all
 * inputs of the call.
 */
export function sampleValues(inputs: readonly SampleInput[], seed = 1): number[][] {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: small, and the same in every JavaScript engine
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const used = new Set<number>();
  const distinctK = () => {
    for (;;) {
      const k = (next() % 61) - 30;
      if (k !== 0 && !used.has(k)) {
        used.add(k);
        return k;
      }
      // 60 distinct values: past that, values may repeat (no sample is that large where ties matter)
      if (used.size >= 60) used.clear();
    }
  };
  return inputs.map((input) => {
    if (input.values) return [...input.values];
    const n = input.shape.reduce((a, b) => a * b, 1);
    const domain = input.domain ?? "real";
    return Array.from({ length: n }, () => {
      if (domain === "bool") return next() % 2;
      if (domain === "index") return next() % (input.bound ?? 2);
      return DOMAINS[domain](distinctK());
    });
  });
}
