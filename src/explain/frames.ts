// A trace as a sequence of frames for stepping through it: the leaves, then each forward op,
// then each backward node in the order the engine ran them, then each parameter update. A frame
// names the graph node (and edges) to highlight, the gate patterns at work, and the numbers to
// show; the browser viewer draws frames and its tests compare the page against them.

import { GATE_NAME, ruleOf } from "./rules.js";
import { backwardStepLines, forwardLines, valueText } from "./render-text.js";
import { fmt } from "./format.js";
import type { Trace } from "./trace-data.js";

/** One step of the walk through a pass. */
export interface Frame {
  /** Which pass the step belongs to. */
  phase: "start" | "forward" | "backward" | "update";
  /** A heading, e.g. "Forward 2/5: mul". */
  title: string;
  /** Graph node to highlight (ids of graphOfTrace). */
  node?: string;
  /** Edges to highlight: the inputs of a forward op, the gradient paths of a backward node. */
  edges: {
    /** The edge's tail node id. */
    from: string;
    /** The edge's head node id. */
    to: string;
  }[];
  /** The notes' gate patterns this frame shows. */
  gates: string[];
  /** The op's local derivative rule, in words. */
  rule?: string;
  /** Named numbers shown, e.g. ["output t4", "[[0.413382, ...]]"]. */
  values: [string, string][];
  /** The frame as text lines (the same lines the text flow chart prints). */
  lines: string[];
}

/** Graph node id of a value: its producing op, or the leaf itself. */
function nodeOfValue(trace: Trace, id: number): string | undefined {
  const v = trace.values[id]!;
  if (v.detachedFrom !== undefined) return nodeOfValue(trace, v.detachedFrom);
  if (v.producer !== undefined) return `s${v.producer}`;
  return v.kind === "constant" ? undefined : `v${id}`;
}

/** The frames of a trace, in viewing order. */
export function framesOf(trace: Trace): Frame[] {
  const L = trace.loss.label;
  const frames: Frame[] = [];
  const leaves = trace.values.filter(
    (v) => v.producer === undefined && v.kind !== "constant" && v.detachedFrom === undefined,
  );
  frames.push({
    phase: "start",
    title: "Inputs and parameters",
    edges: [],
    gates: [],
    values: leaves.map((v) => [`${v.label} (${v.kind})`, valueText(v.data, {})]),
    lines: [],
  });
  const fwd = trace.steps;
  fwd.forEach((s, i) => {
    const out = trace.values[s.output]!;
    const edgeList = s.inputs.flatMap((id) => {
      const from = nodeOfValue(trace, id);
      return from ? [{ from, to: `s${s.id}` }] : [];
    });
    frames.push({
      phase: "forward",
      title: `Forward ${i + 1}/${fwd.length}: ${s.op}${s.module !== undefined ? ` (module ${s.module || "root"})` : ""}`,
      node: `s${s.id}`,
      edges: edgeList,
      gates: [],
      rule: ruleOf(s.op).rule,
      values: [
        ...s.inputs.map((id): [string, string] => [
          `input ${trace.values[id]!.label}`,
          valueText(trace.values[id]!.data, {}),
        ]),
        [`output ${out.label}`, valueText(out.data, {})],
      ],
      lines: forwardLines(trace, s),
    });
  });
  const bwd = trace.backwardSteps;
  bwd.forEach((s, i) => {
    const rule = ruleOf(s.op);
    const out = trace.values[s.output]!;
    const gates = rule.gate && rule.gate !== "reshape" && rule.gate !== "route" ? [GATE_NAME[rule.gate]] : [];
    if (out.contributions.length > 1) gates.unshift(GATE_NAME.copy);
    const grads: [string, string][] = [];
    const edgeList: { from: string; to: string }[] = [];
    s.inputs.forEach((id, k) => {
      const g = s.backward!.gradInputs[k];
      if (!g) return;
      grads.push([`∂${L}/∂${trace.values[id]!.label}`, valueText(g, {})]);
      const from = nodeOfValue(trace, id);
      if (from) edgeList.push({ from, to: `s${s.id}` });
    });
    frames.push({
      phase: "backward",
      title: `Backward ${i + 1}/${bwd.length}: ${s.node}`,
      node: `s${s.id}`,
      edges: edgeList,
      gates,
      rule: rule.rule,
      values: [[`upstream ∂${L}/∂${out.label}`, valueText(s.backward!.upstream, {})], ...grads],
      lines: backwardStepLines(trace, s),
    });
  });
  trace.updates.forEach((u, i) => {
    const rule =
      trace.lr !== undefined
        ? `${u.label} ← ${u.label} − ${fmt(trace.lr)}·∂${L}/∂${u.label}`
        : `${trace.optimizer}.step()`;
    frames.push({
      phase: "update",
      title: `Update ${i + 1}/${trace.updates.length}: ${u.label}`,
      node: `v${u.value}`,
      edges: [],
      gates: [],
      rule,
      values: [
        ["before", valueText(u.before, {})],
        ["gradient", valueText(u.grad ?? undefined, {})],
        ["after", valueText(u.after, {})],
      ],
      lines: [rule, `before ${valueText(u.before, {})}`, `after  ${valueText(u.after, {})}`],
    });
  });
  return frames;
}
