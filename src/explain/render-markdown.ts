// A trace as Markdown: tables of the forward steps and the leaves' gradients, and for every step
// the LaTeX formula of its rule with the recorded numbers substituted element by element, the
// way the notes write δ² = (−0.484148)·0.249749 + 0.484148·(−0.249749) ≈ −0.241831.

import { fmt, subscript } from "./format.js";
import { valueText, type RenderOptions } from "./render-text.js";
import { GATE_NAME, GATE_TEXT, ruleOf } from "./rules.js";
import {
  backwardSubstitutions,
  copySubstitutions,
  equalsValue,
  forwardSubstitutions,
  type Substitution,
} from "./substitute.js";
import type { Trace, TraceStep, TraceValue } from "./trace-data.js";

/** A label in LaTeX: "x" as is, "a1" as a_{1}, anything else upright ("0.weight"). */
export function texName(label: string): string {
  if (/^[A-Za-z]$/.test(label)) return label;
  const m = /^([A-Za-z])(\d+)$/.exec(label);
  if (m) return `${m[1]}_{${m[2]}}`;
  return `\\mathrm{${label.replace(/([_%#&$])/g, "\\$1")}}`;
}

/** An element of a value in LaTeX: q, z_{2}, {W_{1}}_{1,3}. */
export function texElement(v: TraceValue, k: number): string {
  const sub = subscript(k, v.data.shape);
  const base = texName(v.label);
  if (!sub) return base;
  return base.includes("_") || base.startsWith("\\") ? `{${base}}_{${sub}}` : `${base}_{${sub}}`;
}

/** ∂L/∂name in LaTeX. */
export function texPartial(loss: string, name: string): string {
  return `\\frac{\\partial ${loss}}{\\partial ${name}}`;
}

/** Escapes a cell for a Markdown table. */
export function cell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** Equations aligned in one display block. */
export function aligned(rows: string[]): string[] {
  if (!rows.length) return [];
  return ["$$", "\\begin{aligned}", rows.join(" \\\\\n"), "\\end{aligned}", "$$", ""];
}

function eq(lhs: string, s: Substitution): string {
  return `${lhs} &= ${s.tex}${equalsValue(s.tex, s.value)}`;
}

function forwardMarkdown(trace: Trace, opts: RenderOptions, title: string): string[] {
  const lines = [`## ${title}`, ""];
  const leaves = trace.values.filter((v) => v.producer === undefined && v.kind !== "constant");
  if (leaves.length) {
    lines.push("| value | kind | shape | numbers |", "| --- | --- | --- | --- |");
    for (const v of leaves) {
      lines.push(`| ${cell(v.label)} | ${v.kind} | [${v.data.shape.join(", ")}] | ${cell(valueText(v.data, opts))} |`);
    }
    lines.push("");
  }
  lines.push("| step | op | module | computes | value |", "| --- | --- | --- | --- | --- |");
  for (const s of trace.steps) {
    const out = trace.values[s.output]!;
    const args = s.inputs.map((id) => trace.values[id]!.label);
    lines.push(
      `| ${s.id + 1} | ${s.op}${s.node ? "" : " (no grad)"} | ${s.module ?? ""} | ` +
        `${cell(`${out.label} = ${ruleOf(s.op).text(args, s.attrs)}`)} | ${cell(valueText(out.data, opts))} |`,
    );
  }
  lines.push("");
  for (const s of trace.steps) {
    const subs = forwardSubstitutions(trace, s);
    if (!subs.length || !s.node) continue;
    const out = trace.values[s.output]!;
    const args = s.inputs.map((id) => texName(trace.values[id]!.label));
    lines.push(`**Step ${s.id + 1}** (${s.op}): $${texName(out.label)} = ${ruleOf(s.op).tex(args, s.attrs)}$`, "");
    lines.push(...aligned(subs.map((x) => eq(texElement(out, x.index), x))));
  }
  return lines;
}

function backwardStepMarkdown(trace: Trace, step: TraceStep, opts: RenderOptions): string[] {
  const rule = ruleOf(step.op);
  const L = texName(trace.loss.label);
  const out = trace.values[step.output]!;
  const lines = [`### Step ${step.id + 1}: ${step.node}${rule.gate ? ` (${GATE_NAME[rule.gate]})` : ""}`, ""];
  lines.push(`Rule: $${rule.ruleTex}$`, "");
  if (rule.gate) lines.push(`*${GATE_TEXT[rule.gate]}*`, "");
  const copies = copySubstitutions(trace, out.id);
  if (copies.length) {
    lines.push(`Upstream gradient, summed over the uses of $${texName(out.label)}$ (${GATE_TEXT.copy}):`, "");
    lines.push(...aligned(copies.map((c) => eq(texPartial(L, texElement(out, c.index)), c))));
  } else {
    lines.push(`Upstream: $${texPartial(L, texName(out.label))} = ${valueText(step.backward!.upstream, opts)}$`, "");
  }
  const rows: string[] = [];
  step.inputs.forEach((id, k) => {
    const g = step.backward!.gradInputs[k];
    if (!g) return;
    const x = trace.values[id]!;
    const subs = backwardSubstitutions(trace, step, k);
    if (subs.length) rows.push(...subs.map((s) => eq(texPartial(L, texElement(x, s.index)), s)));
    else rows.push(`${texPartial(L, texName(x.label))} &= ${valueText(g, opts)}`);
  });
  lines.push(...aligned(rows));
  return lines;
}

/** The whole trace as Markdown with LaTeX formulas. */
export function renderMarkdown(trace: Trace, opts: RenderOptions = {}): string {
  const lines: string[] = [`# ${opts.title ?? "Forward and backward pass"}`, ""];
  lines.push(...forwardMarkdown(trace, opts, trace.next ? "Forward pass 1" : "Forward pass"));
  const L = trace.loss.label;
  if (trace.steps.some((s) => s.backward)) {
    lines.push(
      "## Backward pass",
      "",
      `Seed: $${texPartial(texName(L), texName(L))} = 1$; nodes in the order the engine ran them.`,
      "",
    );
    for (const s of trace.backwardSteps) lines.push(...backwardStepMarkdown(trace, s, opts));
    lines.push("## Gradients at the leaves", "", "| leaf | gradient |", "| --- | --- |");
    for (const v of trace.leaves) if (v.grad) lines.push(`| ${cell(v.label)} | ${cell(valueText(v.grad, opts))} |`);
    lines.push("");
  }
  if (trace.updates.length) {
    const eta = trace.lr !== undefined ? `\\eta = ${fmt(trace.lr)}` : trace.optimizer;
    lines.push(`## Parameter update (${trace.optimizer}${trace.lr !== undefined ? `, $${eta}$` : ""})`, "");
    if (trace.lr !== undefined)
      lines.push(`$$\\theta \\leftarrow \\theta - \\eta \\frac{\\partial L}{\\partial \\theta}$$`, "");
    lines.push("| parameter | before | gradient | after |", "| --- | --- | --- | --- |");
    for (const u of trace.updates) {
      lines.push(
        `| ${cell(u.label)} | ${cell(valueText(u.before, opts))} | ${cell(valueText(u.grad ?? undefined, opts))} | ` +
          `${cell(valueText(u.after, opts))} |`,
      );
    }
    lines.push("");
  }
  if (trace.next) lines.push(...forwardMarkdown(trace.next, opts, "Forward pass 2 (after the update)"));
  return joinMarkdown(lines);
}

/** Markdown lines joined, runs of blank lines collapsed, one final newline. */
export function joinMarkdown(lines: string[]): string {
  return (
    lines
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n"
  );
}
