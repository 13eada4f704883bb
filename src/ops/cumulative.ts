// Scans along a dim: cumsum, cumprod and logcumsumexp are primitives over the scan kernel (their
// gradients are scans the other way); cummax and cummin gather their values at the kernel's
// indices, so their gradient routes to those positions.

import type { ScanOp } from "../backend/kernels.js";
import { checkDType, type DType, isFloat } from "../core/dtype.js";
import { normDim } from "../core/shape.js";
import { checkOptions } from "../core/options.js";
import { arange } from "../tensor/create.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { ValuesIndices } from "../tensor/values-indices.js";
import { add, div, eq, ge, gt, logicalAnd, lt, mul, sub } from "./arithmetic.js";
import { sum, sumType } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { defineOp } from "./define.js";
import { dimText, type ExplainRule } from "./explain-rule.js";
import { cat } from "./index-ops.js";
import { abs, exp, log, logicalNot } from "./math.js";
import { routedPair, scanRaw } from "./row-kernels.js";
import type { Sample } from "./samples.js";
import { castRaw, fullRaw } from "./unrecorded.js";
import { flip, narrow, reshape, unsqueeze } from "./view.js";
import { where } from "./where.js";

interface ScanAttrs {
  dim: number;
}

/** cumsum's and cumprod's: x is cast to `dtype` first. */
interface AccumulateAttrs extends ScanAttrs {
  dtype: DType;
}

const scanExplain = (name: string, rule: string, ruleTex: string): ExplainRule => ({
  text: (a, at) => `${name}(${a[0]}${dimText(at)})`,
  tex: (a) => `\\operatorname{${name}}(${a[0]})`,
  rule,
  ruleTex,
});

/** f applied along dim read backwards: the adjoint of a forward scan is a scan from the end. */
function reversed(f: (t: Tensor, dim: number) => Tensor, t: Tensor, dim: number): Tensor {
  return flip(f(flip(t, dim), dim), dim);
}

/** The size of the scanned dim (1 for a 0-d tensor). */
const lengthAlong = (x: Tensor, dim: number) => (x.ndim === 0 ? 1 : x.shape[dim]!);

/** A scan of x cast to `dtype` along dim. */
const scanForward =
  (op: ScanOp) =>
  ([x]: Tensor[], { dim, dtype }: AccumulateAttrs) =>
    scanRaw(op, castRaw(x!, dtype), dim).values;

/** cumsum's and cumprod's dtype samples: int32 and bool inputs, and a cast on the way in. */
function accumulateSamples(name: "cumsum" | "cumprod"): Sample<AccumulateAttrs>[] {
  return [
    {
      inputs: [{ shape: [2, 3], dtype: "int32", values: [3, -1, 4, 1, 5, -9] }],
      attrs: { dim: 1, dtype: "int32" },
      torch: `torch.${name}(x0, -1)`,
      note: "int32 in and out",
    },
    {
      inputs: [{ shape: [2, 3], domain: "bool" }],
      attrs: { dim: 0, dtype: "int32" },
      torch: `torch.${name}(x0, 0)`,
      note: "bools accumulate as ints",
    },
    {
      inputs: [{ shape: [2, 3], dtype: "float32", grad: false }],
      attrs: { dim: 1, dtype: "float64" },
      torch: `torch.${name}(x0, 1, dtype=torch.float64)`,
      note: "{ dtype } casts first",
    },
    {
      inputs: [{ shape: [4], dtype: "int32", values: [2, -3, 0, 5] }],
      attrs: { dim: 0, dtype: "float64" },
      torch: `torch.${name}(x0, 0, dtype=torch.float64)`,
    },
  ];
}

