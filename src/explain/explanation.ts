// An explanation of a scenario in every format: traced once, then rendered as the notes' text
// flow chart, Markdown with LaTeX or JSON. Small single-example MLPs get the layer-by-layer
// walkthrough; everything else the node-by-node trace. Given a note's printed figures, every
// format carries the comparison with the exact values.

import { fmtSnapshot } from "./format.js";
import { traceReport } from "./render-json.js";
import { renderMarkdown } from "./render-markdown.js";
import { renderText } from "./render-text.js";
import {
  type Comparison,
  comparisonMarkdown,
  comparisonText,
  compareWithNotes,
  type NotesFigure,
  walkthroughMarkdown,
  walkthroughText,
} from "./render-walkthrough.js";
import { runExpression, runMlp, type MlpRun, type Scenario } from "./scenario.js";
import { SEEDS, type SeedName } from "./seeds.js";
import type { Trace } from "./trace-data.js";
import { walkthrough, type Walkthrough } from "./walkthrough.js";

/** Layers wider than this are not written out neuron by neuron. */
export const WALKTHROUGH_WIDTH = 8;

/** Options of explainScenario. */
export interface ExplainOptions {
  /** The heading (default: the scenario's title). */
  title?: string;
  /** Paragraphs printed before the walkthrough. */
  intro?: string[];
  /** Figures printed in a note, checked against the exact values. */
  notes?: NotesFigure[];
  /** Also append the node-by-node trace to the walkthrough (default false). */
  nodes?: boolean;
}

/** A traced scenario, ready to print in any format. */
export interface Explanation {
  /** The heading. */
  title: string;
  /** The scenario that was run. */
  scenario: Scenario;
  /** What the forward, backward and update did, op by op. */
  trace: Trace;
  /** The equations written out with their numbers, for networks narrow enough. */
  walkthrough?: Walkthrough;
  /** Every keyed quantity (z1_1, delta2_1, df/dx, ...) with its exact value. */
  values: Map<string, number>;
  /** The notes' figures checked against the exact values. */
  comparisons: Comparison[];
  /** The explanation as plain text. */
  text(): string;
  /** The explanation as Markdown with LaTeX. */
  markdown(): string;
  /** The explanation as JSON-ready data. */
  json(): Record<string, unknown>;
}

/** Keyed quantities of a scalar trace: each value, ∂out/∂value, and each local derivative ∂out/∂in. */
export function scalarValues(trace: Trace): Map<string, number> {
  const values = new Map<string, number>();
  const L = trace.loss.label;
  for (const v of trace.values) {
    if (v.data.numel !== 1) continue;
    values.set(v.label, v.data.head[0]!);
    if (v.grad?.numel === 1) values.set(`d${L}/d${v.label}`, v.grad.head[0]!);
  }
  for (const s of trace.steps) {
    const up = s.backward?.upstream.head[0];
    if (!s.backward || !up || s.backward.upstream.numel !== 1) continue;
    const out = trace.values[s.output]!.label;
    s.inputs.forEach((id, k) => {
      const g = s.backward!.gradInputs[k];
      if (g?.numel === 1) values.set(`d${out}/d${trace.values[id]!.label}`, g.head[0]! / up);
    });
  }
  return values;
}

/** Whether an MLP run is small enough for the neuron-by-neuron walkthrough. */
function walkable(run: MlpRun): boolean {
  return run.scenario.input.length === 1 && run.scenario.sizes.every((n) => n <= WALKTHROUGH_WIDTH);
}

/** Traces a scenario and prepares its renderings. */
export function explainScenario(scenario: Scenario, opts: ExplainOptions = {}): Explanation {
  const title =
    opts.title ?? scenario.title ?? (scenario.kind === "mlp" ? `MLP ${scenario.sizes.join("-")}` : scenario.source);
  const intro = opts.intro ?? [];
  let trace: Trace;
  let walk: Walkthrough | undefined;
  if (scenario.kind === "mlp") {
    const run = runMlp(scenario);
    trace = run.trace;
    if (walkable(run)) walk = walkthrough(run, title);
  } else {
    trace = runExpression(scenario).trace;
  }
  const values = walk?.values ?? scalarValues(trace);
  const comparisons = compareWithNotes(values, opts.notes ?? []);
  const nodeText = () => renderText(trace, { title: "NODE BY NODE" });
  return {
    title,
    scenario,
    trace,
    walkthrough: walk,
    values,
    comparisons,
    text: () => {
      if (walk) {
        const body = walkthroughText(walk, { notes: opts.notes, intro });
        return opts.nodes ? `${body}\n${nodeText()}` : body;
      }
      const head = renderText(trace, { title: [title, ...intro].join("\n") });
      const tail = comparisonText(comparisons);
      return tail.length ? `${head}${tail.join("\n")}\n` : head;
    },
    markdown: () => {
      if (walk) {
        const body = walkthroughMarkdown(walk, { notes: opts.notes, intro });
        return opts.nodes ? `${body}\n${renderMarkdown(trace, { title: "Node by node" })}` : body;
      }
      const md = renderMarkdown(trace, { title });
      const introMd = intro.length ? `${intro.join("  \n")}\n\n` : "";
      const withIntro = md.replace(/\n\n/, `\n\n${introMd}`);
      const tail = comparisonMarkdown(comparisons);
      return tail.length ? `${withIntro}\n${tail.join("\n").trimEnd()}\n` : withIntro;
    },
    json: () => ({
      title,
      intro,
      scenario,
      loss: trace.loss.data.values?.[0],
      lossSummary: fmtSnapshot(trace.loss.data),
      values: Object.fromEntries(values),
      comparisons,
      trace: traceReport(trace),
    }),
  };
}

/** One of the notes' worked examples, explained. */
export function explainSeed(name: SeedName, opts: Pick<ExplainOptions, "nodes"> = {}): Explanation {
  const seed = SEEDS[name];
  return explainScenario(seed.scenario, { title: seed.title, intro: seed.intro, notes: seed.notes, nodes: opts.nodes });
}

/** The JSON text of an explanation. */
export function explanationJSON(e: Explanation): string {
  return JSON.stringify(e.json(), null, 2) + "\n";
}
