// Comparison within a tolerance (torch.isclose, torch.allclose) and the replacement of NaN and the
// infinities by finite numbers (torch.nan_to_num), composed of elementwise tests and where.

import { isFloat } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import { noGrad } from "../graph/grad-mode.js";
import { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, eq, le, logicalAnd, logicalOr, mul, sub } from "./arithmetic.js";
import { defineComposite } from "./composite.js";
import { abs, isfinite, isnan, isneginf, isposinf } from "./math.js";
import type { Sample } from "./samples.js";
import { asTensor, type Operand, resultType } from "./unrecorded.js";
import { clone, to } from "./view.js";
import { where } from "./where.js";

/** Options of isclose and allclose, PyTorch's keywords and defaults. */
export interface IsCloseOptions {
  /** Relative tolerance, times |other| (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN is close to NaN (default false). */
  equalNan?: boolean;
}

const isCloseKeys = ["rtol", "atol", "equalNan"];

/** other as a tensor of input's dtype; a tensor of another dtype is refused, as by PyTorch. */
function otherOf(fn: string, input: Tensor, other: Operand): Tensor {
  if (other instanceof Tensor) {
    if (other.dtype !== input.dtype) {
      throw new TypeError(
        `${fn}: input is ${input.dtype} but other is ${other.dtype}; ${fn} compares tensors of one dtype ` +
          `(convert with .to("${input.dtype}"))`,
      );
    }
    return other;
  }
  if (resultType([input, other]) !== input.dtype) {
    throw new TypeError(`${fn}: other (${String(other)}) is not a ${input.dtype} value, as input is`);
  }
  return asTensor(other, input.dtype);
}

/**
 * Elementwise |input − other| ≤ atol + rtol·|other| (bool result, broadcasting), as torch.isclose:
 * equal values (infinities included) are close, NaN is close to NaN only with `equalNan`.
 * `cr.isclose(a, b, { rtol: 1e-3 })`.
 */
export function isclose(input: Tensor, other: Operand, opts: IsCloseOptions = {}): Tensor {
  return closeness("isclose", input, other, opts);
}

function closeness(fn: string, input: Tensor, other: Operand, opts: IsCloseOptions): Tensor {
  checkOptions(fn, opts, isCloseKeys);
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  if (!(rtol >= 0)) throw new RangeError(`${fn}: rtol must be a number ≥ 0, got ${rtol}`);
  if (!(atol >= 0)) throw new RangeError(`${fn}: atol must be a number ≥ 0, got ${atol}`);
  const b = otherOf(fn, input, other);
  return noGrad(() => {
    let close = eq(input, b);
    if (equalNan && isFloat(input.dtype)) close = logicalOr(close, logicalAnd(isnan(input), isnan(b)));
    if (rtol === 0 && atol === 0) return close;
    // as PyTorch: bools count as float32, ints stay ints (rtol·other is float32, the error int32)
    const [x, y] = input.dtype === "bool" ? [to(input, "float32"), to(b, "float32")] : [input, b];
    const allowed = add(abs(mul(y, rtol)), atol);
    const actual = abs(sub(x, y));
    return logicalOr(close, logicalAnd(isfinite(actual), le(actual, allowed)));
  });
}

/** True when every element of input is close to other's (isclose's rule and options): `cr.allclose(a, b)`. */
export function allclose(input: Tensor, other: Operand, opts: IsCloseOptions = {}): boolean {
  return closeness("allclose", input, other, opts)
    .dataSync()
    .every((v) => v !== 0);
}

/** Options of nanToNum: the replacements, PyTorch's keywords. */
export interface NanToNumOptions {
  /** For NaN (default 0). */
  nan?: number | null;
  /** For +inf (default the dtype's largest finite value). */
  posinf?: number | null;
  /** For −inf (default the dtype's most negative finite value). */
  neginf?: number | null;
}

/** The largest finite float32. */
const F32_MAX = 3.4028234663852886e38;

/**
 * x with NaN, +inf and −inf replaced (by 0 and the dtype's largest and most negative finite
 * values unless given): `cr.nanToNum(x, { nan: 0, posinf: 1e4 })`. Int and bool tensors have
 * none and come back as a copy. The gradient passes where x is finite and is 0 elsewhere.
 */
