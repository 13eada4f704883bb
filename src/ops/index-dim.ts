// Ops that address whole slices along one dim by a 1-D index: indexAdd, indexCopy and indexFill,
// the writing twins of indexSelect. Each lays its index along the dim and calls the scatter it
// amounts to, so its gradient is that scatter's.

import { checkOptions } from "../core/options.js";
import { fmtShape, normDim } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { mul } from "./arithmetic.js";
import { defineComposite } from "./composite.js";
import { checkIndexRange, indexAlong, scatterAdd } from "./index-ops.js";
import { scatter } from "./scatter.js";
import { fullRaw } from "./unrecorded.js";
import { reshape, to } from "./view.js";
import { where } from "./where.js";

/** Checks a 1-D int32 index of dim `d` of x, in range. */
function checkDimIndex(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.dtype !== "int32") throw new TypeError(`${op}: index must be an int32 tensor, got ${index.dtype}`);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be 1-D, got shape ${fmtShape(index.shape)}`);
  checkIndexRange(op, index, d, x.shape);
}

/** source's index laid along dim d, after checking source is x's shape with index's length at d. */
function sourceIndex(op: string, x: Tensor, d: number, index: Tensor, source: Tensor): Tensor {
  checkDimIndex(op, x, d, index);
  const want = x.shape.map((s, i) => (i === d ? index.numel() : s));
  if (source.ndim !== want.length || source.shape.some((s, i) => s !== want[i])) {
    throw new RangeError(
      `${op}: source of shape ${fmtShape(source.shape)} does not match the input ${fmtShape(x.shape)} with ` +
        `dim ${d} of the index's length ${index.numel()} (expected ${fmtShape(want)})`,
    );
  }
  return indexAlong(index, d, want);
}

/** Options of indexAdd. */
export interface IndexAddOptions {
  /** The factor source is multiplied by (default 1). */
  alpha?: number;
}

/** x with alpha·source's slices added at the positions index names along dim; repeats add up (torch.index_add). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: IndexAddOptions = {}): Tensor {
  checkOptions("indexAdd", opts, ["alpha"]);
  const d = normDim("indexAdd", dim, x.shape);
  const idx = sourceIndex("indexAdd", x, d, index, source);
  const alpha = opts.alpha ?? 1;
  return scatterAdd(x, d, idx, alpha === 1 ? source : mul(source, alpha));
}

/** The sample declarations of indexAdd. */
export const indexAddComposite = defineComposite<{ dim: number; alpha?: number }>({
  name: "indexAdd",
  call: ([x, index, source], { dim, alpha }) => indexAdd(x!, dim, index!, source!, alpha ? { alpha } : {}),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [2], domain: "index", values: [3, 0] }, { shape: [3, 2] }],
      attrs: { dim: 1 },
      torch: "x0.index_add(1, x1.long(), x2)",
    },
    {
      inputs: [{ shape: [3, 2] }, { shape: [3], domain: "index", values: [0, 2, 0] }, { shape: [3, 2] }],
      attrs: { dim: -2, alpha: 2 },
      torch: "x0.index_add(-2, x1.long(), x2, alpha=2)",
      note: "a repeated index adds twice",
    },
  ],
  options: { keys: ["alpha"], call: ([x, index, source], o) => indexAdd(x!, 1, index!, source!, o) },
});

/** x with source's slices copied to the positions index names along dim (torch.index_copy). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = normDim("indexCopy", dim, x.shape);
  return scatter(x, d, sourceIndex("indexCopy", x, d, index, source), source);
}

/** The sample declarations of indexCopy. */
export const indexCopyComposite = defineComposite<{ dim: number }>({
  name: "indexCopy",
  call: ([x, index, source], { dim }) => indexCopy(x!, dim, index!, source!),
  samples: [
    {
      inputs: [{ shape: [4, 3] }, { shape: [2], domain: "index", values: [3, 1] }, { shape: [2, 3] }],
      attrs: { dim: 0 },
      torch: "x0.index_copy(0, x1.long(), x2)",
    },
    {
      inputs: [{ shape: [2, 4] }, { shape: [3], domain: "index", values: [2, 0, 3] }, { shape: [2, 3] }],
      attrs: { dim: -1 },
      torch: "x0.index_copy(-1, x1.long(), x2)",
    },
  ],
});

/**
 * x with every slice index names along dim set to `value`, a number or a 0-d tensor (which then
 * gets the gradient of every filled element, as in torch.index_fill).
 */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: Tensor | number): Tensor {
  const d = normDim("indexFill", dim, x.shape);
  checkDimIndex("indexFill", x, d, index);
  if (value instanceof TensorBase && value.ndim !== 0) {
    throw new RangeError(`indexFill: value must be a number or a 0-d tensor, got shape ${fmtShape(value.shape)}`);
  }
  const filled = scatter(fullRaw([x.shape[d] ?? 1], 0, "bool"), 0, reshape(index, [index.numel()]), 1);
  const along = x.shape.map((s, i) => (i === d ? s : 1));
  // the result keeps x's dtype, as maskedFill's does
  const v = value instanceof TensorBase ? to(value, x.dtype) : fullRaw([], value, x.dtype);
  return where(reshape(filled, along), v, x);
}

/** The sample declarations of indexFill. */
export const indexFillComposite = defineComposite<{ dim: number; value?: number }>({
  name: "indexFill",
  call: ([x, index, value], { dim, value: v }) => indexFill(x!, dim, index!, value ?? v!),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [2], domain: "index", values: [3, 0] }],
      attrs: { dim: 1, value: -1.5 },
      torch: "x0.index_fill(1, x1.long(), -1.5)",
    },
    {
      inputs: [{ shape: [3, 2] }, { shape: [3], domain: "index", values: [2, 2, 0] }, { shape: [] }],
      attrs: { dim: -2 },
      torch: "x0.index_fill(-2, x1.long(), x2)",
      note: "a 0-d tensor value gets the gradient of each filled element once, repeats in index or not",
    },
  ],
});
