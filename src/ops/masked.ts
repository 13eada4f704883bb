// Ops driven by where a tensor is non-zero: nonzero, maskedSelect and maskedScatter. Where the
// elements are is data, not shape, so these read the mask back (as PyTorch synchronises with its
// device for them); the values then move with take and scatter, whose gradients they inherit.

import { kernels } from "../backend/registry.js";
import { broadcastShapes, contiguousStrides, fmtShape, sameShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { expand } from "./broadcast.js";
import { checkOptions } from "../core/options.js";
import { defineComposite } from "./composite.js";
import { stack } from "./index-ops.js";
import { scatter } from "./scatter.js";
import { take } from "./take.js";
import { wrap } from "./unrecorded.js";
import { reshape, slice } from "./view.js";

/** An int32 tensor of `shape` over `data`. */
const ints = (data: readonly number[], shape: readonly number[]) =>
  wrap(kernels().upload("int32", data), "int32", shape);

/** The row-major positions of x's non-zero elements (NaN counts as non-zero), as a 1-D int32 tensor. */
export function flatNonzero(x: Tensor): Tensor {
  const data = x.dataSync();
  const at: number[] = [];
  for (let k = 0; k < data.length; k++) if (data[k] !== 0) at.push(k);
  return ints(at, [at.length]);
}

/** Options of nonzero. */
export interface NonzeroOptions {
  /** One 1-D tensor per dim instead of one [n, ndim] tensor (default false). */
  asTuple?: boolean;
}

/**
 * The indices of x's non-zero elements, row-major: an int32 [n, ndim] tensor, or with asTuple one
 * 1-D tensor per dim (a 0-d x counts as 1-D there, as in PyTorch). torch.nonzero.
 */
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor;
export function nonzero(x: Tensor, opts: NonzeroOptions = {}): Tensor | Tensor[] {
  checkOptions("nonzero", opts, ["asTuple"]);
  const flat = Array.from(flatNonzero(x).dataSync());
  const strides = contiguousStrides(x.shape);
  const column = (d: number) => flat.map((k) => Math.floor(k / strides[d]!) % x.shape[d]!);
  if (opts.asTuple)
    return x.ndim === 0 ? [ints(flat, [flat.length])] : x.shape.map((_, d) => ints(column(d), [flat.length]));
  const columns = x.shape.map((_, d) => column(d));
  return ints(
    flat.flatMap((_, r) => columns.map((c) => c[r]!)),
    [flat.length, x.ndim],
  );
}

/** The sample declarations of nonzero. */
export const nonzeroComposite = defineComposite<{ asTuple?: boolean }>({
  name: "nonzero",
  differentiable: false,
  call: ([x], { asTuple }) => (asTuple ? stack(nonzero(x!, { asTuple: true })) : nonzero(x!)),
  samples: [
    {
      inputs: [{ shape: [3, 4], values: [0, 1.5, 0, -2, NaN, 0, 0, 3, 0, 0, 0.5, 0] }],
      attrs: {},
      torch: "torch.nonzero(x0)",
      note: "NaN is non-zero",
    },
    { inputs: [{ shape: [2, 3, 2], domain: "bool" }], attrs: {}, torch: "torch.nonzero(x0)" },
    {
      inputs: [{ shape: [2, 3, 2], domain: "bool" }],
      attrs: { asTuple: true },
      torch: "torch.stack(torch.nonzero(x0, as_tuple=True))",
    },
    { inputs: [{ shape: [], values: [2] }], attrs: {}, torch: "torch.nonzero(x0)" },
    { inputs: [{ shape: [2, 2], values: [0, 0, 0, 0] }], attrs: {}, torch: "torch.nonzero(x0)" },
  ],
  options: { keys: ["asTuple"], call: ([x], o) => nonzero(x!, o) },
});

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype !== "bool") throw new TypeError(`${op}: mask must be a bool tensor, got ${mask.dtype}`);
}

/** The elements of x where mask (broadcast with x) is true, as a 1-D tensor (torch.masked_select). */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkMask("maskedSelect", mask);
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  return take(expand(x, shape), flatNonzero(expand(mask, shape)));
}

/** The sample declarations of maskedSelect. */
export const maskedSelectComposite = defineComposite({
  name: "maskedSelect",
  call: ([x, mask]) => maskedSelect(x!, mask!),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 4], domain: "bool" }],
      attrs: undefined,
      torch: "torch.masked_select(x0, x1)",
    },
    {
      inputs: [{ shape: [3, 4] }, { shape: [4], domain: "bool" }],
      attrs: undefined,
      torch: "torch.masked_select(x0, x1)",
      note: "the mask broadcasts over rows",
    },
    {
      inputs: [{ shape: [4] }, { shape: [3, 4], domain: "bool" }],
      attrs: undefined,
      torch: "torch.masked_select(x0, x1)",
      note: "x broadcasts: an element picked in several rows gets each gradient",
    },
  ],
});

/**
 * x with the positions where mask (broadcast to x's shape) is true filled, in row-major order, by
 * source's leading elements (torch.masked_scatter).
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  checkMask("maskedScatter", mask);
  const shape = broadcastShapes("maskedScatter", mask.shape, x.shape);
  if (!sameShape(shape, x.shape)) {
    throw new RangeError(
      `maskedScatter: mask of shape ${fmtShape(mask.shape)} does not broadcast to the input's shape ${fmtShape(x.shape)}`,
    );
  }
  const at = flatNonzero(expand(mask, shape));
  const n = at.numel();
  if (source.numel() < n) {
    throw new RangeError(
      `maskedScatter: the mask selects ${n} elements but source of shape ${fmtShape(source.shape)} has only ${source.numel()}`,
    );
  }
  const values = slice(reshape(source, [source.numel()]), 0, 0, n);
  return reshape(scatter(reshape(x, [x.numel()]), 0, at, values), x.shape);
}

/** The sample declarations of maskedScatter. */
export const maskedScatterComposite = defineComposite({
  name: "maskedScatter",
  call: ([x, mask, source]) => maskedScatter(x!, mask!, source!),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 4], domain: "bool" }, { shape: [2, 7] }],
      attrs: undefined,
      torch: "x0.masked_scatter(x1, x2)",
      note: "source's later elements are not used and get no gradient",
    },
    {
      inputs: [{ shape: [2, 3] }, { shape: [3], domain: "bool" }, { shape: [6] }],
      attrs: undefined,
      torch: "x0.masked_scatter(x1, x2)",
      note: "the mask broadcasts over rows",
    },
  ],
});
