// The arithmetic and logic of two broadcasting tensors: + − · /, comparisons, logical and/or.
// Their backward rules use only these same ops, so every other op module may build on them.
// Binary rules return full-shape gradients; the engine sums them back over broadcast dims.

import { defineBinary, savesOther } from "./elementwise-def.js";
import { factor, fmt, formula, infix, num, one, predicateRule } from "./explain-rule.js";

/** a + b; add distributes: both inputs get the upstream gradient */
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

/** a − b */
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

/** a · b; mul swaps: each input's gradient is the upstream times the other input */
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

/** a / b (true division: ints give float); d(a/b) = da/b − a db/b² */
export const div = defineBinary("div", {
  dtype: "float",
  save: (needs) => (needs[1] ? [0, 1] : [1]),
  backward: (g, { inputs: [a, b], needsInputGrad: [da, db] }) => [
    da ? div(g, b!) : null,
    db ? div(mul(g, a!), mul(mul(b!, b!), -1)) : null,
  ],
  explain: {
    ...infix("/", "/"),
    rule: "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²",
    ruleTex:
      "\\frac{\\partial (a/b)}{\\partial a} = \\frac{1}{b},\\; \\frac{\\partial (a/b)}{\\partial b} = -\\frac{a}{b^2}",
    local: (k, [a, b]) =>
      k === 0
        ? formula(`1/${factor(b!)}`, `\\frac{1}{${fmt(b!)}}`, 1 / b!)
        : formula(`-${factor(a!)}/${factor(b!)}^2`, `-\\frac{${fmt(a!)}}{${factor(b!)}^2}`, -a! / (b! * b!)),
  },
});

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
