// The small functional ops: linear, dropout (seeded by the default generator), embedding lookup,
// one-hot encoding and padding in PyTorch's four modes.

import { creation, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import type { Generator } from "../../tensor/random.js";

/**
 * x·Wᵀ + b over the last dim of x; leading dims are folded into one matrix product, and the bias
 * is added in the same op (addmm), as PyTorch does.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inF = weight.shape[1]!;
  if (weight.ndim !== 2 || x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(
      `linear: input of shape ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)} ` +
        `(expected last dim ${inF})`,
    );
  }
  const lead = x.shape.slice(0, -1);
  const x2 = x.reshape([-1, inF]);
  const out = bias ? functions.addmm(bias, x2, weight.t()) : x2.matmul(weight.t());
  return out.reshape([...lead, weight.shape[0]!]);
}

/** Options of dropout. */
export interface DropoutOptions {
  /** Drop only when true (train mode); identity otherwise. */
  training?: boolean;
  /** Draw the mask from this generator instead of the default one. */
  generator?: Generator;
}

/** Zeroes each element with probability p and scales the rest by 1/(1 − p) (identity when not training). */
export function dropout(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  checkOptions("dropout", opts, ["training", "generator"]);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!(opts.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = creation.rand(x.shape, { dtype: x.dtype, generator: opts.generator }).ge(p);
  return x.mul(keep.to(x.dtype).mul(1 / (1 - p)));
}

/** Options of embedding. */
export interface EmbeddingOptions {
  /** Rows looked up at this index receive no gradient. */
  paddingIdx?: number | null;
}

/** Rows of `weight` [V, D] at the int32 `indices` [...] → [..., D]. */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  checkOptions("embedding", opts, ["paddingIdx"]);
  if (indices.dtype !== "int32") throw new TypeError(`embedding: indices must be int32, got ${indices.dtype}`);
  if (weight.ndim !== 2) throw new RangeError(`embedding: weight must be 2-d [V, D], got ${fmtShape(weight.shape)}`);
  const rows = weight.indexSelect(0, indices.flatten()).reshape([...indices.shape, weight.shape[1]!]);
  if (opts.paddingIdx === undefined || opts.paddingIdx === null) return rows;
  const pad = opts.paddingIdx < 0 ? opts.paddingIdx + weight.shape[0]! : opts.paddingIdx;
  // the padding row's value passes, its gradient does not
  return functions.where(indices.eq(pad).unsqueeze(-1), rows.detach(), rows);
}

/** One-hot encoding of int32 class indices: [...] → int32 [..., numClasses] (numClasses −1: max + 1). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== "int32") throw new TypeError(`oneHot: indices must be int32, got ${indices.dtype}`);
  const n = numClasses < 0 ? (indices.numel() ? indices.max().item() + 1 : 0) : numClasses;
  const classes = creation.tensor(Int32Array.from({ length: n }, (_, i) => i));
  return indices.unsqueeze(-1).eq(classes).to("int32");
}

/** Padding modes of pad. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/**
 * The source index of each position of a dim of size n padded by (before, after), either of
 * which may be negative (a crop). Reflect and replicate read about the dim's own ends, as PyTorch
 * does; circular wraps around what is left after the crops, as PyTorch does.
 */
function padIndex(mode: Exclude<PadMode, "constant">, n: number, before: number, after: number): Int32Array {
  if (mode === "circular") {
    const lo = Math.max(0, -before);
    const m = n - lo - Math.max(0, -after);
    const pre = Math.max(0, before);
    return Int32Array.from({ length: m + pre + Math.max(0, after) }, (_, k) => lo + ((((k - pre) % m) + m) % m));
  }
  return Int32Array.from({ length: n + before + after }, (_, k) => {
    const i = k - before;
    if (i >= 0 && i < n) return i;
    if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
    const period = 2 * (n - 1);
    const m = ((i % period) + period) % period;
    return m < n ? m : period - m;
  });
}

/** Checks one dim's (before, after) padding in a non-constant mode as PyTorch does. */
function checkPadPair(
  mode: Exclude<PadMode, "constant">,
  shape: readonly number[],
  dim: number,
  pair: [number, number],
) {
  const [before, after] = pair;
  const n = shape[dim]!;
  const where = `(${before}, ${after}) of dim ${dim} of input ${fmtShape(shape)}`;
  if (mode === "reflect" && (before >= n || after >= n)) {
    throw new RangeError(`pad: reflect padding must be smaller than the dim it pads, got ${where}`);
  }
  const kept = mode === "circular" ? n - Math.max(0, -before) - Math.max(0, -after) : n + before + after;
  if (kept < 1) throw new RangeError(`pad: ${mode} padding ${where} leaves no elements`);
  if (mode === "circular" && (before > kept || after > kept)) {
    throw new RangeError(`pad: circular padding ${where} wraps around more than once`);
  }
}

/**
 * Pads the last dims by (before, after) pairs listed from the LAST dim: [left, right, top, bottom, …];
 * a negative amount crops. 'constant' fills with `value` (default 0); reflect, replicate and
 * circular pad the last 1 to 3 dims of a batched or unbatched input ([N, C, …] or [C, …];
 * circular only batched), gathering from the input, so gradients add back.
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = "constant", value?: number | null): Tensor {
  if (pads.length % 2 || pads.some((p) => !Number.isInteger(p))) {
    throw new RangeError(`pad: needs (before, after) pairs of integers, got ${fmtShape(pads)}`);
  }
  const k = pads.length / 2;
  const pairs = Array.from({ length: k }, (_, i) => [pads[2 * i]!, pads[2 * i + 1]!] as [number, number]);
  if (mode === "constant") {
    if (k > x.ndim) throw new RangeError(`pad: ${k} padding pairs for an input of shape ${fmtShape(x.shape)}`);
    let y = x;
    pairs.forEach(([before, after], i) => {
      const dim = x.ndim - 1 - i;
      const n = x.shape[dim]!;
      if (n + before + after < 0) {
        throw new RangeError(
          `pad: (${before}, ${after}) crops more than dim ${dim} of input ${fmtShape(x.shape)} holds`,
        );
      }
      if (before < 0 || after < 0) y = y.slice(dim, Math.max(0, -before), n - Math.max(0, -after));
    });
    return functions.pad(
      y,
      pads.map((p) => Math.max(0, p)),
      value ?? 0,
    );
  }
  if (mode !== "reflect" && mode !== "replicate" && mode !== "circular") {
    throw new RangeError(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '${String(mode)}'`);
  }
  if (value !== undefined && value !== null) throw new RangeError(`pad: ${mode} padding takes no value, got ${value}`);
  const ranks = mode === "circular" ? [k + 2] : [k + 1, k + 2];
  if (k < 1 || k > 3 || !ranks.includes(x.ndim)) {
    throw new RangeError(
      `pad: ${mode} padding of ${k} dims needs a ${ranks.join("-d or ")}-d input (1 to 3 dims padded), got shape ${fmtShape(x.shape)}`,
    );
  }
  let y = x;
  pairs.forEach((pair, i) => {
    const dim = x.ndim - 1 - i;
    if (pair[0] === 0 && pair[1] === 0) return;
    checkPadPair(mode, x.shape, dim, pair);
    y = y.indexSelect(dim, creation.tensor(padIndex(mode, x.shape[dim]!, ...pair)));
  });
  return y;
}

/** A pad sample: the pairs, the mode and the fill. */
interface PadAttrs {
  pads: number[];
  mode: PadMode;
  value?: number;
}

const padSample = (shape: number[], pads: number[], mode: PadMode, value?: number) => ({
  inputs: [{ shape }],
  attrs: { pads, mode, value },
  torch: `torch.nn.functional.pad(x0, (${pads.join(", ")}), mode='${mode}'${value === undefined ? "" : `, value=${value}`})`,
});

/** pad's table entry: negative pads (crops) in every mode. */
export const padComposite = defineComposite<PadAttrs>({
  name: "pad",
  call: ([x], a) => pad(x as Tensor, a.pads, a.mode, a.value),
  samples: [
    padSample([2, 3, 5], [-1, 2, 1, -1], "constant", 0.5),
    padSample([2, 3], [1, 1, -1, 0], "constant"),
    padSample([2, 5], [3, -2], "reflect"),
    padSample([2, 3, 4], [-1, 3, 2, 1], "reflect"),
    padSample([1, 1, 2, 3, 4], [1, -1, 2, 0, 1, 1], "reflect"),
    padSample([1, 2, 4], [-5, 3], "replicate"),
    padSample([1, 2, 3, 4], [2, -1, -1, 3], "replicate"),
    padSample([2, 2, 3, 3], [1, 1, -1, 2, 2, 0], "replicate"),
    padSample([1, 2, 5], [-2, 1], "circular"),
    padSample([1, 1, 3, 4], [3, -1, 1, 2], "circular"),
    padSample([1, 1, 2, 3, 2], [1, 1, -1, 1, 2, 0], "circular"),
  ],
});
