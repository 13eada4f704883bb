// Elementwise loops of the reference backend: each op's kernel is its own tight loop over one
// strided run. These objects are the lists of elementwise kernel names: the op table is typed
// against their keys, and the native addon's op list is generated from the table.

import type { TypedArray } from "../../core/dtype.js";
import { erf, floorDivide, sigmoid, signbit, sinc, sincFloat32 } from "./scalar-math.js";

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

// torch's factors: π/180 and 180/π rounded once, so a float32 result rounds as PyTorch's does
const DEG_TO_RAD = Math.PI / 180;
const RAD_TO_DEG = 180 / Math.PI;

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
  // NaN counts as true, as in PyTorch (JavaScript's truthiness would make it false)
  logicalNot(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i] === 0 ? 1 : 0;
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
  // sin(πx)/(πx), 1 at 0; a float32 result is computed in float32 as PyTorch does (see sincFloat32)
  sinc(x, i, s, out, o, n) {
    const end = o + n;
    const f = out instanceof Float32Array ? sincFloat32 : sinc;
    for (; o < end; o++, i += s) out[o] = f(x[i]!);
  },
  isinf(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i] === Infinity || x[i] === -Infinity ? 1 : 0;
  },
  isposinf(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i] === Infinity ? 1 : 0;
  },
  isneginf(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = x[i] === -Infinity ? 1 : 0;
  },
  // the sign bit: true for −0 (and a NaN carrying it), as in torch.signbit
  signbit(x, i, s, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += s) out[o] = signbit(x[i]!) ? 1 : 0;
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
  // NaN counts as true, as in PyTorch
  logicalAnd(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i] !== 0 && b[j] !== 0 ? 1 : 0;
  },
  logicalOr(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i] !== 0 || b[j] !== 0 ? 1 : 0;
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
  // log(eᵃ + eᵇ) without overflow; equal arguments (infinities included) give a + ln 2
  logaddexp(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const x = a[i]!,
        y = b[j]!;
      out[o] = x === y ? x + Math.LN2 : Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y)));
    }
  },
  logaddexp2(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const x = a[i]!,
        y = b[j]!;
      out[o] = x === y ? x + 1 : Math.max(x, y) + Math.log1p(Math.pow(2, -Math.abs(x - y))) / Math.LN2;
    }
  },
  hypot(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = Math.hypot(a[i]!, b[j]!);
  },
  // |a| with b's sign bit (so −0 counts as negative)
  copysign(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const y = b[j]!;
      out[o] = y < 0 || Object.is(y, -0) ? -Math.abs(a[i]!) : Math.abs(a[i]!);
    }
  },
  // C's fmod: the result takes the dividend's sign, as in torch.fmod
  fmod(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = a[i]! % b[j]!;
  },
  // a·log(b), 0 where a is 0 (unless b is NaN), as in torch.xlogy
  xlogy(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) {
      const x = a[i]!,
        y = b[j]!;
      out[o] = y !== y ? NaN : x === 0 ? 0 : x * Math.log(y);
    }
  },
  // ⌊a/b⌋ as Python's float // computes it (so 1 // 0.1 is 9), as in torch.floor_divide
  floorDivide(a, i, sa, b, j, sb, out, o, n) {
    const end = o + n;
    for (; o < end; o++, i += sa, j += sb) out[o] = floorDivide(a[i]!, b[j]!);
  },
} satisfies Record<string, BinaryLoop>;

/** Name of a binary elementwise kernel. */
export type BinaryOp = keyof typeof binaryLoops;
