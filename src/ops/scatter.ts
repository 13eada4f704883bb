// scatter and scatterReduce: a copy of x with src's elements sent along dim to the positions index
// names, written over what is there (scatter) or combined with it (sum, prod, mean, amax, amin).
// Both run on the scatterReduce kernel. Their gradients are PyTorch's (derivatives.yaml), written
// with recorded ops so that they differentiate again.

import type { ScatterReduce } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isFloat, promoteTypes } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import { fmtShape, normDim } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { div, eq, logicalAnd, mul } from "./arithmetic.js";
import { expand } from "./broadcast.js";
import { defineOp } from "./define.js";
import { callRule } from "./explain-rule.js";
import { checkIndex, gather, maskedFill, scatterAdd, withShapes } from "./index-ops.js";
import { floor } from "./math.js";
import { broadcastView, castRaw, cloneRaw, fullRaw } from "./unrecorded.js";
import { slice, to } from "./view.js";
import { clamp, where } from "./where.js";

/** How scatterReduce combines the values sent to one position (torch.scatter_reduce's `reduce`). */
export type ScatterReduction = "sum" | "prod" | "mean" | "amax" | "amin";

const REDUCTIONS: readonly ScatterReduction[] = ["sum", "prod", "mean", "amax", "amin"];

/** src's dtype must be one x's holds without loss, as PyTorch requires them equal. */
function checkDtypes(op: string, x: Tensor, src: Tensor): void {
  if (promoteTypes(x.dtype, src.dtype) !== x.dtype) {
    throw new TypeError(`${op}: src of dtype ${src.dtype} cannot be scattered into a ${x.dtype} tensor`);
  }
}

/** x's copy with the kernel's scatter applied. */
function scatterInto(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor, mode: ScatterReduce, self = true) {
  checkIndex(op, x, dim, index, src);
  checkDtypes(op, x, src);
  const out = cloneRaw(x);
  if (index.numel()) {
    const s = castRaw(src, x.dtype)._view();
    withShapes(op, x, index, () =>
      kernels().scatterReduce(out.storage.handle, out.shape, dim, index._view(), s, mode, self),
    );
  }
  return out;
}

/**
 * src as the op takes it: index's shape. A number is broadcast; a tensor must have index's dims
 * and be at least as large in each (PyTorch reads only its leading part).
 */
function srcOf(op: string, x: Tensor, index: Tensor, src: Tensor | number): Tensor {
  if (!(src instanceof TensorBase)) return expand(fullRaw([], src, x.dtype), index.shape);
  if (src.ndim !== index.ndim || index.shape.some((s, d) => s > src.shape[d]!)) {
    throw new RangeError(
      `${op}: src of shape ${fmtShape(src.shape)} must have index's dims and be at least index's size ` +
        `${fmtShape(index.shape)} in each`,
    );
  }
  return index.shape.reduce((t, s, d) => slice(t, d, 0, s), src);
}

/** The scatter primitive: x with src written at the positions index names along dim. */
export const scatterOp = defineOp<{ dim: number }>({
  name: "scatter",
  forward: ([x, index, src], { dim }) => scatterInto("scatter", x!, dim, index!, src!, "assign"),
  save: { inputs: [1] },
  // overwritten positions pass nothing back to x; src gathers its gradient from where it went
  backward: (g, { inputs: [, index], attrs: { dim } }) => [scatter(g, dim, index!, 0), null, gather(g, dim, index!)],
  explain: callRule(
    "scatter",
    3,
    "x keeps the gradient where it was not overwritten; src gathers it from where it was written",
    "\\frac{\\partial L}{\\partial x} = G[\\text{kept}],\\; \\frac{\\partial L}{\\partial s} = \\operatorname{gather}(G)",
    "route",
  ),
  samples: [
    {
      inputs: [
        { shape: [3, 4] },
        { shape: [2, 4], domain: "index", values: [0, 1, 2, 0, 2, 0, 1, 1] },
        { shape: [2, 4] },
      ],
      attrs: { dim: 0 },
      torch: "x0.scatter(0, x1.long(), x2)",
    },
    {
      inputs: [{ shape: [2, 5] }, { shape: [2, 2], domain: "index", values: [4, 0, 1, 3] }, { shape: [2, 2] }],
      attrs: { dim: 1 },
      torch: "x0.scatter(-1, x1.long(), x2)",
    },
    {
      inputs: [
        { shape: [2, 4] },
        { shape: [2, 2], domain: "index", values: [3, 1, 0, 2] },
        { shape: [2, 2], values: [2.5, 2.5, 2.5, 2.5], grad: false },
      ],
      attrs: { dim: 1 },
      torch: "x0.scatter(1, x1.long(), 2.5)",
      note: "a number as src",
    },
  ],
  options: {
    keys: ["reduce"],
    call: (inputs, o) => scatter(inputs[0]!, 0, inputs[1]!, inputs[2]!, o as ScatterOptions),
  },
});

