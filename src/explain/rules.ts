// The local derivative rule of every primitive, in words and in LaTeX, with the notes' gate
// patterns (add distributes, copy adds, mul swaps, max routes). Elementwise ops also give the
// per-element local derivative as a substitutable factor, so renderers can write the notes'
// "(-0.484148)·0.249749" lines from recorded numbers.

import { factor, fmt } from "./format.js";

/** The notes' gate patterns, and the other ways a gradient can move. */
export type Gate = "add" | "copy" | "mul" | "max" | "route" | "reshape";

/** What each gate does to the gradient, as the notes phrase it. */
export const GATE_TEXT: Record<Gate, string> = {
  add: "add gate: distributes the upstream gradient unchanged to each input",
  copy: "copy gate: a value used more than once adds up the gradients from its uses",
  mul: "mul gate: swaps the inputs: each gets the upstream gradient times the other input",
  max: "max gate: routes the upstream gradient to the larger input, 0 to the rest",
  route: "router: passes the upstream gradient where the condition held, 0 elsewhere",
  reshape: "same numbers, new layout: the gradient is laid out back",
};

/** The short name of each gate pattern. */
export const GATE_NAME: Record<Gate, string> = {
  add: "add distributes",
  copy: "copy adds",
  mul: "mul swaps",
  max: "max routes",
  route: "routes",
  reshape: "reshapes",
};

/** A local derivative factor with its value, in text and LaTeX. */
export interface Factor {
  text: string;
  tex: string;
  value: number;
}

/** How one primitive is explained. */
export interface OpRule {
  /** The forward as a formula of its argument names. */
  text(args: string[], attrs: unknown): string;
  /** The same in LaTeX. */
  tex(args: string[], attrs: unknown): string;
  /** The local derivative, human readable. */
  rule: string;
  /** The local derivative in LaTeX. */
  ruleTex: string;
  gate?: Gate;
  /**
   * Elementwise ops: ∂out_i/∂in_k at one element, from the inputs' and output's values there.
   * Undefined where the op is not elementwise.
   */
  local?(k: number, x: number[], y: number, attrs: unknown): Factor;
}

const one: Factor = { text: "1", tex: "1", value: 1 };
const num = (v: number): Factor => ({ text: factor(v), tex: factor(v), value: v });
const f = (text: string, tex: string, value: number): Factor => ({ text, tex, value });
const fn1 = (name: string, tex: string) => ({
  text: (a: string[]) => `${name}(${a[0]})`,
  tex: (a: string[]) => `${tex}(${a[0]})`,
});
const bin = (op: string, tex: string) => ({
  text: (a: string[]) => `${a[0]} ${op} ${a[1]}`,
  tex: (a: string[]) => `${a[0]} ${tex} ${a[1]}`,
});

function unary(
  name: string,
  texName: string,
  rule: string,
  ruleTex: string,
  local: (x: number, y: number) => Factor,
): OpRule {
  return { ...fn1(name, texName), rule, ruleTex, local: (_k, x, y) => local(x[0]!, y) };
}

const zero = (name: string, tex: string) =>
  unary(name, tex, `d/dx ${name}(x) = 0 (piecewise constant)`, `\\frac{d}{dx}${tex}(x) = 0`, () => num(0));

