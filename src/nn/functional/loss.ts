// Loss functions composed from ops, with PyTorch's formulas and reductions ('mean' | 'sum' | 'none').
// Cross-entropy takes class indices (int32, with ignoreIndex and weights normalising the mean as
// PyTorch does) or class probabilities, both with label smoothing.

import { functions, nnFunctions } from "../../api/functions.js";
import type { Lift } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape, sameShape } from "../../core/shape.js";
import * as bce from "../../ops/binary-cross-entropy.js";
import { defineComposite } from "../../ops/composite.js";
import type { SampleInput } from "../../ops/samples.js";
import { logsigmoid } from "./activation-smooth.js";

/** How a loss combines its per-element values. */
export type Reduction = "mean" | "sum" | "none";

/** The reduction option every loss takes. */
export interface ReductionOptions {
  /** 'mean' (the default), 'sum', or 'none' for the per-element losses. */
  reduction?: Reduction;
}

/** Applies a reduction (mean over all elements, sum, or none), checked first; `op` names the loss in errors. */
export function reduceLoss(loss: Tensor, reduction: Reduction = "mean", op = "loss"): Tensor {
  checkReduction(reduction, op);
  return reduction === "mean" ? loss.mean() : reduction === "sum" ? loss.sum() : loss;
}

/** Throws unless `reduction` is 'mean', 'sum' or 'none' (or one of `more`), naming the loss `op`. */
export function checkReduction(reduction: string, op = "loss", more: readonly string[] = []): void {
  const known = ["mean", "sum", "none", ...more];
  if (!known.includes(reduction)) {
    throw new RangeError(
      `${op}: reduction must be ${known.map((r) => `'${r}'`).join(", ")}; got '${String(reduction)}'`,
    );
  }
}

/** Throws unless input and target have the same shape, naming the loss `op`. */
export function sameShapes(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${op}: target shape ${fmtShape(target.shape)} must match input shape ${fmtShape(input.shape)}`,
    );
  }
}

/** Mean squared error (x − y)². */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions("mseLoss", opts, ["reduction"]);
  sameShapes("mseLoss", input, target);
  return reduceLoss(input.sub(target).square(), opts.reduction, "mseLoss");
}

/** Mean absolute error |x − y|. */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions("l1Loss", opts, ["reduction"]);
  sameShapes("l1Loss", input, target);
  return reduceLoss(input.sub(target).abs(), opts.reduction, "l1Loss");
}

/** Huber loss: ½d² for |d| < delta, else delta·(|d| − ½delta). */
export function huberLoss(input: Tensor, target: Tensor, opts: ReductionOptions & { delta?: number } = {}): Tensor {
  checkOptions("huberLoss", opts, ["reduction", "delta"]);
  sameShapes("huberLoss", input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const a = d.abs();
  const loss = functions.where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta));
  return reduceLoss(loss, opts.reduction, "huberLoss");
}

/** Smooth L1: ½d²/beta for |d| < beta, else |d| − ½beta (L1 when beta is 0). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  checkOptions("smoothL1Loss", opts, ["reduction", "beta"]);
  sameShapes("smoothL1Loss", input, target);
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must not be negative, got ${beta}`);
  const d = input.sub(target);
  const a = d.abs();
  if (beta === 0) return reduceLoss(a, opts.reduction, "smoothL1Loss");
  const loss = functions.where(a.lt(beta), d.square().mul(0.5 / beta), a.sub(0.5 * beta));
  return reduceLoss(loss, opts.reduction, "smoothL1Loss");
}

/** Options of the binary cross-entropies. */
export interface BCEOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Tensor | null;
}

/**
 * −(y·log x + (1 − y)·log(1 − x)) on probabilities x in [0, 1], each log clamped at −100 as in
 * PyTorch, so probabilities of exactly 0 or 1 give PyTorch's finite loss and gradient.
 */
export const binaryCrossEntropy: Lift<(input: Tensor, target: Tensor, opts?: BCEOptions) => Tensor> =
  bce.binaryCrossEntropy as Lift<typeof bce.binaryCrossEntropy>;

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
  checkOptions("binaryCrossEntropyWithLogits", opts, ["weight", "posWeight", "reduction"]);
  sameShapes("binaryCrossEntropyWithLogits", input, target);
  const logWeight = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  const ls = logsigmoid(input);
  const loss = target
    .neg()
    .add(1)
    .mul(input)
    .sub(logWeight ? logWeight.mul(ls) : ls);
  return reduceLoss(opts.weight ? loss.mul(opts.weight) : loss, opts.reduction, "binaryCrossEntropyWithLogits");
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
  checkReduction(reduction, "nllLoss");
  return nnFunctions.nll(logp, target, opts.weight ?? null, opts.ignoreIndex ?? -100, reduction);
}

