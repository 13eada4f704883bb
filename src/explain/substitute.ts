// Numbers substituted into formulas, element by element: the forward value of each output element
// ("0.2*1 + (-0.3)*0.5 + 0.5*(-1) = -0.45") and the gradient sent to each input element
// ("(-0.120915)*0.413382*(1-0.413382) = -0.029322"), in text and in LaTeX, from a trace step.

import { factor, fmt, unflatIndex, flatIndex } from "./format.js";
import { type Factor, ruleOf } from "./rules.js";
import type { Trace, TraceStep } from "./trace-data.js";

/** One substituted equation: the element it is about, the expression with numbers, the result. */
export interface Substitution {
  /** Flat index of the element in its tensor. */
  index: number;
  /** The expression with numbers, as plain text. */
  text: string;
  /** The same in LaTeX. */
  tex: string;
  /** The element's value. */
  value: number;
  /** The written expression evaluated in float64 (equals `value` up to rounding when the rule is right). */
  computed?: number;
}

/** Tensors with more elements than this are not substituted element by element. */
export const SUBSTITUTE_LIMIT = 16;
/** Ops written between their operands, whose negative operands need parentheses. */
const INFIX = new Set(["add", "sub", "mul", "div", "pow", "remainder"]);
/** Sums with more terms than this are not written out. */
const TERM_LIMIT = 8;

/** The flat index into a broadcast input of the output element at flat index `i`. */
export function broadcastIndex(i: number, outShape: readonly number[], inShape: readonly number[]): number {
  const idx = unflatIndex(i, outShape);
  const lead = outShape.length - inShape.length;
  return flatIndex(
    inShape.map((s, d) => (s === 1 ? 0 : idx[d + lead]!)),
    inShape,
  );
}

/** A sum of terms written out, or null when there are too many. */
function sumOf(terms: Factor[]): Omit<Substitution, "index"> | null {
  if (terms.length === 0 || terms.length > TERM_LIMIT) return null;
  const value = terms.reduce((s, t) => s + t.value, 0);
  // a lone negative number needs no parentheses: "∂f/∂x = -4", not "(-4)"
  const bare = (x: string) => (terms.length === 1 ? x.replace(/^\((-[^()]*)\)$/, "$1") : x);
  if (terms.length === 1) return { text: bare(terms[0]!.text), tex: bare(terms[0]!.tex), value };
  return {
    text: terms.map((t) => t.text).join(" + "),
    tex: terms.map((t) => t.tex).join(" + "),
    value,
  };
}

/** g·local as a factor: the local factor is dropped when it is exactly 1 (add gates pass g as it is). */
function times(g: number, local: Factor): Factor {
  if (local.value === 1 && local.text === "1") return { text: factor(g), tex: factor(g), value: g };
  return {
    text: `${factor(g)}*${local.text}`,
    tex: `${factor(g)}\\cdot ${local.tex}`,
    value: g * local.value,
  };
}

const product = (a: number, b: number): Factor => ({
  text: `${factor(a)}*${factor(b)}`,
  tex: `${factor(a)}\\cdot ${factor(b)}`,
  value: a * b,
});

/** The 2-D operands of a matmul step (leading batch dims of 1 dropped), or null when batched. */
function matrices(trace: Trace, step: TraceStep) {
  const [a, b] = step.inputs.map((id) => trace.values[id]!.data);
  const strip = (s: number[]) => s.filter((d, i) => i >= s.length - 2 || d !== 1);
  const [sa, sb] = [strip(a!.shape), strip(b!.shape)];
  if (sa.length !== 2 || sb.length !== 2 || !a!.values || !b!.values) return null;
  const [M, K] = sa as [number, number];
  const N = sb[1]!;
  if (M * N * K > SUBSTITUTE_LIMIT * TERM_LIMIT || K > TERM_LIMIT) return null;
  const A = (i: number, k: number) => a!.values![i * K + k]!;
  const B = (k: number, j: number) => b!.values![k * N + j]!;
  return { M, K, N, A, B };
}