/** The cumsum primitive: running sums along dim. */
export const cumsumOp = defineOp<AccumulateAttrs>({
  name: "cumsum",
  forward: scanForward("sum"),
  // x_k feeds every y_j with j ≥ k: dx_k = Σ_{j≥k} g_j, a cumsum from the end
  backward: (g, { attrs: { dim } }) => [reversed(cumsumRaw, g, dim)],
  options: { keys: ["dtype"], call: ([x], o) => cumsum(x!, 0, o) },
  explain: scanExplain(
    "cumsum",
    "∂L/∂xₖ = Σ_{j≥k} Gⱼ: the gradient summed from the end",
    "\\frac{\\partial L}{\\partial x_k} = \\sum_{j \\ge k} G_j",
  ),
  samples: [
    { inputs: [{ shape: [2, 4] }], attrs: { dim: 1, dtype: "float64" }, torch: "torch.cumsum(x0, 1)" },
    { inputs: [{ shape: [3, 2, 2] }], attrs: { dim: 0, dtype: "float64" }, torch: "torch.cumsum(x0, -3)" },
    { inputs: [{ shape: [3, 1] }], attrs: { dim: 1, dtype: "float64" }, torch: "torch.cumsum(x0, -1)" },
    { inputs: [{ shape: [] }], attrs: { dim: 0, dtype: "float64" }, torch: "torch.cumsum(x0, 0)" },
    ...accumulateSamples("cumsum"),
  ],
});

function cumsumRaw(t: Tensor, dim: number): Tensor {
  return cumsumOp([t], { dim, dtype: t.dtype });
}

/** The cumprod primitive: running products along dim. */
export const cumprodOp = defineOp<AccumulateAttrs>({
  name: "cumprod",
  forward: scanForward("prod"),
  save: { inputs: [0], output: true },
  backward: (g, { inputs: [x], output, attrs: { dim } }) => [cumprodGrad(g, x!, output, dim, true)],
  fastBackward: (g, { inputs: [x], output, attrs: { dim } }) => [cumprodGrad(g, x!, output, dim, false)],
  options: { keys: ["dtype"], call: ([x], o) => cumprod(x!, 0, o) },
  explain: scanExplain(
    "cumprod",
    "∂L/∂xₖ = Σ_{j≥k} Gⱼ·Π_{i≤j, i≠k} xᵢ (= Σ_{j≥k} Gⱼyⱼ / xₖ where no x is 0)",
    "\\frac{\\partial L}{\\partial x_k} = \\sum_{j \\ge k} G_j \\prod_{i \\le j,\\, i \\ne k} x_i",
  ),
  samples: [
    { inputs: [{ shape: [2, 4] }], attrs: { dim: 1, dtype: "float64" }, torch: "torch.cumprod(x0, 1)" },
    { inputs: [{ shape: [3, 2] }], attrs: { dim: 0, dtype: "float64" }, torch: "torch.cumprod(x0, -2)" },
    {
      inputs: [{ shape: [2, 5], values: [0.5, 0, 1.5, -2, 0.7, 1.2, -0.4, 0, 2, 0] }],
      attrs: { dim: 1, dtype: "float64" },
      torch: "torch.cumprod(x0, 1)",
      note: "zeros: the gradient before, at and past the first one",
    },
    {
      inputs: [{ shape: [4, 2], values: [0, 1.5, 2, 0, -1, 0.5, 3, 0.8] }],
      attrs: { dim: 0, dtype: "float64" },
      torch: "torch.cumprod(x0, 0)",
      note: "a zero first",
    },
    { inputs: [{ shape: [] }], attrs: { dim: 0, dtype: "float64" }, torch: "torch.cumprod(x0, -1)" },
    ...accumulateSamples("cumprod"),
  ],
});

/**
 * cumprod's gradient (PyTorch's cumprod_backward). Without zeros it is Σ_{j≥k} g_j y_j / x_k.
 * With zeros, `exact` builds every Π_{i≤j, i≠k} x_i, O(n²) along dim but a polynomial of x, so
 * its own gradient is right too (recorded backward); otherwise only the gradients up to the
 * first zero and at it are non-zero, found in O(n) with masks.
 */
