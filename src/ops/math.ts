// Elementwise functions of one tensor, one entry per unary kernel: each with its derivative as a
// backward rule (written with ops, so it differentiates again) and as the per-element factor
// `chainrule explain` writes out.

import { add, div, mul } from "./arithmetic.js";
import { defineUnary } from "./elementwise-def.js";
import { factor, fmt, formula, num, predicateRule, unaryRule, zeroRule } from "./explain-rule.js";
import { reluBackward } from "./relu-backward.js";
import type { Sample } from "./samples.js";

/** −x */
export const neg = defineUnary("neg", {
  dtype: "same",
  backward: (g) => [neg(g)],
  explain: unaryRule("neg", "-", "d/dx (−x) = −1", "\\frac{d}{dx}(-x) = -1", () => num(-1)),
});

/** eˣ; d eˣ = eˣ dx, from the saved output */
export const exp = defineUnary("exp", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(g, y)],
  explain: unaryRule("exp", "\\exp", "d/dx eˣ = eˣ", "\\frac{d}{dx} e^x = e^x", (_x, y) => num(y)),
});

/** ln x; d ln x = dx / x */
export const log = defineUnary("log", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [div(g, x!)],
  explain: unaryRule("log", "\\ln", "d/dx ln x = 1/x", "\\frac{d}{dx} \\ln x = \\frac{1}{x}", (x) =>
    formula(`1/${factor(x)}`, `\\frac{1}{${fmt(x)}}`, 1 / x),
  ),
  domain: "positive",
});

/** ln(1 + x), accurate near 0; d = dx / (1 + x) */
export const log1p = defineUnary("log1p", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [div(g, add(x!, 1))],
  explain: unaryRule(
    "log1p",
    "\\operatorname{log1p}",
    "d/dx ln(1+x) = 1/(1+x)",
    "\\frac{d}{dx}\\ln(1+x) = \\frac{1}{1+x}",
    (x) => formula(`1/(1+${factor(x)})`, `\\frac{1}{1+${factor(x)}}`, 1 / (1 + x)),
  ),
  domain: "positive",
});

/** The logarithm to base 2 or 10; d log_b x = dx / (x ln b) */
function logarithm(name: "log2" | "log10", base: 2 | 10, sub: string) {
  const lnBase = Math.log(base);
  return defineUnary(name, {
    dtype: "float",
    save: "input",
    backward: (g, { inputs: [x] }) => [div(g, mul(x!, lnBase))],
    explain: unaryRule(
      name,
      `\\log_{${base}}`,
      `d/dx log${sub} x = 1/(x ln ${base})`,
      `\\frac{d}{dx} \\log_{${base}} x = \\frac{1}{x \\ln ${base}}`,
      (x) => formula(`1/(${factor(x)}*ln ${base})`, `\\frac{1}{${fmt(x)} \\ln ${base}}`, 1 / (x * lnBase)),
    ),
    domain: "positive",
  });
}

/** log₂ x */
export const log2 = logarithm("log2", 2, "₂");

/** log₁₀ x */
export const log10 = logarithm("log10", 10, "₁₀");

/** 2ˣ; d 2ˣ = 2ˣ ln 2 dx, from the saved output */
export const exp2 = defineUnary("exp2", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(g, mul(y, Math.LN2))],
  explain: unaryRule("exp2", "2^", "d/dx 2ˣ = 2ˣ ln 2", "\\frac{d}{dx} 2^x = 2^x \\ln 2", (_x, y) =>
    formula(`${factor(y)}*ln 2`, `${factor(y)} \\ln 2`, y * Math.LN2),
  ),
});

/** eˣ − 1, accurate near 0; d = eˣ dx = (y + 1) dx */
export const expm1 = defineUnary("expm1", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(g, add(y, 1))],
  explain: unaryRule("expm1", "\\operatorname{expm1}", "d/dx (eˣ−1) = eˣ", "\\frac{d}{dx}(e^x-1) = e^x", (_x, y) =>
    num(y + 1),
  ),
});

/** √x; d√x = dx / (2√x) */
export const sqrt = defineUnary("sqrt", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [div(g, mul(y, 2))],
  explain: unaryRule("sqrt", "\\sqrt", "d/dx √x = 1/(2√x)", "\\frac{d}{dx}\\sqrt{x} = \\frac{1}{2\\sqrt{x}}", (_x, y) =>
    formula(`1/(2*${fmt(y)})`, `\\frac{1}{2\\cdot ${fmt(y)}}`, 1 / (2 * y)),
  ),
  domain: "positive",
});

