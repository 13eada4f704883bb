// The layer-by-layer walkthrough of a traced MLP in the notes' notation: every neuron's z and a,
// the loss, the output error δ, the hidden errors δ = (Wᵀδ) ⊙ f'(z), the weight and bias
// gradients, the SGD update and the second forward pass. Every number is the trace's (computed
// by the engine) or derived from traced values in float64; each is filed under a key such as
// "z2_1" or "dW1_2,1" so the notes' printed figures can be checked against it.

import { factor, fmt } from "./format.js";
import type { Activation, LossKind, MlpRun, MlpTensors } from "./scenario.js";
import type { Trace } from "./trace.js";

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

/** The walkthrough: its phases and every keyed quantity. */
export interface Walkthrough {
  title: string;
  phases: WalkPhase[];
  values: Map<string, number>;
}

const t = (text: string, tex = text): Term => ({ text, tex });
const prod = (a: number, b: number): Term => t(`${factor(a)}*${factor(b)}`, `${factor(a)}\\cdot ${factor(b)}`);
const join = (terms: Term[], sep = " + ", texSep = sep): Term =>
  t(terms.map((x) => x.text).join(sep), terms.map((x) => x.tex).join(texSep));

/** Values of a tensor of the trace, flattened. */
function vals(trace: Trace, tensor: unknown, what: "data" | "grad" = "data"): number[] {
  const v = trace.need(tensor as never);
  const s = what === "data" ? v.data : v.grad;
  if (!s?.values) throw new Error(`explain: no ${what} recorded for ${v.label}`);
  return s.values;
}

class Builder {
  readonly values = new Map<string, number>();
  eq(key: string | undefined, lhs: Term, rhs: Term[], value: number): WalkEq {
    if (key) this.values.set(key, value);
    return { key, lhs, rhs, value };
  }
}

const ACT_TEX: Record<Activation, string> = {
  sigmoid: "\\sigma",
  relu: "\\operatorname{ReLU}",
  tanh: "\\tanh",
  softmax: "\\operatorname{softmax}",
  identity: "",
};

function forwardPhase(
  b: Builder,
  trace: Trace,
  run: MlpRun,
  pass: MlpTensors,
  suffix: string,
  title: string,
): WalkPhase {
  const s = run.scenario;
  const x = vals(trace, pass.input);
  const y = vals(trace, pass.target);
  const sections: WalkSection[] = [];
  const n = s.sizes.length - 1;
  sections.push({
    title: "Input Layer",
    rows: [
      {
        eqs: x.map((v, k) => b.eq(`x${k + 1}${suffix}`, t(`x${k + 1}`, `a^{0}_{${k + 1}}`), [], v)),
      },
    ],
  });
  let prev = x;
  for (let l = 1; l <= n; l++) {
    const W = vals(trace, pass.params[l - 1]!.weight);
    const bias = vals(trace, pass.params[l - 1]!.bias);
    const z = vals(trace, pass.layers[l - 1]!.z);
    const a = vals(trace, pass.layers[l - 1]!.a);
    const act = s.activations[l - 1]!;
    const width = s.sizes[l]!;
    const inW = s.sizes[l - 1]!;
    const rows: WalkSection["rows"] = [];
    const e = z.map(Math.exp);
    const S = e.reduce((p, q) => p + q, 0);
    for (let j = 0; j < width; j++) {
      const sub = `${l}_${j + 1}`;
      const products = Array.from({ length: inW }, (_, k) => W[j * inW + k]! * prev[k]!);
      const ws = Array.from({ length: inW }, (_, k) => prod(W[j * inW + k]!, prev[k]!));
      products.forEach((p, k) => b.values.set(`wa${l}_${j + 1},${k + 1}${suffix}`, p));
      const eqs = [
        b.eq(
          `z${sub}${suffix}`,
          t(`z${sub}`, `z^{${l}}_{${j + 1}}`),
          [join([...ws, t(factor(bias[j]!))]), join([...products.map((p) => t(factor(p))), t(factor(bias[j]!))])],
          z[j]!,
        ),
      ];
      if (act === "softmax") {
        eqs.push(
          b.eq(
            `e${sub}${suffix}`,
            t(`exp(z${sub})`, `e^{z^{${l}}_{${j + 1}}}`),
            [t(`exp(${fmt(z[j]!)})`, `e^{${fmt(z[j]!)}}`)],
            e[j]!,
          ),
        );
      } else if (act !== "identity") {
        eqs.push(
          b.eq(
            `a${sub}${suffix}`,
            t(`a${sub}`, `a^{${l}}_{${j + 1}}`),
            [t(`${act}(${fmt(z[j]!)})`, `${ACT_TEX[act]}(${fmt(z[j]!)})`)],
            a[j]!,
          ),
        );
      }
      rows.push({ label: `Neuron ${l === n ? "o" : "h"}${j + 1}`, eqs });
    }
    if (act === "softmax") {
      const sumEq = b.eq(
        `S${l}${suffix}`,
        t(`S${l} = sum exp(z${l})`, `\\sum_i e^{z^{${l}}_i}`),
        [join(e.map((v) => t(fmt(v))))],
        S,
      );
      const probs = a.map((v, j) =>
        b.eq(
          `a${l}_${j + 1}${suffix}`,
          t(`a${l}_${j + 1}`, `a^{${l}}_{${j + 1}}`),
          [t(`${fmt(e[j]!)}/${fmt(S)}`, `\\frac{${fmt(e[j]!)}}{${fmt(S)}}`)],
          v,
        ),
      );
      rows.push({ label: "softmax", eqs: [sumEq, ...probs] });
    }
    const name = l === n ? "Output Layer" : `Hidden Layer ${l}`;
    sections.push({ title: `${name} (${width} neuron${width > 1 ? "s" : ""}, ${act})`, box: true, rows });
    prev = a;
  }
  const out = prev;
  const L = vals(trace, pass.loss)[0]!;
  sections.push({ title: "Loss", rows: [{ eqs: [b.eq(`L${suffix}`, t("L"), [lossExpression(s.loss, out, y)], L)] }] });
  return { title, sections };
}

