// Reductions other than sum (broadcast.ts's). The forward permutes the reduced dims to the back (a
// view) and calls one kernel; the backward broadcasts the gradient back over them. max and min's
// three forms are in reduce-extremum.ts, var and std in reduce-moments.ts.

import type { ReduceOp } from "../backend/kernels.js";
import { isFloat } from "../core/dtype.js";
import { numelOf } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, div, eq, logicalAnd, mul, sub } from "./arithmetic.js";
import { pow } from "./binary-math.js";
import { type DimArg, keepDims, reduceAttrs, type ReduceAttrs, reduceRaw, sum, sumOp, sumType } from "./broadcast.js";
import { defineOp } from "./define.js";
import { genericRule, reductionRule } from "./explain-rule.js";
import { abs, exp, isfinite, log, sign } from "./math.js";
import { reshape, squeeze, to } from "./view.js";
import { where } from "./where.js";

/** The product primitive over dims. */
export const prodOp = defineOp<ReduceAttrs>({
  name: "prod",
  forward: ([x], { dims, keepdim }) => reduceRaw("prod", x!, dims, keepdim, sumType(x!.dtype)),
  save: { inputs: [0], output: true },
  // d(Πx)/dx_i = Π_{j≠i} x_j. NOTE: out/x fails at zeros, so the product of the others is
  // computed with zeros replaced by 1 and used where x_i is the only zero.
  backward: (g, { inputs: [x], output, attrs }) => {
    const { dims } = attrs;
    const isZero = eq(x!, 0);
    const zeros = sum(isZero, dims, true);
    const safe = where(isZero, 1, x!);
    const others = where(
      eq(zeros, 0),
      div(keepDims(output, x!.shape, attrs), safe),
      where(logicalAnd(eq(zeros, 1), isZero), prod(safe, dims, true), 0),
    );
    return [mul(keepDims(g, x!.shape, attrs), others)];
  },
  explain: reductionRule(
    "prod",
    "\\prod",
    "∂(Πx)/∂xᵢ = product of the other factors",
    "\\frac{\\partial \\prod_i x_i}{\\partial x_j} = \\prod_{i \\ne j} x_i",
    "mul",
  ),
  // NOTE: no zeros: at a zero the rule is exact but its own gradient is not (it routes none through
  // the zero's neighbours), so second-order checks would fail there
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { dims: [0, 1], keepdim: false }, torch: "torch.prod(x0)" },
    { inputs: [{ shape: [2, 3] }], attrs: { dims: [1], keepdim: false }, torch: "torch.prod(x0, 1)" },
    { inputs: [{ shape: [2, 3, 2] }], attrs: { dims: [1], keepdim: true }, torch: "torch.prod(x0, -2, keepdim=True)" },
  ],
});

function extremum(name: "amax" | "amin", kernel: ReduceOp, word: "max" | "min", which: string) {
  return defineOp<ReduceAttrs>({
    name,
    forward: ([x], { dims, keepdim }) => reduceRaw(kernel, x!, dims, keepdim, x!.dtype),
    save: { inputs: [0], output: true },
    // max routes: the gradient goes to the winners, split evenly among ties
    backward: (g, { inputs: [x], output, attrs }) => {
      const hit = eq(x!, keepDims(output, x!.shape, attrs));
      return [div(mul(keepDims(g, x!.shape, attrs), hit), sum(hit, attrs.dims, true))];
    },
    explain: reductionRule(
      word,
      `\\${word}`,
      `∂${word}(x)/∂xᵢ = 1 for the ${which} element, 0 for the others (split on ties)`,
      `\\frac{\\partial \\${word}_i x_i}{\\partial x_j} = [x_j = \\${word}_i x_i]`,
      "max",
    ),
    samples: [
      { inputs: [{ shape: [2, 3] }], attrs: { dims: [1], keepdim: false }, torch: `torch.${name}(x0, 1)` },
      {
        inputs: [{ shape: [2, 3, 4] }],
        attrs: { dims: [0, 2], keepdim: true },
        torch: `torch.${name}(x0, (0, -1), keepdim=True)`,
      },
    ],
  });
}
/** The largest values over dims, the gradient split among ties. */
export const amaxOp = extremum("amax", "max", "max", "largest");
/** The smallest values over dims, the gradient split among ties. */
export const aminOp = extremum("amin", "min", "min", "smallest");

function argOp(name: "argmax" | "argmin", kernel: ReduceOp) {
  return defineOp<{ dim: number | undefined; keepdim: boolean }>({
    name,
    forward: ([x], { dim, keepdim }) => {
      if (dim === undefined) return reduceRaw(kernel, reshape(x!, [-1]), [0], false, "int32");
      return reduceRaw(kernel, x!, [dim], keepdim, "int32");
    },
    explain: genericRule(name),
    samples: [
      { inputs: [{ shape: [2, 3] }], attrs: { dim: undefined, keepdim: false }, torch: `torch.${name}(x0)` },
      { inputs: [{ shape: [2, 3] }], attrs: { dim: 1, keepdim: false }, torch: `torch.${name}(x0, 1)` },
      { inputs: [{ shape: [3, 4] }], attrs: { dim: 0, keepdim: true }, torch: `torch.${name}(x0, -2, keepdim=True)` },
    ],
  });
}
/** The index of the largest value along a dim, or in the flattened tensor (no gradient). */
export const argmaxOp = argOp("argmax", "argmax");
/** The index of the smallest value along a dim, or in the flattened tensor (no gradient). */
export const argminOp = argOp("argmin", "argmin");

