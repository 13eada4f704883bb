// The arithmetic and logic of two broadcasting tensors: + − · /, the rounded quotients (div's
// rounding modes, floorDivide), comparisons, logical and/or.
// Their backward rules use only these same ops, so every other op module may build on them.
// Binary rules return full-shape gradients; the engine sums them back over broadcast dims.

import { checkOptions } from "../core/options.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { type BackwardRule, defineOp, type Op } from "./define.js";
import { defineBinary, floatOf, savesOther } from "./elementwise-def.js";
import { factor, fmt, formula, infix, num, one, predicateRule } from "./explain-rule.js";
import {
  type DivAttrs,
  type DivOptions,
  roundedDivisionSamples,
  roundedQuotient,
  roundingModeOf,
} from "./rounding-division.js";
import { asTensor, binaryRaw, type Operand, resultType } from "./unrecorded.js";

/**
 * a + b, elementwise with broadcasting; either may be a number. Add distributes: both inputs get
 * the upstream gradient.
 *
 * @example
 * const y = cr.add(cr.tensor([1, 2]), cr.tensor([[10], [20]])); // [[11, 12], [21, 22]]
 * const z = y.add(1); // the method form
 */
export const add = defineBinary("add", {
  dtype: "arith",
  backward: (g) => [g, g],
  explain: {
    ...infix("+", "+"),
    rule: "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1",
    ruleTex: "\\frac{\\partial (a+b)}{\\partial a} = 1,\\; \\frac{\\partial (a+b)}{\\partial b} = 1",
    gate: "add",
    local: () => one,
  },
});

/** a − b, elementwise with broadcasting; either may be a number. */
export const sub = defineBinary("sub", {
  dtype: "arith",
  backward: (g) => [g, mul(g, -1)],
  explain: {
    ...infix("-", "-"),
    rule: "∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1",
    ruleTex: "\\frac{\\partial (a-b)}{\\partial a} = 1,\\; \\frac{\\partial (a-b)}{\\partial b} = -1",
    gate: "add",
    local: (k) => (k === 0 ? one : num(-1)),
  },
});

/**
 * a · b, elementwise with broadcasting; either may be a number. Mul swaps: each input's gradient
 * is the upstream times the other input.
 *
 * @example
 * const y = cr.mul(cr.tensor([1, 2, 3]), 2); // [2, 4, 6]
 */
export const mul = defineBinary("mul", {
  dtype: "arith",
  save: savesOther,
  backward: (g, { inputs: [a, b], needsInputGrad: [da, db] }) => [da ? mul(g, b!) : null, db ? mul(g, a!) : null],
  explain: {
    ...infix("*", "\\cdot"),
    rule: "∂(a·b)/∂a = b, ∂(a·b)/∂b = a",
    ruleTex: "\\frac{\\partial (ab)}{\\partial a} = b,\\; \\frac{\\partial (ab)}{\\partial b} = a",
    gate: "mul",
    local: (k, x) => num(x[1 - k]!),
  },
});

/** A rounded quotient is piecewise constant: its gradient is 0 (PyTorch's grad * 0). */
const zeroGradients: BackwardRule<unknown> = (g, { needsInputGrad: [da, db] }) => [
  da ? mul(g, 0) : null,
  db ? mul(g, 0) : null,
];

const modeOf = (attrs: unknown) => (attrs as DivAttrs | undefined)?.roundingMode;

