// The negative log-likelihood of class indices as one primitive (PyTorch's NllLossBackward): a
// classifier's loss is then two graph nodes, log-softmax and this, instead of a dozen small ops
// each recorded, kept and differentiated. The forward picks each target's log-probability with
// one gather; the backward scatters −w·g back onto those positions in one pass.

import { kernels } from "../backend/registry.js";
import type { Shape } from "../core/shape.js";
import { isGradEnabled } from "../graph/grad-mode.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { div, mul, ne } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { type BackwardRule, defineOp } from "./define.js";
import { callRule } from "./explain-rule.js";
import { gather, indexSelect, scatterAdd } from "./index-ops.js";
import { neg } from "./math.js";
import { amax, amin } from "./reduce.js";
import { flatten, reshape, squeeze, to, unsqueeze } from "./view.js";
import { cloneRaw, fullRaw, zerosRaw } from "./unrecorded.js";
import { where } from "./where.js";

/** How the per-element losses combine. */
export type NllReduction = "mean" | "sum" | "none";

interface NllAttrs {
  ignoreIndex: number;
  reduction: NllReduction;
  /** The log-probabilities' shape, for the gradient. */
  shape: Shape;
}

/**
 * Each element's weight: the class weight of its target (1 without class weights), 0 where the
 * target is ignoreIndex; and the targets with ignored ones replaced by class 0 (weight 0 there),
 * safe to gather and scatter with.
 */
export function targetWeights(
  logp: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
): { safe: Tensor; w: Tensor; valid: Tensor } {
  const valid = ne(target, ignoreIndex);
  const safe = where(valid, target, 0);
  const w = weight ? mul(reshape(indexSelect(weight, 0, flatten(safe)), safe.shape), valid) : to(valid, logp.dtype);
  return { safe, w, valid };
}

/** Targets this many or fewer are read and checked here; more are checked by their min and max. */
const READ_TARGETS = 256;

/** Every (non-ignored) target must name a class: a negative one would wrap around in gather. */
function checkTargets(safe: Tensor, classes: number): void {
  const n = safe.numel();
  if (n === 0) return;
  const seen = n <= READ_TARGETS ? safe.dataSync() : [amin(safe).item(), amax(safe).item()];
  for (const t of seen) {
    if (t < 0 || t >= classes) {
      throw new RangeError(`nllLoss: target ${t} is out of bounds for ${classes} classes (expected 0..${classes - 1})`);
    }
  }
}

/**
 * ∂loss/∂logp[n, t_n] = −w_n·g_n (none), −w_n·g (sum), −w_n·g/Σw (mean); 0 at the other classes:
 * each element's share (kept by the forward) times g, scattered onto the targets' positions.
 * `fused` scatters with one kernel call into a fresh plane; otherwise with the recorded scatterAdd,
 * which is differentiable in g.
 */
function nllBackward(fused: boolean): BackwardRule<NllAttrs> {
  return (g, { kept: [safe, share], attrs: { shape } }) => {
    const src = unsqueeze(mul(share!, g), 1);
    const index = unsqueeze(safe!, 1);
    if (!fused) return [scatterAdd(fullRaw(shape, 0, src.dtype), 1, index, src), null, null];
    const out = zerosRaw(shape, src.dtype);
    if (index.numel() > 0) {
      const dense = src.isContiguous() ? src : cloneRaw(src);
      kernels().scatterAdd(out.storage.handle, shape, 1, index._view(), dense._view());
    }
    return [out, null, null];
  };
}

/** The nllLoss primitive over log-probabilities [N, C, …], int32 targets [N, …] and optional class weights [C]. */
export const nllOp = defineOp<NllAttrs>({
  name: "nllLoss",
  gradName: "NllLossBackward",
  forward: ([logp, target, weight], { ignoreIndex, reduction }, keep) => {
    const { safe, w, valid } = targetWeights(logp!, target!, weight ?? null, ignoreIndex);
    checkTargets(safe, logp!.shape[1]!);
    const terms = mul(squeeze(gather(logp!, 1, unsqueeze(safe, 1)), 1), w);
    keep(safe);
    if (reduction !== "mean") {
      // each element's ∂loss/∂logp at its target, per unit of upstream gradient
      keep(neg(w));
      return reduction === "none" ? neg(terms) : neg(sum(terms));
    }
    // the mean divides by the targets' summed weights (all ignored: 0/0, NaN, as in PyTorch); an
    // element's share −w/Σw is 0 where ignored, so that NaN stays out of the gradient
    const negSum = neg(sum(w));
    keep(where(valid, div(w, negSum), 0));
    return div(sum(terms), negSum);
  },
  backward: nllBackward(false),
  fastBackward: nllBackward(true),
  explain: callRule(
    "nll",
    2,
    "picks each target's log-probability: −w·G routes to the target class of each row, 0 to the others (÷ Σw for the mean)",
    "\\frac{\\partial L}{\\partial x_{n,c}} = -[c = t_n]\\, w_{t_n} G",
    "route",
  ),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3], domain: "index", bound: 4 }],
      attrs: { ignoreIndex: -100, reduction: "mean", shape: [3, 4] },
      torch: "torch.nn.functional.nll_loss(x0, x1.long())",
    },
    {
      inputs: [
        { shape: [2, 3, 2] },
        { shape: [2, 2], domain: "index", values: [0, -1, 2, 1] },
        { shape: [3], domain: "positive", grad: false },
      ],
      attrs: { ignoreIndex: -1, reduction: "mean", shape: [2, 3, 2] },
      torch: "torch.nn.functional.nll_loss(x0, x1.long(), weight=x2, ignore_index=-1)",
      note: "class weights, a spatial dim and an ignored target",
    },
    {
      inputs: [{ shape: [4, 3] }, { shape: [4], domain: "index", bound: 3 }],
      attrs: { ignoreIndex: -100, reduction: "none", shape: [4, 3] },
      torch: "torch.nn.functional.nll_loss(x0, x1.long(), reduction='none')",
    },
  ],
});

/**
 * The negative log-likelihood of log-probabilities logp [N, C, …] at int32 class indices target
 * [N, …] (checked by the caller), with optional class weights [C]; targets equal to ignoreIndex
 * count for nothing.
 */
export function nll(
  logp: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: NllReduction,
): Tensor {
  if (weight?.requiresGrad && isGradEnabled()) {
    throw new Error(
      "nllLoss: the gradient with respect to the class weights is not implemented (nor is it in PyTorch); " +
        "pass weight.detach()",
    );
  }
  // the loss keeps the log-probabilities' dtype, whatever the weights'
  const w = weight && weight.dtype !== logp.dtype ? to(weight, logp.dtype) : weight;
  const inputs = w ? [logp, target, w] : [logp, target];
  return nllOp(inputs, { ignoreIndex, reduction, shape: logp.shape });
}