function lossExpression(kind: LossKind, a: number[], y: number[]): Term {
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
function lossDerivative(kind: LossKind, a: number, y: number, n: number): Term {
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
function derivative(act: Activation, a: number, z: number): { term: Term; value: number } {
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

function backwardPhase(b: Builder, trace: Trace, run: MlpRun): WalkPhase {
  const s = run.scenario;
  const p = run.tensors;
  const n = s.sizes.length - 1;
  const sections: WalkSection[] = [];
  const y = vals(trace, p.target);
  for (let l = n; l >= 1; l--) {
    const act = s.activations[l - 1]!;
    const z = vals(trace, p.layers[l - 1]!.z);
    const a = vals(trace, p.layers[l - 1]!.a);
    const delta = vals(trace, p.layers[l - 1]!.z, "grad");
    const width = s.sizes[l]!;
    const eqs: WalkEq[] = [];
    let upstream: number[] = [];
    if (l === n) {
      if (act !== "identity") {
        upstream = vals(trace, p.layers[l - 1]!.a, "grad");
        a.forEach((v, j) =>
          eqs.push(
            b.eq(
              `dL/da${l}_${j + 1}`,
              t(`dL/da${l}_${j + 1}`, `\\frac{\\partial L}{\\partial a^{${l}}_{${j + 1}}}`),
              [lossDerivative(s.loss, v, y[j]!, a.length)],
              upstream[j]!,
            ),
          ),
        );
      }
    } else {
      const Wn = vals(trace, p.params[l]!.weight);
      const dn = vals(trace, p.layers[l]!.z, "grad");
      upstream = vals(trace, p.layers[l - 1]!.a, "grad");
      const next = s.sizes[l + 1]!;
      for (let j = 0; j < width; j++) {
        const terms = Array.from({ length: next }, (_, i) => prod(Wn[i * width + j]!, dn[i]!));
        eqs.push(
          b.eq(
            `back${l}_${j + 1}`,
            t(`(W${l + 1}^T delta${l + 1})_${j + 1}`, `\\sum_i w^{${l + 1}}_{i${j + 1}}\\delta^{${l + 1}}_i`),
            [join(terms)],
            upstream[j]!,
          ),
        );
      }
    }
    if (act === "softmax") {
      for (let j = 0; j < width; j++) {
        const terms: Term[] = [];
        for (let m = 0; m < width; m++) {
          const J = a[m]! * ((m === j ? 1 : 0) - a[j]!);
          const expr =
            m === j ? t(`${fmt(a[m]!)}*(1-${fmt(a[j]!)})`, `${fmt(a[m]!)}(1-${fmt(a[j]!)})`) : prod(-a[m]!, a[j]!);
          eqs.push(
            b.eq(
              `J${l}_${m + 1},${j + 1}`,
              t(
                `da${l}_${m + 1}/dz${l}_${j + 1}`,
                `\\frac{\\partial a^{${l}}_{${m + 1}}}{\\partial z^{${l}}_{${j + 1}}}`,
              ),
              [expr],
              J,
            ),
          );
          terms.push(prod(upstream[m]!, J));
        }
        eqs.push(
          b.eq(`delta${l}_${j + 1}`, t(`delta${l}_${j + 1}`, `\\delta^{${l}}_{${j + 1}}`), [join(terms)], delta[j]!),
        );
      }
    } else if (act === "identity" && s.loss === "cross-entropy") {
      const e = z.map(Math.exp);
      const S = e.reduce((q, r) => q + r, 0);
      z.forEach((_, j) =>
        eqs.push(
          b.eq(
            `delta${l}_${j + 1}`,
            t(`delta${l}_${j + 1} = softmax(z${l})_${j + 1} - y${j + 1}`, `\\delta^{${l}}_{${j + 1}}`),
            [t(`${fmt(e[j]! / S)} - ${fmt(y[j]!)}`)],
            delta[j]!,
          ),
        ),
      );
    } else {
      for (let j = 0; j < width; j++) {
        const d = derivative(act, a[j]!, z[j]!);
        if (act !== "identity") {
          eqs.push(
            b.eq(
              `fprime${l}_${j + 1}`,
              t(`${act}'(z${l}_${j + 1})`, `${ACT_TEX[act]}'(z^{${l}}_{${j + 1}})`),
              [d.term],
              d.value,
            ),
          );
        }
        const rhs = [prod(upstream[j] ?? 1, d.value)];
        if (l === n && act === "sigmoid" && s.loss === "bce")
          rhs.push(t(`${fmt(a[j]!)} - ${fmt(y[j]!)}`, `\\hat y - y = ${fmt(a[j]!)} - ${fmt(y[j]!)}`));
        eqs.push(b.eq(`delta${l}_${j + 1}`, t(`delta${l}_${j + 1}`, `\\delta^{${l}}_{${j + 1}}`), rhs, delta[j]!));
      }
    }
    const title =
      l === n
        ? "Output layer error"
        : `Hidden layer ${l} error: delta${l} = (W${l + 1}^T delta${l + 1}) ⊙ ${act}'(z${l})`;
    sections.push({ title, rows: [{ eqs }] });
    const prevA = l === 1 ? vals(trace, p.input) : vals(trace, p.layers[l - 2]!.a);
    const dW = vals(trace, p.params[l - 1]!.weight, "grad");
    const db = vals(trace, p.params[l - 1]!.bias, "grad");
    const inW = s.sizes[l - 1]!;
    const inName = l === 1 ? "x" : `a${l - 1}_`;
    const grads: WalkEq[] = [];
    for (let j = 0; j < width; j++) {
      for (let k = 0; k < inW; k++) {
        grads.push(
          b.eq(
            `dW${l}_${j + 1},${k + 1}`,
            t(
              `dW${l}_${j + 1},${k + 1} = delta${l}_${j + 1}*${inName}${k + 1}`,
              `\\frac{\\partial L}{\\partial w^{${l}}_{${j + 1}${k + 1}}}`,
            ),
            [prod(delta[j]!, prevA[k]!)],
            dW[j * inW + k]!,
          ),
        );
      }
    }
    for (let j = 0; j < width; j++) {
      grads.push(
        b.eq(
          `db${l}_${j + 1}`,
          t(`db${l}_${j + 1} = delta${l}_${j + 1}`, `\\frac{\\partial L}{\\partial b^{${l}}_{${j + 1}}}`),
          [],
          db[j]!,
        ),
      );
    }
    sections.push({ title: `Gradients of layer ${l}`, rows: [{ eqs: grads }] });
  }
  return { title: "BACKWARD PASS", sections };
}

function updatePhase(b: Builder, trace: Trace, run: MlpRun): WalkPhase | null {
  const lr = run.scenario.lr;
  if (lr === undefined || !trace.updates.length) return null;
  const sections: WalkSection[] = [];
  run.tensors.params.forEach((p, i) => {
    const l = i + 1;
    const eqs: WalkEq[] = [];
    for (const [name, tensor] of [
      ["W", p.weight],
      ["b", p.bias],
    ] as const) {
      const u = trace.updateOf(trace.need(tensor))!;
      const cols = tensor.shape.length === 2 ? tensor.shape[1]! : 1;
      u.after.values!.forEach((after, e) => {
        const idx = name === "W" ? `${Math.floor(e / cols) + 1},${(e % cols) + 1}` : `${e + 1}`;
        const before = u.before.values![e]!;
        const g = u.grad!.values![e]!;
        b.values.set(`step${name}${l}_${idx}`, -lr * g);
        const tex = name === "W" ? `w^{${l}}_{${idx.replace(",", "")}}` : `b^{${l}}_{${idx}}`;
        eqs.push(
          b.eq(
            `${name}${l}_new_${idx}`,
            t(`${name}${l}_new_${idx}`, `${tex} \\leftarrow`),
            [
              t(`${fmt(before)} - ${fmt(lr)}*${factor(g)}`, `${fmt(before)} - ${fmt(lr)}\\cdot ${factor(g)}`),
              t(`${fmt(before)} + ${factor(-lr * g)}`),
            ],
            after,
          ),
        );
      });
    }
    sections.push({
      title: `Layer ${l}: W${l}_new = W${l} - ${fmt(lr)}*dW${l}, b${l}_new = b${l} - ${fmt(lr)}*db${l}`,
      rows: [{ eqs }],
    });
  });
  return { title: `PARAMETER UPDATE (Gradient Descent, lr = ${fmt(lr)})`, sections };
}

/** The walkthrough of a traced MLP run (batch of one). */
export function walkthrough(run: MlpRun, title: string): Walkthrough {
  if (run.scenario.input.length !== 1)
    throw new RangeError("explain: the layer walkthrough covers a batch of one example");
  const b = new Builder();
  const second = run.trace.next;
  const phases = [
    forwardPhase(b, run.trace, run, run.tensors, "", second ? "FORWARD PASS 1" : "FORWARD PASS"),
    backwardPhase(b, run.trace, run),
  ];
  const upd = updatePhase(b, run.trace, run);
  if (upd) phases.push(upd);
  if (second && run.second) phases.push(forwardPhase(b, second, run, run.second, "'", "FORWARD PASS 2 (after update)"));
  return { title, phases, values: b.values };
}
