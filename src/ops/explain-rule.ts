// How `chainrule explain` shows a primitive: its forward as a formula of its arguments' names, its
// local derivative in words and LaTeX, the notes' gate pattern it follows (add distributes, copy
// adds, mul swaps, max routes) and, for elementwise ops, the per-element factor the notes write
// out ("(-0.484148)·0.249749"). Every op table entry carries one; explain/ only reads them.

/** The notes' gate patterns, and the other ways a gradient can move. */
export type Gate = "add" | "copy" | "mul" | "max" | "route" | "reshape";

/** A local derivative factor with its value, in text and LaTeX. */
export interface Factor {
  /** The factor as plain text. */
  text: string;
  /** The factor in LaTeX. */
  tex: string;
  /** Its value. */
  value: number;
}

/** How one primitive is explained. */
export interface ExplainRule {
  /** The forward as a formula of its argument names. */
  text(args: string[], attrs: unknown): string;
  /** The same in LaTeX. */
  tex(args: string[], attrs: unknown): string;
  /** The local derivative, human readable. */
  rule: string;
  /** The local derivative in LaTeX. */
  ruleTex: string;
  /** The gate pattern the gradient follows, where it follows one. */
  gate?: Gate;
  /**
   * Elementwise ops: ∂out_i/∂in_k at one element, from the inputs' and output's values there.
   * Undefined where the op is not elementwise.
   */
  local?(k: number, x: number[], y: number, attrs: unknown): Factor;
}

/** A number as explain prints it: up to `digits` decimals, no trailing zeros, exponent when tiny or huge. */
export function fmt(v: number, digits = 6): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) {
    const [m, e] = v.toExponential(Math.min(digits, 4) - 1).split("e") as [string, string];
    return `${m.replace(/\.?0+$/, "")}e${e.replace("+", "")}`;
  }
  const s = v.toFixed(digits).replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
}

/** fmt, parenthesised when negative, for use as a factor in a product. */
export function factor(v: number, digits = 6): string {
  const s = fmt(v, digits);
  return s.startsWith("-") ? `(${s})` : s;
}

/** The factor 1. */
export const one: Factor = { text: "1", tex: "1", value: 1 };
/** A plain number as a factor. */
export const num = (v: number): Factor => ({ text: factor(v), tex: factor(v), value: v });
/** A factor written as a formula. */
export const formula = (text: string, tex: string, value: number): Factor => ({ text, tex, value });

/** The forward of a function of one argument: `name(x)`. */
export const call1 = (name: string, tex: string) => ({
  text: (a: string[]) => `${name}(${a[0]})`,
  tex: (a: string[]) => `${tex}(${a[0]})`,
});

/** The forward of an infix operator: `a op b`. */
export const infix = (op: string, tex: string) => ({
  text: (a: string[]) => `${a[0]} ${op} ${a[1]}`,
  tex: (a: string[]) => `${a[0]} ${tex} ${a[1]}`,
});

/**
 * The rule of an op shown as a call of its first `arity` arguments, `name(a, b)`, with its local
 * derivative in words and LaTeX.
 */
export function callRule(
  name: string,
  arity: number,
  rule: string,
  ruleTex: string,
  gate?: Gate,
): Omit<ExplainRule, "local"> {
  const args = (a: string[]) => a.slice(0, arity).join(", ");
  return {
    text: (a) => `${name}(${args(a)})`,
    tex: (a) => `\\operatorname{${name}}(${args(a)})`,
    rule,
    ruleTex,
    gate,
  };
}

/** The rule of an elementwise function of one argument, with its per-element factor. */
export function unaryRule(
  name: string,
  texName: string,
  rule: string,
  ruleTex: string,
  local: (x: number, y: number) => Factor,
  gate?: Gate,
): ExplainRule {
  return { ...call1(name, texName), rule, ruleTex, gate, local: (_k, x, y) => local(x[0]!, y) };
}

/** The rule of a piecewise-constant function: its derivative is 0 wherever it exists. */
export const zeroRule = (name: string, tex: string): ExplainRule =>
  unaryRule(name, tex, `d/dx ${name}(x) = 0 (piecewise constant)`, `\\frac{d}{dx}${tex}(x) = 0`, () => num(0));

/** The rule of an op that only moves numbers: the gradient is moved back the same way. */
export const movesRule = (name: string): ExplainRule => ({
  text: (a) => `${name}(${a[0]})`,
  tex: (a) => `\\operatorname{${name}}(${a[0]})`,
  rule: `${name} only moves numbers: the gradient is moved back the same way`,
  ruleTex: `\\frac{\\partial L}{\\partial x} = \\operatorname{${name}}^{-1}(G)`,
  gate: "reshape",
});

/** The rule of a test with a truth-value result, `name(a, b)`: no gradient flows through it. */
export const predicateRule = (name: string): ExplainRule => ({
  text: (a) => `${name}(${a.join(", ")})`,
  tex: (a) => `\\operatorname{${name}}(${a.join(", ")})`,
  rule: "a truth value: no gradient flows through it",
  ruleTex: "\\text{not differentiable}",
});

/** The rule of an op explain has no words for: its forward by name, its backward by its node. */
export const genericRule = (name: string): ExplainRule => ({
  text: (a) => `${name}(${a.join(", ")})`,
  tex: (a) => `\\operatorname{${name}}(${a.join(", ")})`,
  rule: `the backward rule of ${name}`,
  ruleTex: `\\text{backward of } ${name}`,
});

/** A reduction over dims: its formula names the dims it reduces. */
export function reductionRule(name: string, tex: string, rule: string, ruleTex: string, gate?: Gate): ExplainRule {
  return { text: (a, at) => `${name}(${a[0]}${dimsText(at)})`, tex: (a) => `${tex} ${a[0]}`, rule, ruleTex, gate };
}

/** ∂ of a max/min winner: 1 if it won, ½ on a tie, 0 if it lost. */
export function routeWeight(margin: number): number {
  return margin > 0 ? 1 : margin === 0 ? 0.5 : 0;
}

/** ", dim=1" for attrs with a dim. */
export function dimText(attrs: unknown): string {
  const a = attrs as { dim?: number } | undefined;
  return a?.dim === undefined ? "" : `, dim=${a.dim}`;
}

/** ", dim=[0, 1]" for attrs with dims. */
export function dimsText(attrs: unknown): string {
  const a = attrs as { dims?: number[] } | undefined;
  return a?.dims && a.dims.length ? `, dim=${a.dims.length === 1 ? a.dims[0] : `[${a.dims.join(", ")}]`}` : "";
}
