// Elementwise functions of two broadcasting tensors beyond arithmetic: powers, max and min,
// atan2 and the remainder. Their rules use arithmetic, the one-tensor functions and where.

import { isFloat } from "../core/dtype.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, div, eq, ge, gt, logicalAnd, lt, mul, ne, sub } from "./arithmetic.js";
import { type BinaryFunction, defineBinary } from "./elementwise-def.js";
import { factor, fmt, formula, infix, num, one, routeWeight } from "./explain-rule.js";
import { floor, log, neg, sigmoid, trunc } from "./math.js";
import { checkIntDivisor, divisionSamples } from "./rounding-division.js";
import { type Operand, resultType, scalarRaw } from "./unrecorded.js";
import { where } from "./where.js";

/** The forward of a function of two arguments: `name(a, b)`. */
const call2 = (name: string) => ({
  text: (a: string[]) => `${name}(${a[0]}, ${a[1]})`,
  tex: (a: string[]) => `\\operatorname{${name}}(${a[0]}, ${a[1]})`,
});

/**
 * The pow kernel's entry: aᵇ in the promoted dtype; d = b aᵇ⁻¹ da + aᵇ ln(a) db.
 * NOTE: as in PyTorch, b = 0 gives da no gradient (0⁰ would be 0·inf), and where a = 0 and b ≥ 0
 * the ln term is masked to 0, so x² has a finite grad at 0.
 */
const powOfTensors = defineBinary("pow", {
  dtype: "arith",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [
    mul(g, where(eq(b!, 0), 0, mul(b!, pow(a!, sub(b!, 1))))),
    mul(g, where(logicalAnd(eq(a!, 0), ge(b!, 0)), 0, mul(pow(a!, b!), log(a!)))),
  ],
  explain: {
    text: (a) => `${a[0]}^${a[1]}`,
    tex: (a) => `{${a[0]}}^{${a[1]}}`,
    rule: "∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a",
    ruleTex: "\\frac{\\partial a^b}{\\partial a} = b\\,a^{b-1},\\; \\frac{\\partial a^b}{\\partial b} = a^b \\ln a",
    local: (k, [a, b], y) => {
      if (k === 0) {
        if (b === 2) return formula(`2*${factor(a!)}`, `2\\cdot ${factor(a!)}`, 2 * a!);
        return formula(
          `${factor(b!)}*${factor(a!)}^${factor(b! - 1)}`,
          `${fmt(b!)}\\cdot ${factor(a!)}^{${fmt(b! - 1)}}`,
          b! * a! ** (b! - 1),
        );
      }
      return formula(`${factor(y)}*ln(${fmt(a!)})`, `${factor(y)}\\ln ${factor(a!)}`, a === 0 ? 0 : y * Math.log(a!));
    },
  },
  domains: ["positive", "real"],
  samples: [
    {
      inputs: [
        { shape: [6], dtype: "int32", values: [2, 3, -2, 0, -1, 1] },
        { shape: [6], dtype: "int32", values: [2, -1, 3, 0, -1, -2] },
      ],
      attrs: undefined,
      torch: "torch.pow(x0, x1)",
      note: "int ** int is int; negative int powers round toward 0 (3 ** -1 is 0), 0 ** -1 is 0",
    },
    ...[-1, 0.5, 2].map((e) => ({
      inputs: [
        { shape: [4], dtype: "int32" as const, values: [2, 3, -2, 4] },
        { shape: [], dtype: "float32" as const, values: [e], grad: false },
      ],
      attrs: undefined,
      torch: "torch.pow(x0, x1)",
      note: "an int tensor to a float power is float (what pow(intTensor, -1 or 0.5) calls)",
    })),
    {
      inputs: [{ shape: [3], dtype: "int32", values: [1, 2, 3] }, { shape: [3] }],
      attrs: undefined,
      torch: "torch.pow(x0, x1)",
      note: "int ** float tensor is float",
    },
    {
      inputs: [{ shape: [4] }, { shape: [4], dtype: "int32", values: [2, 3, -1, 0] }],
      attrs: undefined,
      torch: "torch.pow(x0, x1)",
      note: "float ** int tensor is float",
    },
  ],
});

/**
 * aᵇ with broadcasting, in the promoted dtype, as PyTorch: an int tensor to an int tensor's
 * power stays int (negative powers round toward 0: 3 ** -1 is 0), to a float tensor's is float.
 * A plain number exponent on an int (or bool) tensor cannot say whether it is PyTorch's 2 or
 * 2.0, so the rule is by value: a non-negative integer keeps the result int32 (`x.pow(2)`), a
 * negative or fractional number makes it float32, as PyTorch's `x ** -1.0` and `x ** 0.5` do
 * (`cr.tensor([2], {dtype: "int32"}).pow(-1)` is [0.5], where PyTorch's int `x ** -1` raises).
 * For int ** negative int, pass the exponent as an int tensor.
 */