function reduceWeighted(loss: Tensor, w: Tensor, reduction: Reduction = "mean"): Tensor {
  return reduction === "mean" ? loss.sum().div(w.sum()) : reduceLoss(loss, reduction);
}

/** Negative log-likelihood of log-probabilities input [N, C, …] at class-index targets [N, …]. */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLOptions = {}): Tensor {
  checkOptions("nllLoss", opts, ["weight", "ignoreIndex", "reduction"]);
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
 *
 * @example
 * const loss = cr.nn.functional.crossEntropy(cr.randn(8, 3), cr.tensor([0, 2, 1, 0, 1, 2, 2, 0], { dtype: "int32" }));
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions("crossEntropy", opts, ["weight", "ignoreIndex", "reduction", "labelSmoothing"]);
  checkReduction(opts.reduction ?? "mean", "crossEntropy");
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classDim]!;
  const wShape = input.shape.map((s, d) => (d === classDim ? s : 1));
  if (opts.weight && (opts.weight.ndim !== 1 || opts.weight.shape[0] !== c)) {
    throw new RangeError(`crossEntropy: weight must have shape [${c}], got ${fmtShape(opts.weight.shape)}`);
  }
  if (target.dtype !== "int32") {
    if (target.ndim === input.ndim - 1 && target.dtype !== "bool") {
      // the usual slip when porting: PyTorch's int64 labels arrive as a float tensor
      throw new TypeError(
        `crossEntropy: class-index targets must be an int32 tensor, got ${target.dtype} of shape ${fmtShape(target.shape)} ` +
          `for input ${fmtShape(input.shape)}; make them with cr.tensor(labels, { dtype: "int32" }) or target.to("int32") ` +
          `(a float target must be class probabilities of the input's shape)`,
      );
    }
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
  checkOptions("klDiv", opts, ["reduction", "logTarget"]);
  const reduction = opts.reduction ?? "mean";
  checkReduction(reduction, "klDiv", ["batchmean"]);
  sameShapes("klDiv", input, target);
  // t·log t is 0 at t = 0 (xlogy), NaN for t < 0, as PyTorch's
  const loss = opts.logTarget ? target.exp().mul(target.sub(input)) : target.xlogy(target).sub(target.mul(input));
  if (reduction === "batchmean") return loss.sum().div(input.ndim ? input.shape[0]! : 1);
  return reduceLoss(loss, reduction, "klDiv");
}

const F = "torch.nn.functional";
const pair = (a: Partial<SampleInput> = {}, b: Partial<SampleInput> = {}): SampleInput[] => [
  { shape: [2, 3], ...a },
  { shape: [2, 3], ...b },
];
// input and target grids apart by no multiple of 0.1, so |input − target| never lands on delta or beta
const offKink = pair({ domain: "offGrid" });
const probabilities = { values: [0, 1, 0.3, 0.8, 1, 0] };

