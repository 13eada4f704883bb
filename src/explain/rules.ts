// How explain phrases each primitive's local derivative. The words and formulas are part of each
// op's table entry (ops/explain-rule.ts); this file adds the notes' names for the gate patterns
// and looks an op's rule up by the name its trace step recorded.

import type { ExplainRule, Gate } from "../ops/explain-rule.js";
import { genericRule } from "../ops/explain-rule.js";
import { opTable } from "../ops/table.js";

export type { ExplainRule, Factor, Gate } from "../ops/explain-rule.js";

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

/** The rule of an op: its table entry's, or a generic one naming its backward node (a custom Function). */
export function ruleOf(op: string): ExplainRule {
  return Object.hasOwn(opTable, op) ? opTable[op]!.def.explain : genericRule(op);
}