/** 1/√x; d = −½ x^(−3/2) dx = −½ y³ dx */
export const rsqrt = defineUnary("rsqrt", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(mul(g, mul(y, mul(y, y))), -0.5)],
  explain: unaryRule(
    "rsqrt",
    "\\operatorname{rsqrt}",
    "d/dx x^(−½) = −½x^(−3/2)",
    "\\frac{d}{dx}x^{-1/2} = -\\tfrac12 x^{-3/2}",
    (_x, y) => num(-0.5 * y ** 3),
  ),
  domain: "positive",
});

/** |x|; d|x| = sign(x) dx (0 at 0, the subgradient PyTorch picks) */
export const abs = defineUnary("abs", {
  dtype: "same",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(g, sign(x!))],
  explain: unaryRule(
    "abs",
    "\\operatorname{abs}",
    "d/dx |x| = sign(x)",
    "\\frac{d}{dx}|x| = \\operatorname{sign}(x)",
    (x) => num(Math.sign(x)),
  ),
});

/** sign(x) ∈ {−1, 0, 1}; its derivative is 0 everywhere it exists */
export const sign = defineUnary("sign", {
  dtype: "same",
  backward: (g) => [mul(g, 0)],
  explain: zeroRule("sign", "\\operatorname{sign}"),
});

/** sin x; d = cos x dx */
export const sin = defineUnary("sin", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(g, cos(x!))],
  explain: unaryRule("sin", "\\sin", "d/dx sin x = cos x", "\\frac{d}{dx}\\sin x = \\cos x", (x) =>
    formula(`cos(${fmt(x)})`, `\\cos ${factor(x)}`, Math.cos(x)),
  ),
});

/** cos x; d = −sin x dx */
export const cos = defineUnary("cos", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [neg(mul(g, sin(x!)))],
  explain: unaryRule("cos", "\\cos", "d/dx cos x = −sin x", "\\frac{d}{dx}\\cos x = -\\sin x", (x) =>
    formula(`-sin(${fmt(x)})`, `-\\sin ${factor(x)}`, -Math.sin(x)),
  ),
});

/** tan x; d = (1 + tan² x) dx */
export const tan = defineUnary("tan", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(g, add(mul(y, y), 1))],
  explain: unaryRule("tan", "\\tan", "d/dx tan x = 1 + tan²x", "\\frac{d}{dx}\\tan x = 1 + \\tan^2 x", (_x, y) =>
    formula(`1+${factor(y)}^2`, `1+${factor(y)}^2`, 1 + y * y),
  ),
  domain: "small",
});

/** tanh x; d = (1 − tanh² x) dx */
export const tanh = defineUnary("tanh", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(g, add(neg(mul(y, y)), 1))],
  explain: unaryRule("tanh", "\\tanh", "d/dx tanh x = 1 − tanh²x", "\\frac{d}{dx}\\tanh x = 1 - \\tanh^2 x", (_x, y) =>
    formula(`(1-${factor(y)}^2)`, `(1-${factor(y)}^2)`, 1 - y * y),
  ),
});

/**
 * σ(x) = 1 / (1 + e⁻ˣ); dσ = σ(1 − σ) dx.
 * NOTE: a primitive, not composed: the composed form's gradient is 0·inf = NaN for x << 0.
 */
export const sigmoid = defineUnary("sigmoid", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [mul(mul(g, y), add(neg(y), 1))],
  explain: unaryRule(
    "sigmoid",
    "\\sigma",
    "d/dx sigmoid(x) = σ(x)(1−σ(x))",
    "\\frac{d}{dx}\\sigma(x) = \\sigma(x)\\,(1-\\sigma(x))",
    (_x, y) => formula(`${fmt(y)}*(1-${fmt(y)})`, `${fmt(y)}\\,(1-${fmt(y)})`, y * (1 - y)),
  ),
});

/** max(x, 0); the gradient passes where x > 0 (0 at 0, as in PyTorch; a select, so never −0) */
export const relu = defineUnary("relu", {
  dtype: "same",
  save: "output",
  backward: (g, { output: y }) => [reluBackward(g, y)],
  explain: unaryRule(
    "relu",
    "\\operatorname{ReLU}",
    "d/dx relu(x) = 1 if x > 0 else 0",
    "\\frac{d}{dx}\\operatorname{ReLU}(x) = [x > 0]",
    (_x, y) => num(y > 0 ? 1 : 0),
    "max",
  ),
});

/** 1/x; d = −dx / x² = −y² dx */
export const reciprocal = defineUnary("reciprocal", {
  dtype: "float",
  save: "output",
  backward: (g, { output: y }) => [neg(mul(g, mul(y, y)))],
  explain: unaryRule(
    "reciprocal",
    "\\operatorname{recip}",
    "d/dx (1/x) = −1/x²",
    "\\frac{d}{dx}\\frac{1}{x} = -\\frac{1}{x^2}",
    (_x, y) => num(-y * y),
  ),
});