export const pow: BinaryFunction = Object.assign(
  (a: Operand, b: Operand): Tensor =>
    powOfTensors(a, typeof b === "number" && b < 0 && !isFloat(resultType([a, b])) ? scalarRaw(b, "float32") : b),
  { op: powOfTensors.op },
);

/**
 * The elementwise max or min of two tensors: the gradient goes to the winner (`wins` says where
 * a won), split evenly on ties.
 */
function extremum(name: "maximum" | "minimum", wins: typeof gt, word: "max" | "min") {
  const sign = name === "maximum" ? 1 : -1;
  return defineBinary(name, {
    dtype: "arith",
    save: [0, 1],
    backward: (g, { inputs: [a, b] }) => {
      const wa = add(wins(a!, b!), mul(eq(a!, b!), 0.5));
      return [mul(g, wa), mul(g, add(neg(wa), 1))];
    },
    explain: {
      text: (a) => `${word}(${a[0]}, ${a[1]})`,
      tex: (a) => `\\${word}(${a[0]}, ${a[1]})`,
      rule: `∂${word}(a,b)/∂a = 1 if a ${sign > 0 ? ">" : "<"} b else 0 (½ on ties)`,
      ruleTex: `\\frac{\\partial \\${word}(a,b)}{\\partial a} = [a ${sign > 0 ? ">" : "<"} b]`,
      gate: "max",
      local: (k, [a, b]) => num(routeWeight(sign * (k === 0 ? a! - b! : b! - a!))),
    },
  });
}

/** Elementwise max; max routes the gradient to the larger input (split evenly on ties) */
export const maximum = extremum("maximum", gt, "max");

/** Elementwise min; routes like max, to the smaller input */
export const minimum = extremum("minimum", lt, "min");

/** atan2(a, b); d = (b da − a db) / (a² + b²) */
export const atan2 = defineBinary("atan2", {
  dtype: "float",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => {
    const r = add(mul(a!, a!), mul(b!, b!));
    return [div(mul(g, b!), r), neg(div(mul(g, a!), r))];
  },
  explain: {
    text: (a) => `atan2(${a[0]}, ${a[1]})`,
    tex: (a) => `\\operatorname{atan2}(${a[0]}, ${a[1]})`,
    rule: "∂atan2(a,b)/∂a = b/(a²+b²), ∂/∂b = −a/(a²+b²)",
    ruleTex:
      "\\frac{\\partial}{\\partial a} = \\frac{b}{a^2+b^2},\\; \\frac{\\partial}{\\partial b} = -\\frac{a}{a^2+b^2}",
    local: (k, [a, b]) => num(k === 0 ? b! / (a! * a! + b! * b!) : -a! / (a! * a! + b! * b!)),
  },
});

/** Python-style remainder (sign of the divisor); d = da − ⌊a/b⌋ db */
export const remainder = defineBinary("remainder", {
  dtype: "arith",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [g, neg(mul(g, floor(div(a!, b!))))],
  explain: {
    ...infix("mod", "\\bmod"),
    rule: "∂(a mod b)/∂a = 1, ∂/∂b = −⌊a/b⌋",
    ruleTex: "\\frac{\\partial}{\\partial a} = 1,\\; \\frac{\\partial}{\\partial b} = -\\lfloor a/b \\rfloor",
    local: (k, [a, b]) => (k === 0 ? one : num(-Math.floor(a! / b!))),
  },
  // a = k/10 + 0.03 over b = |k'|/10 + 0.2 is never within 0.01 of an integer: floor(a/b) is locally constant
  domains: ["offGrid", "positive"],
  check: (_a, b, dt) => checkIntDivisor("remainder", b, dt),
  samples: divisionSamples(undefined, "torch.remainder(x0, x1)"),
});

/** log(eᵃ + eᵇ), without overflow; d/da = σ(a − b), d/db = σ(b − a) */
export const logaddexp = defineBinary("logaddexp", {
  dtype: "float",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [mul(g, sigmoid(sub(a!, b!))), mul(g, sigmoid(sub(b!, a!)))],
  explain: {
    ...call2("logaddexp"),
    rule: "∂/∂a log(eᵃ+eᵇ) = σ(a−b), ∂/∂b = σ(b−a)",
    ruleTex: "\\frac{\\partial}{\\partial a} = \\sigma(a-b),\\; \\frac{\\partial}{\\partial b} = \\sigma(b-a)",
    local: (k, [a, b]) => num(1 / (1 + Math.exp(k === 0 ? b! - a! : a! - b!))),
  },
});

