// Loss functions composed from ops, with PyTorch's formulas and reductions ('mean' | 'sum' | 'none').
// Cross-entropy takes class indices (int32, with ignoreIndex and weights normalising the mean as
// PyTorch does) or class probabilities, both with label smoothing.

import { functions, nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { fmtShape, sameShape } from "../../core/shape.js";

/** How a loss combines its per-element values. */
export type Reduction = "mean" | "sum" | "none";

/** The reduction option every loss takes. */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Applies a reduction (mean over all elements, sum, or none). */
export function reduceLoss(loss: Tensor, reduction: Reduction = "mean"): Tensor {
  checkReduction(reduction);
  return reduction === "mean" ? loss.mean() : reduction === "sum" ? loss.sum() : loss;
}

function checkReduction(reduction: Reduction): void {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new RangeError(`loss: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

function sameShapes(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${op}: target shape ${fmtShape(target.shape)} must match input shape ${fmtShape(input.shape)}`,
    );
  }
}

/** log σ(x) = min(x, 0) − log(1 + e^−|x|): finite for any x, and its gradient at 0 is ½ (minimum splits the tie). */
export function logsigmoid(x: Tensor): Tensor {
  return x.minimum(0).sub(x.abs().neg().exp().log1p());
}

/** Mean squared error (x − y)². */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  sameShapes("mseLoss", input, target);
  return reduceLoss(input.sub(target).square(), opts.reduction);
}

/** Mean absolute error |x − y|. */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  sameShapes("l1Loss", input, target);
  return reduceLoss(input.sub(target).abs(), opts.reduction);
}

/** Huber loss: ½d² for |d| < delta, else delta·(|d| − ½delta). */
export function huberLoss(input: Tensor, target: Tensor, opts: ReductionOptions & { delta?: number } = {}): Tensor {
  sameShapes("huberLoss", input, target);
  const delta = opts.delta ?? 1;
  const d = input.sub(target);
  const a = d.abs();
  return reduceLoss(functions.where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta)), opts.reduction);
}

/** Smooth L1: ½d²/beta for |d| < beta, else |d| − ½beta (L1 when beta is 0). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  sameShapes("smoothL1Loss", input, target);
  const beta = opts.beta ?? 1;
  const d = input.sub(target);
  const a = d.abs();
  if (beta === 0) return reduceLoss(a, opts.reduction);
  return reduceLoss(functions.where(a.lt(beta), d.square().mul(0.5 / beta), a.sub(0.5 * beta)), opts.reduction);
}

/** Options of the binary cross-entropies. */
export interface BCEOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Tensor | null;
}

/** −(y·log x + (1 − y)·log(1 − x)) on probabilities x, each log clamped at −100 as in PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  sameShapes("binaryCrossEntropy", input, target);
  const pos = target.mul(input.log().clamp(-100));
  const neg = target.neg().add(1).mul(input.neg().add(1).log().clamp(-100));
  const loss = pos.add(neg).neg();
  return reduceLoss(opts.weight ? loss.mul(opts.weight) : loss, opts.reduction);
}

/** Options of binaryCrossEntropyWithLogits. */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive term per class (broadcast along the last dim). */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits, stable for any magnitude:
 * (1 − y)·x − (1 + (posWeight − 1)·y)·log σ(x).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  sameShapes("binaryCrossEntropyWithLogits", input, target);
  const logWeight = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  const ls = logsigmoid(input);
  const loss = target
    .neg()
    .add(1)
    .mul(input)
    .sub(logWeight ? logWeight.mul(ls) : ls);
  return reduceLoss(opts.weight ? loss.mul(opts.weight) : loss, opts.reduction);
}

/** Options of nllLoss and crossEntropy. */
export interface NLLOptions extends ReductionOptions {
  /** A weight per class [C]; the mean divides by the summed weights of the targets. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (default −100). */
  ignoreIndex?: number;
}

/** Checks input [N, C, …] / [C] against integer target [N, …] / [], adding the batch dim when unbatched. */
function classInputs(op: string, input: Tensor, target: Tensor): [Tensor, Tensor] {
  if (input.ndim === 1 && target.ndim === 0) return [input.unsqueeze(0), target.unsqueeze(0)];
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (input.ndim < 2 || !sameShape(target.shape, expected)) {
    throw new RangeError(
      `${op}: expected input [N, C, …] and class-index target [N, …]; got input ${fmtShape(input.shape)} ` +
        `and target ${fmtShape(target.shape)}`,
    );
  }
  return [input, target];
}

