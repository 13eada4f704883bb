// The formulas a walkthrough writes out with the numbers filled in: each loss, its derivative
// ∂L/∂a at the output, and each activation's derivative f'(z), as text and LaTeX terms.
// Values derived here (f'(z)) are float64 arithmetic on traced numbers.

import { fmt } from "./format.js";
import type { Activation, LossKind } from "./scenario.js";
import { join, t, type Term } from "./walkthrough-equations.js";

/** LaTeX name of each activation (identity is written without one). */
export const ACT_TEX: Record<Activation, string> = {
  sigmoid: "\\sigma",
  relu: "\\operatorname{ReLU}",
  tanh: "\\tanh",
  softmax: "\\operatorname{softmax}",
  identity: "",
};

/** The loss written out with the output a and target y filled in. */
export function lossExpression(kind: LossKind, a: number[], y: number[]): Term {
  switch (kind) {
    case "bce": {
      const terms = a.map((v, j) =>
        t(
          `${fmt(y[j]!)}*log(${fmt(v)}) + ${fmt(1 - y[j]!)}*log(${fmt(1 - v)})`,
          `${fmt(y[j]!)}\\log ${fmt(v)} + ${fmt(1 - y[j]!)}\\log ${fmt(1 - v)}`,
        ),
      );
      const inner = join(terms);
      return t(`-[${inner.text}]`, `-\\left[${inner.tex}\\right]`);
    }
    case "half-sse": {
      const sq = join(a.map((v, j) => t(`(${fmt(v)} - ${fmt(y[j]!)})^2`, `(${fmt(v)} - ${fmt(y[j]!)})^2`)));
      return t(`1/2 [${sq.text}]`, `\\frac{1}{2}\\left[${sq.tex}\\right]`);
    }
    case "mse": {
      const sq = join(a.map((v, j) => t(`(${fmt(v)} - ${fmt(y[j]!)})^2`)));
      return t(`1/${a.length} [${sq.text}]`, `\\frac{1}{${a.length}}\\left[${sq.tex}\\right]`);
    }
    case "cross-entropy": {
      const terms = join(a.map((v, j) => t(`${fmt(y[j]!)}*log(${fmt(v)})`, `${fmt(y[j]!)}\\log ${fmt(v)}`)));
      return t(`-[${terms.text}]`, `-\\left[${terms.tex}\\right]`);
    }
  }
}

/** ∂L/∂a for the output layer, written from the loss's derivative. */
export function lossDerivative(kind: LossKind, a: number, y: number, n: number): Term {
  switch (kind) {
    case "bce":
      return t(
        `-${fmt(y)}/${fmt(a)} + ${fmt(1 - y)}/${fmt(1 - a)}`,
        `-\\frac{${fmt(y)}}{${fmt(a)}} + \\frac{${fmt(1 - y)}}{${fmt(1 - a)}}`,
      );
    case "half-sse":
      return t(`${fmt(a)} - ${fmt(y)}`);
    case "mse":
      return t(`2*(${fmt(a)} - ${fmt(y)})/${n}`, `\\frac{2(${fmt(a)} - ${fmt(y)})}{${n}}`);
    case "cross-entropy":
      return t(`-${fmt(y)}/${fmt(a)}`, `-\\frac{${fmt(y)}}{${fmt(a)}}`);
  }
}

/** f'(z) of an elementwise activation from its output a (and input z for ReLU). */
export function activationDerivative(act: Activation, a: number, z: number): { term: Term; value: number } {
  switch (act) {
    case "sigmoid":
      return { term: t(`${fmt(a)}*(1-${fmt(a)})`, `${fmt(a)}(1-${fmt(a)})`), value: a * (1 - a) };
    case "tanh":
      return { term: t(`1-${fmt(a)}^2`), value: 1 - a * a };
    case "relu":
      return { term: t(`[${fmt(z)} > 0]`), value: z > 0 ? 1 : 0 };
    default:
      return { term: t("1"), value: 1 };
  }
}