/** Rules by op name (the names in cr.opRegistry). */
export const RULES: Record<string, OpRule> = {
  add: {
    ...bin("+", "+"),
    rule: "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1",
    ruleTex: "\\frac{\\partial (a+b)}{\\partial a} = 1,\\; \\frac{\\partial (a+b)}{\\partial b} = 1",
    gate: "add",
    local: () => one,
  },
  sub: {
    ...bin("-", "-"),
    rule: "∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1",
    ruleTex: "\\frac{\\partial (a-b)}{\\partial a} = 1,\\; \\frac{\\partial (a-b)}{\\partial b} = -1",
    gate: "add",
    local: (k) => (k === 0 ? one : num(-1)),
  },
  mul: {
    ...bin("*", "\\cdot"),
    rule: "∂(a·b)/∂a = b, ∂(a·b)/∂b = a",
    ruleTex: "\\frac{\\partial (ab)}{\\partial a} = b,\\; \\frac{\\partial (ab)}{\\partial b} = a",
    gate: "mul",
    local: (k, x) => num(x[1 - k]!),
  },
  div: {
    ...bin("/", "/"),
    rule: "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²",
    ruleTex:
      "\\frac{\\partial (a/b)}{\\partial a} = \\frac{1}{b},\\; \\frac{\\partial (a/b)}{\\partial b} = -\\frac{a}{b^2}",
    local: (k, [a, b]) =>
      k === 0
        ? f(`1/${factor(b!)}`, `\\frac{1}{${fmt(b!)}}`, 1 / b!)
        : f(`-${factor(a!)}/${factor(b!)}^2`, `-\\frac{${fmt(a!)}}{${factor(b!)}^2}`, -a! / (b! * b!)),
  },
  pow: {
    text: (a) => `${a[0]}^${a[1]}`,
    tex: (a) => `{${a[0]}}^{${a[1]}}`,
    rule: "∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a",
    ruleTex: "\\frac{\\partial a^b}{\\partial a} = b\\,a^{b-1},\\; \\frac{\\partial a^b}{\\partial b} = a^b \\ln a",
    local: (k, [a, b], y) => {
      if (k === 0) {
        if (b === 2) return f(`2*${factor(a!)}`, `2\\cdot ${factor(a!)}`, 2 * a!);
        return f(
          `${factor(b!)}*${factor(a!)}^${factor(b! - 1)}`,
          `${fmt(b!)}\\cdot ${factor(a!)}^{${fmt(b! - 1)}}`,
          b! * a! ** (b! - 1),
        );
      }
      return f(`${factor(y)}*ln(${fmt(a!)})`, `${factor(y)}\\ln ${factor(a!)}`, a === 0 ? 0 : y * Math.log(a!));
    },
  },
  maximum: {
    text: (a) => `max(${a[0]}, ${a[1]})`,
    tex: (a) => `\\max(${a[0]}, ${a[1]})`,
    rule: "∂max(a,b)/∂a = 1 if a > b else 0 (½ on ties)",
    ruleTex: "\\frac{\\partial \\max(a,b)}{\\partial a} = [a > b]",
    gate: "max",
    local: (k, [a, b]) => num(routeWeight(k === 0 ? a! - b! : b! - a!)),
  },
  minimum: {
    text: (a) => `min(${a[0]}, ${a[1]})`,
    tex: (a) => `\\min(${a[0]}, ${a[1]})`,
    rule: "∂min(a,b)/∂a = 1 if a < b else 0 (½ on ties)",
    ruleTex: "\\frac{\\partial \\min(a,b)}{\\partial a} = [a < b]",
    gate: "max",
    local: (k, [a, b]) => num(routeWeight(k === 0 ? b! - a! : a! - b!)),
  },
  atan2: {
    text: (a) => `atan2(${a[0]}, ${a[1]})`,
    tex: (a) => `\\operatorname{atan2}(${a[0]}, ${a[1]})`,
    rule: "∂atan2(a,b)/∂a = b/(a²+b²), ∂/∂b = −a/(a²+b²)",
    ruleTex:
      "\\frac{\\partial}{\\partial a} = \\frac{b}{a^2+b^2},\\; \\frac{\\partial}{\\partial b} = -\\frac{a}{a^2+b^2}",
    local: (k, [a, b]) => num(k === 0 ? b! / (a! * a! + b! * b!) : -a! / (a! * a! + b! * b!)),
  },
  remainder: {
    ...bin("mod", "\\bmod"),
    rule: "∂(a mod b)/∂a = 1, ∂/∂b = −⌊a/b⌋",
    ruleTex: "\\frac{\\partial}{\\partial a} = 1,\\; \\frac{\\partial}{\\partial b} = -\\lfloor a/b \\rfloor",
    local: (k, [a, b]) => (k === 0 ? one : num(-Math.floor(a! / b!))),
  },
  neg: unary("neg", "-", "d/dx (−x) = −1", "\\frac{d}{dx}(-x) = -1", () => num(-1)),
  exp: unary("exp", "\\exp", "d/dx eˣ = eˣ", "\\frac{d}{dx} e^x = e^x", (_x, y) => num(y)),
  log: unary("log", "\\ln", "d/dx ln x = 1/x", "\\frac{d}{dx} \\ln x = \\frac{1}{x}", (x) =>
    f(`1/${factor(x)}`, `\\frac{1}{${fmt(x)}}`, 1 / x),
  ),
  log1p: unary(
    "log1p",
    "\\operatorname{log1p}",
    "d/dx ln(1+x) = 1/(1+x)",
    "\\frac{d}{dx}\\ln(1+x) = \\frac{1}{1+x}",
    (x) => f(`1/(1+${factor(x)})`, `\\frac{1}{1+${factor(x)}}`, 1 / (1 + x)),
  ),
  expm1: unary("expm1", "\\operatorname{expm1}", "d/dx (eˣ−1) = eˣ", "\\frac{d}{dx}(e^x-1) = e^x", (_x, y) =>
    num(y + 1),
  ),
  sqrt: unary("sqrt", "\\sqrt", "d/dx √x = 1/(2√x)", "\\frac{d}{dx}\\sqrt{x} = \\frac{1}{2\\sqrt{x}}", (_x, y) =>
    f(`1/(2*${fmt(y)})`, `\\frac{1}{2\\cdot ${fmt(y)}}`, 1 / (2 * y)),
  ),
  rsqrt: unary(
    "rsqrt",
    "\\operatorname{rsqrt}",
    "d/dx x^(−½) = −½x^(−3/2)",
    "\\frac{d}{dx}x^{-1/2} = -\\tfrac12 x^{-3/2}",
    (_x, y) => num(-0.5 * y ** 3),
  ),
  abs: unary("abs", "\\operatorname{abs}", "d/dx |x| = sign(x)", "\\frac{d}{dx}|x| = \\operatorname{sign}(x)", (x) =>
    num(Math.sign(x)),
  ),
  sign: zero("sign", "\\operatorname{sign}"),
  floor: zero("floor", "\\lfloor\\cdot\\rfloor"),
  ceil: zero("ceil", "\\lceil\\cdot\\rceil"),
  round: zero("round", "\\operatorname{round}"),
  sin: unary("sin", "\\sin", "d/dx sin x = cos x", "\\frac{d}{dx}\\sin x = \\cos x", (x) =>
    f(`cos(${fmt(x)})`, `\\cos ${factor(x)}`, Math.cos(x)),
  ),
  cos: unary("cos", "\\cos", "d/dx cos x = −sin x", "\\frac{d}{dx}\\cos x = -\\sin x", (x) =>
    f(`-sin(${fmt(x)})`, `-\\sin ${factor(x)}`, -Math.sin(x)),
  ),
  tan: unary("tan", "\\tan", "d/dx tan x = 1 + tan²x", "\\frac{d}{dx}\\tan x = 1 + \\tan^2 x", (_x, y) =>
    f(`1+${factor(y)}^2`, `1+${factor(y)}^2`, 1 + y * y),
  ),
  tanh: unary("tanh", "\\tanh", "d/dx tanh x = 1 − tanh²x", "\\frac{d}{dx}\\tanh x = 1 - \\tanh^2 x", (_x, y) =>
    f(`(1-${factor(y)}^2)`, `(1-${factor(y)}^2)`, 1 - y * y),
  ),
  sigmoid: unary(
    "sigmoid",
    "\\sigma",
    "d/dx sigmoid(x) = σ(x)(1−σ(x))",
    "\\frac{d}{dx}\\sigma(x) = \\sigma(x)\\,(1-\\sigma(x))",
    (_x, y) => f(`${fmt(y)}*(1-${fmt(y)})`, `${fmt(y)}\\,(1-${fmt(y)})`, y * (1 - y)),
  ),
  relu: {
    ...unary(
      "relu",
      "\\operatorname{ReLU}",
      "d/dx relu(x) = 1 if x > 0 else 0",
      "\\frac{d}{dx}\\operatorname{ReLU}(x) = [x > 0]",
      (_x, y) => num(y > 0 ? 1 : 0),
    ),
    gate: "max",
  },
  reciprocal: unary(
    "reciprocal",
    "\\operatorname{recip}",
    "d/dx (1/x) = −1/x²",
    "\\frac{d}{dx}\\frac{1}{x} = -\\frac{1}{x^2}",
    (_x, y) => num(-y * y),
  ),
  erf: unary(
    "erf",
    "\\operatorname{erf}",
    "d/dx erf(x) = 2/√π·e^(−x²)",
    "\\frac{d}{dx}\\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi}e^{-x^2}",
    (x) => num((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)),
  ),
  square: unary("square", "\\operatorname{sq}", "d/dx x² = 2x", "\\frac{d}{dx}x^2 = 2x", (x) =>
    f(`2*${factor(x)}`, `2\\cdot ${factor(x)}`, 2 * x),
  ),
  where: {
    text: (a) => `where(${a[0]}, ${a[1]}, ${a[2]})`,
    tex: (a) => `${a[0]}\\,?\\,${a[1]} : ${a[2]}`,
    rule: "∂where(c,a,b)/∂a = [c], ∂/∂b = [not c]",
    ruleTex: "\\frac{\\partial}{\\partial a} = [c],\\; \\frac{\\partial}{\\partial b} = [\\lnot c]",
    gate: "route",
    local: (k, [c]) => num(k === 1 ? (c ? 1 : 0) : c ? 0 : 1),
  },
  clamp: {
    text: (a, at) => `clamp(${a[0]}, ${bounds(at)})`,
    tex: (a, at) => `\\operatorname{clamp}(${a[0]}, ${bounds(at)})`,
    rule: "d/dx clamp(x) = 1 inside the bounds, 0 outside",
    ruleTex: "\\frac{d}{dx}\\operatorname{clamp}(x) = [\\min \\le x \\le \\max]",
    gate: "route",
    local: (_k, [x], _y, at) => {
      const { min, max } = at as { min?: number; max?: number };
      return num((min === undefined || x! >= min) && (max === undefined || x! <= max) ? 1 : 0);
    },
  },
  matmul: {
    ...bin("@", ""),
    rule: "∂(A·B)/∂A: G·Bᵀ, ∂(A·B)/∂B: Aᵀ·G",
    ruleTex: "\\frac{\\partial L}{\\partial A} = G\\,B^\\top,\\; \\frac{\\partial L}{\\partial B} = A^\\top G",
    gate: "mul",
  },
  addmm: {
    text: (a) => `${a[0]} + ${a[1]} @ ${a[2]}`,
    tex: (a) => `${a[0]} + ${a[1]}\\,${a[2]}`,
    rule: "∂(C + A·B): G to C (summed over the rows it was broadcast to), G·Bᵀ to A, Aᵀ·G to B",
    ruleTex:
      "\\frac{\\partial L}{\\partial C} = \\textstyle\\sum G,\\; \\frac{\\partial L}{\\partial A} = G\\,B^\\top,\\; \\frac{\\partial L}{\\partial B} = A^\\top G",
  },
  sum: reduction(
    "sum",
    "\\sum",
    "∂(Σx)/∂xᵢ = 1: every summand gets the upstream gradient",
    "\\frac{\\partial \\sum_i x_i}{\\partial x_j} = 1",
    "add",
  ),
  prod: reduction(
    "prod",
    "\\prod",
    "∂(Πx)/∂xᵢ = product of the other factors",
    "\\frac{\\partial \\prod_i x_i}{\\partial x_j} = \\prod_{i \\ne j} x_i",
    "mul",
  ),
  amax: reduction(
    "max",
    "\\max",
    "∂max(x)/∂xᵢ = 1 for the largest element, 0 for the others (split on ties)",
    "\\frac{\\partial \\max_i x_i}{\\partial x_j} = [x_j = \\max_i x_i]",
    "max",
  ),
  amin: reduction(
    "min",
    "\\min",
    "∂min(x)/∂xᵢ = 1 for the smallest element, 0 for the others (split on ties)",
    "\\frac{\\partial \\min_i x_i}{\\partial x_j} = [x_j = \\min_i x_i]",
    "max",
  ),
  norm: reduction(
    "norm",
    "\\operatorname{norm}",
    "∂‖x‖₂/∂x = x/‖x‖₂",
    "\\frac{\\partial \\lVert x \\rVert_2}{\\partial x} = \\frac{x}{\\lVert x \\rVert_2}",
  ),
  gather: {
    text: (a) => `gather(${a[0]}, ${a[1]})`,
    tex: (a) => `\\operatorname{gather}(${a[0]}, ${a[1]})`,
    rule: "the gradient goes back to the gathered positions (added where picked twice)",
    ruleTex: "\\frac{\\partial L}{\\partial x} = \\operatorname{scatterAdd}(G)",
    gate: "route",
  },
  scatterAdd: {
    text: (a) => `scatterAdd(${a[0]}, ${a[1]}, ${a[2]})`,
    tex: (a) => `\\operatorname{scatterAdd}(${a[0]}, ${a[1]}, ${a[2]})`,
    rule: "the target gets the upstream gradient; the source gathers it from the scattered positions",
    ruleTex: "\\frac{\\partial L}{\\partial x} = G,\\; \\frac{\\partial L}{\\partial s} = \\operatorname{gather}(G)",
    gate: "route",
  },
  cat: {
    text: (a) => `cat(${a.join(", ")})`,
    tex: (a) => `[${a.join(", ")}]`,
    rule: "each input gets its own slice of the upstream gradient",
    ruleTex: "\\frac{\\partial L}{\\partial x_k} = G[\\text{slice}_k]",
    gate: "reshape",
  },
  softmax: {
    text: (a, at) => `softmax(${a[0]}${dimText(at)})`,
    tex: (a) => `\\operatorname{softmax}(${a[0]})`,
    rule: "∂softmax: each output depends on every input of its row; dx = y·(G − Σ G·y) along the dim",
    ruleTex: "\\frac{\\partial L}{\\partial x} = y \\odot \\big(G - \\textstyle\\sum_j G_j\\, y_j\\big)",
  },
  logSoftmax: {
    text: (a, at) => `logSoftmax(${a[0]}${dimText(at)})`,
    tex: (a) => `\\log\\operatorname{softmax}(${a[0]})`,
    rule: "∂ log softmax: dx = G − softmax(x)·Σ G along the dim (softmax(x) = e^y, from the saved output y)",
    ruleTex: "\\frac{\\partial L}{\\partial x} = G - e^{y} \\textstyle\\sum_j G_j",
  },
  nllLoss: {
    text: (a) => `nll(${a[0]}, ${a[1]})`,
    tex: (a) => `\\operatorname{nll}(${a[0]}, ${a[1]})`,
    rule: "picks each target's log-probability: −w·G routes to the target class of each row, 0 to the others (÷ Σw for the mean)",
    ruleTex: "\\frac{\\partial L}{\\partial x_{n,c}} = -[c = t_n]\\, w_{t_n} G",
    gate: "route",
  },
  constantPad: {
    text: (a) => `pad(${a[0]})`,
    tex: (a) => `\\operatorname{pad}(${a[0]})`,
    rule: "the gradient is cropped back to the unpadded region",
    ruleTex: "\\frac{\\partial L}{\\partial x} = G[\\text{crop}]",
    gate: "reshape",
  },
};

