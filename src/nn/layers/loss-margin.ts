// Margin loss modules: each checks and holds its options and calls the functional form, which
// takes a pair or a triplet of inputs.

import type { Tensor } from "../../api/tensor.js";
import {
  cosineEmbeddingLoss,
  marginRankingLoss,
  type MarginOptions,
  tripletMarginLoss,
  type TripletMarginOptions,
} from "../functional/loss-margin.js";
import { Loss } from "./loss.js";

/** 1 − cos(x1, x2) for similar pairs (y = 1), max(0, cos − margin) for dissimilar ones (torch.nn.CosineEmbeddingLoss). */
export class CosineEmbeddingLoss extends Loss {
  /** The cosine a dissimilar pair is allowed before it costs. */
  readonly margin: number;
  /** margin (default 0). */
  constructor(opts: MarginOptions = {}) {
    super("CosineEmbeddingLoss", opts, ["margin"]);
    this.margin = opts.margin ?? 0;
  }
  /** cosineEmbeddingLoss(input1, input2, target) reduced. */
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(0, −y·(x1 − x2) + margin) (torch.nn.MarginRankingLoss). */
export class MarginRankingLoss extends Loss {
  /** The lead the ranked-higher input must have before the loss is 0. */
  readonly margin: number;
  /** margin (default 0). */
  constructor(opts: MarginOptions = {}) {
    super("MarginRankingLoss", opts, ["margin"]);
    this.margin = opts.margin ?? 0;
  }
  /** marginRankingLoss(input1, input2, target) reduced. */
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(0, d(a, p) − d(a, n) + margin) with the p-norm distance (torch.nn.TripletMarginLoss). */
export class TripletMarginLoss extends Loss {
  /** How much nearer the positive must be than the negative. */
  readonly margin: number;
  /** The distance's norm order. */
  readonly p: number;
  /** Added to the differences, so equal vectors are not at distance exactly 0. */
  readonly eps: number;
  /** Use the positive–negative distance when it is smaller (the distance swap). */
  readonly swap: boolean;
  /** margin (default 1), p (default 2), eps (default 1e-6), swap (default false). */
  constructor(opts: TripletMarginOptions = {}) {
    super("TripletMarginLoss", opts, ["margin", "p", "eps", "swap"]);
    this.margin = opts.margin ?? 1;
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.swap = opts.swap ?? false;
  }
  /** tripletMarginLoss(anchor, positive, negative) reduced. */
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const { margin, p, eps, swap, reduction } = this;
    return tripletMarginLoss(anchor, positive, negative, { margin, p, eps, swap, reduction });
  }
}
