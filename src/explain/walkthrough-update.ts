// The update phase of a walkthrough: each parameter element's SGD step w ← w − lr·∂L/∂w, written
// with the traced value before, the traced gradient and the traced value after. Absent when the
// scenario has no lr or the trace recorded no update.

import { factor, fmt } from "./format.js";
import type { MlpRun } from "./scenario.js";
import type { Trace } from "./trace-data.js";
import { type Builder, t, type WalkEq, type WalkPhase, type WalkSection } from "./walkthrough-equations.js";

/** The parameter update of `run`, layer by layer, or null when there was none. */
export function updatePhase(b: Builder, trace: Trace, run: MlpRun): WalkPhase | null {
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
