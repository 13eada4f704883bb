// The forward phase of a walkthrough: the input layer, then per layer each neuron's weighted sum
// z = Σ w·a + b term by term and its activation (softmax as exp, sum and quotient), then the loss
// written out. The same code draws the second forward pass after the update, with keys marked '.

import { factor, fmt } from "./format.js";
import type { MlpRun, MlpTensors } from "./scenario.js";
import type { Trace } from "./trace-data.js";
import { type Builder, join, prod, t, vals, type WalkPhase, type WalkSection } from "./walkthrough-equations.js";
import { ACT_TEX, lossExpression } from "./walkthrough-formulas.js";

/** One forward pass of `run` as recorded in `trace`; `suffix` marks its keys (' for the second pass). */
export function forwardPhase(
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
