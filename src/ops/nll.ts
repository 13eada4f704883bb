// The negative log-likelihood of class indices as one primitive (PyTorch's NllLossBackward): a
// classifier's loss is then two graph nodes, log-softmax and this, instead of a dozen small ops
// each recorded, kept and differentiated. The forward picks each target's log-probability with
// one gather; the backward scatters −w·g back onto those positions in one pass.

import { isGradEnabled } from "../graph/grad-mode.js";
import { kernels } from "../backend/registry.js";
import type { Shape } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
import { scatterAdd } from "./index-ops.js";
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
  const valid = target.ne(ignoreIndex);
  const safe = where(valid, target, 0);
  const w = weight ? weight.indexSelect(0, safe.flatten()).reshape(safe.shape).mul(valid) : valid.to(logp.dtype);
  return { safe, w, valid };
}

/** Targets this many or fewer are read and checked here; more are checked by their min and max. */
const READ_TARGETS = 256;

/** Every (non-ignored) target must name a class: a negative one would wrap around in gather. */
function checkTargets(safe: Tensor, classes: number): void {
  const n = safe.numel();
  if (n === 0) return;
  const seen = n <= READ_TARGETS ? safe.dataSync() : [safe.amin().item(), safe.amax().item()];
  for (const t of seen) {
    if (t < 0 || t >= classes) {
      throw new RangeError(`nllLoss: target ${t} is out of bounds for ${classes} classes (expected 0..${classes - 1})`);
    }
  }
}

const nllOp = defineOp<NllAttrs>({
  name: "nllLoss",
  gradName: "NllLossBackward",
  // inputs: log-probabilities [N, C, …], int32 targets [N, …], and optionally class weights [C]
  forward: ([logp, target, weight], { ignoreIndex, reduction }, keep) => {
    const { safe, w, valid } = targetWeights(logp!, target!, weight ?? null, ignoreIndex);
    checkTargets(safe, logp!.shape[1]!);
    const terms = logp!.gather(1, safe.unsqueeze(1)).squeeze(1).mul(w);
    keep(safe);
    if (reduction !== "mean") {
      // each element's ∂loss/∂logp at its target, per unit of upstream gradient
      keep(w.neg());
      return reduction === "none" ? terms.neg() : terms.sum().neg();
    }
    // the mean divides by the targets' summed weights (all ignored: 0/0, NaN, as in PyTorch); an
    // element's share −w/Σw is 0 where ignored, so that NaN stays out of the gradient
    const negSum = w.sum().neg();
    keep(where(valid, w.div(negSum), 0));
    return terms.sum().div(negSum);
  },
  // ∂loss/∂logp[n, t_n] = −w_n·g_n (none), −w_n·g (sum), −w_n·g/Σw (mean); 0 at the other classes
  backward: (g, { kept: [safe, share], attrs: { shape } }) => {
    const src = share!.mul(g).unsqueeze(1);
    const index = safe!.unsqueeze(1);
    // createGraph: a recorded scatter, differentiable in g
    if (isGradEnabled()) return [scatterAdd(fullRaw(shape, 0, src.dtype), 1, index, src), null, null];
    const out = zerosRaw(shape, src.dtype);
    if (index.numel() > 0) {
      const dense = src.isContiguous() ? src : cloneRaw(src);
      kernels().scatterAdd(out.storage.handle, shape, 1, index._view(), dense._view());
    }
    return [out, null, null];
  },
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
  const w = weight && weight.dtype !== logp.dtype ? weight.to(logp.dtype) : weight;
  const inputs = w ? [logp, target, w] : [logp, target];
  return nllOp(inputs, { ignoreIndex, reduction, shape: logp.shape });
}