/** Each output element of a step as an equation with its inputs' numbers. */
export function forwardSubstitutions(trace: Trace, step: TraceStep): Substitution[] {
  const out = trace.values[step.output]!.data;
  if (!out.values || out.numel > SUBSTITUTE_LIMIT) return [];
  const ins = step.inputs.map((id) => trace.values[id]!.data);
  if (ins.some((d) => !d.values)) return [];
  const rule = ruleOf(step.op);
  if (rule.local) {
    return out.values.map((y, i) => {
      const args = ins.map((d) => d.values![broadcastIndex(i, out.shape, d.shape)]!);
      const names = args.map((v) => (INFIX.has(step.op) ? factor(v) : fmt(v)));
      return { index: i, text: rule.text(names, step.attrs), tex: rule.tex(names, step.attrs), value: y };
    });
  }
  if (step.op === "matmul") {
    const m = matrices(trace, step);
    if (!m) return [];
    return out.values.map((y, i) => {
      const [r, c] = [Math.floor(i / m.N), i % m.N];
      const s = sumOf(Array.from({ length: m.K }, (_, k) => product(m.A(r, k), m.B(k, c))))!;
      return { index: i, text: s.text, tex: s.tex, value: y, computed: s.value };
    });
  }
  if (step.op === "sum") {
    const x = ins[0]!;
    return out.values.flatMap((y, i) => {
      const terms = x.values!.map((v, j) => ({ v, j })).filter(({ j }) => reducedTo(j, x.shape, step) === i);
      const s = sumOf(terms.map(({ v }) => ({ text: factor(v), tex: factor(v), value: v })));
      return s ? [{ index: i, text: s.text, tex: s.tex, value: y }] : [];
    });
  }
  return [];
}

/** The output element a reduction sends input element j to. */
function reducedTo(j: number, shape: readonly number[], step: TraceStep): number {
  const dims = (step.attrs.dims as number[] | undefined) ?? shape.map((_, d) => d);
  const idx = unflatIndex(j, shape);
  const kept = shape.map((s, d) => (dims.includes(d) ? 1 : s));
  return flatIndex(
    idx.map((v, d) => (dims.includes(d) ? 0 : v)),
    kept,
  );
}

/**
 * Each element of the gradient a step sent to input `k`, written as the chain rule with numbers:
 * upstream times local derivative, summed over the output elements that used it.
 */
export function backwardSubstitutions(trace: Trace, step: TraceStep, k: number): Substitution[] {
  const bw = step.backward;
  const sent = bw?.gradInputs[k];
  const x = trace.values[step.inputs[k]!]!.data;
  if (!bw || !sent?.values || !bw.upstream.values || x.numel > SUBSTITUTE_LIMIT) return [];
  const g = bw.upstream.values;
  const out = trace.values[step.output]!.data;
  const ins = step.inputs.map((id) => trace.values[id]!.data);
  if (ins.some((d) => !d.values) || !out.values) return [];
  const rule = ruleOf(step.op);
  const result = (j: number, terms: Factor[]): Substitution[] => {
    const s = sumOf(terms);
    return s ? [{ index: j, text: s.text, tex: s.tex, value: sent.values![j]!, computed: s.value }] : [];
  };
  if (rule.local) {
    const terms: Factor[][] = Array.from({ length: x.numel }, () => []);
    for (let i = 0; i < out.numel; i++) {
      const args = ins.map((d) => d.values![broadcastIndex(i, out.shape, d.shape)]!);
      terms[broadcastIndex(i, out.shape, x.shape)]!.push(times(g[i]!, rule.local(k, args, out.values[i]!, step.attrs)));
    }
    return terms.flatMap((t, j) => result(j, t));
  }
  if (step.op === "matmul") {
    const m = matrices(trace, step);
    if (!m) return [];
    const G = (i: number, j: number) => g[i * m.N + j]!;
    if (k === 0) {
      return Array.from({ length: m.M * m.K }, (_, e) => {
        const [i, kk] = [Math.floor(e / m.K), e % m.K];
        return result(
          e,
          Array.from({ length: m.N }, (_, j) => product(G(i, j), m.B(kk, j))),
        );
      }).flat();
    }
    return Array.from({ length: m.K * m.N }, (_, e) => {
      const [kk, j] = [Math.floor(e / m.N), e % m.N];
      return result(
        e,
        Array.from({ length: m.M }, (_, i) => product(m.A(i, kk), G(i, j))),
      );
    }).flat();
  }
  if (step.op === "sum") {
    return x.values!.flatMap((_, j) => {
      const v = g[reducedTo(j, x.shape, step)]!;
      return result(j, [{ text: factor(v), tex: factor(v), value: v }]);
    });
  }
  return [];
}

/** The gradients arriving at one value from each of its uses, written as their sum (the copy gate). */
export function copySubstitutions(trace: Trace, valueId: number): Substitution[] {
  const v = trace.values[valueId]!;
  if (v.contributions.length < 2 || !v.grad?.values || v.data.numel > SUBSTITUTE_LIMIT) return [];
  if (v.contributions.some((c) => !c.grad.values)) return [];
  return v.grad.values.map((total, j) => {
    const parts = v.contributions.map((c) => c.grad.values![j]!);
    return {
      index: j,
      text: parts.map((p) => factor(p)).join(" + "),
      tex: parts.map((p) => factor(p)).join(" + "),
      value: total,
    };
  });
}

/** "= 3" suffix, or "" when the written expression already is the number. */
export function equalsValue(expr: string, value: number): string {
  return expr === fmt(value) || expr === factor(value) ? "" : ` = ${fmt(value)}`;
}
