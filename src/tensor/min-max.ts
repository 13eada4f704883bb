// What PyTorch's aminmax returns: a (min, max) named tuple. Destructure it as PyTorch code does
// (`const [lo, hi] = x.aminmax()`) or read it by name (`x.aminmax({ dim: 1 }).max`).

import type { TensorBase } from "./tensor.js";

/** A pair of tensors, readable by position and by name. */
export type MinMax<T = TensorBase> = readonly [min: T, max: T] & {
  /** The smaller tensor of the pair. */
  readonly min: T;
  /** The larger tensor of the pair. */
  readonly max: T;
};

/** Makes the pair. */
export function minMax<T>(min: T, max: T): MinMax<T> {
  return Object.assign([min, max] as const, { min, max });
}