/** Options of scatter: PyTorch's older `reduce`, which combines instead of overwriting. */
export interface ScatterOptions {
  /** Combine with the values already there (sum or product) instead of overwriting them. */
  reduce?: "add" | "multiply";
}

/**
 * x with src's elements (or a number) written along dim at the positions index names: for dim 0,
 * out[index[i][j]][j] = src[i][j] (torch.scatter). Where index repeats a position the last write
 * wins (PyTorch leaves it undefined); `reduce` adds or multiplies instead, as scatterReduce does.
 */
export function scatter(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | number,
  opts: ScatterOptions = {},
): Tensor {
  checkOptions("scatter", opts, ["reduce"]);
  const d = normDim("scatter", dim, x.shape);
  checkIndex("scatter", x, d, index);
  const s = srcOf("scatter", x, index, src);
  if (opts.reduce === undefined) return scatterOp([x, index, s], { dim: d });
  if (opts.reduce !== "add" && opts.reduce !== "multiply") {
    throw new RangeError(`scatter: reduce must be 'add' or 'multiply', got '${String(opts.reduce)}'`);
  }
  return scatterReduce(x, d, index, s, opts.reduce === "add" ? "sum" : "prod");
}

interface ScatterReduceAttrs {
  dim: number;
  reduce: ScatterReduction;
  includeSelf: boolean;
}

/**
 * How many values meet at each position of x (x's own counted with includeSelf), at least 1: the
 * divisor of "mean". A constant of the computation, made without recording.
 */
function countsOf(x: Tensor, dim: number, index: Tensor, includeSelf: boolean): Tensor {
  const n = fullRaw(x.shape, includeSelf ? 1 : 0, x.dtype);
  if (index.numel()) {
    const ones = broadcastView(fullRaw([], 1, x.dtype), index.shape);
    kernels().scatterAdd(n.storage.handle, n.shape, dim, index._view(), ones);
  }
  return clamp(n, 1);
}

/** The scatter-reduce primitive: x with src's values combined into the positions index names. */
export const scatterReduceOp = defineOp<ScatterReduceAttrs>({
  name: "scatterReduce",
  forward: ([x, index, src], { dim, reduce, includeSelf }) => {
    const out = scatterInto("scatterReduce", x!, dim, index!, src!, reduce === "mean" ? "sum" : reduce, includeSelf);
    if (reduce !== "mean") return out;
    const n = countsOf(x!, dim, index!, includeSelf);
    if (isFloat(out.dtype)) return div(out, n);
    // integer means round down, as PyTorch's floor division does
    return to(floor(div(to(out, "float64"), to(n, "float64"))), out.dtype);
  },
  save: { inputs: [0, 1, 2], output: true },
  backward: (g, { inputs: [x, index, src], output, attrs }) => {
    const { dim, includeSelf } = attrs;
    const [gx, gsrc] = reduceGrads(g, x!, index!, src!, output, attrs);
    // without includeSelf x's values at the scattered positions never reached the result
    return [includeSelf ? gx : scatter(gx, dim, index!, 0), null, gsrc];
  },
  explain: callRule(
    "scatterReduce",
    3,
    "each value that met at a position gets that position's gradient, weighted by its share of the reduction",
    "\\frac{\\partial L}{\\partial s_i} = G[\\text{index}_i]\\,\\frac{\\partial r}{\\partial s_i}",
    "route",
  ),
  samples: [
    {
      inputs: [{ shape: [2, 4] }, { shape: [2, 3], domain: "index", values: [3, 0, 3, 1, 1, 2] }, { shape: [2, 3] }],
      attrs: { dim: 1, reduce: "amin", includeSelf: true },
      torch: "x0.scatter_reduce(-1, x1.long(), x2, 'amin')",
      note: "a negative dim; repeated positions in each row",
    },
    {
      inputs: [
        { shape: [2, 3], values: [0, 0.5, -1.5, 2, 0.7, -0.4] },
        { shape: [2, 3], domain: "index", values: [0, 1, 0, 2, 2, 1] },
        { shape: [2, 3], values: [1.5, 0, -0.6, 0.3, 1.2, -2] },
      ],
      attrs: { dim: 1, reduce: "prod", includeSelf: true },
      torch: "x0.scatter_reduce(1, x1.long(), x2, 'prod')",
      note: "zeros in x and in src: the gradient of a product with one zero factor",
    },
    {
      inputs: [
        { shape: [2, 3], dtype: "int32", values: [1, -2, 3, 4, 5, -6] },
        { shape: [2, 3], domain: "index", values: [0, 0, 2, 1, 1, 1] },
        { shape: [2, 3], dtype: "int32", values: [4, -5, 7, 2, -9, 1] },
      ],
      attrs: { dim: 1, reduce: "mean", includeSelf: true },
      torch: "x0.scatter_reduce(1, x1.long(), x2, 'mean')",
      note: "an integer mean rounds down",
    },
    ...REDUCTIONS.flatMap((reduce) =>
      [true, false].map((includeSelf) => ({
        inputs: [{ shape: [3, 3] }, { shape: [2, 3], domain: "index" as const, bound: 3 }, { shape: [2, 3] }],
        attrs: { dim: 0, reduce, includeSelf },
        torch: `x0.scatter_reduce(0, x1.long(), x2, '${reduce}', include_self=${includeSelf ? "True" : "False"})`,
      })),
    ),
  ],
  options: {
    keys: ["includeSelf"],
    call: (inputs, o) => scatterReduce(inputs[0]!, 0, inputs[1]!, inputs[2]!, "sum", o as ScatterReduceOptions),
  },
});

