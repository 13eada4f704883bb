// Pooling over the last k dims of the padded input. Max pooling is a primitive: one kernel pass
// finds each window's FIRST maximum and its position, kept for a one-scatter backward (as in
// PyTorch; amax would split ties). Average pooling is a sum over the sliding-windows view
// divided by a count.

import { kernels } from "../backend/registry.js";
import { fmtShape, numelOf } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { div } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { type BackwardRule, defineOp } from "./define.js";
import { genericRule } from "./explain-rule.js";
import { scatterAdd } from "./index-ops.js";
import { matmul } from "./linalg.js";
import { cloneRaw, fullRaw, wrap, zerosRaw } from "./unrecorded.js";
import { reshape, transpose } from "./view.js";
import { geometryOf, padSpatial, slidingWindows, type WindowGeometry, windowCounts, windowSample } from "./windows.js";

/** The window dims (K1..Kk) of a windows view over x's last k dims. */
const windowDims = (ndim: number, k: number) => Array.from({ length: k }, (_, i) => ndim - k + i);

/**
 * Max routes: each window's gradient goes to its first maximum (the kept positions), and windows
 * that share that input element add up there: one scatter-add onto the flat plane. `fused`
 * scatters with one kernel call straight into a fresh zero plane; otherwise with the recorded
 * scatterAdd, which is differentiable in the gradient.
 */
function maxPoolBackward(fused: boolean): BackwardRule<WindowGeometry> {
  return (grad, { kept: [pos], attrs: g }) => {
    const k = g.kernel.length;
    const lead = grad.shape.slice(0, grad.ndim - k);
    const [b, plane, outs] = [numelOf(lead), numelOf(g.size), numelOf(grad.shape.slice(-k))];
    if (!fused) {
      const flat = scatterAdd(
        fullRaw([b, plane], 0, grad.dtype),
        1,
        reshape(pos!, [b, outs]),
        reshape(grad, [b, outs]),
      );
      return [reshape(flat, [...lead, ...g.size])];
    }
    const out = zerosRaw([...lead, ...g.size], grad.dtype);
    if (b * outs > 0) {
      const src = grad.isContiguous() ? grad : cloneRaw(grad);
      kernels().scatterAdd(
        out.storage.handle,
        [b, plane],
        1,
        { ...pos!._view(), shape: [b, outs], strides: [outs, 1] },
        { ...src._view(), shape: [b, outs], strides: [outs, 1] },
      );
    }
    return [out];
  };
}

/** The max pooling primitive over the last k dims of an already padded input. */
export const maxPoolOp = defineOp<WindowGeometry>({
  name: "maxPool",
  // one kernel pass finds each window's maximum and the flat position of its first maximum in
  // x's plane; the positions (int32, the windows' shape) are kept for the backward alone
  forward: ([x], g, keep) => {
    const shape = [...x!.shape.slice(0, x!.ndim - g.kernel.length), ...windowCounts(g)];
    const out = zerosRaw(shape, x!.dtype);
    const positions = zerosRaw(shape, "int32");
    if (out.numel() > 0) kernels().maxPool(x!._view(), g, out.storage.handle, positions.storage.handle);
    keep(positions);
    return out;
  },
  backward: maxPoolBackward(false),
  fastBackward: maxPoolBackward(true),
  explain: genericRule("maxPool"),
  samples: [
    windowSample(
      "maxPool",
      [1, 2, 4, 4],
      [
        [2, 2],
        [2, 2],
        [1, 1],
      ],
      "torch.nn.functional.max_pool2d(x0, 2)",
    ),
    {
      ...windowSample("maxPool", [2, 7], [[3], [2], [1]], "torch.nn.functional.max_pool1d(x0, 3, stride=2)"),
      note: "overlapping windows: an element that wins twice gets both gradients",
    },
    windowSample("maxPool", [1, 3, 6], [[2], [1], [2]], "torch.nn.functional.max_pool1d(x0, 2, stride=1, dilation=2)"),
  ],
});

/** Pooling geometry as PyTorch computes it: output sizes and the extra end padding ceil mode needs. */
export interface PoolShape {
  /** Output size per pooled dim. */
  out: number[];
  /** Padding per pooled dim as [before, after], `after` including ceil mode's overhang. */
  pads: [number, number][];
}

/** Output sizes of pooling (torch's pooling_output_shape) and the padding that realises them. */
export function poolShape(
  op: string,
  size: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  padding: readonly number[],
  dilation: readonly number[],
  ceilMode: boolean,
): PoolShape {
  const out: number[] = [];
  const pads: [number, number][] = [];
  size.forEach((h, i) => {
    const [kk, s, p, d] = [kernel[i]!, stride[i]!, padding[i]!, dilation[i]!];
    if (p < 0 || p > kk / 2) {
      throw new RangeError(`${op}: padding ${p} must be between 0 and half the kernel size ${kk}`);
    }
    const span = d * (kk - 1) + 1;
    let o = Math.floor((h + 2 * p - span + (ceilMode ? s - 1 : 0)) / s) + 1;
    // the last window must start inside the input or its left padding
    if (ceilMode && (o - 1) * s >= h + p) o--;
    if (o < 1) {
      throw new RangeError(
        `${op}: kernel ${fmtShape(kernel)} (dilation ${fmtShape(dilation)}, padding ${fmtShape(padding)}) ` +
          `is larger than the padded input ${fmtShape(size)}`,
      );
    }
    out.push(o);
    pads.push([p, p + Math.max(0, (o - 1) * s + span - h - 2 * p)]);
  });
  return { out, pads };
}

