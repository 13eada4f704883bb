// Sliding windows over the last k dims of a grid. `slidingWindows` is a VIEW [...lead, K1..Kk, O1..Ok]
// whose strides step through the input's last k dims (windows may overlap); `foldWindows` adds such
// a tensor back onto the input's grid (one axpy onto the grid's windows view). Each is the other's
// backward. Padding the grid, and cutting the padding off again, complete the geometry.

import { kernels } from "../backend/registry.js";
import { fmtShape, sameShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { Sample } from "./samples.js";
import { defineOp, type Op } from "./define.js";
import { genericRule } from "./explain-rule.js";
import { pad } from "./index-ops.js";
import { viewOf, zerosRaw } from "./unrecorded.js";
import { permute, reshape, slice } from "./view.js";

/** Window geometry over the last k dims: k = kernel.length. */
export interface WindowGeometry {
  /** Window extent per windowed dim. */
  kernel: readonly number[];
  /** Step between window starts. */
  stride: readonly number[];
  /** Step between a window's taps. */
  dilation: readonly number[];
  /** Size of the windowed dims of the input (the fold's output). */
  size: readonly number[];
}

/** How many windows fit along each dim: ⌊(H − d(K−1) − 1)/s⌋ + 1. */
export function windowCounts(g: WindowGeometry): number[] {
  return g.size.map((h, i) => Math.floor((h - g.dilation[i]! * (g.kernel[i]! - 1) - 1) / g.stride[i]!) + 1);
}

// NOTE: the K dims come before the O dims, the column order of torch's F.unfold, so im2col is a
// reshape of this view and the columns of a transposed convolution fold without a permute.
/** The windows view of x without recording (x's last k dims must match g.size). */
function windowView(x: Tensor, g: WindowGeometry): Tensor {
  const lead = x.ndim - g.kernel.length;
  const xs = x.strides.slice(lead);
  return viewOf(
    x,
    [...x.shape.slice(0, lead), ...g.kernel, ...windowCounts(g)],
    [...x.strides.slice(0, lead), ...xs.map((s, i) => s * g.dilation[i]!), ...xs.map((s, i) => s * g.stride[i]!)],
    x.offset,
  );
}

/** Whether the windows tile the grid: each element in exactly one window (stride = kernel, no dilation, no rest). */
function tiles(g: WindowGeometry): boolean {
  const counts = windowCounts(g);
  return g.kernel.every(
    (k, i) => g.stride[i] === k && (k === 1 || g.dilation[i] === 1) && counts[i]! * k === g.size[i],
  );
}

/**
 * Windows [...lead, K1..Kk, O1..Ok] that tile their grid, as the grid [...lead, O1·K1, .., Ok·Kk]:
 * their fold, which then only moves elements (a view where the strides allow, as for a global
 * average pool's gradient, one value broadcast over each plane).
 */
function untile(w: Tensor, g: WindowGeometry): Tensor {
  const k = g.kernel.length;
  const lead = w.ndim - 2 * k;
  const order = [...Array(lead).keys(), ...g.kernel.flatMap((_, i) => [lead + k + i, lead + i])];
  return reshape(permute(w, ...order), [...w.shape.slice(0, lead), ...g.size]);
}

/** The sliding-windows primitive: a view of x's windows. */
export const windowsOp: Op<WindowGeometry> = defineOp<WindowGeometry>({
  name: "slidingWindows",
  forward: ([x], g) => windowView(x!, g),
  // every window element is a copy of one input element: the copies' gradients add (a fold,
  // which for windows that tile the grid only moves them back)
  backward: (grad, { attrs }) => [tiles(attrs) ? untile(grad, attrs) : foldOp([grad], attrs)],
  explain: genericRule("slidingWindows"),
  samples: [
    windowSample(
      "slidingWindows",
      [1, 2, 4, 4],
      [
        [2, 2],
        [2, 1],
        [1, 1],
      ],
      "torch.nn.functional.unfold(x0, (2, 2), stride=(2, 1)).reshape(1, 2, 2, 2, 2, 3)",
    ),
    windowSample(
      "slidingWindows",
      [3, 7],
      [[3], [2], [2]],
      "torch.nn.functional.unfold(x0.reshape(1, 3, 1, 7), (1, 3), dilation=(1, 2), stride=(1, 2)).reshape(3, 3, 2)",
    ),
    // windows that tile the grid, whose gradient only moves elements back
    windowSample(
      "slidingWindows",
      [1, 2, 4, 6],
      [
        [2, 3],
        [2, 3],
        [1, 1],
      ],
      "torch.nn.functional.unfold(x0, (2, 3), stride=(2, 3)).reshape(1, 2, 2, 3, 2, 2)",
    ),
    windowSample(
      "slidingWindows",
      [3, 5],
      [[1], [1], [2]],
      "torch.nn.functional.unfold(x0.reshape(1, 3, 1, 5), (1, 1), dilation=(1, 2)).reshape(3, 1, 5)",
    ),
  ],
});

/** The fold primitive: windows added back onto their grid. */
export const foldOp: Op<WindowGeometry> = defineOp<WindowGeometry>({
  name: "foldWindows",
  forward: ([cols], g) => {
    const k = g.kernel.length;
    const lead = cols!.shape.slice(0, cols!.ndim - 2 * k);
    const expected = [...lead, ...g.kernel, ...windowCounts(g)];
    if (!sameShape(cols!.shape, expected)) {
      throw new RangeError(
        `foldWindows: expected windows of shape ${fmtShape(expected)}, got ${fmtShape(cols!.shape)}`,
      );
    }
    const out = zerosRaw([...lead, ...g.size], cols!.dtype);
    if (out.numel() === 0 || cols!.numel() === 0) return out;
    // one axpy onto the grid's own windows view: overlapping windows name a grid element several
    // times and their contributions add; cols is read once, in its own order
    kernels().axpy(1, cols!._view(), windowView(out, g)._view());
    return out;
  },
  // fold is a sum of window copies; its adjoint reads the windows back out
  backward: (grad, { attrs }) => [windowsOp([grad], attrs)],
  explain: genericRule("foldWindows"),
  samples: [
    windowSample(
      "foldWindows",
      [1, 2, 2, 2, 2, 2],
      [
        [2, 2],
        [1, 1],
        [1, 1],
      ],
      "torch.nn.functional.fold(x0.reshape(1, 8, 4), (3, 3), (2, 2))",
      [1, 2, 3, 3],
    ),
    windowSample(
      "foldWindows",
      [2, 3, 3],
      [[3], [2], [1]],
      "torch.nn.functional.fold(x0.reshape(1, 6, 3), (1, 7), (1, 3), stride=(1, 2)).reshape(2, 7)",
      [2, 7],
    ),
  ],
});

/** @internal checks and normalises a window geometry over a grid of `size` (the last k dims of `shape`). */
export function geometryOf(
  op: string,
  shape: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): WindowGeometry {
  const k = kernel.length;
  if (shape.length < k) throw new RangeError(`${op}: input of shape ${fmtShape(shape)} has fewer than ${k} dims`);
  const g: WindowGeometry = {
    kernel: [...kernel],
    stride: [...stride],
    dilation: [...dilation],
    size: shape.slice(-k),
  };
  for (const [name, v] of [
    ["kernel", kernel],
    ["stride", stride],
    ["dilation", dilation],
  ] as const) {
    if (v.length !== k || v.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new RangeError(`${op}: ${name} must be ${k} positive integers, got ${fmtShape(v)}`);
    }
  }
  if (windowCounts(g).some((n) => n < 1)) {
    throw new RangeError(
      `${op}: kernel ${fmtShape(kernel)} with dilation ${fmtShape(dilation)} does not fit in the last dims ` +
        `${fmtShape(g.size)} of shape ${fmtShape(shape)}`,
    );
  }
  return g;
}

/** A sample call of a windowed op: one input of `shape` over a grid of `grid` (its last dims by default). */
export function windowSample(
  op: string,
  shape: number[],
  [kernel, stride, dilation]: [number[], number[], number[]],
  torch: string,
  grid: number[] = shape,
): Sample<WindowGeometry> {
  return { inputs: [{ shape }], attrs: geometryOf(op, grid, kernel, stride, dilation), torch };
}

/** The sliding windows of x's last k dims as a view [...lead, K1..Kk, O1..Ok] (no copy). */
export function slidingWindows(
  x: Tensor,
  kernel: readonly number[],
  stride: readonly number[] = kernel.map(() => 1),
  dilation: readonly number[] = kernel.map(() => 1),
): Tensor {
  return windowsOp([x], geometryOf("slidingWindows", x.shape, kernel, stride, dilation));
}

/** Sums windows [...lead, K1..Kk, O1..Ok] back onto a grid [...lead, ...size] (the adjoint of slidingWindows). */
export function foldWindows(
  cols: Tensor,
  size: readonly number[],
  kernel: readonly number[],
  stride: readonly number[] = kernel.map(() => 1),
  dilation: readonly number[] = kernel.map(() => 1),
): Tensor {
  return foldOp([cols], geometryOf("foldWindows", size, kernel, stride, dilation));
}

/** Zero-pads the last k dims by [before, after] pairs (first spatial dim first); x itself when all are 0. */
export function padSpatial(x: Tensor, padding: readonly (readonly [number, number])[], value = 0): Tensor {
  if (padding.every(([a, b]) => a === 0 && b === 0)) return x;
  return pad(
    x,
    [...padding].reverse().flatMap(([a, b]) => [a, b]),
    value,
  );
}

/** x with [before, after] padding cut off its last k dims (the adjoint of padSpatial). */
export function unpadSpatial(x: Tensor, padding: readonly (readonly [number, number])[]): Tensor {
  const lead = x.ndim - padding.length;
  let out = x;
  padding.forEach(([p0, p1], i) => {
    if (p0 > 0 || p1 > 0) out = slice(out, lead + i, p0, x.shape[lead + i]! - p1);
  });
  return out;
}
