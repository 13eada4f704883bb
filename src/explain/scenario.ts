// Scenarios: small, fully specified problems that explain runs and the browser viewer re-runs
// when the user edits a number. An expression scenario is a computational graph over scalar
// variables; an MLP scenario is a fully connected network with its weights, one batch and its
// target, named like torch.nn.Sequential ("0.weight", "2.bias") and traced layer by layer.

import { creation } from "../api/functions.js";

const { tensor } = creation;
import type { DType } from "../core/dtype.js";
import type { Tensor } from "../api/tensor.js";
import { evaluate, freeVariables, parseProgram } from "./expression.js";
import { scope } from "./scope.js";
import { trace } from "./trace.js";
import type { Trace } from "./trace-data.js";

/** Activation of a layer; 'identity' leaves the logits as they are. */
export type Activation = "sigmoid" | "relu" | "tanh" | "softmax" | "identity";
/** Loss of an MLP scenario. 'half-sse' is the notes' ½Σ(a−y)². */
export type LossKind = "bce" | "half-sse" | "mse" | "cross-entropy";

/** A graph over scalar variables, such as "q = x + y; f = q * z". */
export interface ExpressionScenario {
  /** Tells the scenario kinds apart. */
  kind: "expression";
  /** A heading (default: the source). */
  title?: string;
  /** The statements, e.g. "q = x + y; f = q * z"; the last one's value is the output. */
  source: string;
  /** The variables' values. */
  vars: Record<string, number>;
  /** Trace a plain SGD step of this rate after backward. */
  lr?: number;
}

/** A fully connected network with its parameters, one batch and its target. */
export interface MlpScenario {
  /** Tells the scenario kinds apart. */
  kind: "mlp";
  /** A heading (default: "MLP" and the layer widths). */
  title?: string;
  /** Layer widths, input first: [3, 4, 2]. */
  sizes: number[];
  /** One activation per layer after the input. */
  activations: Activation[];
  /** The loss of the output against the target. */
  loss: LossKind;
  /** Per layer, PyTorch's layout: weight [out, in], bias [out]. */
  layers: {
    /** [out, in] */
    weight: number[][];
    /** [out] */
    bias: number[];
  }[];
  /** Rows of the batch, [B, sizes[0]]. */
  input: number[][];
  /** Targets, [B, sizes at the end] (one-hot or probabilities for cross-entropy, 0/1 for bce). */
  target: number[][];
  /** Trace a plain SGD step of this rate after backward. */
  lr?: number;
  /** The tensors' element type (default float64). */
  dtype?: "float32" | "float64";
  /** Record a second forward pass after the update. */
  secondForward?: boolean;
  /** Module path of each linear layer (default "0", "2", ...: torch.nn.Sequential with activations between). */
  modules?: string[];
}

/** Any scenario. */
export type Scenario = ExpressionScenario | MlpScenario;

/** The tensors of one MLP forward pass. */
export interface MlpTensors {
  /** The batch. */
  input: Tensor;
  /** Its target. */
  target: Tensor;
  /** Per layer: its parameters. */
  params: {
    /** [out, in] */
    weight: Tensor;
    /** [out] */
    bias: Tensor;
  }[];
  /** Per layer: pre-activation z and activation a. */
  layers: {
    /** The pre-activation. */
    z: Tensor;
    /** The activation. */
    a: Tensor;
  }[];
  /** The loss. */
  loss: Tensor;
}

/** A traced MLP scenario: the trace and the tensors of the first pass. */
export interface MlpRun {
  /** The scenario run. */
  scenario: MlpScenario;
  /** What the passes did, op by op. */
  trace: Trace;
  /** The tensors of the first pass. */
  tensors: MlpTensors;
  /** The tensors of the second forward pass, when one was recorded. */
  second?: MlpTensors;
}

/** A traced expression scenario. */
export interface ExpressionRun {
  /** The scenario run. */
  scenario: ExpressionScenario;
  /** What the passes did, op by op. */
  trace: Trace;
  /** The variables, as the tensors that were traced. */
  vars: Record<string, Tensor>;
  /** The expression's value (the traced output). */
  output: Tensor;
}

function activate(z: Tensor, act: Activation): Tensor {
  switch (act) {
    case "sigmoid":
      return z.sigmoid();
    case "relu":
      return z.relu();
    case "tanh":
      return z.tanh();
    case "softmax":
      // composed, not the fused primitive: the trace then shows the notes' gates inside softmax
      // (z is used twice, x − log Σ eˣ: the copy gate)
      return z.sub(z.logsumexp(-1, true)).exp();
    case "identity":
      return z;
  }
}

/** The loss of output `a` (and logits `z`) against target `y`, averaged over the batch. */
export function lossOf(kind: LossKind, a: Tensor, z: Tensor, y: Tensor): Tensor {
  const batch = a.shape[0] ?? 1;
  const perBatch = (t: Tensor) => (batch === 1 ? t : t.div(batch));
  switch (kind) {
    case "bce":
      // L = -[y log ŷ + (1 − y) log(1 − ŷ)], as the notes write it
      return y
        .mul(a.log())
        .add(y.neg().add(1).mul(a.neg().add(1).log()))
        .mean()
        .neg();
    case "half-sse":
      return perBatch(a.sub(y).pow(2).sum().mul(0.5));
    case "mse":
      return a.sub(y).pow(2).mean();
    case "cross-entropy":
      // from the logits when the last layer has no activation, else from the probabilities
      return perBatch(
        y
          .mul(a === z ? z.logSoftmax(-1) : a.log())
          .sum()
          .neg(),
      );
  }
}

