// A trace as a text flow chart in the style of the notes' "ASCII Neural Network Flow": the
// forward pass top to bottom in boxes (grouped by module), every value with its numbers, then
// the backward pass node by node with its rule, gate pattern, upstream gradient and the
// gradient sent to each input, then the parameter update and, if recorded, the second pass.

import { fmt, fmtSnapshot, type Snapshot, subscript } from "./format.js";
import { GATE_NAME, GATE_TEXT, ruleOf } from "./rules.js";
import { backwardSubstitutions, copySubstitutions, equalsValue, forwardSubstitutions } from "./substitute.js";
import type { Trace, TraceStep, TraceValue } from "./trace-data.js";

/** Options of the renderers. */
export interface RenderOptions {
  /** Decimals printed (default 6, as the notes' 3-4-2 example). */
  digits?: number;
  /** Tensors with more elements are summarised (default 16). */
  printLimit?: number;
  /** Title printed first. */
  title?: string;
}

/** Lines boxed with light box-drawing characters, indented like the notes' chart; notes go right of the box. */
export function box(lines: { inside: string; outside?: string }[], indent = 6): string[] {
  const width = Math.max(...lines.map((l) => l.inside.length));
  const pad = " ".repeat(indent);
  return [
    `${pad}┌${"─".repeat(width + 2)}┐`,
    ...lines.map((l) => `${pad}│ ${l.inside.padEnd(width)} │${l.outside ? ` ${l.outside}` : ""}`.trimEnd()),
    `${pad}└${"─".repeat(width + 2)}┘`,
  ];
}

/** The notes' downward arrow between boxes. */
export const ARROW = ["      │", "      ▼"];

/** A centred section heading with an underline, as the notes' "FORWARD PASS 1 / -------". */
export function heading(title: string): string[] {
  return [`          ${title}`, `          ${"-".repeat(Math.max(16, title.length))}`];
}

/** The value text: whole when small, else a summary. */
export function valueText(s: Snapshot | undefined, opts: RenderOptions): string {
  return s ? fmtSnapshot(s, opts.digits ?? 6, opts.printLimit) : "?";
}

/** The formula of a step with its inputs' labels, e.g. "x + y". */
export function formulaOf(trace: Trace, step: TraceStep): string {
  return ruleOf(step.op).text(
    step.inputs.map((id) => trace.values[id]!.label),
    step.attrs,
  );
}

/** The element name of value v at flat index k: "q" for scalars, "z[2]" or "W[1,3]" otherwise. */
export function elementName(v: TraceValue, k: number): string {
  const sub = subscript(k, v.data.shape);
  return sub ? `${v.label}[${sub}]` : v.label;
}

/** A forward step as text: its formula, numbers substituted when it has one element, else each element. */
export function forwardLines(trace: Trace, step: TraceStep, opts: RenderOptions = {}): string[] {
  const out = trace.values[step.output]!;
  const subs = forwardSubstitutions(trace, step);
  if (out.data.numel === 1 && subs.length === 1) {
    const s = subs[0]!;
    return [`${out.label} = ${formulaOf(trace, step)} = ${s.text}${equalsValue(s.text, s.value)}`];
  }
  const lines = [`${out.label} = ${formulaOf(trace, step)} = ${valueText(out.data, opts)}`];
  if (subs.length <= 4)
    for (const s of subs) lines.push(`  ${elementName(out, s.index)} = ${s.text}${equalsValue(s.text, s.value)}`);
  return lines;
}

/** Consecutive steps that share a module, in forward order. */
export function groupSteps(steps: TraceStep[]): { module?: string; steps: TraceStep[] }[] {
  const groups: { module?: string; steps: TraceStep[] }[] = [];
  for (const s of steps) {
    const last = groups[groups.length - 1];
    if (last && last.module === s.module) last.steps.push(s);
    else groups.push({ module: s.module, steps: [s] });
  }
  return groups;
}

function forwardSection(trace: Trace, opts: RenderOptions, title: string): string[] {
  const lines = heading(title);
  const leaves = trace.values.filter(
    (v) => v.producer === undefined && v.kind !== "constant" && v.detachedFrom === undefined,
  );
  const inputs = leaves.filter((v) => v.kind !== "parameter");
  const params = leaves.filter((v) => v.kind === "parameter");
  if (inputs.length) lines.push(`Inputs: ${inputs.map((v) => `${v.label} = ${valueText(v.data, opts)}`).join(", ")}`);
  for (const p of params) lines.push(`Parameter ${p.label} = ${valueText(p.data, opts)}`);
  for (const group of groupSteps(trace.steps)) {
    lines.push(...ARROW);
    const rows: { inside: string; outside?: string }[] = [];
    if (group.module !== undefined) rows.push({ inside: `module ${group.module || "(root)"}` });
    for (const step of group.steps) {
      const [first, ...rest] = forwardLines(trace, step, opts);
      const tag = `[${step.id + 1}] ${step.op}${step.node ? "" : " (no grad)"}`;
      rows.push({ inside: tag, outside: first });
      for (const r of rest) rows.push({ inside: "", outside: r });
    }
    lines.push(...box(rows));
  }
  lines.push(...ARROW, `Output: ${trace.loss.label} = ${valueText(trace.loss.data, opts)}`);
  return lines;
}

