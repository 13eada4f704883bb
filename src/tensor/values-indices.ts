// What PyTorch returns as a (values, indices) named tuple: max(dim), sort, topk, kthvalue,
// median(dim), mode, cummax. Destructure it as PyTorch code does (`const [v, i] = x.sort(1)`) or
// read it by name (`x.max(1).values`).

import type { TensorBase } from "./tensor.js";

/** A pair of tensors, readable by position and by name. */
export type ValuesIndices<T = TensorBase> = readonly [values: T, indices: T] & {
  /** The values. */
  readonly values: T;
  /** Their int32 indices along the dim. */
  readonly indices: T;
};

/** Makes the pair. */
export function valuesIndices<T>(values: T, indices: T): ValuesIndices<T> {
  return Object.assign([values, indices] as const, { values, indices });
}
