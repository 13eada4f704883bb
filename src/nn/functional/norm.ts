// Normalisation: batch norm (batch statistics in training, updating running ones with the
// unbiased variance as PyTorch does; running statistics in eval) and layer norm are fused
// primitives (ops/normalization.ts); group norm is layer norm over channel groups plus a
// per-channel affine, and Lp normalisation is composed from ops.

import { type DType, promoteTypes } from "../../core/dtype.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape, normDim, numelOf, sameShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { batchNormOp, layerNormOp } from "../../ops/normalization.js";
import type { Tensor } from "../../api/tensor.js";
import { pNorm } from "./distance.js";

/** The float dtype the normalisation of x computes in: x's and its parameters' promoted, as the composed formula's. */
function computeDtype(tensors: (Tensor | null | undefined)[]): DType {
  return tensors.reduce<DType>((dt, t) => (t ? promoteTypes(dt, t.dtype) : dt), "float32");
}

/** t converted to dtype (recorded, so gradients flow back), or null. */
const castTo = (t: Tensor | null | undefined, dtype: DType) => (t ? (t.dtype === dtype ? t : t.to(dtype)) : null);

/** The tensors that are present. */
const present = (...ts: (Tensor | null)[]) => ts.filter((t): t is Tensor => t !== null);

/** y·weight + bias with weight and bias shaped to broadcast against y. */
function affine(
  y: Tensor,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
  shape: number[],
): Tensor {
  const scaled = weight ? y.mul(weight.reshape(shape)) : y;
  return bias ? scaled.add(bias.reshape(shape)) : scaled;
}

/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Per-channel scale γ, or none. */
  weight?: Tensor | null;
  /** Per-channel shift β, or none. */
  bias?: Tensor | null;
  /** Use the batch's statistics (and update the running ones) instead of the running ones. */
  training?: boolean;
  /** Weight of the new batch in the running averages. */
  momentum?: number;
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation of x [N, C, …] per channel. In training the running statistics (when
 * given) are updated in place: r ← (1 − momentum)·r + momentum·batch, with the unbiased batch variance.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  return batchNormRelu(x, runningMean, runningVar, opts, false);
}

/**
 * @internal batchNorm, or with `relu` relu(batchNorm(…)) as one fused op: what nn.Sequential runs
 * for a batch norm layer followed by a ReLU (one pass each way instead of two).
 */
export function batchNormRelu(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions,
  relu: boolean,
): Tensor {
  checkOptions("batchNorm", opts, ["weight", "bias", "training", "momentum", "eps"]);
  const { training = false, momentum = 0.1, eps = 1e-5 } = opts;
  if (x.ndim < 2) throw new RangeError(`batchNorm: expected an input [N, C, …], got shape ${fmtShape(x.shape)}`);
  const c = x.shape[1]!;
  for (const [name, t] of [
    ["runningMean", runningMean],
    ["runningVar", runningVar],
    ["weight", opts.weight],
    ["bias", opts.bias],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== c)) {
      throw new RangeError(
        `batchNorm: ${name} must have shape [${c}] for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`,
      );
    }
  }
  if (!training) {
    if (!runningMean || !runningVar) throw new Error("batchNorm: eval mode needs runningMean and runningVar");
  } else if (x.numel() / c <= 1) {
    throw new RangeError(
      `batchNorm: expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`,
    );
  }
  const dt = computeDtype([x, opts.weight, opts.bias, ...(training ? [] : [runningMean, runningVar])]);
  const [w, b] = [castTo(opts.weight, dt), castTo(opts.bias, dt)];
  const inputs = present(castTo(x, dt), w, b, ...(training ? [] : [runningMean, runningVar]));
  const update = training ? { mean: runningMean, var: runningVar, momentum } : undefined;
  const attrs = { training, eps, weight: w !== null, bias: b !== null, update, ...(relu ? { relu } : {}) };
  return batchNormOp(inputs, attrs) as Tensor;
}

const normKeys = ["weight", "bias", "eps"];

/** Options of layerNorm and groupNorm. */
export interface NormOptions {
  /** Scale γ, shaped as the normalized dims (layerNorm) or one per channel (groupNorm); or none. */
  weight?: Tensor | null;
  /** Shift β, shaped as weight; or none. */
  bias?: Tensor | null;
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
}