/** The module path of linear layer i. */
function modulePath(s: MlpScenario, i: number): string {
  return s.modules?.[i] ?? String(2 * i);
}

/**
 * The names an MLP scenario's leaves go by in its trace, graph and viewer: the input a0, the
 * target y, and each linear layer's "<module path>.weight" and ".bias", as torch.nn.Sequential.
 */
export function mlpNames(s: MlpScenario): {
  /** The batch's label. */
  input: string;
  /** The target's label. */
  target: string;
  /** Per layer, its parameters' labels. */
  layers: {
    /** The weight's label. */
    weight: string;
    /** The bias's label. */
    bias: string;
  }[];
} {
  return {
    input: "a0",
    target: "y",
    layers: s.layers.map((_, i) => ({ weight: `${modulePath(s, i)}.weight`, bias: `${modulePath(s, i)}.bias` })),
  };
}

/** Checks an MLP scenario's shapes, naming the first mismatch. */
export function checkMlp(s: MlpScenario): void {
  const n = s.sizes.length - 1;
  const fail = (what: string) => {
    throw new RangeError(`explain: MLP ${s.sizes.join("-")}: ${what}`);
  };
  if (n < 1) fail("needs at least an input and an output size");
  if (s.activations.length !== n) fail(`needs ${n} activations, got ${s.activations.length}`);
  if (s.layers.length !== n) fail(`needs ${n} layers of weights, got ${s.layers.length}`);
  s.layers.forEach((l, i) => {
    const [o, inp] = [s.sizes[i + 1]!, s.sizes[i]!];
    if (l.weight.length !== o || l.weight.some((r) => r.length !== inp))
      fail(`layer ${i + 1} weight must be [${o}, ${inp}]`);
    if (l.bias.length !== o) fail(`layer ${i + 1} bias must have ${o} entries, got ${l.bias.length}`);
  });
  if (!s.input.length || s.input.some((r) => r.length !== s.sizes[0]))
    fail(`input rows must have ${s.sizes[0]} entries`);
  if (s.target.length !== s.input.length || s.target.some((r) => r.length !== s.sizes[n]))
    fail(`target must be [${s.input.length}, ${s.sizes[n]}]`);
}

/** How to run a scenario: { backward: false } records the forward pass only (and keeps the graph). */
export interface ScenarioRunOptions {
  backward?: boolean;
}

/** Runs an MLP scenario once, traced: forward, backward, SGD update if lr is set, second pass if asked. */
export function runMlp(s: MlpScenario, opts: ScenarioRunOptions = {}): MlpRun {
  checkMlp(s);
  const dtype: DType = s.dtype ?? "float64";
  const names = mlpNames(s);
  const input = tensor(s.input, { dtype });
  const target = tensor(s.target, { dtype });
  const params = s.layers.map((l, i) => {
    const weight = tensor(l.weight, { dtype, requiresGrad: true });
    const bias = tensor(l.bias, { dtype, requiresGrad: true });
    weight.name = names.layers[i]!.weight;
    bias.name = names.layers[i]!.bias;
    return { weight, bias };
  });
  const passes: MlpTensors[] = [];
  const forward = () => {
    const layers: { z: Tensor; a: Tensor }[] = [];
    let a = input;
    params.forEach((p, i) => {
      const path = modulePath(s, i);
      const z = scope(path, () => a.matmul(p.weight.t()).add(p.bias));
      const act = s.activations[i]!;
      // the activation module follows its linear layer: "1" after "0", "fc.act" after "fc"
      const actPath = /^\d+$/.test(path) ? String(Number(path) + 1) : `${path}.act`;
      a = act === "identity" ? z : scope(actPath, () => activate(z, act));
      z.name = `z${i + 1}`;
      if (a !== z) a.name = `a${i + 1}`;
      layers.push({ z, a });
    });
    const last = layers[layers.length - 1]!;
    const loss = scope("loss", () => lossOf(s.loss, last.a, last.z, target));
    loss.name = "L";
    passes.push({ input, target, params, layers, loss });
    return loss;
  };
  const backward = opts.backward ?? true;
  const t = trace(forward, {
    lr: backward ? s.lr : undefined,
    names: { [names.input]: input, [names.target]: target },
    secondForward: backward && s.secondForward,
    backward,
  });
  return { scenario: s, trace: t, tensors: passes[0]!, second: passes[1] };
}

/** Runs an expression scenario, traced, with its variables as float64 leaves that require grad. */
export function runExpression(s: ExpressionScenario, opts: ScenarioRunOptions = {}): ExpressionRun {
  const program = parseProgram(s.source);
  const missing = freeVariables(program).filter((v) => !(v in s.vars));
  if (missing.length) throw new ReferenceError(`explain: no value given for ${missing.join(", ")} in "${s.source}"`);
  const vars = Object.fromEntries(
    Object.entries(s.vars).map(([k, v]) => [k, tensor(v, { dtype: "float64", requiresGrad: true })]),
  );
  let output: Tensor | undefined;
  const backward = opts.backward ?? true;
  const t = trace(() => (output = evaluate(program, vars)), { lr: backward ? s.lr : undefined, names: vars, backward });
  return { scenario: s, trace: t, vars, output: output! };
}

/** Runs any scenario and returns its trace. */
export function traceScenario(s: Scenario): Trace {
  return s.kind === "mlp" ? runMlp(s).trace : runExpression(s).trace;
}