function cumprodGrad(g: Tensor, x: Tensor, out: Tensor, dim: number, exact: boolean): Tensor {
  const n = lengthAlong(x, dim);
  if (n <= 1) return g;
  const isZero = eq(x, 0);
  if (sum(isZero).item() === 0) return div(reversed(cumsumRaw, mul(g, out), dim), x);
  // Π_{i<k} x_i: the products before each position
  const before = cat([fullRaw(narrow(out, dim, 0, 1).shape, 1, out.dtype), narrow(out, dim, 0, n - 1)], dim);
  if (exact) {
    // k along a new dim at `dim`, j along dim + 1: Π_{k<i≤j} x_i is the cumprod over j of x
    // with every x_i, i ≤ k, replaced by 1
    const col = reshape(arange(n), [n, ...Array<number>(x.ndim - dim - 1).fill(1)]);
    const row = unsqueeze(col, 1);
    const after = cumprodRaw(where(gt(col, row), unsqueeze(x, dim), 1), dim + 1);
    const perRow = sum(mul(where(ge(col, row), unsqueeze(g, dim), 0), after), dim + 1);
    return mul(before, perRow);
  }
  const zerosSoFar = cumsum(isZero, dim);
  // before the first zero z1 the no-zero formula holds, summed over j < z1 only
  const head = eq(zerosSoFar, 0);
  const headGrad = div(reversed(cumsumRaw, where(head, mul(g, out), 0), dim), where(head, x, 1));
  // at z1: Π_{i<z1} x_i · Σ_{z1≤j<z2} g_j Π_{z1<i≤j} x_i; past it every product holds a zero twice
  const upToSecond = eq(zerosSoFar, 1);
  const between = logicalAnd(upToSecond, logicalNot(isZero));
  const tail = sum(mul(where(upToSecond, g, 0), cumprodRaw(where(between, x, 1), dim)), dim, true);
  return add(where(head, headGrad, 0), where(logicalAnd(upToSecond, isZero), mul(before, tail), 0));
}

function cumprodRaw(t: Tensor, dim: number): Tensor {
  return cumprodOp([t], { dim, dtype: t.dtype });
}

/** The most negative finite value of a float dtype: a log-weight of "nothing" that stays finite. */
const lowest = (dtype: DType) => (dtype === "float32" ? -3.4028234663852886e38 : -Number.MAX_VALUE);

/** The logcumsumexp primitive: log Σ_{i≤j} e^{x_i} along dim, never overflowing. */
export const logcumsumexpOp = defineOp<ScanAttrs>({
  name: "logcumsumexp",
  // integer inputs give float32, as exp does
  forward: ([x], { dim }) => scanRaw("logsumexp", isFloat(x!.dtype) ? x! : castRaw(x!, "float32"), dim).values,
  save: { inputs: [0], output: true },
  // dx_k = Σ_{j≥k} g_j e^{x_k − y_j}, summed in log space, the positive and negative parts of g
  // apart (PyTorch's logcumsumexp_backward), so large x neither overflows nor loses digits
  backward: (g, { inputs: [x], output, attrs: { dim } }) => {
    const logAbs = log(abs(where(eq(g, 0), 1, g)));
    const part = (sign: Tensor) =>
      exp(add(reversed(logcumsumexpRaw, sub(where(sign, logAbs, lowest(g.dtype)), output), dim), x!));
    return [sub(part(gt(g, 0)), part(lt(g, 0)))];
  },
  explain: scanExplain(
    "logcumsumexp",
    "∂L/∂xₖ = Σ_{j≥k} Gⱼ·exp(xₖ − yⱼ)",
    "\\frac{\\partial L}{\\partial x_k} = \\sum_{j \\ge k} G_j\\, e^{x_k - y_j}",
  ),
  samples: [
    { inputs: [{ shape: [2, 4] }], attrs: { dim: 1 }, torch: "torch.logcumsumexp(x0, 1)" },
    { inputs: [{ shape: [3, 2] }], attrs: { dim: 0 }, torch: "torch.logcumsumexp(x0, -2)" },
    {
      inputs: [{ shape: [5], values: [1000, 999.5, -3, 1001, 998] }],
      attrs: { dim: 0 },
      torch: "torch.logcumsumexp(x0, 0)",
      note: "large values: neither the forward nor the gradient overflows",
    },
    {
      inputs: [{ shape: [5], values: [-Infinity, -Infinity, 1, Infinity, 2], grad: false }],
      attrs: { dim: 0 },
      torch: "torch.logcumsumexp(x0, 0)",
      note: "infinities",
    },
  ],
});

function logcumsumexpRaw(t: Tensor, dim: number): Tensor {
  return logcumsumexpOp([t], { dim });
}

/** Options of cumsum and cumprod. */
export interface CumulativeOptions {
  /** The dtype to cast x to first (ints and bools accumulate as int32 by default). */
  dtype?: DType;
}

