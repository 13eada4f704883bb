// Margin and embedding losses composed from ops with PyTorch's formulas, checks and reductions:
// cosine embedding, margin ranking, triplet margin (with the swap) and multi-label soft margin.

import { functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { logsigmoid } from "./activation-smooth.js";
import { pairwiseDistance } from "./distance.js";
import { reduceLoss, type ReductionOptions, sameShapes } from "./loss.js";

const { where } = functions;
const F = "torch.nn.functional";

/** Options of cosineEmbeddingLoss and marginRankingLoss. */
export interface MarginOptions extends ReductionOptions {
  /** Default 0. */
  margin?: number;
}

/**
 * 1 − cos(x1, x2) where the target is 1, max(0, cos(x1, x2) − margin) where it is −1, over
 * inputs [N, D] with a target [N] (or [D] with a 0-d target).
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
  checkOptions("cosineEmbeddingLoss", opts, ["margin", "reduction"]);
  const { margin = 0 } = opts;
  const inputs = `inputs ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}`;
  if (target.ndim > 1)
    throw new RangeError(`cosineEmbeddingLoss: target must be 0-d or 1-d, got ${fmtShape(target.shape)}`);
  const want = target.ndim + 1;
  if (input1.ndim !== want || input2.ndim !== want) {
    throw new RangeError(`cosineEmbeddingLoss: a ${target.ndim}-d target needs ${want}-d inputs, got ${inputs}`);
  }
  const d = target.ndim;
  // PyTorch's form: ε = 1e-12 inside each squared norm
  const cos = input1
    .mul(input2)
    .sum(d)
    .div(input1.square().sum(d).add(1e-12).mul(input2.square().sum(d).add(1e-12)).sqrt());
  const pos = cos.neg().add(1);
  const neg = cos.sub(margin).clamp(0);
  const loss = where(target.eq(1), pos, 0).add(where(target.eq(-1), neg, 0));
  return reduceLoss(loss, opts.reduction, "cosineEmbeddingLoss");
}

/** max(0, −y·(x1 − x2) + margin): x1 should rank above x2 where y = 1, below where y = −1. */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
  checkOptions("marginRankingLoss", opts, ["margin", "reduction"]);
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new RangeError(
      `marginRankingLoss: input1 ${fmtShape(input1.shape)}, input2 ${fmtShape(input2.shape)} and target ` +
        `${fmtShape(target.shape)} must have the same number of dims`,
    );
  }
  const loss = target
    .neg()
    .mul(input1.sub(input2))
    .add(opts.margin ?? 0)
    .clamp(0);
  return reduceLoss(loss, opts.reduction, "marginRankingLoss");
}

/** Options of tripletMarginLoss. */
export interface TripletMarginOptions extends ReductionOptions {
  /** Default 1. */
  margin?: number;
  /** The distance's norm (default 2). */
  p?: number;
  /** Added to each difference, as pairwiseDistance does (default 1e-6). */
  eps?: number;
  /** Use the positive-to-negative distance where it is the smaller (default false). */
  swap?: boolean;
}

/** max(0, d(a, p) − d(a, n) + margin) with pairwiseDistance d along the last dim. */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  opts: TripletMarginOptions = {},
): Tensor {
  checkOptions("tripletMarginLoss", opts, ["margin", "p", "eps", "swap", "reduction"]);
  const { margin = 1, p = 2, eps = 1e-6, swap = false } = opts;
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim) {
    throw new RangeError(
      `tripletMarginLoss: anchor ${fmtShape(anchor.shape)}, positive ${fmtShape(positive.shape)} and negative ` +
        `${fmtShape(negative.shape)} must have the same number of dims`,
    );
  }
  const dPos = pairwiseDistance(anchor, positive, { p, eps });
  let dNeg = pairwiseDistance(anchor, negative, { p, eps });
  if (swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, { p, eps }));
  return reduceLoss(dPos.sub(dNeg).add(margin).clamp(0), opts.reduction, "tripletMarginLoss");
}

/** Options of multiLabelSoftMarginLoss. */
export interface MultiLabelSoftMarginOptions extends ReductionOptions {
  /** A weight per class [C] (broadcast against the input). */
  weight?: Tensor | null;
}

/**
 * The mean over classes of −(y·log σ(x) + (1 − y)·log σ(−x)), for each sample of input [N, C]
 * (or [C]) against 0/1 targets of the same shape.
 */
export function multiLabelSoftMarginLoss(
  input: Tensor,
  target: Tensor,
  opts: MultiLabelSoftMarginOptions = {},
): Tensor {
  checkOptions("multiLabelSoftMarginLoss", opts, ["weight", "reduction"]);
  sameShapes("multiLabelSoftMarginLoss", input, target);
  if (input.ndim === 0)
    throw new RangeError("multiLabelSoftMarginLoss: expected an input [N, C] or [C], got a 0-d one");
  const terms = target
    .mul(logsigmoid(input))
    .add(target.neg().add(1).mul(logsigmoid(input.neg())))
    .neg();
  const loss = (opts.weight ? terms.mul(opts.weight) : terms).sum(-1).div(input.shape[input.ndim - 1]!);
  return reduceLoss(loss, opts.reduction, "multiLabelSoftMarginLoss");
}