/** The error function; d erf = 2/√π e^(−x²) dx */
export const erf = defineUnary("erf", {
  dtype: "float",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(mul(g, exp(neg(mul(x!, x!)))), 2 / Math.sqrt(Math.PI))],
  explain: unaryRule(
    "erf",
    "\\operatorname{erf}",
    "d/dx erf(x) = 2/√π·e^(−x²)",
    "\\frac{d}{dx}\\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi}e^{-x^2}",
    (x) => num((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)),
  ),
});

/** A rounding of x to an integer: piecewise constant, so its gradient is 0 (as in PyTorch). */
const rounding = (name: "floor" | "ceil" | "round" | "trunc", tex: string) =>
  defineUnary(name, { dtype: "same", backward: (g) => [mul(g, 0)], explain: zeroRule(name, tex), domain: "offGrid" });

/** ⌊x⌋ */
export const floor = rounding("floor", "\\lfloor\\cdot\\rfloor");
/** ⌈x⌉ */
export const ceil = rounding("ceil", "\\lceil\\cdot\\rceil");
/** Round half to even */
export const round = rounding("round", "\\operatorname{round}");
/** x rounded toward 0 */
export const trunc = rounding("trunc", "\\operatorname{trunc}");

/** x − trunc(x), the fractional part with x's sign; d = dx */
export const frac = defineUnary("frac", {
  dtype: "same",
  backward: (g) => [g],
  explain: unaryRule(
    "frac",
    "\\operatorname{frac}",
    "d/dx frac(x) = 1",
    "\\frac{d}{dx}\\operatorname{frac}(x) = 1",
    () => num(1),
  ),
  domain: "offGrid",
});

/** An angle converted by a constant factor: d(c·x) = c dx. */
function angle(name: "deg2rad" | "rad2deg", scale: number, rule: string, ruleTex: string) {
  return defineUnary(name, {
    dtype: "float",
    backward: (g) => [mul(g, scale)],
    explain: unaryRule(name, `\\operatorname{${name}}`, rule, ruleTex, () => num(scale)),
  });
}

/** Degrees to radians, x·π/180 */
export const deg2rad = angle(
  "deg2rad",
  Math.PI / 180,
  "d/dx (x·π/180) = π/180",
  "\\frac{d}{dx}\\frac{\\pi x}{180} = \\frac{\\pi}{180}",
);

/** Radians to degrees, x·180/π */
export const rad2deg = angle(
  "rad2deg",
  180 / Math.PI,
  "d/dx (x·180/π) = 180/π",
  "\\frac{d}{dx}\\frac{180 x}{\\pi} = \\frac{180}{\\pi}",
);

// the values the tests of floats are about, as a float and as an int sample
const specialValues: Sample<undefined>[] = [
  {
    inputs: [{ shape: [8], values: [1, Infinity, -Infinity, NaN, -0, 0, -2, 3e38], grad: false }],
    attrs: undefined,
    torch: "",
  },
  { inputs: [{ shape: [3], dtype: "int32", values: [-1, 0, 1] }], attrs: undefined, torch: "" },
];

/** A test of one tensor with a truth-value result: no gradient flows through it. */
const predicate = (name: "isnan" | "isfinite" | "logicalNot" | "isinf" | "isposinf" | "isneginf" | "signbit") =>
  defineUnary(name, {
    dtype: "bool",
    explain: predicateRule(name),
    samples: specialValues.map((s) => ({ ...s, torch: `torch.${name === "logicalNot" ? "logical_not" : name}(x0)` })),
  });

/** Elementwise NaN test. */
export const isnan = predicate("isnan");
/** Elementwise finiteness test (ints are always finite). */
export const isfinite = predicate("isfinite");
/** Elementwise logical not. */
export const logicalNot = predicate("logicalNot");
/** Elementwise test for +inf or −inf (false for ints). */
export const isinf = predicate("isinf");
/** Elementwise test for +inf. */
export const isposinf = predicate("isposinf");
/** Elementwise test for −inf. */
export const isneginf = predicate("isneginf");
/** Elementwise test of the sign bit: true for negatives and for −0 (`cr.signbit(cr.tensor([-0]))` is [true]). */
export const signbit = predicate("signbit");

/** x²; d = 2x dx */
export const square = defineUnary("square", {
  dtype: "same",
  save: "input",
  backward: (g, { inputs: [x] }) => [mul(mul(g, x!), 2)],
  explain: unaryRule("square", "\\operatorname{sq}", "d/dx x² = 2x", "\\frac{d}{dx}x^2 = 2x", (x) =>
    formula(`2*${factor(x)}`, `2\\cdot ${factor(x)}`, 2 * x),
  ),
});
