// Attention: scaled dot-product attention over [..., L, E] and PyTorch's multi-head attention
// forward on sequence-first [L, N, E] inputs (in-projection, per-head attention, out-projection).

import { creation, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { fmtShape } from "../../core/shape.js";
import { dropout, linear } from "./basic.js";

/** A mask as attention takes it: bool (true = may NOT attend) or float (added to the scores). */
function additiveMask(mask: Tensor, dtype: Tensor["dtype"]): Tensor {
  return mask.dtype === "bool" ? functions.where(mask, -Infinity, 0).to(dtype) : mask;
}

/** Options of scaledDotProductAttention. */
export interface AttentionOptions {
  /** Bool (true = masked out) or additive float mask broadcast against the scores [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights. */
  dropoutP?: number;
  /** Mask out keys after each query (a causal mask). */
  isCausal?: boolean;
  /** Multiplies the scores (default 1/√E). */
  scale?: number;
}

/** softmax(q·kᵀ·scale + mask)·v for q [..., L, E], k [..., S, E], v [..., S, Ev]; returns [output, weights]. */
export function attentionWithWeights(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): [Tensor, Tensor] {
  const e = q.shape[q.ndim - 1]!;
  let scores = q.mul(opts.scale ?? 1 / Math.sqrt(e)).matmul(k.transpose(-2, -1));
  if (opts.isCausal) {
    const [l, len] = scores.shape.slice(-2) as [number, number];
    const data = new Float64Array(l * len);
    for (let i = 0; i < l; i++) data.fill(-Infinity, i * len + i + 1, (i + 1) * len);
    scores = scores.add(creation.tensor(data, { dtype: scores.dtype, shape: [l, len] }));
  }
  if (opts.attnMask) scores = scores.add(additiveMask(opts.attnMask, scores.dtype));
  let weights = scores.softmax(-1);
  if (opts.dropoutP) weights = dropout(weights, opts.dropoutP);
  return [weights.matmul(v), weights];
}

/** Attention output for q [..., L, E], k [..., S, E], v [..., S, Ev] (torch's scaled_dot_product_attention). */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  return attentionWithWeights(q, k, v, opts)[0];
}

/** The learnable tensors of multi-head attention. */
export interface MultiheadWeights {
  /** Packed [3E, E] projection when q, k and v have the embedding size. */
  inProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  /** Separate projections, used when inProjWeight is null (kdim/vdim differ from E). */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
}

/** Options of multiHeadAttentionForward. */
export interface MultiheadOptions {
  /** Bool [N, S]: true marks keys to ignore (padding). */
  keyPaddingMask?: Tensor | null;
  /** Bool or float mask [L, S] or [N·heads, L, S]. */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads (default true). */
  averageAttnWeights?: boolean;
  /** Dropout probability on the attention weights, applied when training. */
  dropoutP?: number;
  training?: boolean;
}

/**
 * Multi-head attention on sequence-first query [L, N, E], key [S, N, Ek], value [S, N, Ev];
 * returns [output [L, N, E], weights [N, L, S] (or per head [N, heads, L, S]) | null].
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  numHeads: number,
  w: MultiheadWeights,
  opts: MultiheadOptions = {},
): [Tensor, Tensor | null] {
  const [l, n, e] = query.shape as [number, number, number];
  const s = key.shape[0]!;
  if (key.ndim !== 3 || value.ndim !== 3 || key.shape[1] !== n || value.shape[0] !== s || value.shape[1] !== n) {
    throw new RangeError(
      `multiHeadAttention: query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)} and value ` +
        `${fmtShape(value.shape)} must be [L, N, E], [S, N, Ek] and [S, N, Ev]`,
    );
  }
  const hd = e / numHeads;
  const bias = (i: number) => (w.inProjBias ? w.inProjBias.slice(0, i * e, (i + 1) * e) : null);
  const proj = (i: number, x: Tensor, separate: Tensor | null | undefined) =>
    linear(x, w.inProjWeight ? w.inProjWeight.slice(0, i * e, (i + 1) * e) : separate!, bias(i));
  const heads = (t: Tensor, len: number) => t.reshape([len, n * numHeads, hd]).transpose(0, 1);
  const q = heads(proj(0, query, w.qProjWeight), l);
  const k = heads(proj(1, key, w.kProjWeight), s);
  const v = heads(proj(2, value, w.vProjWeight), s);
  let mask: Tensor | null = opts.attnMask ? additiveMask(opts.attnMask, q.dtype) : null;
  if (mask && mask.ndim === 3 && (mask.shape[0] !== n * numHeads || mask.shape[1] !== l || mask.shape[2] !== s)) {
    throw new RangeError(
      `multiHeadAttention: a 3-d attnMask must be [${n * numHeads}, ${l}, ${s}], got ${fmtShape(mask.shape)}`,
    );
  }
  if (opts.keyPaddingMask) {
    const kpm = opts.keyPaddingMask;
    if (kpm.ndim !== 2 || kpm.shape[0] !== n || kpm.shape[1] !== s) {
      throw new RangeError(`multiHeadAttention: keyPaddingMask must be [${n}, ${s}], got ${fmtShape(kpm.shape)}`);
    }
    const perHead = additiveMask(kpm, q.dtype)
      .reshape([n, 1, 1, s])
      .expand([n, numHeads, 1, s])
      .reshape([n * numHeads, 1, s]);
    mask = mask ? mask.add(perHead) : perHead;
  }
  const [out, weights] = attentionWithWeights(q, k, v, {
    attnMask: mask,
    dropoutP: opts.training === false ? 0 : (opts.dropoutP ?? 0),
  });
  const merged = out.transpose(0, 1).reshape([l * n, e]);
  const result = linear(merged, w.outProjWeight, w.outProjBias).reshape([l, n, e]);
  if (opts.needWeights === false) return [result, null];
  const perHeadWeights = weights.reshape([n, numHeads, l, s]);
  return [result, opts.averageAttnWeights === false ? perHeadWeights : perHeadWeights.mean(1)];
}
