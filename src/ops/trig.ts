// The inverse trigonometric and the hyperbolic functions and sinc, one entry per unary kernel, with their
// derivatives as backward rules (written with ops, so they differentiate again) and as the
// per-element factors `chainrule explain` writes out.

import { add, div, eq, mul, sub } from "./arithmetic.js";
import { defineUnary } from "./elementwise-def.js";
import { factor, fmt, formula, unaryRule } from "./explain-rule.js";
import { cos, neg, rsqrt, sqrt, square } from "./math.js";
import { where } from "./where.js";

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

/**
 * sin(πx)/(πx), 1 at 0 (torch.sinc); d = (cos πx − sinc x)/x dx, 0 at 0.
 * NOTE: near 0 the rule runs on x replaced by 1 where x is 0, so its unused branch never divides
 * by 0 (a NaN there would leak through where's gradient); at 0 itself it is −π²x/3, the rule's
 * Taylor term, which is 0 there and has the right derivative, so the second derivative at 0 is
 * −π²/3 (PyTorch's is NaN).
 */
export const sinc = defineUnary("sinc", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => {
    const atZero = eq(x!, 0);
    const safe = where(atZero, 1, x!);
    const away = div(sub(cos(mul(safe, Math.PI)), sinc(safe)), safe);
    return [mul(g, where(atZero, mul(x!, -(Math.PI ** 2) / 3), away))];
  },
  explain: unaryRule(
    "sinc",
    "\\operatorname{sinc}",
    "d/dx sinc x = (cos πx − sinc x)/x (0 at 0)",
    "\\frac{d}{dx}\\operatorname{sinc} x = \\frac{\\cos \\pi x - \\operatorname{sinc} x}{x}",
    (x, y) =>
      formula(
        `(cos(π*${factor(x)})-${factor(y)})/${factor(x)}`,
        `\\frac{\\cos(\\pi \\cdot ${factor(x)}) - ${factor(y)}}{${factor(x)}}`,
        x === 0 ? 0 : (Math.cos(Math.PI * x) - y) / x,
      ),
  ),
  samples: [
    {
      inputs: [{ shape: [7], values: [0, 0.5, 1, -1.5, 2, 1e-3, -0.25] }],
      attrs: undefined,
      torch: "torch.sinc(x0)",
      note: "0 (value 1, gradient 0) and the zeros at the integers",
    },
    {
      inputs: [{ shape: [3], values: [Infinity, -Infinity, NaN], grad: false }],
      attrs: undefined,
      torch: "torch.sinc(x0)",
    },
    { inputs: [{ shape: [3], dtype: "int32", values: [-1, 0, 2] }], attrs: undefined, torch: "torch.sinc(x0)" },
  ],
});
