// The backward phase of a walkthrough, layer by layer from the output: the upstream gradient
// (∂L/∂a from the loss at the output, Wᵀδ below it), the error δ (through the softmax Jacobian,
// as softmax(z) − y for logits under cross-entropy, else upstream ⊙ f'(z)), then dW = δ·aᵀ and db = δ.

import { fmt } from "./format.js";
import type { MlpRun } from "./scenario.js";
import type { Trace } from "./trace-data.js";
import {
  type Builder,
  join,
  prod,
  t,
  type Term,
  vals,
  type WalkEq,
  type WalkPhase,
  type WalkSection,
} from "./walkthrough-equations.js";
import { ACT_TEX, activationDerivative, lossDerivative } from "./walkthrough-formulas.js";

/** The backward pass of `run`: each layer's error and its parameters' gradients, last layer first. */
export function backwardPhase(b: Builder, trace: Trace, run: MlpRun): WalkPhase {
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
        const d = activationDerivative(act, a[j]!, z[j]!);
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