/** Options of pooling over k dims (every list has k entries). */
export interface PoolNdOptions {
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
  ceilMode: boolean;
}

/** Max pooling's padding per pooled dim, and its window geometry over the padded input. */
export interface PaddedGeometry {
  pads: [number, number][];
  geometry: WindowGeometry;
}

export function paddedGeometry(
  shape: readonly number[],
  kernel: readonly number[],
  opts: PoolNdOptions,
): PaddedGeometry {
  const k = kernel.length;
  const size = shape.slice(-k);
  const { pads } = poolShape("maxPool", size, kernel, opts.stride, opts.padding, opts.dilation, opts.ceilMode);
  const padded = [...shape.slice(0, -k), ...size.map((s, i) => s + pads[i]![0] + pads[i]![1])];
  return { pads, geometry: geometryOf("maxPool", padded, kernel, opts.stride, opts.dilation) };
}

/** Max pooling over the last `kernel.length` dims; padding never wins (it is -inf). */
export function maxPoolNd(x: Tensor, kernel: readonly number[], opts: PoolNdOptions): Tensor {
  const { pads, geometry } = paddedGeometry(x.shape, kernel, opts);
  return maxPoolOp([padSpatial(x, pads, -Infinity)], geometry);
}

/** Options of average pooling. */
export interface AvgPoolNdOptions {
  stride: readonly number[];
  padding: readonly number[];
  ceilMode: boolean;
  /** Count padding zeros in the divisor (PyTorch's default). */
  countIncludePad: boolean;
  /** Divide by this instead of the window's element count. */
  divisorOverride?: number;
}

/**
 * Average pooling over the last `kernel.length` dims: a sum over the windows view divided by each
 * window's count (padding counts when countIncludePad; ceil mode's overhang never does).
 */
export function avgPoolNd(x: Tensor, kernel: readonly number[], opts: AvgPoolNdOptions): Tensor {
  const k = kernel.length;
  const ones = kernel.map(() => 1);
  const size = x.shape.slice(-k);
  const { pads } = poolShape("avgPool", size, kernel, opts.stride, opts.padding, ones, opts.ceilMode);
  const dims = windowDims(x.ndim, k);
  const sums = sum(slidingWindows(padSpatial(x, pads), kernel, opts.stride), dims);
  if (opts.divisorOverride !== undefined) return div(sums, opts.divisorOverride);
  if (pads.every(([a, b]) => a === 0 && b === 0)) return div(sums, numelOf(kernel));
  // the divisor of each window: its taps that land on counted positions (a constant, no grad)
  const counted = opts.countIncludePad
    ? padSpatial(
        fullRaw(
          size.map((s, i) => s + 2 * opts.padding[i]!),
          1,
          x.dtype,
        ),
        pads.map(([a, b]) => [0, b - a] as const),
      )
    : padSpatial(fullRaw(size, 1, x.dtype), pads);
  const counts = sum(slidingWindows(counted, kernel, opts.stride), windowDims(k, k));
  return div(sums, counts);
}

/** The [out, size] averaging matrix of adaptive pooling: row i spans ⌊i·size/out⌋ … ⌈(i+1)·size/out⌉. */
function adaptiveMatrix(size: number, out: number, x: Tensor): Tensor {
  const data = new Float64Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) data[i * size + j] = 1 / (end - start);
  }
  return wrap(kernels().upload(x.dtype, data), x.dtype, [out, size]);
}

/**
 * Adaptive average pooling of the last `outputSize.length` dims. Even splits are average pooling
 * (views + one reduction); uneven ones multiply by a fixed averaging matrix per dim.
 */
export function adaptiveAvgPoolNd(x: Tensor, outputSize: readonly number[]): Tensor {
  const k = outputSize.length;
  const size = x.shape.slice(-k);
  if (size.every((s, i) => s % outputSize[i]! === 0)) {
    const kernel = size.map((s, i) => s / outputSize[i]!);
    return avgPoolNd(x, kernel, {
      stride: kernel,
      padding: kernel.map(() => 0),
      ceilMode: false,
      countIncludePad: true,
    });
  }
  let y = x;
  size.forEach((s, i) => {
    const dim = x.ndim - k + i;
    const a = adaptiveMatrix(s, outputSize[i]!, x);
    y = transpose(matmul(transpose(y, dim, -1), transpose(a, 0, 1)), dim, -1);
  });
  return y;
}
