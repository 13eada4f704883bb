// A trace as JSON for tools: the recorded values and steps, each step with its rule (text and
// LaTeX), gate pattern and the substituted equations of its forward and backward.

import { ruleOf } from "./rules.js";
import { backwardSubstitutions, forwardSubstitutions } from "./substitute.js";
import type { Trace } from "./trace-data.js";

/** The trace with rules and substitutions, as a plain object. */
export function traceReport(trace: Trace): Record<string, unknown> {
  const base = trace.toJSON();
  return {
    ...base,
    loss: trace.loss.data.values?.[0],
    steps: trace.steps.map((s) => {
      const rule = ruleOf(s.op);
      return {
        ...s,
        rule: { text: rule.rule, tex: rule.ruleTex, gate: rule.gate },
        formula: rule.text(
          s.inputs.map((id) => trace.values[id]!.label),
          s.attrs,
        ),
        forwardEquations: forwardSubstitutions(trace, s),
        backwardEquations: s.backward ? s.inputs.map((_, k) => backwardSubstitutions(trace, s, k)) : undefined,
      };
    }),
    next: trace.next ? traceReport(trace.next) : undefined,
  };
}

/** The trace report as indented JSON text. */
export function renderJSON(trace: Trace): string {
  return JSON.stringify(traceReport(trace), null, 2) + "\n";
}
