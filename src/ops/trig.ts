// The inverse trigonometric and the hyperbolic functions, one entry per unary kernel, with their
// derivatives as backward rules (written with ops, so they differentiate again) and as the
// per-element factors `chainrule explain` writes out.

import { add, div, mul, sub } from "./arithmetic.js";
import { defineUnary } from "./elementwise-def.js";
import { factor, fmt, formula, unaryRule } from "./explain-rule.js";
import { neg, rsqrt, sqrt, square } from "./math.js";

/** arcsin x; d = dx / √(1 − x²) */
export const asin = defineUnary("asin", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(g, rsqrt(sub(1, square(x!))))],
  explain: unaryRule(
    "asin",
    "\\arcsin",
    "d/dx asin x = 1/√(1−x²)",
    "\\frac{d}{dx}\\arcsin x = \\frac{1}{\\sqrt{1-x^2}}",
    (x) => formula(`1/sqrt(1-${factor(x)}^2)`, `\\frac{1}{\\sqrt{1-${factor(x)}^2}}`, 1 / Math.sqrt(1 - x * x)),
  ),
  domain: "unit",
});

/** arccos x; d = −dx / √(1 − x²) */
export const acos = defineUnary("acos", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [neg(mul(g, rsqrt(sub(1, square(x!)))))],
  explain: unaryRule(
    "acos",
    "\\arccos",
    "d/dx acos x = −1/√(1−x²)",
    "\\frac{d}{dx}\\arccos x = -\\frac{1}{\\sqrt{1-x^2}}",
    (x) => formula(`-1/sqrt(1-${factor(x)}^2)`, `-\\frac{1}{\\sqrt{1-${factor(x)}^2}}`, -1 / Math.sqrt(1 - x * x)),
  ),
  domain: "unit",
});

/** arctan x; d = dx / (1 + x²) */
export const atan = defineUnary("atan", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [div(g, add(square(x!), 1))],
  explain: unaryRule("atan", "\\arctan", "d/dx atan x = 1/(1+x²)", "\\frac{d}{dx}\\arctan x = \\frac{1}{1+x^2}", (x) =>
    formula(`1/(1+${factor(x)}^2)`, `\\frac{1}{1+${factor(x)}^2}`, 1 / (1 + x * x)),
  ),
});

/** sinh x; d = cosh x dx */
export const sinh = defineUnary("sinh", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(g, cosh(x!))],
  explain: unaryRule("sinh", "\\sinh", "d/dx sinh x = cosh x", "\\frac{d}{dx}\\sinh x = \\cosh x", (x) =>
    formula(`cosh(${fmt(x)})`, `\\cosh ${factor(x)}`, Math.cosh(x)),
  ),
});

/** cosh x; d = sinh x dx */
export const cosh = defineUnary("cosh", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(g, sinh(x!))],
  explain: unaryRule("cosh", "\\cosh", "d/dx cosh x = sinh x", "\\frac{d}{dx}\\cosh x = \\sinh x", (x) =>
    formula(`sinh(${fmt(x)})`, `\\sinh ${factor(x)}`, Math.sinh(x)),
  ),
});

/** arsinh x; d = dx / √(x² + 1) */
export const asinh = defineUnary("asinh", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(g, rsqrt(add(square(x!), 1)))],
  explain: unaryRule(
    "asinh",
    "\\operatorname{arsinh}",
    "d/dx asinh x = 1/√(x²+1)",
    "\\frac{d}{dx}\\operatorname{arsinh} x = \\frac{1}{\\sqrt{x^2+1}}",
    (x) => formula(`1/sqrt(${factor(x)}^2+1)`, `\\frac{1}{\\sqrt{${factor(x)}^2+1}}`, 1 / Math.sqrt(x * x + 1)),
  ),
});

/** arcosh x (x ≥ 1); d = dx / √(x² − 1) */
export const acosh = defineUnary("acosh", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [div(g, sqrt(sub(square(x!), 1)))],
  explain: unaryRule(
    "acosh",
    "\\operatorname{arcosh}",
    "d/dx acosh x = 1/√(x²−1)",
    "\\frac{d}{dx}\\operatorname{arcosh} x = \\frac{1}{\\sqrt{x^2-1}}",
    (x) => formula(`1/sqrt(${factor(x)}^2-1)`, `\\frac{1}{\\sqrt{${factor(x)}^2-1}}`, 1 / Math.sqrt(x * x - 1)),
  ),
  domain: "aboveOne",
});

/** artanh x (|x| < 1); d = dx / (1 − x²) */
export const atanh = defineUnary("atanh", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [div(g, sub(1, square(x!)))],
  explain: unaryRule(
    "atanh",
    "\\operatorname{artanh}",
    "d/dx atanh x = 1/(1−x²)",
    "\\frac{d}{dx}\\operatorname{artanh} x = \\frac{1}{1-x^2}",
    (x) => formula(`1/(1-${factor(x)}^2)`, `\\frac{1}{1-${factor(x)}^2}`, 1 / (1 - x * x)),
  ),
  domain: "unit",
});
