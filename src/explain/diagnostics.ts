// Gradient-flow diagnostics from a traced training step: per layer (module path of its
// parameters) the gradient and weight norms, the update-to-weight ratio, and for the activation
// that follows it the fraction of dead ReLUs and saturated sigmoids/tanhs; with warnings for the
// notes' pitfalls (vanishing and exploding gradients, dead neurons, saturation).

import type { Tensor } from "../api/tensor.js";
import { fmt, type Snapshot } from "./format.js";
import { trace, type TraceOptions } from "./trace.js";
import type { Trace, TraceStep } from "./trace-data.js";

/** When the report warns. */
export interface FlowThresholds {
  /** A layer's gradient norm below this is vanishing (default 1e-7). */
  vanishing: number;
  /** ... above this, exploding (default 1e3). */
  exploding: number;
  /** Gradient norm shrinking by more than this factor from the last layer to the first (default 1e3). */
  decay: number;
  /** Update/weight ratio below this: the layer barely learns (default 1e-6). */
  minRatio: number;
  /** Update/weight ratio above this: steps too large (default 0.1). */
  maxRatio: number;
  /** Fraction of dead ReLU units above which to warn (default 0.5). */
  dead: number;
  /** Fraction of saturated outputs above which to warn (default 0.5). */
  saturated: number;
}

/** The default thresholds. */
export const DEFAULT_THRESHOLDS: FlowThresholds = {
  vanishing: 1e-7,
  exploding: 1e3,
  decay: 1e3,
  minRatio: 1e-6,
  maxRatio: 0.1,
  dead: 0.5,
  saturated: 0.5,
};

/** Statistics of the activation applied to a layer's output. */
export interface ActivationStats {
  /** The activation's op. */
  op: string;
  /** Units (features) that are 0 for every example of the batch (ReLU). */
  dead?: number;
  /** Outputs in the flat regions: σ'(z) < 0.01 for sigmoid, |tanh| > 0.99. */
  saturated?: number;
  /** Units (features) of the layer's output. */
  units: number;
}

/** One layer's line of the report. */
export interface LayerFlow {
  /** The layer's module path. */
  module: string;
  /** Labels of its parameters. */
  params: string[];
  /** ‖w‖ over its parameters. */
  weightNorm: number;
  /** ‖∂L/∂w‖ over its parameters. */
  gradNorm: number;
  /** ‖Δw‖ / ‖w‖ of the step, when an update was recorded. */
  updateRatio?: number;
  /** Statistics of the activation that follows it, if any. */
  activation?: ActivationStats;
  /** What looks wrong with this layer. */
  warnings: string[];
}

/** The report: layers in forward order, the loss, and all warnings. */
export interface FlowReport {
  /** The loss of the traced step. */
  loss: number;
  /** The layers, in forward order. */
  layers: LayerFlow[];
  /** Every warning, the layers' and the model's. */
  warnings: string[];
}

const norm = (s: Snapshot | undefined | null) => s?.norm ?? 0;
const sq = (x: number) => x * x;

/** Share of units (last dim) that are zero across all rows. */
function deadFraction(s: Snapshot): number | undefined {
  if (!s.values) return s.max === 0 ? 1 : undefined;
  const units = s.shape.length ? s.shape[s.shape.length - 1]! : 1;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let i = u; i < s.values.length && !alive; i += units) alive = s.values[i]! > 0;
    if (!alive) dead++;
  }
  return dead / units;
}

function saturatedFraction(op: string, s: Snapshot): number | undefined {
  if (!s.values) return undefined;
  const flat = op === "sigmoid" ? (a: number) => a * (1 - a) < 0.01 : (a: number) => Math.abs(a) > 0.99;
  return s.values.filter(flat).length / s.values.length;
}

/** The layer an activation step belongs to: the module of the step that produced its input. */
function activationLayer(tr: Trace, step: TraceStep): string | undefined {
  const input = tr.values[step.inputs[0]!]!;
  const seen = new Set<number>();
  let v = input;
  while (v.producer !== undefined && !seen.has(v.producer)) {
    seen.add(v.producer);
    const p = tr.steps[v.producer]!;
    const param = p.inputs.map((id) => tr.values[id]!).find((x) => x.module !== undefined);
    if (param) return param.module;
    v = tr.values[p.inputs[0]!]!;
  }
  return undefined;
}

