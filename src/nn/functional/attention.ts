// Attention: scaled dot-product attention over [..., L, E] and PyTorch's multi-head attention
// forward on sequence-first [L, N, E] inputs (in-projection, per-head attention, out-projection).

import { functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { attention as fusedAttention, causalMask } from "../../ops/attention.js";
import { defineComposite } from "../../ops/composite.js";
import { Handoff } from "../handoff.js";
import { dropout, linear } from "./basic.js";
import { asTensors } from "./spatial-args.js";

/** Multi-head attention's mask: bool (true = may NOT attend) or float (added to the scores). */
function additiveMask(mask: Tensor, dtype: Tensor["dtype"]): Tensor {
  return mask.dtype === "bool" ? functions.where(mask, -Infinity, 0).to(dtype) : mask;
}

/** softmax(q·kᵀ·scale + bias)·v, dropout on the weights; returns [output, weights]. */
function attend(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  bias: Tensor | null,
  scale: number,
  dropoutP: number,
): [Tensor, Tensor] {
  let scores = q.matmul(k.transpose(-2, -1)).mul(scale);
  if (bias) scores = scores.add(bias);
  let weights = scores.softmax(-1);
  // NOTE: drawn only when dropoutP > 0, so attention without dropout leaves the generator alone
  if (dropoutP > 0) weights = dropout(weights, dropoutP);
  return [weights.matmul(v), weights];
}

/** Options of scaledDotProductAttention (torch 2.x's scaled_dot_product_attention keywords). */
export interface AttentionOptions {
  /** Bool (true = may attend) or additive float mask, broadcast against the scores [..., L, S]. */
  attnMask?: Tensor | null;
  /**
   * Dropout on the attention weights, drawn from the default generator (always applied, as in
   * PyTorch). Above 0 the weights are made whole (the composed path), not the fused op's blocks.
   */
  dropoutP?: number;
  /** Query i attends to keys 0 … i only (a lower-triangular mask from the top-left, also when L ≠ S). */
  isCausal?: boolean;
  /** Multiplies the scores (default 1/√E). */
  scale?: number | null;
  /** Grouped-query attention: k and v may have fewer heads (dim -3) than q, each shared by a group of q's. */
  enableGqa?: boolean;
}

const attentionKeys = ["attnMask", "dropoutP", "isCausal", "scale", "enableGqa"] as const;

/** k and v with q's heads: checked, and repeated for grouped-query attention. */
function sharedHeads(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor] {
  const op = "scaledDotProductAttention";
  if (q.ndim < 3 || k.ndim < 3 || v.ndim < 3) {
    throw new RangeError(
      `${op}: enableGqa needs heads at dim -3: q, k, v of at least 3 dims, got ${shapesOf(q, k, v)}`,
    );
  }
  const [hq, hk, hv] = [q, k, v].map((t) => t.shape[t.ndim - 3]!) as [number, number, number];
  if (hq % hk !== 0 || hq % hv !== 0) {
    throw new RangeError(
      `${op}: q's ${hq} heads must be a multiple of k's ${hk} and v's ${hv} (grouped-query attention), got ${shapesOf(q, k, v)}`,
    );
  }
  // each k/v head serves a group of neighbouring q heads, as torch's repeat_interleave(group, -3)
  return [k.repeatInterleave(hq / hk, -3), v.repeatInterleave(hq / hv, -3)];
}

const shapesOf = (q: Tensor, k: Tensor, v: Tensor) =>
  `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)}`;

/**
 * softmax(q·kᵀ·scale + bias)·v as the fused primitive (the scores never held whole), or null
 * where it does not apply: dropout on the weights, or operands of mixed dtypes (the composed
 * form promotes them).
 */
function fused(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, scale: number, p: number, causal = false) {
  const dt = q.dtype;
  if (p > 0 || (dt !== "float32" && dt !== "float64") || [k, v, bias].some((t) => t && t.dtype !== dt)) return null;
  return fusedAttention(q, k, v, bias, { scale, causal }) as Tensor;
}

/**
 * softmax(q·kᵀ·scale + mask)·v for q [..., L, E], k [..., S, E], v [..., S, Ev] (torch 2.x's
 * scaled_dot_product_attention): `scaledDotProductAttention(q, k, v, { isCausal: true })`.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const op = "scaledDotProductAttention";
  checkOptions(op, opts, attentionKeys);
  const e = q.shape[q.ndim - 1]!;
  if (
    q.ndim < 2 ||
    k.ndim < 2 ||
    v.ndim < 2 ||
    k.shape[k.ndim - 1] !== e ||
    k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]
  ) {
    throw new RangeError(`${op}: ${shapesOf(q, k, v)} must be [..., L, E], [..., S, E] and [..., S, Ev]`);
  }
  if (opts.isCausal && opts.attnMask) throw new RangeError(`${op}: attnMask and isCausal cannot both be set`);
  const p = opts.dropoutP ?? 0;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropoutP must be in [0, 1], got ${p}`);
  const [key, value] = opts.enableGqa ? sharedHeads(q, k, v) : [k, v];
  const mask = opts.attnMask;
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  let bias = mask ? (mask.dtype === "bool" ? functions.where(mask, 0, -Infinity).to(q.dtype) : mask) : null;
  const out = fused(q, key, value, bias, scale, p, opts.isCausal);
  if (out) return out;
  // NOTE: dropout needs the weights themselves, so it keeps the composed form
  if (opts.isCausal) bias = causalMask(q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!, q.dtype) as Tensor;
  return attend(q, key, value, bias, scale, p)[0];
}

/** The learnable tensors of multi-head attention. */
export interface MultiheadWeights {
  /** Packed [3E, E] projection when q, k and v have the embedding size. */
  inProjWeight: Tensor | null;
  /** Bias [3E] of the packed projection, or null for none. */
  inProjBias: Tensor | null;
  /** Separate projections, used when inProjWeight is null (kdim/vdim differ from E). */
  qProjWeight?: Tensor | null;
  /** Key projection [E, Ek], when the projections are separate. */
  kProjWeight?: Tensor | null;
  /** Value projection [E, Ev], when the projections are separate. */
  vProjWeight?: Tensor | null;
  /** Output projection [E, E]. */
  outProjWeight: Tensor;
  /** Output projection bias [E], or null for none. */
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
  /** Whether dropoutP applies; false turns it off (default true). */
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
  checkOptions("multiHeadAttention", opts, [
    "keyPaddingMask",
    "attnMask",
    "needWeights",
    "averageAttnWeights",
    "dropoutP",
    "training",
  ]);
  const [l, n, e] = query.shape as [number, number, number];
  const s = key.shape[0]!;
  if (key.ndim !== 3 || value.ndim !== 3 || key.shape[1] !== n || value.shape[0] !== s || value.shape[1] !== n) {
    throw new RangeError(
      `multiHeadAttention: query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)} and value ` +
        `${fmtShape(value.shape)} must be [L, N, E], [S, N, Ek] and [S, N, Ev]`,
    );
  }
  const hd = e / numHeads;
  // the projections and the heads' output are reachable only through the graph once used (see handoff.ts)
  const handoff = new Handoff();
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
  const p = opts.training === false ? 0 : (opts.dropoutP ?? 0);
  // the weights, when asked for, come from the composed form; otherwise the fused op serves
  const fusedOut = opts.needWeights === false ? fused(q, k, v, mask, 1 / Math.sqrt(hd), p) : null;
  const [out, weights] = fusedOut ? [fusedOut, null] : attend(q, k, v, mask, 1 / Math.sqrt(hd), p);
  for (const t of [q, k, v]) handoff.release(t, out);
  const merged = out.transpose(0, 1).reshape([l * n, e]);
  handoff.release(out, merged);
  const projected = linear(merged, w.outProjWeight, w.outProjBias);
  handoff.release(merged, projected);
  const result = projected.reshape([l, n, e]);
  if (opts.needWeights === false || !weights) return [result, null];
  const perHeadWeights = weights.reshape([n, numHeads, l, s]);
  return [result, opts.averageAttnWeights === false ? perHeadWeights : perHeadWeights.mean(1)];
}

/** An attention sample's options; the mask, when there is one, is the sample's fourth input. */
type AttentionAttrs = Omit<AttentionOptions, "attnMask">;

/**
 * A sample of scaledDotProductAttention: q, k, v (and a mask) of these shapes, and the same
 * attention written out for torch 1.13, which lacks scaled_dot_product_attention: softmax of the
 * scaled scores plus the mask, times v, with k and v's heads repeated for grouped-query attention.
 */
function attentionSample(
  [q, k, v]: [number[], number[], number[]],
  opts: AttentionAttrs,
  mask?: { shape: number[]; values?: number[]; bool: boolean },
) {
  const group = opts.enableGqa ? q.at(-3)! / k.at(-3)! : 1;
  const kv = (x: string) => (group > 1 ? `${x}.repeat_interleave(${group}, -3)` : x);
  const scale = opts.scale ?? 1 / Math.sqrt(q.at(-1)!);
  let scores = `(x0 @ ${kv("x1")}.transpose(-2, -1) * ${scale})`;
  if (opts.isCausal) {
    scores += `.masked_fill(~torch.ones(${q.at(-2)}, ${k.at(-2)}, dtype=torch.bool).tril(), float('-inf'))`;
  }
  if (mask) scores += mask.bool ? `.masked_fill(~x3, float('-inf'))` : ` + x3`;
  return {
    inputs: [
      { shape: q },
      { shape: k },
      { shape: v },
      ...(mask
        ? [mask.bool ? { shape: mask.shape, values: mask.values, dtype: "bool" as const } : { shape: mask.shape }]
        : []),
    ],
    attrs: opts,
    torch: `torch.softmax(${scores}, -1) @ ${kv("x2")}`,
  };
}

/** scaledDotProductAttention's table entry: masks of both kinds, causal with L ≠ S, scale, grouped queries. */
export const attentionComposite = defineComposite<AttentionAttrs>({
  name: "scaledDotProductAttention",
  call: (xs, opts) => {
    const [q, k, v, attnMask] = asTensors(xs);
    return scaledDotProductAttention(q!, k!, v!, { ...opts, attnMask });
  },
  options: {
    keys: attentionKeys,
    call: (xs, o) => {
      const [q, k, v] = asTensors(xs);
      return scaledDotProductAttention(q!, k!, v!, o);
    },
  },
  samples: [
    attentionSample(
      [
        [2, 3, 4],
        [2, 5, 4],
        [2, 5, 3],
      ],
      {},
    ),
    attentionSample(
      [
        [1, 2, 3, 2],
        [1, 2, 5, 2],
        [1, 2, 5, 2],
      ],
      { isCausal: true, scale: 0.3 },
    ),
    attentionSample(
      [
        [2, 4, 3],
        [2, 2, 3],
        [2, 2, 2],
      ],
      { isCausal: true },
    ),
    attentionSample(
      [
        [2, 3, 2],
        [2, 5, 2],
        [2, 5, 2],
      ],
      {},
      { shape: [3, 5], values: [1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], bool: true },
    ),
    attentionSample(
      [
        [2, 2, 3, 2],
        [2, 2, 4, 2],
        [2, 2, 4, 3],
      ],
      { scale: 1.5 },
      { shape: [2, 1, 1, 4], bool: false },
    ),
    attentionSample(
      [
        [1, 4, 3, 2],
        [1, 2, 5, 2],
        [1, 2, 5, 3],
      ],
      { enableGqa: true },
    ),
    attentionSample(
      [
        [2, 3, 2, 2],
        [2, 1, 3, 2],
        [2, 1, 3, 2],
      ],
      { enableGqa: true, scale: 0.8 },
      { shape: [3, 2, 3], values: [1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1], bool: true },
    ),
  ],
});
