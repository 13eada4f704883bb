// Max and average pooling with PyTorch's signatures over the last 1, 2 or 3 dims ([N, C, …] or
// unbatched [C, …]); the work is ops/pool.ts's: one max-pooling kernel pass, or a windows view and
// one reduction. Max pooling returns (values, indices) with returnIndices.

import { nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { defineComposite } from "../../ops/composite.js";
import type { ValuesIndices } from "../../tensor/values-indices.js";
import { type IntOrTuple, tupleOf } from "./args.js";
import { asCalledBy, asTensors, atLeast, expectSpatial, partOf, torchCall } from "./spatial-args.js";

/** Options of max pooling (torch.nn.functional.max_pool2d's keywords). */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** -inf added on both sides of each pooled dim, at most half the kernel. */
  padding?: IntOrTuple;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrTuple;
  /** Round the output size up, letting the last window hang over the end. */
  ceilMode?: boolean;
  /** Also return where each maximum is: its flat int32 position in the input's pooled plane. */
  returnIndices?: boolean;
}

/** Max pooling's signature: (values, indices) with returnIndices, the values otherwise. */
export interface MaxPoolFunction {
  (x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions & { returnIndices: true }): ValuesIndices<Tensor>;
  (x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolOptions & { returnIndices?: false }): Tensor;
  (x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolOptions): Tensor | ValuesIndices<Tensor>;
}

/** The option keys of max pooling. */
export const maxPoolKeys = ["stride", "padding", "dilation", "ceilMode", "returnIndices"] as const;

/** The stride of a pooling: the kernel size where it is not given (None or [] in PyTorch). */
function strideOf(op: string, stride: IntOrTuple | null | undefined, kernel: number[]): number[] {
  if (stride === null || stride === undefined || (typeof stride !== "number" && stride.length === 0)) return kernel;
  const s = tupleOf(op, "stride", stride, kernel.length);
  atLeast(op, "stride", s, 1);
  return s;
}

/** The kernel and padding of a pooling, checked as PyTorch checks them. */
function kernelAndPadding(op: string, k: number, kernelSize: IntOrTuple, padding: IntOrTuple = 0) {
  const kernel = tupleOf(op, "kernelSize", kernelSize, k);
  atLeast(op, "kernelSize", kernel, 1);
  const pads = tupleOf(op, "padding", padding, k);
  pads.forEach((p, i) => {
    if (p < 0 || p > kernel[i]! / 2) {
      throw new RangeError(`${op}: padding ${p} must be between 0 and half the kernel size ${kernel[i]}`);
    }
  });
  return { kernel, pads };
}

function maxPoolK(op: string, k: number, x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions) {
  checkOptions(op, opts, maxPoolKeys);
  expectSpatial(op, x, k);
  const { kernel, pads } = kernelAndPadding(op, k, kernelSize, opts.padding);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, k);
  atLeast(op, "dilation", dilation, 1);
  const pool = { stride: strideOf(op, opts.stride, kernel), padding: pads, dilation, ceilMode: opts.ceilMode ?? false };
  return asCalledBy(op, () =>
    opts.returnIndices ? nnFunctions.maxPoolWithIndices(x, kernel, pool) : nnFunctions.maxPoolNd(x, kernel, pool),
  );
}

const maxPoolFunction = (op: string, k: number) =>
  ((x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}) =>
    maxPoolK(op, k, x, kernelSize, opts)) as MaxPoolFunction;

/** Max over sliding windows of the last dim: `maxPool1d(x, 3, { stride: 2 })`. */
export const maxPool1d = maxPoolFunction("maxPool1d", 1);
/** Max over sliding windows of the last two dims; the gradient goes to each window's first maximum. */
export const maxPool2d = maxPoolFunction("maxPool2d", 2);
/** Max over sliding windows of the last three dims: `const [y, where] = maxPool3d(x, 2, { returnIndices: true })`. */
export const maxPool3d = maxPoolFunction("maxPool3d", 3);

/** Options of average pooling (avgPool1d takes no divisorOverride, as in PyTorch). */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Zeros added on both sides of each pooled dim, at most half the kernel. */
  padding?: IntOrTuple;
  /** Round the output size up, letting the last window hang over the end. */
  ceilMode?: boolean;
  /** Count padding zeros in each window's divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. */
  divisorOverride?: number | null;
}

const avgPoolKeys = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;

function avgPoolK(op: string, k: number, x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions): Tensor {
  checkOptions(op, opts, k === 1 ? avgPoolKeys.slice(0, 4) : avgPoolKeys);
  expectSpatial(op, x, k);
  const { kernel, pads } = kernelAndPadding(op, k, kernelSize, opts.padding);
  const divisor = opts.divisorOverride ?? undefined;
  if (divisor !== undefined && (!Number.isInteger(divisor) || divisor === 0)) {
    throw new RangeError(`${op}: divisorOverride must be a non-zero integer, got ${divisor}`);
  }
  const pool = {
    stride: strideOf(op, opts.stride, kernel),
    padding: pads,
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride: divisor,
  };
  return asCalledBy(op, () => nnFunctions.avgPoolNd(x, kernel, pool));
}

