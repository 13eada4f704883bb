// The pieces a walkthrough is built from: terms (text and LaTeX side by side), equations, sections
// and phases, and the Builder that files each keyed equation's value so the notes' printed figures
// can be checked against it. vals() reads the trace's numbers; nothing here computes one.

import { factor } from "./format.js";
import type { Trace } from "./trace-data.js";

/** One side of an equation in text and LaTeX. */
export interface Term {
  text: string;
  tex: string;
}

/** An equation: left side, the expressions it passes through, and its value. */
export interface WalkEq {
  key?: string;
  lhs: Term;
  rhs: Term[];
  value: number;
}

/** A group of equations, optionally drawn as a box with labelled rows (the notes' layer boxes). */
export interface WalkSection {
  title: string;
  box?: boolean;
  rows: { label?: string; eqs: WalkEq[] }[];
}

/** A phase of the pass: forward, backward, update, second forward. */
export interface WalkPhase {
  title: string;
  sections: WalkSection[];
}

/** A term from its text, with the same LaTeX unless given. */
export const t = (text: string, tex = text): Term => ({ text, tex });
/** The product a·b of two printed factors. */
export const prod = (a: number, b: number): Term => t(`${factor(a)}*${factor(b)}`, `${factor(a)}\\cdot ${factor(b)}`);
/** Terms joined into one, " + " between them unless told otherwise. */
export const join = (terms: Term[], sep = " + ", texSep = sep): Term =>
  t(terms.map((x) => x.text).join(sep), terms.map((x) => x.tex).join(texSep));

/** Values of a tensor of the trace, flattened. */
export function vals(trace: Trace, tensor: unknown, what: "data" | "grad" = "data"): number[] {
  const v = trace.need(tensor as never);
  const s = what === "data" ? v.data : v.grad;
  if (!s?.values) throw new Error(`explain: no ${what} recorded for ${v.label}`);
  return s.values;
}

/** Makes equations and files the keyed ones in `values`. */
export class Builder {
  readonly values = new Map<string, number>();
  eq(key: string | undefined, lhs: Term, rhs: Term[], value: number): WalkEq {
    if (key) this.values.set(key, value);
    return { key, lhs, rhs, value };
  }
}
