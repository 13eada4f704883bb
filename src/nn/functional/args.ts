// Argument normalisation shared by the functional ops: PyTorch's "int or tuple" sizes and the
// dimension checks whose errors name the op and the shapes it got.

import { fmtShape } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";

/** A size given once for every spatial dim, or per dim. */
export type IntOrTuple = number | readonly number[];

/** Expands `v` to k entries (torch's _pair/_single), checking they are integers. */
export function tupleOf(op: string, name: string, v: IntOrTuple, k: number): number[] {
  const out = typeof v === "number" ? new Array<number>(k).fill(v) : [...v];
  if (out.length !== k || out.some((n) => !Number.isInteger(n))) {
    throw new RangeError(`${op}: ${name} must be an integer or ${k} integers, got ${JSON.stringify(v)}`);
  }
  return out;
}

/** Checks that x has one of the allowed ranks. */
export function expectRank(op: string, x: Tensor, ranks: readonly number[], layout: string): void {
  if (!ranks.includes(x.ndim)) {
    throw new RangeError(`${op}: expected a ${ranks.join("-d or ")}-d input ${layout}, got shape ${fmtShape(x.shape)}`);
  }
}

/** Runs `fn` on x with a batch dim added when x is unbatched (rank k+1 instead of k+2), removing it after. */
export function withBatch(x: Tensor, batchedRank: number, fn: (xb: Tensor) => Tensor): Tensor {
  if (x.ndim === batchedRank) return fn(x);
  return fn(x.unsqueeze(0)).squeeze(0);
}
