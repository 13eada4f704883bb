// The small functional ops: linear, dropout (seeded by the default generator), embedding lookup,
// one-hot encoding and padding in PyTorch's four modes.

import { creation, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { fmtShape } from "../../core/shape.js";
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

/** Source index of each padded position along a dim of size n. */
function padIndex(mode: Exclude<PadMode, "constant">, n: number, before: number, after: number): Int32Array {
  return Int32Array.from({ length: n + before + after }, (_, k) => {
    const i = k - before;
    if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
    if (mode === "circular") return ((i % n) + n) % n;
    const period = 2 * (n - 1);
    const m = ((i % period) + period) % period;
    return m < n ? m : period - m;
  });
}

/**
 * Pads the last dims by (before, after) pairs listed from the LAST dim: [left, right, top, bottom, …].
 * 'constant' fills with `value`; the other modes gather from the input, so gradients add back.
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = "constant", value = 0): Tensor {
  if (mode === "constant") return functions.pad(x, pads, value);
  if (pads.length % 2 || pads.length / 2 > x.ndim || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new RangeError(
      `pad: needs non-negative (before, after) pairs for at most ${x.ndim} dims, got ${fmtShape(pads)}`,
    );
  }
  let y = x;
  for (let k = 0; k < pads.length / 2; k++) {
    const dim = x.ndim - 1 - k;
    const [before, after] = [pads[2 * k]!, pads[2 * k + 1]!];
    if (!before && !after) continue;
    const n = x.shape[dim]!;
    if ((mode === "reflect" && (before >= n || after >= n)) || (mode === "circular" && (before > n || after > n))) {
      throw new RangeError(`pad: ${mode} padding (${before}, ${after}) is too large for dim ${dim} of size ${n}`);
    }
    const idx = padIndex(mode, n, before, after);
    y = y.indexSelect(dim, creation.tensor(idx));
  }
  return y;
}