/** The gradient-flow report of a traced step (run trace with an optimizer or lr to get update ratios). */
export function gradientFlow(tr: Trace, thresholds: Partial<FlowThresholds> = {}): FlowReport {
  const th = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const byModule = new Map<string, LayerFlow>();
  const stepSq = new Map<string, number>();
  for (const v of tr.values.filter((x) => x.kind === "parameter" && x.producer === undefined)) {
    const module = v.module ?? "";
    const layer = byModule.get(module) ?? { module, params: [], weightNorm: 0, gradNorm: 0, warnings: [] };
    layer.params.push(v.label);
    const u = tr.updateOf(v);
    layer.weightNorm = Math.hypot(layer.weightNorm, norm(u?.before ?? v.data));
    layer.gradNorm = Math.hypot(layer.gradNorm, norm(v.grad));
    if (u?.before.values && u.after.values) {
      const d = u.after.values.reduce((acc, a, i) => acc + sq(a - u.before.values![i]!), 0);
      stepSq.set(module, (stepSq.get(module) ?? 0) + d);
    }
    byModule.set(module, layer);
  }
  for (const [module, d] of stepSq) {
    const layer = byModule.get(module)!;
    if (layer.weightNorm > 0) layer.updateRatio = Math.sqrt(d) / layer.weightNorm;
  }
  for (const s of tr.steps) {
    if (!["relu", "sigmoid", "tanh"].includes(s.op)) continue;
    const layer = byModule.get(activationLayer(tr, s) ?? "\0");
    if (!layer) continue;
    const out = tr.values[s.output]!.data;
    const units = out.shape.length ? out.shape[out.shape.length - 1]! : 1;
    layer.activation =
      s.op === "relu"
        ? { op: s.op, dead: deadFraction(out), units }
        : { op: s.op, saturated: saturatedFraction(s.op, out), units };
  }
  const layers = [...byModule.values()];
  for (const l of layers) {
    if (l.gradNorm < th.vanishing)
      l.warnings.push(`gradient norm ${fmt(l.gradNorm)} < ${fmt(th.vanishing)}: vanishing gradient`);
    if (l.gradNorm > th.exploding)
      l.warnings.push(`gradient norm ${fmt(l.gradNorm)} > ${fmt(th.exploding)}: exploding gradient`);
    if (l.updateRatio !== undefined && l.updateRatio < th.minRatio && l.gradNorm >= th.vanishing) {
      l.warnings.push(`update/weight ratio ${fmt(l.updateRatio)} < ${fmt(th.minRatio)}: this layer barely learns`);
    }
    if (l.updateRatio !== undefined && l.updateRatio > th.maxRatio) {
      l.warnings.push(
        `update/weight ratio ${fmt(l.updateRatio)} > ${fmt(th.maxRatio)}: steps too large for these weights`,
      );
    }
    const a = l.activation;
    if (a?.dead !== undefined && a.dead > th.dead) {
      l.warnings.push(
        `${Math.round(a.dead * 100)}% of ReLU units are dead (0 for the whole batch): no gradient passes them`,
      );
    }
    if (a?.saturated !== undefined && a.saturated > th.saturated) {
      l.warnings.push(`${Math.round(a.saturated * 100)}% of ${a.op} outputs are saturated: their derivative is near 0`);
    }
  }
  const warnings = layers.flatMap((l) => l.warnings.map((w) => `layer ${l.module || "(root)"}: ${w}`));
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (first && last && first !== last && last.gradNorm > 0) {
    const ratio = last.gradNorm / first.gradNorm;
    if (first.gradNorm === 0) {
      warnings.push(
        `no gradient reaches layer ${first.module} at all (layer ${last.module} gets ${fmt(last.gradNorm, 4)})`,
      );
    } else if (ratio > th.decay) {
      warnings.push(
        `the gradient norm shrinks ${fmt(ratio, 2)}x from layer ${last.module} back to layer ${first.module}: vanishing gradients`,
      );
    } else if (1 / ratio > th.decay) {
      warnings.push(
        `the gradient norm grows ${fmt(1 / ratio, 2)}x from layer ${last.module} back to layer ${first.module}: exploding gradients`,
      );
    }
  }
  return { loss: tr.loss.data.head[0] ?? NaN, layers, warnings };
}

/** The report as a text table with its warnings. */
export function flowReportText(r: FlowReport, title = "GRADIENT FLOW"): string {
  const pct = (x: number | undefined) => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);
  const act = (l: LayerFlow) => {
    const a = l.activation;
    if (!a) return "-";
    return a.op === "relu" ? `relu dead ${pct(a.dead)}` : `${a.op} saturated ${pct(a.saturated)}`;
  };
  const rows = r.layers.map((l) => [
    l.module || "(root)",
    l.params.join(", "),
    fmt(l.weightNorm, 4),
    fmt(l.gradNorm, 4),
    l.updateRatio === undefined ? "-" : fmt(l.updateRatio, 4),
    act(l),
  ]);
  const head = ["layer", "parameters", "|w|", "|grad|", "|update|/|w|", "activation"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (x: string[]) =>
    x
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const lines = [
    `${title} (loss ${fmt(r.loss)})`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ];
  lines.push(r.warnings.length ? "warnings:" : "no warnings: gradients flow through every layer");
  for (const w of r.warnings) lines.push(`  ! ${w}`);
  return lines.join("\n") + "\n";
}

/** Options of diagnose(). */
export interface DiagnoseOptions extends Pick<TraceOptions, "optimizer" | "lr" | "model"> {
  /** Training steps to run before the traced one (default 0). */
  steps?: number;
  /** Thresholds to change from DEFAULT_THRESHOLDS. */
  thresholds?: Partial<FlowThresholds>;
  /** Called before each step (zero the gradients here, or pass an optimizer with zeroGrad). */
  beforeStep?: () => void;
}

/**
 * Runs `steps` training steps of `lossFn` (backward + optimizer step), then one more traced,
 * and returns its gradient-flow report with the loss of every step.
 */
export function diagnose(
  lossFn: () => Tensor,
  opts: DiagnoseOptions = {},
): FlowReport & {
  /** The loss of every step run, the traced one last. */
  losses: number[];
} {
  const losses: number[] = [];
  const zero = () => {
    opts.beforeStep?.();
    (opts.optimizer as { zeroGrad?: () => void } | undefined)?.zeroGrad?.();
  };
  for (let i = 0; i < (opts.steps ?? 0); i++) {
    zero();
    const tr = trace(lossFn, { optimizer: opts.optimizer, lr: opts.lr, model: opts.model, keepLimit: 0 });
    losses.push(tr.loss.data.head[0]!);
  }
  zero();
  const tr = trace(lossFn, { optimizer: opts.optimizer, lr: opts.lr, model: opts.model, keepLimit: 1 << 20 });
  losses.push(tr.loss.data.head[0]!);
  return { ...gradientFlow(tr, opts.thresholds), losses };
}
