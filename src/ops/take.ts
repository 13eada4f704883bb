// take and takeAlongDim: gathers addressed through the flattened tensor or along one dim with
// broadcasting, written with gather, whose gradient scatters back (adding where an index repeats).

import { broadcastShapes, fmtShape, normDim } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { expand } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { checkIndexRange, gather } from "./index-ops.js";
import { reshape } from "./view.js";

function checkInt(op: string, index: Tensor): void {
  if (index.dtype !== "int32") throw new TypeError(`${op}: indices must be an int32 tensor, got ${index.dtype}`);
}

/** x's elements at positions of its row-major flattening; the result has index's shape (torch.take). */
export function take(x: Tensor, index: Tensor): Tensor {
  checkInt("take", index);
  const flat = reshape(index, [index.numel()]);
  checkIndexRange("take", flat, 0, [x.numel()]);
  return reshape(gather(reshape(x, [x.numel()]), 0, flat), index.shape);
}

/** The sample declarations of take. */
export const takeComposite = defineComposite({
  name: "take",
  call: ([x, index]) => take(x!, index!),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [2, 3], domain: "index", values: [0, 11, -1, 5, 5, 7] }],
      attrs: undefined,
      torch: "torch.take(x0, x1.long())",
      note: "a negative index counts from the end; a repeated one gets both gradients",
    },
    {
      inputs: [{ shape: [] }, { shape: [2], domain: "index", values: [0, -1] }],
      attrs: undefined,
      torch: "torch.take(x0, x1.long())",
    },
  ],
});

/**
 * x's values at `indices` along dim, which broadcast against x in the other dims
 * (torch.take_along_dim); without dim, take over the flattened x and indices.
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  checkInt("takeAlongDim", indices);
  if (dim === undefined) return take(x, reshape(indices, [indices.numel()]));
  const d = normDim("takeAlongDim", dim, x.shape);
  if (indices.ndim !== x.ndim) {
    throw new RangeError(
      `takeAlongDim: indices ${fmtShape(indices.shape)} must have as many dims as the input ${fmtShape(x.shape)}`,
    );
  }
  checkIndexRange("takeAlongDim", indices, dim, x.shape);
  const others = (s: readonly number[]) => s.map((n, i) => (i === d ? 1 : n));
  const shape = broadcastShapes("takeAlongDim", others(x.shape), others(indices.shape));
  const at = (n: number) => shape.map((s, i) => (i === d ? n : s));
  return gather(expand(x, at(x.shape[d]!)), d, expand(indices, at(indices.shape[d]!)));
}

/** The sample declarations of takeAlongDim. */
export const takeAlongDimComposite = defineComposite<{ dim?: number }>({
  name: "takeAlongDim",
  call: ([x, indices], { dim }) => takeAlongDim(x!, indices!, dim),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 2], domain: "index", bound: 4 }],
      attrs: { dim: 1 },
      torch: "torch.take_along_dim(x0, x1.long(), 1)",
    },
    {
      inputs: [{ shape: [3, 4] }, { shape: [1, 5], domain: "index", bound: 4 }],
      attrs: { dim: -1 },
      torch: "torch.take_along_dim(x0, x1.long(), -1)",
      note: "indices broadcast over the input's other dims",
    },
    {
      inputs: [{ shape: [2, 1, 3] }, { shape: [2, 4, 2], domain: "index", bound: 3 }],
      attrs: { dim: 2 },
      torch: "torch.take_along_dim(x0, x1.long(), 2)",
      note: "the input broadcasts too",
    },
    {
      inputs: [{ shape: [3, 4] }, { shape: [5], domain: "index", bound: 12 }],
      attrs: {},
      torch: "torch.take_along_dim(x0, x1.long())",
      note: "no dim: over the flattened input",
    },
  ],
});
