// The row kernels (scan, sort) called along any dim without recording, and the one way their
// ops hand values back: gathered at the kernel's indices while x's gradient is being recorded, so
// the gradient routes to exactly those positions, and straight from the kernel otherwise.

import type { ScanOp } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isGradEnabled } from "../graph/grad-mode.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { valuesIndices, type ValuesIndices } from "../tensor/values-indices.js";
import { gather } from "./index-ops.js";
import { rowsAlong, zerosRaw } from "./unrecorded.js";
import { reshape } from "./view.js";

/** The inclusive scan `op` of x along dim: values in x's dtype, and for max and min their int32 indices. */
export function scanRaw(op: ScanOp, x: Tensor, dim: number): { values: Tensor; indices: Tensor | null } {
  const values = zerosRaw(x.shape, x.dtype);
  const indices = op === "max" || op === "min" ? zerosRaw(x.shape, "int32") : null;
  if (x.numel() > 0) {
    kernels().scan(op, rowsAlong(x, dim), rowsAlong(values, dim), indices && rowsAlong(indices, dim));
  }
  return { values, indices };
}

/** x sorted stably along dim (NaN above every number) and the int32 positions its values came from. */
export function sortRaw(x: Tensor, dim: number, descending: boolean): { values: Tensor; indices: Tensor } {
  const values = zerosRaw(x.shape, x.dtype);
  const indices = zerosRaw(x.shape, "int32");
  if (x.numel() > 0) kernels().sort(rowsAlong(x, dim), descending, rowsAlong(values, dim), rowsAlong(indices, dim));
  return { values, indices };
}

/**
 * x's values at `indices` along dim: `found` (the kernel's copy of them) when no gradient is being
 * recorded for x, else gathered, so that the gradient goes back to those positions.
 */
export function routed(x: Tensor, dim: number, indices: Tensor, found: Tensor): Tensor {
  if (!(isGradEnabled() && x.requiresGrad)) return found;
  // NOTE: gather needs a dim to gather along; a 0-d x is a row of one
  if (x.ndim === 0) return reshape(gather(reshape(x, [1]), 0, reshape(indices, [1])), []);
  return gather(x, dim, indices);
}

/** The (values, indices) pair of a row kernel's result, values routed to x. */
export function routedPair(x: Tensor, dim: number, r: { values: Tensor; indices: Tensor }): ValuesIndices {
  return valuesIndices(routed(x, dim, r.indices, r.values), r.indices);
}