/** A backward step as text: rule, gate, upstream gradient and the gradient sent to each input. */
export function backwardStepLines(trace: Trace, step: TraceStep, opts: RenderOptions = {}): string[] {
  const rule = ruleOf(step.op);
  const out = trace.values[step.output]!;
  const L = trace.loss.label;
  const gate = rule.gate ? `  (${GATE_NAME[rule.gate]})` : "";
  const lines = [`[${step.id + 1}] ${step.node} of ${out.label} = ${formulaOf(trace, step)}${gate}`];
  lines.push(`    rule: ${rule.rule}`);
  if (rule.gate === "add" || rule.gate === "mul" || rule.gate === "max") lines.push(`    ${GATE_TEXT[rule.gate]}`);
  const copies = copySubstitutions(trace, out.id);
  if (copies.length) {
    lines.push(`    upstream ∂${L}/∂${out.label}: ${GATE_TEXT.copy}`);
    for (const c of copies) lines.push(`      ∂${L}/∂${elementName(out, c.index)} = ${c.text} = ${fmt(c.value)}`);
  } else {
    lines.push(`    upstream ∂${L}/∂${out.label} = ${valueText(step.backward!.upstream, opts)}`);
  }
  step.inputs.forEach((id, k) => {
    const g = step.backward!.gradInputs[k];
    if (!g) return;
    const x = trace.values[id]!;
    const subs = backwardSubstitutions(trace, step, k);
    if (x.data.numel === 1 && subs.length === 1) {
      const s = subs[0]!;
      lines.push(`    ∂${L}/∂${x.label} = ${s.text}${equalsValue(s.text, s.value)}`);
      return;
    }
    lines.push(`    ∂${L}/∂${x.label} = ${valueText(g, opts)}`);
    if (subs.length <= 8) {
      for (const s of subs)
        lines.push(`      ∂${L}/∂${elementName(x, s.index)} = ${s.text}${equalsValue(s.text, s.value)}`);
    }
  });
  return lines;
}

function backwardSection(trace: Trace, opts: RenderOptions): string[] {
  const L = trace.loss.label;
  const lines = ["", ...heading("BACKWARD PASS")];
  lines.push(`∂${L}/∂${L} = ${valueText(trace.loss.grad, opts)}`);
  for (const step of trace.backwardSteps) lines.push(...backwardStepLines(trace, step, opts));
  const leaves = trace.leaves.filter((v) => v.grad);
  if (leaves.length) {
    lines.push("", ...heading("GRADIENTS AT THE LEAVES"));
    for (const v of leaves) {
      lines.push(`∂${L}/∂${v.label} = ${valueText(v.grad, opts)}`);
      const copies = copySubstitutions(trace, v.id);
      if (copies.length) {
        lines.push(`  ${GATE_TEXT.copy}`);
        for (const c of copies) lines.push(`  ∂${L}/∂${elementName(v, c.index)} = ${c.text} = ${fmt(c.value)}`);
      }
    }
  }
  return lines;
}

/** The parameter update lines: "W2_new = W2 - 0.1*dW2 = [...]" with before, gradient and after. */
export function updateSection(trace: Trace, opts: RenderOptions): string[] {
  if (!trace.updates.length) return [];
  const how = trace.lr !== undefined ? `${trace.optimizer}, lr = ${fmt(trace.lr)}` : trace.optimizer;
  const lines = ["", ...heading(`PARAMETER UPDATE (${how})`)];
  for (const u of trace.updates) {
    const rule = trace.lr !== undefined ? `${u.label} - ${fmt(trace.lr)}*grad` : `${trace.optimizer}.step()`;
    lines.push(
      `${u.label}: before ${valueText(u.before, opts)}, grad ${valueText(u.grad ?? undefined, opts)}`,
      `  ${u.label}_new = ${rule} = ${valueText(u.after, opts)}`,
    );
  }
  return lines;
}

/** The whole trace as a text flow chart. */
export function renderText(trace: Trace, opts: RenderOptions = {}): string {
  const lines: string[] = opts.title ? [opts.title, ""] : [];
  lines.push(...forwardSection(trace, opts, trace.next ? "FORWARD PASS 1" : "FORWARD PASS"));
  if (trace.steps.some((s) => s.backward)) lines.push(...backwardSection(trace, opts));
  lines.push(...updateSection(trace, opts));
  if (trace.next) lines.push("", ...forwardSection(trace.next, opts, "FORWARD PASS 2 (after update)"));
  return lines.join("\n") + "\n";
}
