// Distance modules: cosine similarity and pairwise distance, holding their options.

import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import {
  cosineSimilarity,
  type CosineSimilarityOptions,
  pairwiseDistance,
  type PairwiseDistanceOptions,
} from "../functional/distance.js";
import { Module } from "../module.js";

/** Cosine similarity of x1 and x2 along dim (torch.nn.CosineSimilarity). */
export class CosineSimilarity extends Module {
  /** The dim the similarity is taken along. */
  readonly dim: number;
  /** The smallest norm divided by. */
  readonly eps: number;
  /** dim (default 1), eps (default 1e-8). */
  constructor(opts: CosineSimilarityOptions = {}) {
    super();
    checkOptions("CosineSimilarity", opts, ["dim", "eps"]);
    this.dim = opts.dim ?? 1;
    this.eps = opts.eps ?? 1e-8;
  }
  /** cosineSimilarity(x1, x2) */
  forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps });
  }
  override extraRepr(): string {
    return `dim=${this.dim}, eps=${this.eps}`;
  }
}

/** ‖x1 − x2 + eps‖_p along the last dim (torch.nn.PairwiseDistance). */
export class PairwiseDistance extends Module {
  /** The norm's order. */
  readonly p: number;
  /** Added to the difference, so equal vectors are not at distance exactly 0. */
  readonly eps: number;
  /** Keep the reduced dim as size 1. */
  readonly keepdim: boolean;
  /** p (default 2), eps (default 1e-6), keepdim (default false). */
  constructor(opts: PairwiseDistanceOptions = {}) {
    super();
    checkOptions("PairwiseDistance", opts, ["p", "eps", "keepdim"]);
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.keepdim = opts.keepdim ?? false;
  }
  /** pairwiseDistance(x1, x2) */
  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, { p: this.p, eps: this.eps, keepdim: this.keepdim });
  }
  override extraRepr(): string {
    return `p=${this.p}, eps=${this.eps}, keepdim=${this.keepdim}`;
  }
}