for (const name of ["view", "permute", "slice", "sliceBackward", "contiguous", "clone", "to", "flip"]) {
  RULES[name] = {
    text: (a) => `${name}(${a[0]})`,
    tex: (a) => `\\operatorname{${name}}(${a[0]})`,
    rule: `${name} only moves numbers: the gradient is moved back the same way`,
    ruleTex: `\\frac{\\partial L}{\\partial x} = \\operatorname{${name}}^{-1}(G)`,
    gate: "reshape",
  };
}
RULES.expand = {
  text: (a) => `expand(${a[0]})`,
  tex: (a) => `\\operatorname{expand}(${a[0]})`,
  rule: "one value used at many positions: the gradients from all of them add up",
  ruleTex: "\\frac{\\partial L}{\\partial x} = \\sum_{\\text{copies}} G",
  gate: "copy",
};

/** A reduction over dims: its formula names the dims it reduces. */
function reduction(name: string, tex: string, rule: string, ruleTex: string, gate?: Gate): OpRule {
  return { text: (a, at) => `${name}(${a[0]}${dimsText(at)})`, tex: (a) => `${tex} ${a[0]}`, rule, ruleTex, gate };
}

/** ∂ of a max/min winner: 1 if it won, ½ on a tie, 0 if it lost. */
function routeWeight(margin: number): number {
  return margin > 0 ? 1 : margin === 0 ? 0.5 : 0;
}

function bounds(attrs: unknown): string {
  const { min, max } = (attrs ?? {}) as { min?: number; max?: number };
  return [min === undefined ? "" : `min=${fmt(min)}`, max === undefined ? "" : `max=${fmt(max)}`]
    .filter(Boolean)
    .join(", ");
}

function dimText(attrs: unknown): string {
  const a = attrs as { dim?: number } | undefined;
  return a?.dim === undefined ? "" : `, dim=${a.dim}`;
}

function dimsText(attrs: unknown): string {
  const a = attrs as { dims?: number[] } | undefined;
  return a?.dims && a.dims.length ? `, dim=${a.dims.length === 1 ? a.dims[0] : `[${a.dims.join(", ")}]`}` : "";
}

/** The rule of an op, or a generic one naming its backward node. */
export function ruleOf(op: string): OpRule {
  return (
    RULES[op] ?? {
      text: (a) => `${op}(${a.join(", ")})`,
      tex: (a) => `\\operatorname{${op}}(${a.join(", ")})`,
      rule: `the backward rule of ${op}`,
      ruleTex: `\\text{backward of } ${op}`,
    }
  );
}