/** The table entries of the losses above (nllLoss and binaryCrossEntropy are primitives, with their own). */
export const lossComposites = [
  defineComposite<ReductionOptions>({
    name: "mseLoss",
    call: ([x, y], o) => mseLoss(x as Tensor, y as Tensor, o),
    options: { keys: ["reduction"] },
    samples: [
      { inputs: pair(), attrs: {}, torch: `${F}.mse_loss(x0, x1)` },
      { inputs: pair(), attrs: { reduction: "sum" }, torch: `${F}.mse_loss(x0, x1, reduction='sum')` },
      { inputs: pair(), attrs: { reduction: "none" }, torch: `${F}.mse_loss(x0, x1, reduction='none')` },
    ],
  }),
  defineComposite<ReductionOptions>({
    name: "l1Loss",
    call: ([x, y], o) => l1Loss(x as Tensor, y as Tensor, o),
    options: { keys: ["reduction"] },
    samples: [
      { inputs: pair(), attrs: {}, torch: `${F}.l1_loss(x0, x1)` },
      { inputs: pair(), attrs: { reduction: "none" }, torch: `${F}.l1_loss(x0, x1, reduction='none')` },
    ],
  }),
  defineComposite<ReductionOptions & { delta?: number }>({
    name: "huberLoss",
    call: ([x, y], o) => huberLoss(x as Tensor, y as Tensor, o),
    options: { keys: ["reduction", "delta"] },
    samples: [
      { inputs: offKink, attrs: {}, torch: `${F}.huber_loss(x0, x1)` },
      {
        inputs: pair(),
        attrs: { delta: 0.75, reduction: "sum" },
        torch: `${F}.huber_loss(x0, x1, delta=0.75, reduction='sum')`,
      },
    ],
  }),
  defineComposite<ReductionOptions & { beta?: number }>({
    name: "smoothL1Loss",
    call: ([x, y], o) => smoothL1Loss(x as Tensor, y as Tensor, o),
    options: { keys: ["reduction", "beta"] },
    samples: [
      { inputs: offKink, attrs: {}, torch: `${F}.smooth_l1_loss(x0, x1)` },
      {
        inputs: pair(),
        attrs: { beta: 0.75, reduction: "sum" },
        torch: `${F}.smooth_l1_loss(x0, x1, beta=0.75, reduction='sum')`,
      },
      {
        inputs: pair(),
        attrs: { beta: 0, reduction: "none" },
        torch: `${F}.smooth_l1_loss(x0, x1, beta=0.0, reduction='none')`,
      },
    ],
  }),
  defineComposite<ReductionOptions>({
    name: "binaryCrossEntropyWithLogits",
    call: ([x, y, w, pw], o) =>
      binaryCrossEntropyWithLogits(x as Tensor, y as Tensor, { ...o, weight: w as Tensor, posWeight: pw as Tensor }),
    options: {
      keys: ["weight", "posWeight", "reduction"],
      call: ([x, y], o) => binaryCrossEntropyWithLogits(x as Tensor, y as Tensor, o),
    },
    samples: [
      { inputs: pair({}, probabilities), attrs: {}, torch: `${F}.binary_cross_entropy_with_logits(x0, x1)` },
      {
        inputs: [
          ...pair({}, probabilities),
          { shape: [2, 1], domain: "positive", grad: false },
          { shape: [3], domain: "positive", grad: false },
        ],
        attrs: { reduction: "none" },
        torch: `${F}.binary_cross_entropy_with_logits(x0, x1, weight=x2, pos_weight=x3, reduction='none')`,
      },
    ],
  }),
  defineComposite<CrossEntropyOptions>({
    name: "crossEntropy",
    call: ([x, y, w], o) => crossEntropy(x as Tensor, y as Tensor, { ...o, weight: w as Tensor | undefined }),
    options: {
      keys: ["weight", "ignoreIndex", "reduction", "labelSmoothing"],
      call: ([x, y], o) => crossEntropy(x as Tensor, y as Tensor, o),
    },
    samples: [
      {
        inputs: [{ shape: [3, 4] }, { shape: [3], domain: "index", bound: 4 }],
        attrs: {},
        torch: `${F}.cross_entropy(x0, x1)`,
      },
      {
        inputs: [
          { shape: [2, 3, 2] },
          { shape: [2, 2], domain: "index", values: [0, 1, 2, 1] },
          { shape: [3], domain: "positive", grad: false },
        ],
        attrs: { ignoreIndex: 1, labelSmoothing: 0.2, reduction: "sum" },
        torch: `${F}.cross_entropy(x0, x1, weight=x2, ignore_index=1, label_smoothing=0.2, reduction='sum')`,
      },
      {
        inputs: [{ shape: [2, 3] }, { shape: [2, 3], values: [0.2, 0.3, 0.5, 1, 0, 0], grad: false }],
        attrs: { labelSmoothing: 0.1, reduction: "none" },
        torch: `${F}.cross_entropy(x0, x1, label_smoothing=0.1, reduction='none')`,
        note: "class probabilities",
      },
      {
        inputs: [{ shape: [4] }, { shape: [], domain: "index", values: [2] }],
        attrs: {},
        torch: `${F}.cross_entropy(x0, x1)`,
      },
    ],
  }),
  defineComposite<KLDivOptions>({
    name: "klDiv",
    call: ([x, y], o) => klDiv(x as Tensor, y as Tensor, o),
    options: { keys: ["reduction", "logTarget"] },
    samples: [
      { inputs: pair({}, { domain: "positive" }), attrs: {}, torch: `${F}.kl_div(x0, x1)` },
      {
        inputs: pair({}, { domain: "positive" }),
        attrs: { reduction: "batchmean" },
        torch: `${F}.kl_div(x0, x1, reduction='batchmean')`,
      },
      {
        inputs: pair(),
        attrs: { reduction: "sum", logTarget: true },
        torch: `${F}.kl_div(x0, x1, reduction='sum', log_target=True)`,
      },
      {
        inputs: pair({}, { values: [0, 0.5, 0.25, 0, 1.5, 0.75], grad: false }),
        attrs: { reduction: "none" },
        torch: `${F}.kl_div(x0, x1, reduction='none')`,
        note: "targets of 0 count 0 (their own gradient is NaN in PyTorch)",
      },
    ],
  }),
];
