// Pooling with PyTorch's signatures over the last 1 or 2 dims ([N, C, …] or unbatched [C, …]);
// the work is ops/pool.ts's: a windows view and one reduction.

import { nnFunctions } from "../../api/functions.js";
import { fmtShape } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";
import { expectRank, type IntOrTuple, tupleOf } from "./args.js";

/** Options of max pooling. */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  /** Round the output size up, letting the last window hang over the end. */
  ceilMode?: boolean;
}

/** Options of average pooling. */
export interface AvgPoolOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  /** Count padding zeros in each window's divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. */
  divisorOverride?: number;
}

const layoutOf = (k: number) => (k === 1 ? "[N, C, L] or [C, L]" : "[N, C, H, W] or [C, H, W]");

function maxPoolK(op: string, k: number, x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions): Tensor {
  expectRank(op, x, [k + 1, k + 2], layoutOf(k));
  const kernel = tupleOf(op, "kernelSize", kernelSize, k);
  return nnFunctions.maxPoolNd(x, kernel, {
    stride: tupleOf(op, "stride", opts.stride ?? kernel, k),
    padding: tupleOf(op, "padding", opts.padding ?? 0, k),
    dilation: tupleOf(op, "dilation", opts.dilation ?? 1, k),
    ceilMode: opts.ceilMode ?? false,
  });
}

/** Max over sliding windows of the last dim. */
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor {
  return maxPoolK("maxPool1d", 1, x, kernelSize, opts);
}

/** Max over sliding windows of the last two dims; the gradient goes to each window's first maximum. */
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor {
  return maxPoolK("maxPool2d", 2, x, kernelSize, opts);
}

function avgPoolK(op: string, k: number, x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions): Tensor {
  expectRank(op, x, [k + 1, k + 2], layoutOf(k));
  const kernel = tupleOf(op, "kernelSize", kernelSize, k);
  if (opts.divisorOverride !== undefined && !(opts.divisorOverride > 0)) {
    throw new RangeError(`${op}: divisorOverride must be positive, got ${opts.divisorOverride}`);
  }
  return nnFunctions.avgPoolNd(x, kernel, {
    stride: tupleOf(op, "stride", opts.stride ?? kernel, k),
    padding: tupleOf(op, "padding", opts.padding ?? 0, k),
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride: opts.divisorOverride,
  });
}

/** Mean over sliding windows of the last dim. */
export function avgPool1d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolK("avgPool1d", 1, x, kernelSize, opts);
}

/** Mean over sliding windows of the last two dims. */
export function avgPool2d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolK("avgPool2d", 2, x, kernelSize, opts);
}

/** An adaptive output size: one number, or one per dim where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

function adaptiveK(op: string, k: number, x: Tensor, outputSize: AdaptiveSize): Tensor {
  expectRank(op, x, [k + 1, k + 2], layoutOf(k));
  const given = typeof outputSize === "number" ? new Array<number>(k).fill(outputSize) : [...outputSize];
  const size = x.shape.slice(-k);
  const out = given.map((o, i) => o ?? size[i]!);
  if (out.length !== k || out.some((o) => !Number.isInteger(o) || o < 1)) {
    throw new RangeError(`${op}: outputSize must be ${k} positive integers, got ${JSON.stringify(outputSize)}`);
  }
  if (size.some((s) => s < 1)) throw new RangeError(`${op}: input ${fmtShape(x.shape)} has an empty pooled dim`);
  return nnFunctions.adaptiveAvgPoolNd(x, out);
}

/** Averages the last dim into `outputSize` nearly equal bins. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveK("adaptiveAvgPool1d", 1, x, outputSize);
}

/** Averages the last two dims into an `outputSize` grid of nearly equal bins. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveK("adaptiveAvgPool2d", 2, x, outputSize);
}