function cumulative(name: "cumsum" | "cumprod", x: Tensor, dim: number, opts: CumulativeOptions): Tensor {
  checkOptions(name, opts, ["dtype"]);
  const dtype = opts.dtype === undefined ? sumType(x.dtype) : checkDType(opts.dtype, name);
  const attrs = { dim: normDim(name, dim, x.shape), dtype };
  return (name === "cumsum" ? cumsumOp : cumprodOp)([x], attrs);
}

/** Running sums along dim: `cumsum(x, 1)`; `{ dtype }` casts x first. */
export function cumsum(x: Tensor, dim: number, opts: CumulativeOptions = {}): Tensor {
  return cumulative("cumsum", x, dim, opts);
}

/** Running products along dim, with a gradient that is right at zeros: `cumprod(x, 0)`. */
export function cumprod(x: Tensor, dim: number, opts: CumulativeOptions = {}): Tensor {
  return cumulative("cumprod", x, dim, opts);
}

/** log Σ_{i≤j} e^{x_i} along dim, computed without overflow (ints give float32). */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  return logcumsumexpRaw(x, normDim("logcumsumexp", dim, x.shape));
}

function cumulativeExtreme(op: "max" | "min", x: Tensor, dim: number): ValuesIndices {
  const d = normDim(`cum${op}`, dim, x.shape);
  const { values, indices } = scanRaw(op, x, d);
  return routedPair(x, d, { values, indices: indices! });
}

/** Running maxima along dim and where each was taken (the later index on ties; NaN wins): `const [v, i] = cummax(x, 1)`. */
export function cummax(x: Tensor, dim: number): ValuesIndices {
  return cumulativeExtreme("max", x, dim);
}

/** Running minima along dim and where each was taken (the later index on ties; NaN wins). */
export function cummin(x: Tensor, dim: number): ValuesIndices {
  return cumulativeExtreme("min", x, dim);
}

/** A sample of one part of cummax's or cummin's pair. */
interface ExtremeAttrs {
  dim: number;
  part: "values" | "indices";
}

function extremeComposite(name: "cummax" | "cummin", fn: typeof cummax) {
  const call = (dim: number, part: string) => `torch.${name}(x0, ${dim}).${part}`;
  return defineComposite<ExtremeAttrs>({
    name,
    call: ([x], { dim, part }) => fn(x!, dim)[part],
    samples: [
      { inputs: [{ shape: [2, 4] }], attrs: { dim: 1, part: "values" }, torch: call(1, "values") },
      { inputs: [{ shape: [2, 4], grad: false }], attrs: { dim: 1, part: "indices" }, torch: call(1, "indices") },
      { inputs: [{ shape: [3, 2, 2] }], attrs: { dim: -3, part: "values" }, torch: call(-3, "values") },
      { inputs: [{ shape: [3, 2, 2], grad: false }], attrs: { dim: 0, part: "indices" }, torch: call(0, "indices") },
      { inputs: [{ shape: [] }], attrs: { dim: 0, part: "values" }, torch: call(0, "values") },
      { inputs: [{ shape: [], grad: false }], attrs: { dim: -1, part: "indices" }, torch: call(-1, "indices") },
      {
        inputs: [{ shape: [2, 5], values: [1, 1, 3, 3, 0, 2, -1, 2, -1, 2], grad: false }],
        attrs: { dim: 1, part: "indices" },
        torch: call(1, "indices"),
        note: "ties: the later index",
      },
      {
        inputs: [{ shape: [6], values: [1, 1, NaN, 2, NaN, 0], grad: false }],
        attrs: { dim: 0, part: "indices" },
        torch: call(0, "indices"),
        note: "a NaN wins and stays; the next NaN takes over",
      },
      {
        inputs: [{ shape: [6], values: [1, 1, NaN, 2, NaN, 0], grad: false }],
        attrs: { dim: 0, part: "values" },
        torch: call(0, "values"),
      },
      {
        inputs: [{ shape: [2, 3], dtype: "int32", values: [3, 1, 3, -2, 5, -2] }],
        attrs: { dim: 1, part: "values" },
        torch: call(1, "values"),
        note: "int32",
      },
    ],
  });
}

/** cummax's samples. */
export const cummaxComposite = extremeComposite("cummax", cummax);
/** cummin's samples. */
export const cumminComposite = extremeComposite("cummin", cummin);