/** Mean over sliding windows of the last dim. */
export function avgPool1d(
  x: Tensor,
  kernelSize: IntOrTuple,
  opts: Omit<AvgPoolOptions, "divisorOverride"> = {},
): Tensor {
  return avgPoolK("avgPool1d", 1, x, kernelSize, opts);
}

/** Mean over sliding windows of the last two dims: `avgPool2d(x, 3, { stride: 2, padding: 1 })`. */
export function avgPool2d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolK("avgPool2d", 2, x, kernelSize, opts);
}

/** Mean over sliding windows of the last three dims. */
export function avgPool3d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolK("avgPool3d", 3, x, kernelSize, opts);
}

/** A pooling sample's call: the kernel and the options. */
interface PoolAttrs {
  kernelSize: IntOrTuple;
  opts: MaxPoolOptions & AvgPoolOptions;
}

type PoolFn = (
  x: Tensor,
  kernelSize: IntOrTuple,
  opts?: MaxPoolOptions & AvgPoolOptions,
) => Tensor | ValuesIndices<Tensor>;

/** A pooling function's table entry, its samples given as [input shape, kernel, options]. */
function poolEntry(
  name: string,
  torchName: string,
  fn: PoolFn,
  keys: readonly string[],
  samples: [number[], IntOrTuple, PoolAttrs["opts"]?][],
) {
  const [first, ...rest] = samples.map(([shape, kernelSize, opts = {}]) => ({
    inputs: [{ shape }],
    attrs: { kernelSize, opts },
    // with returnIndices, the values are compared (the indices have samples of their own)
    torch: torchCall(torchName, ["x0", kernelSize], opts) + (opts.returnIndices ? "[0]" : ""),
  }));
  return defineComposite<PoolAttrs>({
    name,
    call: (xs, a) => partOf(fn(asTensors(xs)[0]!, a.kernelSize, a.opts)),
    options: { keys, call: (xs, o) => fn(asTensors(xs)[0]!, 2, o) },
    samples: [first!, ...rest],
  });
}

/** The pooling functions' table entries. */
export const poolComposites = [
  poolEntry("maxPool1d", "max_pool1d", maxPool1d, maxPoolKeys, [
    [[2, 3, 7], 3, { stride: 2, padding: 1 }],
    [[2, 9], 2, { dilation: 2, ceilMode: true, stride: 3 }],
    [[1, 2, 6], [3], { stride: [1], returnIndices: true }],
  ]),
  poolEntry("maxPool2d", "max_pool2d", maxPool2d, maxPoolKeys, [
    [[1, 2, 5, 5], 2],
    [[1, 2, 5, 5], 3, { stride: 2, padding: 1, ceilMode: true }],
    [[1, 1, 6, 7], [2, 3], { stride: [1, 2], padding: [1, 1], dilation: [2, 1] }],
    [[2, 4, 4], 2, { stride: 1, returnIndices: true }],
  ]),
  poolEntry("maxPool3d", "max_pool3d", maxPool3d, maxPoolKeys, [
    [[1, 1, 3, 4, 5], 2],
    [[1, 1, 3, 4, 5], [2, 2, 3], { stride: [1, 2, 2], padding: [1, 0, 1], ceilMode: true }],
    [[1, 3, 4, 4], 2, { stride: 1, dilation: [1, 2, 1], returnIndices: true }],
  ]),
  poolEntry("avgPool1d", "avg_pool1d", avgPool1d, avgPoolKeys.slice(0, 4), [
    [[2, 3, 7], 3, { stride: 2, padding: 1, ceilMode: true }],
    [[2, 7], 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }],
  ]),
  poolEntry("avgPool2d", "avg_pool2d", avgPool2d, avgPoolKeys, [
    [[1, 2, 5, 5], 3, { stride: 2, padding: 1, countIncludePad: false }],
    [[1, 2, 5, 6], [3, 2], { stride: [2, 3], padding: [1, 1], ceilMode: true }],
    [[2, 5, 5], 2, { divisorOverride: 3, padding: 1 }],
  ]),
  poolEntry("avgPool3d", "avg_pool3d", avgPool3d, avgPoolKeys, [
    [[1, 2, 3, 4, 5], 2, { ceilMode: true, padding: 1, countIncludePad: false }],
    [[1, 3, 4, 5], [3, 2, 2], { stride: [1, 2, 3], padding: [1, 0, 1], ceilMode: true }],
    [[1, 1, 3, 4, 4], 2, { stride: 1, divisorOverride: -3 }],
  ]),
];