/** Product over `dim`. */
export function prod(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return prodOp([x], reduceAttrs("prod", x, dim, keepdim));
}
/**
 * Mean over `dim` (all dims when omitted; ints are averaged as float32).
 *
 * @example
 * cr.tensor([[1, 2], [3, 4]]).mean(0); // [2, 3]
 */
export function mean(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const a = reduceAttrs("mean", x, dim, keepdim);
  const n = numelOf(a.dims.map((d) => x.shape[d]!));
  const xf = isFloat(x.dtype) ? x : to(x, "float32");
  return div(sumOp([xf], { ...a, shape: xf.shape }), n);
}
/** Largest values over `dim`, gradient split among ties (torch.amax). */
export function amax(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return amaxOp([x], reduceAttrs("amax", x, dim, keepdim));
}
/** Smallest values over `dim` (torch.amin). */
export function amin(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return aminOp([x], reduceAttrs("amin", x, dim, keepdim));
}
/** Index of the largest value along `dim`, or in the flattened tensor. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  const d = dim === undefined ? undefined : reduceAttrs("argmax", x, dim, keepdim).dims[0];
  return argmaxOp([x], { dim: d, keepdim });
}
/** Index of the smallest value along `dim`, or in the flattened tensor. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  const d = dim === undefined ? undefined : reduceAttrs("argmin", x, dim, keepdim).dims[0];
  return argminOp([x], { dim: d, keepdim });
}
/** log Σ exp(x) over `dim`, computed stably by shifting by the (detached) max. */
export function logsumexp(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const { dims } = reduceAttrs("logsumexp", x, dim, keepdim);
  const m0 = amax(x.detach(), dims, true);
  // NOTE: an all -inf slice has max -inf; shift by 0 there so we return -inf, not NaN
  const m = where(isfinite(m0), m0, 0);
  const out = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? out : squeeze(out, dims);
}

interface NormAttrs extends ReduceAttrs {
  p: number;
}

/** The p-norm primitive over dims. */
export const normOp = defineOp<NormAttrs>({
  name: "norm",
  forward: ([x], { p, dims, keepdim }) => {
    const a = abs(x!);
    if (p === Infinity) return amax(a, dims, keepdim);
    if (p === 1) return sum(a, dims, keepdim);
    return pow(sum(pow(a, p), dims, keepdim), 1 / p);
  },
  save: { inputs: [0], output: true },
  // d‖x‖_p = x |x|^(p-2) / ‖x‖^(p-1) dx; NOTE: 0 where the norm is 0 (PyTorch's subgradient)
  backward: (g, { inputs: [x], output, attrs }) => {
    const { p, dims } = attrs;
    const n = keepDims(output, x!.shape, attrs);
    const gk = keepDims(g, x!.shape, attrs);
    if (p === 1) return [mul(gk, sign(x!))];
    if (p === Infinity) {
      const hit = eq(abs(x!), n);
      return [div(mul(mul(gk, sign(x!)), hit), sum(hit, dims, true))];
    }
    const safe = where(eq(n, 0), 1, n);
    const scale = p === 2 ? div(x!, safe) : div(mul(x!, pow(abs(x!), p - 2)), pow(safe, p - 1));
    return [mul(gk, where(eq(n, 0), 0, scale))];
  },
  explain: reductionRule(
    "norm",
    "\\operatorname{norm}",
    "∂‖x‖₂/∂x = x/‖x‖₂",
    "\\frac{\\partial \\lVert x \\rVert_2}{\\partial x} = \\frac{x}{\\lVert x \\rVert_2}",
  ),
  samples: [
    {
      inputs: [{ shape: [2, 3] }],
      attrs: { p: 2, dims: [0, 1], keepdim: false },
      torch: "torch.linalg.vector_norm(x0)",
    },
    {
      inputs: [{ shape: [2, 3, 2] }],
      attrs: { p: 3, dims: [0, 2], keepdim: true },
      torch: "torch.linalg.vector_norm(x0, 3, (0, 2), keepdim=True)",
    },
    {
      inputs: [{ shape: [2, 3], domain: "distinctAbs" }],
      attrs: { p: Infinity, dims: [1], keepdim: false },
      torch: "torch.linalg.vector_norm(x0, float('inf'), -1)",
    },
  ],
});

/** The p-norm over `dim` (p = 2 by default; Infinity for the max norm). */
export function norm(x: Tensor, p = 2, dim?: DimArg, keepdim = false): Tensor {
  if (!(p > 0)) throw new RangeError(`norm: p must be positive, got ${p}`);
  const xf = isFloat(x.dtype) ? x : to(x, "float32");
  return normOp([xf], { p, ...reduceAttrs("norm", x, dim, keepdim) });
}
