// Scaled dot-product attention as one primitive: softmax(q·kᵀ·scale + mask)·v computed a block
// of query rows at a time over streamed key blocks (an online softmax), so the [L, S] score
// matrix is never held; only each row's logsumexp is kept, and the fused backward recomputes the
// probabilities from it. The reference backward recomputes them with recorded ops, so attention
// has second derivatives. Dropout on the weights is not part of it: nn keeps the composed form then.

import { kernels } from "../backend/registry.js";
import { isFloat } from "../core/dtype.js";
import { broadcastShapes, fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { softmax } from "./activation.js";
import { add, mul, sub } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { type BackwardRule, defineOp } from "./define.js";
import type { ExplainRule } from "./explain-rule.js";
import { matmul } from "./linalg.js";
import type { Sample } from "./samples.js";
import { broadcastView, castRaw, wrap, zerosRaw } from "./unrecorded.js";
import { transpose } from "./view.js";

/** The fused attention's attributes. */
export interface AttentionAttrs {
  /** Multiplies q·kᵀ before the mask is added. */
  scale: number;
  /** Query i attends to keys 0 … i only (top-left aligned, also when L ≠ S). */
  causal: boolean;
}

/** The top-left aligned causal mask [L, S]: 0 where key j ≤ query i, −∞ after. */
export function causalMask(l: number, s: number, dtype: Tensor["dtype"]): Tensor {
  const data = new Float64Array(l * s);
  for (let i = 0; i < l; i++) data.fill(-Infinity, i * s + Math.min(i + 1, s), (i + 1) * s);
  return wrap(kernels().upload(dtype, data), dtype, [l, s]);
}

/** The shapes every operand is seen at: the broadcast batch dims, then each one's own last two. */
function geometry([q, k, v, mask]: Tensor[]) {
  const op = "attention";
  const shapes = `q ${fmtShape(q!.shape)}, k ${fmtShape(k!.shape)} and v ${fmtShape(v!.shape)}`;
  if (
    q!.ndim < 2 ||
    k!.ndim < 2 ||
    v!.ndim < 2 ||
    k!.shape.at(-1) !== q!.shape.at(-1) ||
    k!.shape.at(-2) !== v!.shape.at(-2)
  ) {
    throw new RangeError(`${op}: ${shapes} must be [..., L, E], [..., S, E] and [..., S, Ev]`);
  }
  const [l, e] = q!.shape.slice(-2) as [number, number];
  const [s, ev] = [k!.shape.at(-2)!, v!.shape.at(-1)!];
  const batchOf = (t: Tensor) => t.shape.slice(0, Math.max(0, t.ndim - 2));
  const maskTail = mask ? mask.shape.slice(-2) : [];
  const maskFits = maskTail.every((n, i) => n === 1 || n === [l, s][i + 2 - maskTail.length]);
  if (!maskFits) {
    throw new RangeError(
      `${op}: a mask of shape ${fmtShape(mask!.shape)} does not broadcast to the scores [..., ${l}, ${s}]`,
    );
  }
  const batch = broadcastShapes(op, batchOf(q!), batchOf(k!), batchOf(v!), mask ? batchOf(mask) : []);
  return { batch, l, s, e, ev };
}

/** The kernel views of the forward's operands, broadcast to the common batch dims. */
function viewsOf(inputs: Tensor[], out: Tensor, lse: Tensor, a: AttentionAttrs) {
  const [q, k, v, mask] = inputs;
  const { batch, l, s, e, ev } = geometry(inputs);
  return {
    q: broadcastView(q!, [...batch, l, e]),
    k: broadcastView(k!, [...batch, s, e]),
    v: broadcastView(v!, [...batch, s, ev]),
    mask: mask ? broadcastView(mask, [...batch, l, s]) : null,
    out: out._view(),
    lse: lse._view(),
    scale: a.scale,
    causal: a.causal,
  };
}

/**
 * The gradients with recorded ops, from probabilities recomputed the composed way:
 * dV = Pᵀ·G, dS = P∘(G·Vᵀ − rowsum(P∘(G·Vᵀ))), dQ = dS·K·scale, dK = dSᵀ·Q·scale, dMask = dS.
 * rowsum(P∘dP) equals the fused kernel's rowsum(G∘O) but keeps O's dependence on the inputs, so
 * this rule differentiates again.
 */
const attentionBackward: BackwardRule<AttentionAttrs> = (g, { inputs: [q, k, v, mask], attrs }) => {
  let scores = mul(matmul(q!, transpose(k!, -2, -1)), attrs.scale);
  if (mask) scores = add(scores, mask);
  if (attrs.causal) scores = add(scores, causalMask(q!.shape.at(-2)!, k!.shape.at(-2)!, scores.dtype));
  const p = softmax(scores, -1);
  const dp = matmul(g, transpose(v!, -2, -1));
  const ds = mul(p, sub(dp, sum(mul(p, dp), -1, true)));
  return [
    mul(matmul(ds, k!), attrs.scale),
    mul(matmul(transpose(ds, -2, -1), q!), attrs.scale),
    matmul(transpose(p, -2, -1), g),
    mask ? ds : null,
  ];
};

const explain: ExplainRule = {
  text: (a) => `softmax(${a[0]}·${a[1]}ᵀ·scale${a[3] ? ` + ${a[3]}` : ""})·${a[2]}`,
  tex: (a) => `\\operatorname{softmax}(${a[0]} ${a[1]}^\\top s${a[3] ? ` + ${a[3]}` : ""})\\, ${a[2]}`,
  rule: "P = softmax(S); dV = Pᵀ·G, dS = P∘(G·Vᵀ − rowsum(G∘O)), dQ = dS·K·scale, dK = dSᵀ·Q·scale",
  ruleTex: "dV = P^\\top G,\\; dS = P \\odot (G V^\\top - \\operatorname{rowsum}(G \\odot O)),\\; dQ = s\\, dS\\, K",
};

/** A sample: q, k, v (and an additive mask) of these shapes, the same attention written out for torch. */
function sample(shapes: number[][], scale: number | null, causal: boolean, note?: string): Sample<AttentionAttrs> {
  const [q, k] = shapes as [number[], number[]];
  const s = scale ?? 1 / Math.sqrt(q.at(-1)!);
  let scores = `(x0 @ x1.transpose(-2, -1) * ${s})`;
  if (shapes.length > 3) scores = `(${scores} + x3)`;
  if (causal) scores += `.masked_fill(~torch.ones(${q.at(-2)}, ${k.at(-2)}, dtype=torch.bool).tril(), float('-inf'))`;
  return {
    inputs: shapes.map((shape) => ({ shape })),
    attrs: { scale: s, causal },
    torch: `torch.softmax(${scores}, -1) @ x2`,
    ...(note ? { note } : {}),
  };
}

/** The fused attention primitive: q [..., L, E], k [..., S, E], v [..., S, Ev] and an optional additive mask. */
export const attentionOp = defineOp<AttentionAttrs>({
  name: "attention",
  forward: (inputs, a, keep) => {
    const [q, k, v, mask] = inputs;
    const dt = q!.dtype;
    if (!isFloat(dt) || [k, v, mask].some((t) => t && t.dtype !== dt)) {
      const got = inputs.map((t) => `${fmtShape(t.shape)} ${t.dtype}`).join(", ");
      throw new TypeError(`attention: q, k, v and the mask must share one float dtype, got ${got}`);
    }
    const { batch, l, ev } = geometry(inputs);
    const out = zerosRaw([...batch, l, ev], dt);
    const lse = zerosRaw([...batch, l], dt);
    if (out.numel() > 0) kernels().attention(viewsOf(inputs, out, lse, a));
    keep(lse);
    return out;
  },
  save: { inputs: (needs) => [...needs.keys()], output: true },
  backward: attentionBackward,
  // one kernel for dQ, dK and dV; a mask that wants its gradient (dS itself) takes the reference rule
  fastBackward: (g, ctx) => {
    const { inputs, output, kept, attrs, needsInputGrad } = ctx;
    if (needsInputGrad[3]) return attentionBackward(g, ctx);
    const q = inputs[0]!;
    const { batch, l, s, e, ev } = geometry(inputs as Tensor[]);
    const [gq, gk, gv] = [
      zerosRaw([...batch, l, e], q.dtype),
      zerosRaw([...batch, s, e], q.dtype),
      zerosRaw([...batch, s, ev], q.dtype),
    ];
    if (gq.numel() + gk.numel() + gv.numel() > 0) {
      const gOut = broadcastView(castRaw(g, q.dtype), output.shape);
      const views = viewsOf(inputs as Tensor[], output, kept[0]!, attrs);
      kernels().attentionBackward({ ...views, gOut, gq: gq._view(), gk: gk._view(), gv: gv._view() });
    }
    return [gq, gk, gv, null];
  },
  explain,
  samples: [
    sample(
      [
        [2, 3, 4],
        [2, 5, 4],
        [2, 5, 3],
      ],
      null,
      false,
    ),
    sample(
      [
        [1, 2, 4, 3],
        [1, 2, 3, 3],
        [1, 2, 3, 2],
      ],
      0.7,
      true,
      "causal with more queries than keys: the last rows see every key",
    ),
    sample(
      [
        [2, 3, 2],
        [1, 5, 2],
        [2, 5, 3],
      ],
      null,
      true,
      "causal with fewer queries than keys; k broadcast over the batch",
    ),
    sample(
      [
        [2, 2, 3, 2],
        [2, 2, 4, 2],
        [2, 2, 4, 3],
        [2, 1, 3, 4],
      ],
      1.5,
      false,
      "an additive mask broadcast over heads",
    ),
    sample([[3, 2], [5, 2], [5, 1], [5]], null, true, "no batch dims; a mask over keys only"),
  ],
});

/** softmax(q·kᵀ·scale + mask)·v as the fused primitive; `mask` is additive, of q's dtype. */
export function attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, attrs: AttentionAttrs): Tensor {
  return attentionOp(mask ? [q, k, v, mask] : [q, k, v], attrs);
}
