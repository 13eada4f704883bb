// The layer-by-layer walkthrough of a traced MLP in the notes' notation: every neuron's z and a,
// the loss, the output error δ, the hidden errors δ = (Wᵀδ) ⊙ f'(z), the weight and bias
// gradients, the SGD update and the second forward pass. Every number is the trace's (computed
// by the engine) or derived from traced values in float64; each is filed under a key such as
// "z2_1" or "dW1_2,1" so the notes' printed figures can be checked against it.

import type { MlpRun } from "./scenario.js";
import { Builder, type WalkPhase } from "./walkthrough-equations.js";
import { forwardPhase } from "./walkthrough-forward.js";
import { backwardPhase } from "./walkthrough-backward.js";
import { updatePhase } from "./walkthrough-update.js";

/** The walkthrough: its phases and every keyed quantity. */
export interface Walkthrough {
  /** The heading. */
  title: string;
  /** The forward, backward and update phases, each a list of equations. */
  phases: WalkPhase[];
  /** Every keyed quantity (z1_1, delta2_1, ...) with its exact value. */
  values: Map<string, number>;
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
