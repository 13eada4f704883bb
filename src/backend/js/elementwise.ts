// Elementwise loops of the reference backend. Each op has its own tight loop over one strided
// run, so the JIT sees a monomorphic body; the switch is taken once per run, not per element.

import type { BinaryOp, UnaryOp } from "../kernels.js";
import type { TypedArray } from "../../core/dtype.js";

type Arr = TypedArray;

/* eslint-disable no-loss-of-precision -- published erf coefficients, kept digit for digit */
/** Abramowitz–Stegun 7.1.26 is too coarse for gradcheck; this is W. J. Cody's rational erf. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.46875) {
    const t = x * x;
    const p =
      (((0.185777706184603153 * t + 3.1611237438705656) * t + 113.864154151050156) * t + 377.485237685302021) * t +
      3209.37758913846947;
    const q =
      (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  let r: number;
  if (ax < 4) {
    // erfc(x) = e^(-x²) P(x) / Q(x); the tiny 2.15e-8 is P's leading coefficient, 1230.3… its constant
    const p =
      (((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax +
        66.1191906371416295) *
        ax +
        298.635138197400131) *
        ax +
        881.95222124176909) *
        ax +
        1712.04761263407058) *
        ax +
        2051.07837782607147) *
        ax +
      1230.33935479799725;
    const q =
      (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax +
        1621.38957456669019) *
        ax +
        3290.79923573345963) *
        ax +
        4362.61909014324716) *
        ax +
        3439.36767414372164) *
        ax +
      1230.33935480374942;
    r = (Math.exp(-ax * ax) * p) / q;
  } else {
    const z = 1 / (ax * ax);
    const p =
      ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z +
        1.25781726111229246e-1) *
        z +
        1.60837851487422766e-2) *
        z +
      6.58749161529837803e-4;
    const q =
      ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z +
        6.05183413124413191e-2) *
        z +
      2.33520497626869185e-3;
    r = (Math.exp(-ax * ax) / ax) * (0.564189583547756287 - (z * p) / q);
  }
  const v = 1 - r;
  return x < 0 ? -v : v;
}

function sigmoid(x: number): number {
  // NOTE: split by sign so that exp never overflows: for x << 0, 1/(1+e^-x) would be 1/inf.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** out[o + k] = op(x[i + k·s]) for k < n. */
export function unaryRun(op: UnaryOp, x: Arr, i: number, s: number, out: Arr, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case "neg":
      for (; o < end; o++, i += s) out[o] = -x[i]!;
      return;
    case "exp":
      for (; o < end; o++, i += s) out[o] = Math.exp(x[i]!);
      return;
    case "log":
      for (; o < end; o++, i += s) out[o] = Math.log(x[i]!);
      return;
    case "log1p":
      for (; o < end; o++, i += s) out[o] = Math.log1p(x[i]!);
      return;
    case "expm1":
      for (; o < end; o++, i += s) out[o] = Math.expm1(x[i]!);
      return;
    case "sqrt":
      for (; o < end; o++, i += s) out[o] = Math.sqrt(x[i]!);
      return;
    case "rsqrt":
      for (; o < end; o++, i += s) out[o] = 1 / Math.sqrt(x[i]!);
      return;
    case "abs":
      for (; o < end; o++, i += s) out[o] = Math.abs(x[i]!);
      return;
    case "sign":
      // NaN gives 0, as in PyTorch
      for (; o < end; o++, i += s) out[o] = x[i]! > 0 ? 1 : x[i]! < 0 ? -1 : 0;
      return;
    case "sin":
      for (; o < end; o++, i += s) out[o] = Math.sin(x[i]!);
      return;
    case "cos":
      for (; o < end; o++, i += s) out[o] = Math.cos(x[i]!);
      return;
    case "tan":
      for (; o < end; o++, i += s) out[o] = Math.tan(x[i]!);
      return;
    case "tanh":
      for (; o < end; o++, i += s) out[o] = Math.tanh(x[i]!);
      return;
    case "sigmoid":
      for (; o < end; o++, i += s) out[o] = sigmoid(x[i]!);
      return;
    case "relu":
      for (; o < end; o++, i += s) out[o] = x[i]! > 0 ? x[i]! : x[i]! === x[i]! ? 0 : NaN;
      return;
    case "reciprocal":
      for (; o < end; o++, i += s) out[o] = 1 / x[i]!;
      return;
    case "erf":
      for (; o < end; o++, i += s) out[o] = erf(x[i]!);
      return;
    case "floor":
      for (; o < end; o++, i += s) out[o] = Math.floor(x[i]!);
      return;
    case "ceil":
      for (; o < end; o++, i += s) out[o] = Math.ceil(x[i]!);
      return;
    // round half to even, as PyTorch does
    case "round":
      for (; o < end; o++, i += s) {
        const v = x[i]!,
          r = Math.round(v);
        out[o] = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
      }
      return;
    case "isnan":
      for (; o < end; o++, i += s) out[o] = x[i]! !== x[i]! ? 1 : 0;
      return;
    case "isfinite":
      for (; o < end; o++, i += s) out[o] = Number.isFinite(x[i]!) ? 1 : 0;
      return;
    case "logicalNot":
      for (; o < end; o++, i += s) out[o] = x[i]! ? 0 : 1;
      return;
    case "square":
      for (; o < end; o++, i += s) out[o] = x[i]! * x[i]!;
      return;
  }
}