export function nanToNum(x: Tensor, opts: NanToNumOptions = {}): Tensor {
  checkOptions("nanToNum", opts, ["nan", "posinf", "neginf"]);
  if (!isFloat(x.dtype)) return clone(x);
  const largest = x.dtype === "float32" ? F32_MAX : Number.MAX_VALUE;
  const nan = opts.nan ?? 0;
  const posinf = opts.posinf ?? largest;
  const neginf = opts.neginf ?? -largest;
  return where(isnan(x), nan, where(isposinf(x), posinf, where(isneginf(x), neginf, x)));
}

// ±0, ±inf, NaN, a value near 1 and tiny ones (close by atol alone)
const near: Sample<IsCloseOptions>["inputs"] = [
  { shape: [8], values: [1, 1 + 1e-6, NaN, Infinity, Infinity, -Infinity, 0, 1e-9] },
  { shape: [8], values: [1, 1, NaN, Infinity, -Infinity, -Infinity, 1e-9, -0] },
];

/** isclose's samples: the defaults, each option, ints and bools, broadcasting. */
export const iscloseComposite = defineComposite<IsCloseOptions>({
  name: "isclose",
  call: ([a, b], o) => isclose(a!, b!, o),
  differentiable: false,
  options: { keys: isCloseKeys },
  samples: [
    { inputs: near, attrs: {}, torch: "torch.isclose(x0, x1)" },
    { inputs: near, attrs: { equalNan: true }, torch: "torch.isclose(x0, x1, equal_nan=True)" },
    { inputs: near, attrs: { rtol: 0, atol: 0 }, torch: "torch.isclose(x0, x1, rtol=0, atol=0)" },
    { inputs: near, attrs: { rtol: 1e-7, atol: 1e-12 }, torch: "torch.isclose(x0, x1, rtol=1e-7, atol=1e-12)" },
    { inputs: [{ shape: [2, 3] }, { shape: [3] }], attrs: { atol: 0.5 }, torch: "torch.isclose(x0, x1, atol=0.5)" },
    {
      inputs: [
        { shape: [4], dtype: "int32", values: [100, 2, -5, 7] },
        { shape: [4], dtype: "int32", values: [101, 3, -5, 9] },
      ],
      attrs: { rtol: 0.01, atol: 0 },
      torch: "torch.isclose(x0, x1, rtol=0.01, atol=0)",
    },
    {
      inputs: [
        { shape: [3], domain: "bool" },
        { shape: [3], dtype: "bool", values: [1, 0, 1] },
      ],
      attrs: {},
      torch: "torch.isclose(x0, x1)",
    },
  ],
});

// NaN and both infinities, −0, and finite values (which alone get a gradient)
const special = [1, Infinity, -Infinity, NaN, -0, 0.5, -2, 0.25];

/** nanToNum's samples: the defaults (float64's extremes), each replacement, an int tensor. */
export const nanToNumComposite = defineComposite<NanToNumOptions>({
  name: "nanToNum",
  call: ([x], o) => nanToNum(x!, o),
  options: { keys: ["nan", "posinf", "neginf"] },
  samples: [
    { inputs: [{ shape: [8], values: special }], attrs: {}, torch: "torch.nan_to_num(x0)" },
    {
      inputs: [{ shape: [8], values: special }],
      attrs: { nan: 1.5, posinf: 2, neginf: -3 },
      torch: "torch.nan_to_num(x0, nan=1.5, posinf=2.0, neginf=-3.0)",
    },
    {
      inputs: [{ shape: [2, 4], values: special }],
      attrs: { posinf: 1e300 },
      torch: "torch.nan_to_num(x0, posinf=1e300)",
    },
    { inputs: [{ shape: [2, 3] }], attrs: {}, torch: "torch.nan_to_num(x0)" },
    {
      inputs: [{ shape: [3], dtype: "int32", values: [-1, 0, 7] }],
      attrs: { nan: 1 },
      torch: "torch.nan_to_num(x0, nan=1.0)",
    },
  ],
});
