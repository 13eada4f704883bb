// Truth-value reductions: any, all and countNonzero. Any dtype is read as PyTorch reads it, every
// non-zero value (NaN included) counting as true; each is a count of the non-zero (or zero)
// elements, so no kernel of its own. No gradient: the results are bools and int32 counts.

import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { eq, gt, ne } from "./arithmetic.js";
import { type DimArg, reduceAttrs, sumOp } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import type { Sample } from "./samples.js";

/** How many elements over `dims` are true (`count(x ≠ 0)`) or false (`count(x = 0)`), int32. */
function count(op: string, x: Tensor, truth: boolean, dim: DimArg, keepdim: boolean): Tensor {
  // NOTE: `!= 0`, not a cast or logicalNot: NaN is true, as in PyTorch (JavaScript's !NaN is true)
  const hits = truth ? (x.dtype === "bool" ? x : ne(x, 0)) : eq(x, 0);
  return sumOp([hits], { ...reduceAttrs(op, x, dim, keepdim), shape: x.shape });
}

/** True where some element over `dim` (every dim by default) is non-zero: `any(mask, 1)`. */
export function any(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return gt(count("any", x, true, dim, keepdim), 0);
}
/** True where every element over `dim` (every dim by default) is non-zero; true when empty. */
export function all(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return eq(count("all", x, false, dim, keepdim), 0);
}
/** The number of non-zero elements over `dim` (every dim by default), int32. */
export function countNonzero(x: Tensor, dim?: DimArg): Tensor {
  return count("countNonzero", x, true, dim, false);
}

interface LogicalAttrs {
  dim?: number | number[];
  keepdim?: boolean;
}

/** any's and all's samples: zeros, NaN, ints, bools, empties, each form of dim. */
function logicalSamples(name: "any" | "all"): [Sample<LogicalAttrs>, ...Sample<LogicalAttrs>[]] {
  const t = `torch.${name}`;
  const mixed = [0, 0, 2, 0, 0, 0, 1, -1, 0.5, 3, 0, 4];
  return [
    { inputs: [{ shape: [2, 3], values: [0, 0, 0, 0, 1.5, 0] }], attrs: {}, torch: `${t}(x0)` },
    { inputs: [{ shape: [2, 3], values: [1, 2, 3, 4, -1, 5] }], attrs: {}, torch: `${t}(x0)` },
    { inputs: [{ shape: [2, 3], values: [0, 0, 0, 0, 0, 0] }], attrs: {}, torch: `${t}(x0)` },
    { inputs: [{ shape: [4, 3], values: mixed }], attrs: { dim: 1 }, torch: `${t}(x0, 1)` },
    {
      inputs: [{ shape: [4, 3], values: mixed }],
      attrs: { dim: -2, keepdim: true },
      torch: `${t}(x0, -2, keepdim=True)`,
    },
    {
      inputs: [{ shape: [2, 3, 2], values: mixed }],
      attrs: { dim: [0, -1] },
      // NOTE: PyTorch 1.13's any and all take one dim
      torch: `${t}(${t}(x0, 2), 0)`,
    },
    {
      inputs: [{ shape: [2, 3, 2], values: [1, 1, 1, 2, 1, 0, 3, 3, 1, 1, 1, 1] }],
      attrs: { dim: [0, 2], keepdim: true },
      torch: `${t}(${t}(x0, 2, keepdim=True), 0, keepdim=True)`,
    },
    {
      inputs: [{ shape: [3], values: [NaN, 0, 0] }],
      attrs: {},
      torch: `${t}(x0)`,
      note: "NaN is non-zero",
    },
    { inputs: [{ shape: [2], values: [NaN, 1] }], attrs: {}, torch: `${t}(x0)` },
    { inputs: [{ shape: [2, 2], dtype: "int32", values: [0, 3, 7, 2] }], attrs: { dim: 0 }, torch: `${t}(x0, 0)` },
    { inputs: [{ shape: [3, 4], domain: "bool" }], attrs: { dim: 1 }, torch: `${t}(x0, 1)` },
    { inputs: [{ shape: [0] }], attrs: {}, torch: `${t}(x0)`, note: "any of nothing is false, all is true" },
    { inputs: [{ shape: [], values: [0] }], attrs: { dim: 0 }, torch: `${t}(x0, 0)` },
  ];
}

/** any's samples. */
export const anyComposite = defineComposite<LogicalAttrs>({
  name: "any",
  call: ([x], { dim, keepdim }) => any(x!, dim, keepdim),
  differentiable: false,
  samples: logicalSamples("any"),
});
/** all's samples. */
export const allComposite = defineComposite<LogicalAttrs>({
  name: "all",
  call: ([x], { dim, keepdim }) => all(x!, dim, keepdim),
  differentiable: false,
  samples: logicalSamples("all"),
});

/** countNonzero's samples. */
export const countNonzeroComposite = defineComposite<LogicalAttrs>({
  name: "countNonzero",
  call: ([x], { dim }) => countNonzero(x!, dim),
  differentiable: false,
  samples: [
    { inputs: [{ shape: [2, 3], values: [0, 0, 2, 0, NaN, 0] }], attrs: {}, torch: "torch.count_nonzero(x0)" },
    {
      inputs: [{ shape: [3, 4], values: [0, 1, 0, 2, 0, 0, 0, 0, -1, 3, 0, 4] }],
      attrs: { dim: -1 },
      torch: "torch.count_nonzero(x0, -1)",
    },
    {
      inputs: [{ shape: [2, 3, 2], values: [0, 1, 0, 2, 0, 0, 0, 0, -1, 3, 0, 4] }],
      attrs: { dim: [0, 2] },
      torch: "torch.count_nonzero(x0, (0, 2))",
    },
    {
      inputs: [{ shape: [2, 3], dtype: "int32", values: [0, 5, 0, 0, 7, 8] }],
      attrs: { dim: 0 },
      torch: "torch.count_nonzero(x0, 0)",
    },
    { inputs: [{ shape: [3, 4], domain: "bool" }], attrs: { dim: 1 }, torch: "torch.count_nonzero(x0, 1)" },
    { inputs: [{ shape: [0, 3] }], attrs: { dim: 0 }, torch: "torch.count_nonzero(x0, 0)" },
  ],
});