/** out[o + k] = op(a[i + k·sa], b[j + k·sb]) for k < n. */
export function binaryRun(
  op: BinaryOp,
  a: Arr,
  i: number,
  sa: number,
  b: Arr,
  j: number,
  sb: number,
  out: Arr,
  o: number,
  n: number,
): void {
  const end = o + n;
  switch (op) {
    case "add":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! + b[j]!;
      return;
    case "sub":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! - b[j]!;
      return;
    case "mul":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! * b[j]!;
      return;
    case "div":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! / b[j]!;
      return;
    case "pow":
      for (; o < end; o++, i += sa, j += sb) out[o] = Math.pow(a[i]!, b[j]!);
      return;
    case "maximum":
      for (; o < end; o++, i += sa, j += sb) {
        const x = a[i]!,
          y = b[j]!;
        out[o] = x !== x || y !== y ? NaN : x > y ? x : y;
      }
      return;
    case "minimum":
      for (; o < end; o++, i += sa, j += sb) {
        const x = a[i]!,
          y = b[j]!;
        out[o] = x !== x || y !== y ? NaN : x < y ? x : y;
      }
      return;
    case "eq":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! === b[j]! ? 1 : 0;
      return;
    case "ne":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! !== b[j]! ? 1 : 0;
      return;
    case "lt":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! < b[j]! ? 1 : 0;
      return;
    case "le":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! <= b[j]! ? 1 : 0;
      return;
    case "gt":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! > b[j]! ? 1 : 0;
      return;
    case "ge":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! >= b[j]! ? 1 : 0;
      return;
    case "logicalAnd":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! && b[j]! ? 1 : 0;
      return;
    case "logicalOr":
      for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! || b[j]! ? 1 : 0;
      return;
    case "atan2":
      for (; o < end; o++, i += sa, j += sb) out[o] = Math.atan2(a[i]!, b[j]!);
      return;
    // Python-style remainder: the result takes the divisor's sign, as in torch.remainder
    case "remainder":
      for (; o < end; o++, i += sa, j += sb) {
        const y = b[j]!,
          r = a[i]! % y;
        out[o] = r !== 0 && r < 0 !== y < 0 ? r + y : r;
      }
      return;
    // relu's gradient: a passes where relu's output b is positive (not at 0 or NaN)
    case "reluBackward":
      for (; o < end; o++, i += sa, j += sb) out[o] = b[j]! > 0 ? a[i]! : 0;
      return;
  }
}
