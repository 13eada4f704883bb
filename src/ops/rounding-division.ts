// Division with a rounded quotient, PyTorch's div(rounding_mode=...) and floor_divide: the
// forward both share, the refusal of an integer divisor of 0 (PyTorch's ZeroDivisionError, also
// raised by remainder and fmod on ints), and the samples both declare.

import { type DType, isFloat } from "../core/dtype.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { Sample, SampleInput } from "./samples.js";
import { binaryRaw, resultType, unaryRaw } from "./unrecorded.js";

/** How a quotient is rounded: toward 0 (C's integer division) or down (Python's //). */
export type RoundingMode = "trunc" | "floor";

/** Options of div: PyTorch's rounding_mode; absent or null is true division. */
export interface DivOptions {
  /** "trunc" or "floor" rounds the quotient (ints stay int32); absent or null divides exactly. */
  roundingMode?: RoundingMode | null;
}

/** The div primitive's attributes: its rounding mode, absent for true division. */
export interface DivAttrs {
  roundingMode?: RoundingMode;
}

/** The rounding mode a user passed, checked; undefined for true division. */
export function roundingModeOf(fn: string, mode: unknown): RoundingMode | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (mode === "trunc" || mode === "floor") return mode;
  throw new RangeError(`${fn}: roundingMode must be "trunc", "floor" or null (true division), got ${String(mode)}`);
}

/**
 * Throws when an integer division would divide by 0, as PyTorch raises ZeroDivisionError: an int
 * quotient or remainder has no value to give there (floats give ±inf or NaN instead).
 */
export function checkIntDivisor(fn: string, b: Tensor, dtype: DType): void {
  if (isFloat(dtype)) return;
  for (const v of b.dataSync()) {
    if (v === 0) {
      throw new RangeError(
        `${fn}: ZeroDivisionError: integer division by zero (the ${b.dtype} divisor of shape [${b.shape.join(", ")}] ` +
          `holds a 0; convert to a float dtype for ±inf/NaN there)`,
      );
    }
  }
}

/**
 * a / b rounded by `mode`, in the promoted dtype: ints stay int (int32), floats stay float.
 * Trunc is PyTorch's trunc(a / b); an int32 quotient is computed in float64, where it is exact
 * enough that truncation never crosses an integer. Floor is Python's //, the floorDivide kernel.
 */
export function roundedQuotient(fn: string, a: Tensor, b: Tensor, mode: RoundingMode): Tensor {
  const dt = a.dtype === b.dtype ? a.dtype : resultType([a, b]);
  if (dt === "bool") {
    throw new TypeError(`${fn}: rounding division is not defined for bool tensors; convert them with .int() first`);
  }
  checkIntDivisor(fn, b, dt);
  if (mode === "floor") return binaryRaw(fn, "floorDivide", a, b, dt, dt);
  const quotientDt = isFloat(dt) ? dt : "float64";
  return unaryRaw("trunc", binaryRaw(fn, "div", a, b, quotientDt, quotientDt), dt);
}

// a + 0.03 over |b| + 0.2 in tenths (the domains' offGrid over positive) is never within 0.01 of
// an integer, and neither are these signed pairs: the rounded quotient is locally constant there
const signed: [SampleInput, SampleInput] = [
  { shape: [6], values: [7.3, -7.3, 2.5, -2.5, 0.7, -0.7] },
  { shape: [6], values: [-2.1, -2.1, 1.5, -1.5, -0.3, 0.45] },
];
// 1 // 0.1 is 9 (Python's rule, not ⌊1/0.1⌋ = 10); ±0, ±inf and NaN in either place
const edges: [SampleInput, SampleInput] = [
  { shape: [12], values: [1, -1, 7.5, -7.5, 0, -0, 1, -1, Infinity, NaN, 1, -5], grad: false },
  { shape: [12], values: [0.1, 0.1, -2, -2, -3, 3, 0, 0, 2, 1, -0, Infinity], grad: false },
];
const ints: [SampleInput, SampleInput] = [
  { shape: [8], dtype: "int32", values: [7, -7, 7, -7, 0, 5, -9, 9] },
  { shape: [8], dtype: "int32", values: [2, 2, -2, -2, 3, -5, 4, -4] },
];
// an int dividend over a float divisor: the quotient is float
const mixed: [SampleInput, SampleInput] = [
  { shape: [4], dtype: "int32", values: [7, -7, 3, -3] },
  { shape: [4], values: [2.1, -2.1, 0.7, -0.7] },
];

/**
 * Samples of a division-like op beyond the drawn ones: negative divisors, the float edge cases,
 * ints and an int dividend over a float divisor. `torch` is the PyTorch call for float inputs (it
 * must have a gradient: torch.floor_divide has none), `intTorch` the one for ints.
 */
export function divisionSamples<A>(attrs: A, torch: string, intTorch = torch): Sample<A>[] {
  return [
    { inputs: signed, attrs, torch, note: "negative dividends and divisors" },
    { inputs: edges, attrs, torch, note: "±0, ±inf, NaN, a zero divisor" },
    { inputs: ints, attrs, torch: intTorch, note: "ints stay int; negative divisors" },
    { inputs: mixed, attrs, torch, note: "int over float is float" },
  ];
}

/** divisionSamples after a drawn float sample with broadcasting, for a rounded quotient. */
export function roundedDivisionSamples<A>(attrs: A, torch: string, intTorch = torch): [Sample<A>, ...Sample<A>[]] {
  return [
    {
      inputs: [
        { shape: [2, 3], domain: "offGrid" },
        { shape: [3], domain: "positive" },
      ],
      attrs,
      torch,
    },
    ...divisionSamples(attrs, torch, intTorch),
  ];
}
