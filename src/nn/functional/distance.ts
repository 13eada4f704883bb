// Distances and similarities between vectors, as torch.nn.functional and torch.cdist compute them:
// the p-norm for every p PyTorch's norm takes (0 counts non-zeros, ±∞ the largest or smallest |x|),
// with the subgradient 0 where a distance is 0; cosine similarity over norms clamped at eps without
// that clamp reaching the gradient, as in PyTorch; cdist's matrix-product form of the Euclidean
// distance where PyTorch picks it.

import { creation, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { broadcastShapes, fmtShape, normDim } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";

const { where } = functions;
const F = "torch.nn.functional";

/**
 * The p-norm of x along dim, for any p torch.norm takes. PyTorch's subgradients: 0 where the norm
 * is 0, and for p < 1 also 0 at the elements that are 0.
 */
export function pNorm(x: Tensor, p: number, dim: number, keepdim = false): Tensor {
  if (Number.isNaN(p)) throw new RangeError("norm: p must be a number, got NaN");
  // |sign x| is 1 at each non-zero and its gradient is 0, as PyTorch's for the count
  if (p === 0) return x.sign().abs().sum(dim, keepdim);
  if (p === -Infinity) return x.abs().amin(dim, keepdim);
  if (p === 1 || p >= 2) return x.norm(p, dim, keepdim);
  const a = x.abs();
  if (p < 0)
    return a
      .pow(p)
      .sum(dim, keepdim)
      .pow(1 / p);
  // 0 < p < 2: |x|^(p−1) and s^(1/p − 1) are infinite at 0, so the zeros take a constant branch
  const zero = a.eq(0);
  const s = where(zero, 0, where(zero, 1, a).pow(p)).sum(dim, keepdim);
  const empty = s.eq(0);
  return where(empty, 0, where(empty, 1, s).pow(1 / p));
}

/** Options of cosineSimilarity. */
export interface CosineSimilarityOptions {
  /** The dim the vectors lie along (default 1). */
  dim?: number;
  /** The smallest norm divided by (default 1e-8). */
  eps?: number;
}

/**
 * x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along dim, after broadcasting x1 and x2 together.
 * As in PyTorch the clamp is left out of the gradient: the norm below eps is differentiated as if
 * unclamped.
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts: CosineSimilarityOptions = {}): Tensor {
  checkOptions("cosineSimilarity", opts, ["dim", "eps"]);
  const { dim = 1, eps = 1e-8 } = opts;
  const shape = broadcastShapes("cosineSimilarity", x1.shape, x2.shape);
  const d = normDim("cosineSimilarity", dim, shape);
  const unit = (x: Tensor) => {
    const sq = x.expand(shape).square().sum(d, true);
    // the clamped value with the unclamped gradient: PyTorch clamps under no_grad
    const clamped = sq.add(
      sq
        .clamp(eps * eps)
        .sub(sq)
        .detach(),
    );
    return x.div(clamped.sqrt());
  };
  return unit(x1).mul(unit(x2)).sum(d);
}

/** Options of pairwiseDistance. */
export interface PairwiseDistanceOptions {
  /** The norm's p (default 2). */
  p?: number;
  /** Added to the difference, so equal vectors are not at distance exactly 0 (default 1e-6). */
  eps?: number;
  /** Keep the reduced dim as size 1. */
  keepdim?: boolean;
}

/** ‖x1 − x2 + eps‖_p along the last dim, x1 and x2 broadcast together (torch.nn.functional.pairwise_distance). */
export function pairwiseDistance(x1: Tensor, x2: Tensor, opts: PairwiseDistanceOptions = {}): Tensor {
  checkOptions("pairwiseDistance", opts, ["p", "eps", "keepdim"]);
  const { p = 2, eps = 1e-6, keepdim = false } = opts;
  const diff = x1.sub(x2).add(eps);
  return diff.ndim === 0 ? pNorm(diff.reshape([1]), p, 0) : pNorm(diff, p, -1, keepdim);
}

/** How cdist computes Euclidean distances (PyTorch's compute_mode). */
export type CdistComputeMode =
  "use_mm_for_euclid_dist_if_necessary" | "use_mm_for_euclid_dist" | "donot_use_mm_for_euclid_dist";

const COMPUTE_MODES: readonly CdistComputeMode[] = [
  "use_mm_for_euclid_dist_if_necessary",
  "use_mm_for_euclid_dist",
  "donot_use_mm_for_euclid_dist",
];

/** Options of cdist. */
export interface CdistOptions {
  /** The norm's p, 0 to ∞ (default 2). */
  p?: number;
  /**
   * p = 2 by a matrix product, ‖a‖² − 2a·b + ‖b‖² (fast, less exact for close points): always,
   * never, or (the default) when either set has more than 25 points, as PyTorch does.
   */
  computeMode?: CdistComputeMode;
}

/**
 * The p-norm distance between each pair of rows: x1 [B…, P, M] and x2 [B…, R, M] give [B…, P, R],
 * the batch dims broadcast (torch.cdist). The gradient is 0 at a distance of 0.
 */
export function cdist(x1: Tensor, x2: Tensor, opts: CdistOptions = {}): Tensor {
  checkOptions("cdist", opts, ["p", "computeMode"]);
  const { p = 2, computeMode = "use_mm_for_euclid_dist_if_necessary" } = opts;
  if (x1.ndim < 2 || x2.ndim < 2) {
    throw new RangeError(
      `cdist: expected inputs of at least 2 dims, got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`,
    );
  }
  const m = x1.shape[x1.ndim - 1]!;
  if (x2.shape[x2.ndim - 1] !== m) {
    throw new RangeError(
      `cdist: x1 ${fmtShape(x1.shape)} and x2 ${fmtShape(x2.shape)} must have the same number of columns`,
    );
  }
  if (!(p >= 0)) throw new RangeError(`cdist: p must be non-negative, got ${p}`);
  if (!COMPUTE_MODES.includes(computeMode)) {
    throw new RangeError(`cdist: computeMode must be one of ${COMPUTE_MODES.join(", ")}; got '${computeMode}'`);
  }
  broadcastShapes("cdist (batch dims)", x1.shape.slice(0, -2), x2.shape.slice(0, -2));
  const rows = Math.max(x1.shape[x1.ndim - 2]!, x2.shape[x2.ndim - 2]!);
  const mm =
    computeMode === "use_mm_for_euclid_dist" || (computeMode === "use_mm_for_euclid_dist_if_necessary" && rows > 25);
  if (p === 2 && mm) return euclideanByProduct(x1, x2);
  return pNorm(x1.unsqueeze(-2).sub(x2.unsqueeze(-3)), p, -1);
}

/**
 * √(‖a‖² − 2a·b + ‖b‖²) as one matrix product of [−2a, ‖a‖², 1] and [b, 1, ‖b‖²], clamped at 0
 * against rounding, with PyTorch's gradient 0 where the distance is 0.
 */
function euclideanByProduct(x1: Tensor, x2: Tensor): Tensor {
  const n1 = x1.square().sum(-1, true);
  const n2 = x2.square().sum(-1, true);
  const a = functions.cat([x1.mul(-2), n1, creation.onesLike(n1)], -1);
  const b = functions.cat([x2, creation.onesLike(n2), n2], -1);
  const squared = a.matmul(b.transpose(-1, -2)).clamp(0);
  const apart = squared.gt(0);
  return where(apart, where(apart, squared, 1).sqrt(), 0);
}

/** The distances' table entries. */
export const distanceComposites = [
  defineComposite<CosineSimilarityOptions>({
    name: "cosineSimilarity",
    call: ([a, b], o) => cosineSimilarity(a as Tensor, b as Tensor, o),
    options: { keys: ["dim", "eps"] },
    samples: [
      { inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], attrs: {}, torch: `${F}.cosine_similarity(x0, x1)` },
      {
        inputs: [{ shape: [2, 1, 3] }, { shape: [4, 3] }],
        attrs: { dim: -1 },
        torch: `${F}.cosine_similarity(x0, x1, dim=-1)`,
        note: "broadcast batch dims",
      },
      {
        inputs: [
          { shape: [2, 3], values: [1e-5, 2e-5, 0.3, 1, 2, 3], grad: false },
          { shape: [2, 3], values: [3e-5, -1e-5, 0.2, 0.5, -1, 2], grad: false },
        ],
        attrs: { dim: -1, eps: 0.5 },
        torch: `${F}.cosine_similarity(x0, x1, dim=-1, eps=0.5)`,
        note: "norms below eps, clamped (their unclamped gradient: test/nn/activations-losses.test.ts)",
      },
    ],
  }),
  defineComposite<PairwiseDistanceOptions>({
    name: "pairwiseDistance",
    call: ([a, b], o) => pairwiseDistance(a as Tensor, b as Tensor, o),
    options: { keys: ["p", "eps", "keepdim"] },
    samples: [
      { inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], attrs: {}, torch: `${F}.pairwise_distance(x0, x1)` },
      {
        inputs: [{ shape: [2, 3, 4] }, { shape: [4] }],
        attrs: { p: 1, eps: 0.01, keepdim: true },
        torch: `${F}.pairwise_distance(x0, x1, p=1, eps=0.01, keepdim=True)`,
      },
      {
        inputs: [{ shape: [3, 4] }, { shape: [3, 4] }],
        attrs: { p: 0.5 },
        torch: `${F}.pairwise_distance(x0, x1, p=0.5)`,
      },
      { inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], attrs: { p: 3 }, torch: `${F}.pairwise_distance(x0, x1, p=3)` },
      {
        inputs: [{ shape: [3, 4] }, { shape: [3, 4] }],
        attrs: { p: Infinity },
        torch: `${F}.pairwise_distance(x0, x1, p=float('inf'))`,
      },
      { inputs: [{ shape: [4] }, { shape: [4] }], attrs: { p: -1 }, torch: `${F}.pairwise_distance(x0, x1, p=-1)` },
    ],
  }),
  defineComposite<CdistOptions>({
    name: "cdist",
    call: ([a, b], o) => cdist(a as Tensor, b as Tensor, o),
    options: { keys: ["p", "computeMode"] },
    samples: [
      { inputs: [{ shape: [3, 2] }, { shape: [4, 2] }], attrs: {}, torch: "torch.cdist(x0, x1)" },
      {
        inputs: [{ shape: [2, 3, 2] }, { shape: [1, 2, 2] }],
        attrs: { computeMode: "use_mm_for_euclid_dist" },
        torch: "torch.cdist(x0, x1, compute_mode='use_mm_for_euclid_dist')",
        note: "batch dims broadcast; the matrix-product form",
      },
      { inputs: [{ shape: [3, 2] }, { shape: [2, 2] }], attrs: { p: 1 }, torch: "torch.cdist(x0, x1, p=1)" },
      { inputs: [{ shape: [3, 2] }, { shape: [2, 2] }], attrs: { p: 0.5 }, torch: "torch.cdist(x0, x1, p=0.5)" },
      { inputs: [{ shape: [3, 2] }, { shape: [2, 2] }], attrs: { p: 3 }, torch: "torch.cdist(x0, x1, p=3)" },
      {
        inputs: [
          { shape: [2, 3], domain: "distinctAbs" },
          { shape: [2, 3], domain: "distinctAbs" },
        ],
        attrs: { p: Infinity },
        torch: "torch.cdist(x0, x1, p=float('inf'))",
      },
      {
        inputs: [
          { shape: [2, 3], values: [1, 0, 2, 0.5, 0.25, 3] },
          { shape: [2, 3], values: [1, 0.75, 2, 0.5, 0.25, 1.5] },
        ],
        attrs: { p: 0 },
        torch: "torch.cdist(x0, x1, p=0)",
        note: "p = 0 counts the coordinates that differ",
      },
    ],
  }),
];
