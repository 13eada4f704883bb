// Renders a walkthrough as the notes' text flow chart or as Markdown with LaTeX, and checks the
// figures a note printed against the exact values: a figure agrees when the exact value rounds
// to it at the precision it was printed with; every other one is marked where it occurs.

import { fmt } from "./format.js";
import { ARROW, box, heading } from "./render-text.js";
import { aligned, cell, joinMarkdown } from "./render-markdown.js";
import type { Walkthrough } from "./walkthrough.js";
import type { WalkEq } from "./walkthrough-equations.js";

/** A figure printed in a note: which quantity, where, and the digits as printed. */
export interface NotesFigure {
  /** The quantity's key (z1_1, delta2_1, df/dx, ...). */
  key: string;
  /** The digits as the note prints them. */
  printed: string;
  /** Where in the note the figure is. */
  where: string;
}

/** A printed figure beside its exact value. */
export interface Comparison extends NotesFigure {
  /** The exact value, when the run computed the quantity. */
  exact?: number;
  /** Whether the exact value rounds to the printed digits. */
  agrees: boolean;
}

/** True when `exact` rounds to `printed` at the number of decimals printed. */
export function agreesWith(printed: string, exact: number): boolean {
  const decimals = printed.includes(".") ? printed.split(".")[1]!.length : 0;
  return Math.abs(exact - Number(printed)) <= 0.5 * 10 ** -decimals + 1e-12;
}

/** Each printed figure with the exact value of its quantity. */
export function compareWithNotes(values: Map<string, number>, figures: NotesFigure[]): Comparison[] {
  return figures.map((f) => {
    const exact = values.get(f.key);
    return { ...f, exact, agrees: exact !== undefined && agreesWith(f.printed, exact) };
  });
}

/** Options of the walkthrough renderers. */
export interface WalkRenderOptions {
  /** Printed figures of the note the walkthrough reproduces. */
  notes?: NotesFigure[];
  /** Lines printed under the title (source, setup). */
  intro?: string[];
}

function differing(eq: WalkEq, comparisons: Comparison[]): Comparison[] {
  return eq.key ? comparisons.filter((c) => c.key === eq.key && !c.agrees) : [];
}

function eqText(eq: WalkEq, comparisons: Comparison[]): string {
  const rhs = eq.rhs.map((r) => r.text).filter((r) => r !== fmt(eq.value));
  const body = [eq.lhs.text, ...rhs, fmt(eq.value)].join(" = ");
  const marks = differing(eq, comparisons).map((c) => `notes: ${c.printed}`);
  return marks.length ? `${body}   ✗ ${marks.join(", ")}` : body;
}

function eqTex(eq: WalkEq, comparisons: Comparison[]): string {
  const rhs = eq.rhs.map((r) => r.tex).filter((r) => r !== fmt(eq.value));
  const lhs = eq.lhs.tex.endsWith("\\leftarrow") ? eq.lhs.tex.slice(0, -"\\leftarrow".length).trimEnd() : eq.lhs.tex;
  const rel = eq.lhs.tex.endsWith("\\leftarrow") ? "&\\leftarrow" : "&=";
  const marks = differing(eq, comparisons).map((c) => c.printed);
  const mark = marks.length ? ` \\quad \\textcolor{red}{\\text{notes: ${marks.join(", ")}}}` : "";
  return `${lhs} ${rel} ${[...rhs, fmt(eq.value)].join(" = ")}${mark}`;
}

/** The comparison table as text lines. */
export function comparisonText(comparisons: Comparison[]): string[] {
  if (!comparisons.length) return [];
  const rows = comparisons.map((c) => [
    c.where,
    c.key,
    c.printed,
    c.exact === undefined ? "?" : fmt(c.exact),
    c.agrees ? "ok" : "DIFFERS",
  ]);
  const head = ["where", "quantity", "notes", "exact", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const differ = comparisons.filter((c) => !c.agrees).length;
  return [
    "",
    ...heading("THE NOTES' FIGURES vs EXACT VALUES"),
    `${comparisons.length} figures checked, ${differ} differ from the exact value at the precision printed.`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ];
}

/** The walkthrough as a text flow chart in the notes' style, differing figures marked. */
export function walkthroughText(w: Walkthrough, opts: WalkRenderOptions = {}): string {
  const comparisons = compareWithNotes(w.values, opts.notes ?? []);
  const lines = [w.title, ...(opts.intro ?? [])];
  for (const phase of w.phases) {
    lines.push("", ...heading(phase.title));
    for (const s of phase.sections) {
      if (s.box) {
        const rows: { inside: string; outside?: string }[] = [{ inside: s.title }];
        for (const r of s.rows) {
          r.eqs.forEach((eq, i) =>
            rows.push({ inside: i === 0 ? (r.label ?? "") : "", outside: eqText(eq, comparisons) }),
          );
        }
        lines.push(...ARROW, ...box(rows));
      } else if (s.title === "Input Layer" || s.title === "Loss") {
        if (s.title === "Loss") lines.push(...ARROW);
        lines.push(`${s.title}: ${s.rows.flatMap((r) => r.eqs.map((e) => eqText(e, comparisons))).join(", ")}`);
      } else {
        lines.push(`${s.title}:`);
        for (const r of s.rows) for (const e of r.eqs) lines.push(`  ${eqText(e, comparisons)}`);
      }
    }
  }
  lines.push(...comparisonText(comparisons));
  return lines.join("\n") + "\n";
}

/** The walkthrough as Markdown: LaTeX equations with numbers substituted, and the notes' table. */
export function walkthroughMarkdown(w: Walkthrough, opts: WalkRenderOptions = {}): string {
  const comparisons = compareWithNotes(w.values, opts.notes ?? []);
  const lines = [`# ${w.title}`, "", ...(opts.intro ?? []).map((l) => `${l}  `), ""];
  for (const phase of w.phases) {
    lines.push(`## ${phase.title[0]}${phase.title.slice(1).toLowerCase()}`, "");
    for (const s of phase.sections) {
      lines.push(`### ${s.title}`, "");
      for (const r of s.rows) {
        if (r.label && s.box) lines.push(`*${r.label}*`, "");
        lines.push(...aligned(r.eqs.map((e) => eqTex(e, comparisons))));
      }
    }
  }
  lines.push(...comparisonMarkdown(comparisons));
  return joinMarkdown(lines);
}

/** The comparison table as Markdown lines. */
export function comparisonMarkdown(comparisons: Comparison[]): string[] {
  const lines: string[] = [];
  if (comparisons.length) {
    const differ = comparisons.filter((c) => !c.agrees).length;
    lines.push("## The notes' figures against the exact values", "");
    lines.push(
      `${comparisons.length} figures checked; ${differ} differ from the exact value at the precision printed.`,
      "",
    );
    lines.push("| where | quantity | notes | exact | |", "| --- | --- | --- | --- | --- |");
    for (const c of comparisons) {
      const exact = c.exact === undefined ? "?" : fmt(c.exact);
      lines.push(`| ${cell(c.where)} | ${cell(c.key)} | ${c.printed} | ${exact} | ${c.agrees ? "✓" : "✗ differs"} |`);
    }
    lines.push("");
  }
  return lines;
}