function nllOf(logp: Tensor, target: Tensor, opts: NLLOptions): Tensor {
  if (target.dtype !== "int32") {
    throw new TypeError(`nllLoss: class-index targets must be int32, got ${target.dtype}`);
  }
  const reduction = opts.reduction ?? "mean";
  checkReduction(reduction);
  return nnFunctions.nll(logp, target, opts.weight ?? null, opts.ignoreIndex ?? -100, reduction);
}

function reduceWeighted(loss: Tensor, w: Tensor, reduction: Reduction = "mean"): Tensor {
  return reduction === "mean" ? loss.sum().div(w.sum()) : reduceLoss(loss, reduction);
}

/** Negative log-likelihood of log-probabilities input [N, C, …] at class-index targets [N, …]. */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLOptions = {}): Tensor {
  const [x, t] = classInputs("nllLoss", input, target);
  const loss = nllOf(x, t, opts);
  return input.ndim === 1 && opts.reduction === "none" ? loss.squeeze(0) : loss;
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends NLLOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C, …] (or [C]) against class indices (int32 [N, …]) or class
 * probabilities (same shape as the input), as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classDim]!;
  const wShape = input.shape.map((s, d) => (d === classDim ? s : 1));
  if (opts.weight && (opts.weight.ndim !== 1 || opts.weight.shape[0] !== c)) {
    throw new RangeError(`crossEntropy: weight must have shape [${c}], got ${fmtShape(opts.weight.shape)}`);
  }
  if (target.dtype !== "int32") {
    // class probabilities
    sameShapes("crossEntropy (probability targets)", input, target);
    const t = eps > 0 ? target.mul(1 - eps).add(eps / c) : target;
    const logp = input.logSoftmax(classDim);
    const terms = logp.mul(t);
    const loss = (opts.weight ? terms.mul(opts.weight.reshape(wShape)) : terms).sum(classDim).neg();
    if (opts.reduction === "mean" || opts.reduction === undefined) return loss.sum().div(input.numel() / c);
    return reduceLoss(loss, opts.reduction);
  }
  const [x, t] = classInputs("crossEntropy", input, target);
  const logp = x.logSoftmax(1);
  const unbatch = (l: Tensor) => (input.ndim === 1 && opts.reduction === "none" ? l.squeeze(0) : l);
  const nllTerm = unbatch(nllOf(logp, t, opts));
  if (eps === 0) return nllTerm;
  // the uniform part: −Σ_c w_c·log p_c per element, masked and normalised like the nll term
  // w: the targets' class weights (without class weights, 1 where not ignored), the mean's denominator
  const { w, valid } = nnFunctions.targetWeights(logp, t, opts.weight ?? null, opts.ignoreIndex ?? -100);
  const xShape = x.shape.map((s, d) => (d === 1 ? s : 1));
  const weighted = opts.weight ? logp.mul(opts.weight.reshape(xShape)) : logp;
  const smooth = weighted.sum(1).neg().mul(valid);
  const smoothRed = reduceWeighted(unbatch(smooth), w, opts.reduction);
  return nllTerm.mul(1 - eps).add(smoothRed.mul(eps / c));
}

/** Options of klDiv. */
export interface KLDivOptions {
  /** 'batchmean' divides the sum by the batch size (the true KL divergence); 'mean' by the element count. */
  reduction?: Reduction | "batchmean";
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/** Kullback–Leibler divergence of log-probabilities `input` from `target`: Σ t·(log t − input). */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivOptions = {}): Tensor {
  sameShapes("klDiv", input, target);
  let loss: Tensor;
  if (opts.logTarget) loss = target.exp().mul(target.sub(input));
  // t·log t is 0 at t = 0 (xlogy); log of 1 there keeps the gradient finite
  else loss = target.mul(functions.where(target.gt(0), target, 1).log()).sub(target.mul(input));
  if (opts.reduction === "batchmean") return loss.sum().div(input.ndim ? input.shape[0]! : 1);
  return reduceLoss(loss, opts.reduction);
}