/** The div primitive: a / b, its quotient rounded when the attributes name a rounding mode. */
const divOp: Op<DivAttrs> = defineOp<DivAttrs>({
  name: "div",
  forward: ([a, b], { roundingMode }) => {
    if (roundingMode) return roundedQuotient("div", a!, b!, roundingMode);
    const dt = floatOf(a!.dtype === b!.dtype ? a!.dtype : resultType([a!, b!]));
    return binaryRaw("div", "div", a!, b!, dt, dt);
  },
  save: { inputs: (needs) => (needs[1] ? [0, 1] : [1]) },
  // d(a/b) = da/b − a db/b²; 0 for a rounded quotient
  backward: (g, ctx) => {
    if (ctx.attrs.roundingMode) return zeroGradients(g, ctx);
    const [a, b] = ctx.inputs;
    const [da, db] = ctx.needsInputGrad;
    return [da ? div(g, b!) : null, db ? div(mul(g, a!), mul(mul(b!, b!), -1)) : null];
  },
  explain: {
    text: (a, at) => (modeOf(at) ? `${modeOf(at)}(${a[0]} / ${a[1]})` : `${a[0]} / ${a[1]}`),
    tex: (a, at) => {
      const q = `${a[0]} / ${a[1]}`;
      return modeOf(at) === "floor" ? `\\lfloor ${q} \\rfloor` : modeOf(at) ? `\\operatorname{trunc}(${q})` : q;
    },
    rule: "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² (0 for a rounded quotient)",
    ruleTex:
      "\\frac{\\partial (a/b)}{\\partial a} = \\frac{1}{b},\\; \\frac{\\partial (a/b)}{\\partial b} = -\\frac{a}{b^2}",
    local: (k, [a, b], _y, at) => {
      if (modeOf(at)) return num(0);
      return k === 0
        ? formula(`1/${factor(b!)}`, `\\frac{1}{${fmt(b!)}}`, 1 / b!)
        : formula(`-${factor(a!)}/${factor(b!)}^2`, `-\\frac{${fmt(a!)}}{${factor(b!)}^2}`, -a! / (b! * b!));
    },
  },
  samples: [
    { inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], attrs: {}, torch: "torch.div(x0, x1)" },
    { inputs: [{ shape: [2, 3] }, { shape: [3] }], attrs: {}, torch: "torch.div(x0, x1)" },
    {
      inputs: [
        { shape: [5], dtype: "int32", values: [7, -7, 1, 0, -3] },
        { shape: [5], dtype: "int32", values: [2, 2, 0, 0, -4] },
      ],
      attrs: {},
      torch: "torch.div(x0, x1)",
      note: "ints give float32; an int divisor of 0 gives ±inf or NaN",
    },
    ...(["trunc", "floor"] as const).flatMap((mode) =>
      roundedDivisionSamples({ roundingMode: mode }, `torch.div(x0, x1, rounding_mode='${mode}')`),
    ),
  ],
  options: { keys: ["roundingMode"], call: (xs, o) => div(xs[0]!, xs[1]!, o) },
});

/**
 * a / b. True division by default (ints give float32); with `roundingMode` "trunc" (toward 0) or
 * "floor" (down, as Python's //) the quotient is rounded and ints stay int, as in PyTorch:
 * `cr.div(x, 2, { roundingMode: "floor" })`. Dividing ints by 0 with a rounding mode throws.
 */
export const div: ((a: Operand, b: Operand, opts?: DivOptions) => Tensor) & { readonly op: Op<DivAttrs> } =
  Object.assign(
    (a: Operand, b: Operand, opts?: DivOptions): Tensor => {
      checkOptions("div", opts, ["roundingMode"]);
      const roundingMode = roundingModeOf("div", opts?.roundingMode);
      const dt = resultType([a, b]);
      return divOp([asTensor(a, dt), asTensor(b, dt)], roundingMode ? { roundingMode } : {});
    },
    { op: divOp },
  );

/** The floorDivide primitive: Python's //, over the kernel of that name. */
const floorDivideOp = defineOp<undefined>({
  name: "floorDivide",
  forward: ([a, b]) => roundedQuotient("floorDivide", a!, b!, "floor"),
  save: {},
  backward: zeroGradients,
  explain: {
    text: (a) => `floor(${a[0]} / ${a[1]})`,
    tex: (a) => `\\lfloor ${a[0]} / ${a[1]} \\rfloor`,
    rule: "⌊a/b⌋ is piecewise constant: its gradient is 0",
    ruleTex:
      "\\frac{\\partial \\lfloor a/b \\rfloor}{\\partial a} = \\frac{\\partial \\lfloor a/b \\rfloor}{\\partial b} = 0",
    local: () => num(0),
  },
  // NOTE: torch.floor_divide has no derivative, so the float samples call div with its rounding mode
  samples: roundedDivisionSamples(undefined, "torch.div(x0, x1, rounding_mode='floor')", "torch.floor_divide(x0, x1)"),
});

/**
 * ⌊a / b⌋ as Python's // (torch.floor_divide): div with roundingMode "floor", so ints stay int and
 * `cr.floorDivide(-7, 2)` is −4. Its gradient is 0.
 */
export const floorDivide = Object.assign(
  (a: Operand, b: Operand): Tensor => {
    const dt = resultType([a, b]);
    return floorDivideOp([asTensor(a, dt), asTensor(b, dt)], undefined);
  },
  { op: floorDivideOp },
);

/** A binary op whose result is a truth value: no gradient flows through it. */
const predicate = (name: "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "logicalAnd" | "logicalOr") =>
  defineBinary(name, { dtype: "compare", explain: predicateRule(name) });

/** a == b */
export const eq = predicate("eq");
/** a != b */
export const ne = predicate("ne");
/** a < b */
export const lt = predicate("lt");
/** a <= b */
export const le = predicate("le");
/** a > b */
export const gt = predicate("gt");
/** a >= b */
export const ge = predicate("ge");

/** Elementwise logical and. */
export const logicalAnd = predicate("logicalAnd");
/** Elementwise logical or. */
export const logicalOr = predicate("logicalOr");