/** Normalises over the trailing dims `normalizedShape`, then scales and shifts elementwise. */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: NormOptions = {}): Tensor {
  checkOptions("layerNorm", opts, normKeys);
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  if (x.ndim < ns.length || !sameShape(x.shape.slice(x.ndim - ns.length), ns)) {
    throw new RangeError(
      `layerNorm: expected an input whose trailing dims are ${fmtShape(ns)}, got shape ${fmtShape(x.shape)}`,
    );
  }
  return normalizeRows(x, ns.length, opts.weight, opts.bias, opts.eps ?? 1e-5);
}

/** The layer norm primitive over x's trailing `dims` dims, its inputs cast to one float dtype. */
function normalizeRows(
  x: Tensor,
  dims: number,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
  eps: number,
): Tensor {
  const dt = computeDtype([x, weight, bias]);
  const [w, b] = [castTo(weight, dt), castTo(bias, dt)];
  return layerNormOp(present(castTo(x, dt), w, b), { dims, eps, weight: w !== null, bias: b !== null }) as Tensor;
}

/** Normalises x [N, C, …] over each of `numGroups` channel groups, then applies per-channel weight and bias. */
export function groupNorm(x: Tensor, numGroups: number, opts: NormOptions = {}): Tensor {
  checkOptions("groupNorm", opts, normKeys);
  if (x.ndim < 2 || x.shape[1]! % numGroups !== 0) {
    throw new RangeError(
      `groupNorm: expected an input [N, C, …] with C divisible by numGroups=${numGroups}, got shape ${fmtShape(x.shape)}`,
    );
  }
  const n = x.shape[0]!;
  const grouped = x.reshape([n, numGroups, numelOf(x.shape.slice(1)) / numGroups]);
  const y = normalizeRows(grouped, 1, null, null, opts.eps ?? 1e-5);
  return affine(y.reshape(x.shape), opts.weight, opts.bias, x.shape.map((s, d) => (d === 1 ? s : 1)).slice(1));
}

/** Options of normalize. */
export interface NormalizeOptions {
  /** The norm's p, any that torch.norm takes: 0, negative, fractional, ±Infinity (default 2). */
  p?: number;
  /** The dim the vectors lie along (default 1). */
  dim?: number;
  /** The smallest norm divided by (default 1e-12). */
  eps?: number;
}

/** x / max(‖x‖_p, eps) along `dim` (torch.nn.functional.normalize). */
export function normalize(x: Tensor, opts: NormalizeOptions = {}): Tensor {
  checkOptions("normalize", opts, ["p", "dim", "eps"]);
  const { p = 2, dim = 1, eps = 1e-12 } = opts;
  return x.div(
    pNorm(x, p, normDim("normalize", dim, x.shape), true)
      .clamp(eps)
      .expandAs(x),
  );
}

/** normalize's table entry. */
export const normalizeComposite = defineComposite<NormalizeOptions>({
  name: "normalize",
  call: ([x], o) => normalize(x as Tensor, o),
  options: { keys: ["p", "dim", "eps"] },
  samples: [
    { inputs: [{ shape: [3, 4] }], attrs: {}, torch: "torch.nn.functional.normalize(x0)" },
    {
      inputs: [{ shape: [2, 3, 2] }],
      attrs: { p: 1, dim: -2 },
      torch: "torch.nn.functional.normalize(x0, p=1, dim=-2)",
    },
    {
      inputs: [{ shape: [2, 3], domain: "distinctAbs" }],
      attrs: { p: Infinity, dim: 0 },
      torch: "torch.nn.functional.normalize(x0, p=float('inf'), dim=0)",
    },
    {
      inputs: [{ shape: [2, 3], domain: "distinctAbs" }],
      attrs: { p: -Infinity },
      torch: "torch.nn.functional.normalize(x0, p=float('-inf'))",
    },
    { inputs: [{ shape: [2, 3] }], attrs: { p: 0.5 }, torch: "torch.nn.functional.normalize(x0, p=0.5)" },
    { inputs: [{ shape: [2, 3] }], attrs: { p: 3 }, torch: "torch.nn.functional.normalize(x0, p=3)" },
    { inputs: [{ shape: [2, 3] }], attrs: { p: -1.5 }, torch: "torch.nn.functional.normalize(x0, p=-1.5)" },
    {
      inputs: [{ shape: [2, 3] }],
      attrs: { p: 0 },
      torch: "torch.nn.functional.normalize(x0, p=0)",
      note: "p = 0 divides by the count of non-zeros (zeros would make the count jump under finite differences)",
    },
    {
      inputs: [{ shape: [4] }],
      attrs: { dim: 0, eps: 10 },
      torch: "torch.nn.functional.normalize(x0, dim=0, eps=10.0)",
      note: "a norm below eps: divided by eps",
    },
  ],
});
