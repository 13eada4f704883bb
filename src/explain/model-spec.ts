// Model specs for the command line: "mlp:64-32-10" (ReLU hidden layers, logits out),
// "mlp:3-4-2:sigmoid:softmax" (hidden and output activations named). A spec plus weights (a
// state dict keyed like torch.nn.Sequential) plus one input becomes an MLP scenario to explain.

import type { Tensor } from "../api/tensor.js";
import { Generator } from "../tensor/random.js";
import type { Activation, LossKind, MlpScenario } from "./scenario.js";

/** A parsed spec: layer widths and activations. */
export interface ModelSpec {
  sizes: number[];
  hidden: Activation;
  output: Activation;
}

const ACTIVATIONS: Activation[] = ["sigmoid", "relu", "tanh", "softmax", "identity"];

/** Parses "mlp:<n0>-<n1>-...[:<hidden activation>[:<output activation>]]". */
export function parseModelSpec(spec: string): ModelSpec {
  const [kind, sizes, hidden = "relu", output = "identity", ...rest] = spec.split(":");
  const fail = (why: string): never => {
    throw new Error(`model spec '${spec}': ${why} (expected e.g. mlp:64-32-10 or mlp:3-4-2:sigmoid:softmax)`);
  };
  if (kind !== "mlp") fail(`unknown kind '${kind}'; only 'mlp' is explained layer by layer`);
  if (rest.length) fail("too many ':' parts");
  const n = (sizes ?? "").split("-").map(Number);
  if (n.length < 2 || n.some((v) => !Number.isInteger(v) || v < 1)) fail("layer sizes must be positive integers");
  for (const a of [hidden, output]) if (!ACTIVATIONS.includes(a as Activation)) fail(`unknown activation '${a}'`);
  return { sizes: n, hidden: hidden as Activation, output: output as Activation };
}

/** The natural loss for an output activation: bce for one sigmoid unit, cross-entropy otherwise. */
export function defaultLoss(spec: ModelSpec): LossKind {
  const out = spec.sizes[spec.sizes.length - 1]!;
  if (spec.output === "sigmoid" && out === 1) return "bce";
  if (spec.output === "identity" || spec.output === "softmax") return "cross-entropy";
  return "mse";
}

/**
 * The layers of a state dict in module order: every 2-D "<path>.weight" sorted by its module path
 * (numerically where the path is a number), with "<path>.bias" (zeros when absent).
 */
export function layersFromStateDict(
  tensors: Record<string, Tensor>,
  spec: ModelSpec,
): { weight: number[][]; bias: number[]; module: string }[] {
  const weights = Object.keys(tensors)
    .filter((k) => k.endsWith(".weight") && tensors[k]!.ndim === 2)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const n = spec.sizes.length - 1;
  if (weights.length !== n) {
    throw new Error(
      `weights: the file has ${weights.length} 2-D '*.weight' tensors (${weights.join(", ") || "none"}); ` +
        `the spec ${spec.sizes.join("-")} needs ${n}`,
    );
  }
  return weights.map((key, i) => {
    const w = tensors[key]!;
    const [out, inp] = [spec.sizes[i + 1]!, spec.sizes[i]!];
    if (w.shape[0] !== out || w.shape[1] !== inp) {
      throw new Error(`weights: ${key} has shape [${w.shape.join(", ")}], the spec needs [${out}, ${inp}]`);
    }
    const b = tensors[key.replace(/weight$/, "bias")];
    if (b && (b.ndim !== 1 || b.shape[0] !== out)) {
      throw new Error(
        `weights: ${key.replace(/weight$/, "bias")} has shape [${b.shape.join(", ")}], expected [${out}]`,
      );
    }
    return {
      weight: w.toArray() as number[][],
      bias: b ? (b.toArray() as number[]) : new Array<number>(out).fill(0),
      module: key.slice(0, -".weight".length),
    };
  });
}

/** Random layers as nn.Linear initialises them (uniform ±1/√in), from a seeded generator. */
export function randomLayers(spec: ModelSpec, seed = 0): { weight: number[][]; bias: number[] }[] {
  const g = new Generator(seed);
  return spec.sizes.slice(1).map((out, i) => {
    const inp = spec.sizes[i]!;
    const bound = 1 / Math.sqrt(inp);
    const u = () => (2 * g.uniform() - 1) * bound;
    return {
      weight: Array.from({ length: out }, () => Array.from({ length: inp }, u)),
      bias: Array.from({ length: out }, u),
    };
  });
}

/** A target row from a class index (one-hot) or a list of numbers. */
export function targetRow(target: number | number[], outputs: number): number[] {
  if (Array.isArray(target)) {
    if (target.length !== outputs)
      throw new RangeError(`target has ${target.length} numbers, the model has ${outputs} outputs`);
    return target;
  }
  if (outputs === 1) return [target];
  if (!Number.isInteger(target) || target < 0 || target >= outputs) {
    throw new RangeError(`target class ${target} is not in 0…${outputs - 1}`);
  }
  return Array.from({ length: outputs }, (_, j) => (j === target ? 1 : 0));
}

/** An MLP scenario from a spec, its layers, one input row (or a batch) and a target. */
export function mlpScenario(
  spec: ModelSpec,
  layers: { weight: number[][]; bias: number[]; module?: string }[],
  input: number[][],
  target: number | number[] | number[][],
  opts: { loss?: LossKind; lr?: number; title?: string } = {},
): MlpScenario {
  const outputs = spec.sizes[spec.sizes.length - 1]!;
  const rows =
    Array.isArray(target) && Array.isArray(target[0])
      ? (target as number[][])
      : input.map(() => targetRow(target as number | number[], outputs));
  const n = spec.sizes.length - 1;
  return {
    kind: "mlp",
    title: opts.title,
    sizes: spec.sizes,
    activations: Array.from({ length: n }, (_, i) => (i === n - 1 ? spec.output : spec.hidden)),
    loss: opts.loss ?? defaultLoss(spec),
    layers: layers.map((l) => ({ weight: l.weight, bias: l.bias })),
    modules: layers.every((l) => l.module !== undefined) ? layers.map((l) => l.module!) : undefined,
    input,
    target: rows,
    lr: opts.lr,
    dtype: "float64",
  };
}
