// Elementwise loops of the reference backend: each op's kernel is its own tight loop over one
// strided run. These objects are the lists of elementwise kernel names: the op table is typed
// against their keys, and the native addon's op list is generated from the table.

import type { TypedArray } from "../../core/dtype.js";

type Arr = TypedArray;
type UnaryLoop = (x: Arr, i: number, s: number, out: Arr, o: number, n: number) => void;
type BinaryLoop = (
  a: Arr,
  i: number,
  sa: number,
  b: Arr,
  j: number,
  sb: number,
  out: Arr,
  o: number,
  n: number,
) => void;

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

// torch's factors: π/180 and 180/π rounded once, so a float32 result rounds as PyTorch's does
const DEG_TO_RAD = Math.PI / 180;
const RAD_TO_DEG = 180 / Math.PI;

function sigmoid(x: number): number {
  // NOTE: split by sign so that exp never overflows: for x << 0, 1/(1+e^-x) would be 1/inf.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The reference kernel of each unary elementwise op: out[o + k] = op(x[i + k·s]) for k < n. One
 * function per op, so the JIT sees a monomorphic loop; the keys are the unary kernel names.
 */
export const unaryLoops = {
  neg(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = -x[i]!;
  },
  exp(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.exp(x[i]!);
  },
  log(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.log(x[i]!);
  },
  log1p(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.log1p(x[i]!);
  },
  log2(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.log2(x[i]!);
  },
  expm1(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.expm1(x[i]!);
  },
  sqrt(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.sqrt(x[i]!);
  },
  rsqrt(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = 1 / Math.sqrt(x[i]!);
  },
  abs(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.abs(x[i]!);
  },
  sign(x, i, s, out, o, n) {
    const end = o + n;
    // NaN gives 0, as in PyTorch
    for (; o < end; o++, i += s) out[o] = x[i]! > 0 ? 1 : x[i]! < 0 ? -1 : 0;
  },
  sin(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.sin(x[i]!);
  },
  cos(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.cos(x[i]!);
  },
  tan(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.tan(x[i]!);
  },
  tanh(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.tanh(x[i]!);
  },
  sigmoid(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = sigmoid(x[i]!);
  },
  relu(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! > 0 ? x[i]! : x[i]! === x[i]! ? 0 : NaN;
  },
  reciprocal(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = 1 / x[i]!;
  },
  erf(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = erf(x[i]!);
  },
  floor(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.floor(x[i]!);
  },
  ceil(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.ceil(x[i]!);
  },
  // round half to even, as PyTorch does
  round(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) {
      const v = x[i]!,
        r = Math.round(v);
      out[o] = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
  },
  isnan(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! !== x[i]! ? 1 : 0;
  },
  isfinite(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Number.isFinite(x[i]!) ? 1 : 0;
  },
  logicalNot(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! ? 0 : 1;
  },
  square(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! * x[i]!;
  },
  log10(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.log10(x[i]!);
  },
  exp2(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.pow(2, x[i]!);
  },
  trunc(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.trunc(x[i]!);
  },
  frac(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! - Math.trunc(x[i]!);
  },
  asin(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.asin(x[i]!);
  },
  acos(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.acos(x[i]!);
  },
  atan(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.atan(x[i]!);
  },
  sinh(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.sinh(x[i]!);
  },
  cosh(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.cosh(x[i]!);
  },
  asinh(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.asinh(x[i]!);
  },
  acosh(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.acosh(x[i]!);
  },
  atanh(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = Math.atanh(x[i]!);
  },
  deg2rad(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! * DEG_TO_RAD;
  },
  rad2deg(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i]! * RAD_TO_DEG;
  },
} satisfies Record<string, UnaryLoop>;

/** Name of a unary elementwise kernel. */
export type UnaryOp = keyof typeof unaryLoops;

/**
 * The reference kernel of each binary elementwise op: out[o + k] = op(a[i + k·sa], b[j + k·sb])
 * for k < n; the keys are the binary kernel names.
 */
export const binaryLoops = {
  add(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! + b[j]!;
  },
  sub(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! - b[j]!;
  },
  mul(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! * b[j]!;
  },
  div(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! / b[j]!;
  },
  pow(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = Math.pow(a[i]!, b[j]!);
  },
  maximum(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const x = a[i]!,
        y = b[j]!;
      out[o] = x !== x || y !== y ? NaN : x > y ? x : y;
    }
  },
  minimum(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const x = a[i]!,
        y = b[j]!;
      out[o] = x !== x || y !== y ? NaN : x < y ? x : y;
    }
  },
  eq(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! === b[j]! ? 1 : 0;
  },
  ne(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! !== b[j]! ? 1 : 0;
  },
  lt(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! < b[j]! ? 1 : 0;
  },
  le(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! <= b[j]! ? 1 : 0;
  },
  gt(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! > b[j]! ? 1 : 0;
  },
  ge(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! >= b[j]! ? 1 : 0;
  },
  logicalAnd(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! && b[j]! ? 1 : 0;
  },
  logicalOr(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! || b[j]! ? 1 : 0;
  },
  atan2(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = Math.atan2(a[i]!, b[j]!);
  },
  // Python-style remainder: the result takes the divisor's sign, as in torch.remainder
  remainder(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const y = b[j]!,
        r = a[i]! % y;
      out[o] = r !== 0 && r < 0 !== y < 0 ? r + y : r;
    }
  },
  // relu's gradient: a passes where relu's output b is positive (not at 0 or NaN)
  reluBackward(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = b[j]! > 0 ? a[i]! : 0;
  },
} satisfies Record<string, BinaryLoop>;

/** Name of a binary elementwise kernel. */
export type BinaryOp = keyof typeof binaryLoops;