/** log₂(2ᵃ + 2ᵇ); d/da = 2ᵃ/(2ᵃ + 2ᵇ) = σ((a − b) ln 2) */
export const logaddexp2 = defineBinary("logaddexp2", {
  dtype: "float",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [
    mul(g, sigmoid(mul(sub(a!, b!), Math.LN2))),
    mul(g, sigmoid(mul(sub(b!, a!), Math.LN2))),
  ],
  explain: {
    ...call2("logaddexp2"),
    rule: "∂/∂a log₂(2ᵃ+2ᵇ) = 2ᵃ/(2ᵃ+2ᵇ), ∂/∂b = 2ᵇ/(2ᵃ+2ᵇ)",
    ruleTex:
      "\\frac{\\partial}{\\partial a} = \\frac{2^a}{2^a+2^b},\\; \\frac{\\partial}{\\partial b} = \\frac{2^b}{2^a+2^b}",
    local: (k, [a, b]) => num(1 / (1 + 2 ** (k === 0 ? b! - a! : a! - b!))),
  },
});

/** √(a² + b²) without overflow; d/da = a/h, d/db = b/h, from the saved output h */
export const hypot = defineBinary("hypot", {
  dtype: "float",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => {
    const h = hypot(a!, b!);
    return [mul(g, div(a!, h)), mul(g, div(b!, h))];
  },
  explain: {
    ...call2("hypot"),
    rule: "∂/∂a √(a²+b²) = a/√(a²+b²), ∂/∂b = b/√(a²+b²)",
    ruleTex:
      "\\frac{\\partial}{\\partial a} = \\frac{a}{\\sqrt{a^2+b^2}},\\; \\frac{\\partial}{\\partial b} = \\frac{b}{\\sqrt{a^2+b^2}}",
    local: (k, x) => num(x[k]! / Math.hypot(x[0]!, x[1]!)),
  },
});

/** |a| with b's sign; d/da = ±1 as the result's sign matches a's (0 at a = 0), b gets none */
export const copysign = defineBinary("copysign", {
  dtype: "float",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [mul(g, div(copysign(a!, b!), where(eq(a!, 0), 1, a!))), mul(g, 0)],
  explain: {
    ...call2("copysign"),
    rule: "∂/∂a copysign(a, b) = ±1 (+1 when a and b have one sign), ∂/∂b = 0",
    ruleTex:
      "\\frac{\\partial}{\\partial a} = \\operatorname{sign}(a)\\operatorname{sign}(b),\\; \\frac{\\partial}{\\partial b} = 0",
  },
});

/** C's remainder (the dividend's sign, as torch.fmod); d/da = 1, d/db = −trunc(a/b) */
export const fmod = defineBinary("fmod", {
  dtype: "arith",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [g, neg(mul(g, trunc(div(a!, b!))))],
  explain: {
    ...call2("fmod"),
    rule: "∂fmod(a,b)/∂a = 1, ∂/∂b = −trunc(a/b)",
    ruleTex: "\\frac{\\partial}{\\partial a} = 1,\\; \\frac{\\partial}{\\partial b} = -\\operatorname{trunc}(a/b)",
    local: (k, [a, b]) => (k === 0 ? one : num(-Math.trunc(a! / b!))),
  },
  domains: ["offGrid", "positive"],
  check: (_a, b, dt) => checkIntDivisor("fmod", b, dt),
  samples: divisionSamples(undefined, "torch.fmod(x0, x1)"),
});

/** a·log b, 0 where a = 0; d/da = log b (0 where a = 0), d/db = a/b */
export const xlogy = defineBinary("xlogy", {
  dtype: "float",
  save: [0, 1],
  backward: (g, { inputs: [a, b] }) => [mul(g, xlogy(ne(a!, 0), b!)), mul(g, div(a!, b!))],
  explain: {
    ...call2("xlogy"),
    rule: "∂(a·log b)/∂a = log b, ∂/∂b = a/b",
    ruleTex: "\\frac{\\partial}{\\partial a} = \\log b,\\; \\frac{\\partial}{\\partial b} = \\frac{a}{b}",
    local: (k, [a, b]) => num(k === 0 ? (a === 0 ? 0 : Math.log(b!)) : a! / b!),
  },
  domains: ["real", "positive"],
});