/** PyTorch's scatter_reduce_backward: the gradients of x and src. */
function reduceGrads(
  g: Tensor,
  x: Tensor,
  index: Tensor,
  src: Tensor,
  result: Tensor,
  { dim, reduce, includeSelf }: ScatterReduceAttrs,
): [Tensor, Tensor] {
  switch (reduce) {
    case "sum":
      return [g, gather(g, dim, index)];
    case "mean": {
      const n = countsOf(x, dim, index, includeSelf);
      return [div(g, n), div(gather(g, dim, index), gather(n, dim, index))];
    }
    case "prod": {
      // d(∏)/d(one factor) is the product of the others, computed without dividing by a zero
      const maskedSelf = maskedFill(x, eq(x, 0), 1);
      const gx = div(mul(g, scatterReduce(maskedSelf, dim, index, src, "prod", { includeSelf })), maskedSelf);
      const srcZero = eq(src, 0);
      const zeros = fullRaw(x.shape, 0, x.dtype);
      const zerosThere = gather(scatterAdd(zeros, dim, index, to(srcZero, x.dtype)), dim, index);
      const soleZero = logicalAnd(srcZero, eq(zerosThere, 1));
      const others = scatterReduce(x, dim, index, maskedFill(src, soleZero, 1), "prod", { includeSelf });
      const gsrc = where(
        soleZero,
        gather(mul(g, others), dim, index),
        div(gather(mul(g, result), dim, index), maskedFill(src, srcZero, 1)),
      );
      return [gx, gsrc];
    }
    case "amax":
    case "amin": {
      // ties share the gradient evenly; x's value counts among them even without includeSelf,
      // as in PyTorch
      const selfIs = to(eq(x, result), g.dtype);
      const srcIs = to(eq(src, gather(result, dim, index)), g.dtype);
      const shared = div(g, scatterAdd(selfIs, dim, index, srcIs));
      return [mul(selfIs, shared), mul(srcIs, gather(shared, dim, index))];
    }
  }
}

/** Options of scatterReduce. */
export interface ScatterReduceOptions {
  /** Whether x's own values take part in the reduction (default true). */
  includeSelf?: boolean;
}

/**
 * x with src's values reduced into the positions index names along dim (torch.scatter_reduce):
 * "sum", "prod", "mean", "amax" or "amin" of x's value there (unless includeSelf is false) and
 * every src value sent there. Ties of amax/amin share the gradient evenly.
 */
export function scatterReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduction,
  opts: ScatterReduceOptions = {},
): Tensor {
  checkOptions("scatterReduce", opts, ["includeSelf"]);
  if (!REDUCTIONS.includes(reduce)) {
    throw new RangeError(`scatterReduce: reduce must be one of ${REDUCTIONS.join(", ")}, got '${String(reduce)}'`);
  }
  if (x.dtype === "bool") throw new TypeError("scatterReduce: bool tensors cannot be reduced; convert them first");
  const d = normDim("scatterReduce", dim, x.shape);
  checkIndex("scatterReduce", x, d, index);
  const s = srcOf("scatterReduce", x, index, src);
  return scatterReduceOp([x, index, s], { dim: d, reduce, includeSelf: opts.includeSelf ?? true });
}