const signs = (n: number) => ({ shape: [n], values: Array.from({ length: n }, (_, k) => (k % 3 === 1 ? -1 : 1)) });

/** The margin losses' table entries. */
export const marginLossComposites = [
  defineComposite<MarginOptions>({
    name: "cosineEmbeddingLoss",
    call: ([a, b, y], o) => cosineEmbeddingLoss(a as Tensor, b as Tensor, y as Tensor, o),
    options: {
      keys: ["margin", "reduction"],
    },
    samples: [
      {
        inputs: [{ shape: [4, 3] }, { shape: [4, 3] }, { ...signs(4), grad: false }],
        attrs: {},
        torch: `${F}.cosine_embedding_loss(x0, x1, x2)`,
      },
      {
        inputs: [{ shape: [5, 2] }, { shape: [5, 2] }, { ...signs(5), grad: false }],
        attrs: { margin: -0.35, reduction: "sum" },
        torch: `${F}.cosine_embedding_loss(x0, x1, x2, margin=-0.35, reduction='sum')`,
      },
      {
        inputs: [{ shape: [4, 3] }, { shape: [4, 3] }, { ...signs(4), grad: false }],
        attrs: { margin: 0.05, reduction: "none" },
        torch: `${F}.cosine_embedding_loss(x0, x1, x2, margin=0.05, reduction='none')`,
      },
      {
        inputs: [{ shape: [3] }, { shape: [3] }, { shape: [], values: [-1], grad: false }],
        attrs: { margin: -0.5 },
        torch: `${F}.cosine_embedding_loss(x0, x1, x2, margin=-0.5)`,
      },
    ],
  }),
  defineComposite<MarginOptions>({
    name: "marginRankingLoss",
    call: ([a, b, y], o) => marginRankingLoss(a as Tensor, b as Tensor, y as Tensor, o),
    options: {
      keys: ["margin", "reduction"],
    },
    samples: [
      {
        inputs: [{ shape: [6] }, { shape: [6] }, { ...signs(6), grad: false }],
        attrs: {},
        torch: `${F}.margin_ranking_loss(x0, x1, x2)`,
      },
      {
        inputs: [{ shape: [6] }, { shape: [6] }, { ...signs(6), grad: false }],
        attrs: { margin: 0.25, reduction: "none" },
        torch: `${F}.margin_ranking_loss(x0, x1, x2, margin=0.25, reduction='none')`,
      },
      {
        inputs: [{ shape: [2, 3] }, { shape: [1, 3] }, { shape: [2, 1], values: [1, -1], grad: false }],
        attrs: { margin: 0.25, reduction: "sum" },
        torch: `${F}.margin_ranking_loss(x0, x1, x2, margin=0.25, reduction='sum')`,
      },
    ],
  }),
  defineComposite<TripletMarginOptions>({
    name: "tripletMarginLoss",
    call: ([a, p, n], o) => tripletMarginLoss(a as Tensor, p as Tensor, n as Tensor, o),
    options: {
      keys: ["margin", "p", "eps", "swap", "reduction"],
    },
    samples: [
      {
        inputs: [{ shape: [4, 3] }, { shape: [4, 3] }, { shape: [4, 3] }],
        attrs: {},
        torch: `${F}.triplet_margin_loss(x0, x1, x2)`,
      },
      {
        inputs: [{ shape: [4, 3] }, { shape: [4, 3] }, { shape: [4, 3] }],
        attrs: { margin: 2.5, p: 1, eps: 0.01, swap: true, reduction: "none" },
        torch: `${F}.triplet_margin_loss(x0, x1, x2, margin=2.5, p=1, eps=0.01, swap=True, reduction='none')`,
      },
      {
        inputs: [{ shape: [5, 2] }, { shape: [5, 2] }, { shape: [5, 2] }],
        attrs: { margin: 3, p: 3, swap: true, reduction: "sum" },
        torch: `${F}.triplet_margin_loss(x0, x1, x2, margin=3.0, p=3, swap=True, reduction='sum')`,
      },
    ],
  }),
  defineComposite<MultiLabelSoftMarginOptions>({
    name: "multiLabelSoftMarginLoss",
    call: ([x, y, w], o) =>
      multiLabelSoftMarginLoss(x as Tensor, y as Tensor, { ...o, weight: w as Tensor | undefined }),
    options: {
      keys: ["weight", "reduction"],
      call: ([x, y], o) => multiLabelSoftMarginLoss(x as Tensor, y as Tensor, o),
    },
    samples: [
      {
        inputs: [{ shape: [3, 4] }, { shape: [3, 4], domain: "bool", dtype: "float64", grad: false }],
        attrs: {},
        torch: `${F}.multilabel_soft_margin_loss(x0, x1)`,
      },
      {
        inputs: [
          { shape: [3, 4] },
          { shape: [3, 4], domain: "bool", dtype: "float64", grad: false },
          { shape: [4], domain: "positive", grad: false },
        ],
        attrs: { reduction: "none" },
        torch: `${F}.multilabel_soft_margin_loss(x0, x1, weight=x2, reduction='none')`,
      },
      {
        inputs: [{ shape: [5] }, { shape: [5], domain: "bool", dtype: "float64", grad: false }],
        attrs: { reduction: "sum" },
        torch: `${F}.multilabel_soft_margin_loss(x0, x1, reduction='sum')`,
      },
    ],
  }),
];
