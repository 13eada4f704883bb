// Sliding windows and convolution. `slidingWindows` is a VIEW [...lead, K1..Kk, O1..Ok] whose strides
// step through the input's last k dims (windows may overlap); `foldWindows` adds such a tensor
// back onto the input's grid (one axpy onto the grid's windows view). Each is the other's backward.
// Convolution is one primitive: im2col (that view copied to a batch-merged matrix), one matmul
// and one pass that adds the bias; transposed convolution is one matmul and a fold.

import { isGradEnabled } from "../graph/grad-mode.js";
import { observers } from "../graph/observe.js";
import { kernels } from "../backend/registry.js";
import { fmtShape, numelOf, sameShape } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp, type OpFn } from "./define.js";
import { pad } from "./index-ops.js";
import { binaryRaw, cloneRaw, resultType, viewOf, zerosRaw } from "./unrecorded.js";

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

const windowsOp: OpFn<WindowGeometry> = defineOp<WindowGeometry>({
  name: "slidingWindows",
  forward: ([x], g) => windowView(x!, g),
  // every window element is a copy of one input element: the copies' gradients add (a fold)
  backward: (grad, { attrs }) => [foldOp([grad], attrs)],
});

const foldOp: OpFn<WindowGeometry> = defineOp<WindowGeometry>({
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

/** Options of the convolutions over k spatial dims (every list has k entries). */
export interface ConvNdOptions {
  stride: readonly number[];
  /** Zero padding per spatial dim as [before, after] pairs, first dim first. */
  padding: readonly (readonly [number, number])[];
  dilation: readonly number[];
  groups: number;
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

/** The fused convolution's attributes: its options and the window geometry over the padded input. */
interface ConvAttrs extends ConvNdOptions {
  geometry: WindowGeometry;
}

/**
 * im2col with the batch merged into the columns: x's (padded) windows copied to a contiguous
 * [groups, C/groups·ΠK, N·ΠO] matrix, so that each product of the convolution is one GEMM over
 * the whole batch (not N small ones) and the weight gradient needs no sum over samples.
 */
function im2col(x: Tensor, a: ConvAttrs): Tensor {
  const [n, c] = x.shape as [number, number];
  const { kernel } = a.geometry;
  const k = kernel.length;
  const patch = (c / a.groups) * numelOf(kernel);
  const xp = padSpatial(x, a.padding);
  const windows = slidingWindows(xp, kernel, a.stride, a.dilation);
  // [N, C, K.., O..] → [C, K.., N, O..]: the one copy (a view only for a 1x1 kernel over one sample)
  const order = [1, ...kernel.map((_, i) => 2 + i), 0, ...kernel.map((_, i) => 2 + k + i)];
  const cols = windows.permute(order).reshape([a.groups, patch, n * numelOf(windowCounts(a.geometry))]);
  if (xp !== x && cols.storage !== xp.storage) freeTemp(xp);
  return cols;
}

/** A gradient [N, O, ...S] as the batch-merged matrix [groups, O/groups, N·ΠS] (a copy, unless N = 1). */
function batchMerged(t: Tensor, groups: number): Tensor {
  const [n, o] = t.shape as [number, number];
  return t
    .reshape([n, groups, o / groups, numelOf(t.shape.slice(2))])
    .permute([1, 2, 0, 3])
    .reshape([groups, o / groups, n * numelOf(t.shape.slice(2))]);
}

/** Frees a backward rule's temporary at once when nothing records or observes it. */
function freeTemp(t: Tensor): void {
  if (!isGradEnabled() && observers.length === 0) t.dispose();
}

// NOTE: a primitive, not the composite of windows, copy, matmul and bias add it computes: one node
// instead of seven per convolution, and the im2col matrix kept for the weight gradient and freed
// with the node (hot for the next step's forward). The composite form is the reference it is
// tested against. The product comes out channel-major, [O, N, ...S] (the layout that makes each
// product one GEMM over the batch); the pass that adds the bias also writes it out as the
// contiguous [N, O, ...S] that PyTorch returns, so .view() works on the result as it does there.
const convOp = defineOp<ConvAttrs>({
  name: "convolution",
  forward: ([x, w, b], a, keep) => {
    const [n, outC] = [x!.shape[0]!, w!.shape[0]!];
    const cols = im2col(x!, a);
    if (cols.storage !== x!.storage) keep(cols);
    const counts = windowCounts(a.geometry);
    const product = w!
      .reshape([a.groups, outC / a.groups, cols.shape[1]!])
      .matmul(cols)
      .reshape([outC, n, ...counts])
      .transpose(0, 1);
    // a bias of a wider dtype widens the result, as the add it replaces did
    const dt = b ? resultType([product, b]) : product.dtype;
    const out = b
      ? binaryRaw("convolution", "add", product, b.reshape([outC, ...counts.map(() => 1)]), dt, dt)
      : cloneRaw(product);
    // the product is this forward's own temporary: nothing else ever sees it
    product.dispose();
    return out;
  },
  save: { inputs: [0, 1] },
  // y = W·cols(x) + b per group, over the batch-merged columns: ∂L/∂W = G·colsᵀ, ∂L/∂cols = Wᵀ·G
  // folded back onto x's grid (the adjoint of taking windows), ∂L/∂b = G summed over its columns
  backward: (grad, { inputs: [x, w], kept: [kept], attrs: a, needsInputGrad: [dx, dw, db] }) => {
    const [n, c] = x!.shape as [number, number];
    const [outC, g] = [w!.shape[0]!, a.groups];
    const { kernel } = a.geometry;
    const k = kernel.length;
    const counts = windowCounts(a.geometry);
    const gm = batchMerged(grad, g);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (dx) {
      const dcols = w!
        .reshape([g, outC / g, (c / g) * numelOf(kernel)])
        .transpose(-1, -2)
        .matmul(gm);
      // [C, K.., N, O..] seen as the windows [N, C, K.., O..] that fold adds back onto the grid
      const windows = dcols
        .reshape([c, ...kernel, n, ...counts])
        .permute([k + 1, 0, ...kernel.map((_, i) => 1 + i), ...counts.map((_, i) => k + 2 + i)]);
      const padded = foldWindows(windows, a.geometry.size, kernel, a.stride, a.dilation);
      freeTemp(dcols);
      gx = unpadSpatial(padded, a.padding);
    }
    if (dw) {
      // under createGraph the windows are taken again from x, so that ∂L/∂W is differentiable in x
      const cols = kept && !isGradEnabled() ? kept : im2col(x!, a);
      // as cols·Gᵀ: rows of both are contiguous along the long N·ΠO dim (dot products, no packing)
      gw = cols.matmul(gm.transpose(-1, -2)).transpose(-1, -2).reshape(w!.shape);
    }
    const gb = db ? gm.sum(2).reshape([outC]) : null;
    if (gm !== grad && gm.storage !== grad.storage) freeTemp(gm);
    return [gx, gw, gb];
  },
});

/**
 * Convolution (cross-correlation) of x [N, C, ...S] with w [O, C/groups, ...K]: im2col as the
 * windows view copied to [groups, C/groups·ΠK, N·ΠO], then one matmul with w [groups, O/groups, C/groups·ΠK].
 */
export function convNd(x: Tensor, w: Tensor, bias: Tensor | null, opts: ConvNdOptions): Tensor {
  const padded = x.shape.map((s, i) => (i < 2 ? s : s + opts.padding[i - 2]![0] + opts.padding[i - 2]![1]));
  const geometry = geometryOf("conv", padded, w.shape.slice(2), opts.stride, opts.dilation);
  const attrs: ConvAttrs = { ...opts, geometry };
  return convOp(bias ? [x, w, bias] : [x, w], attrs);
}

/** x with [before, after] padding cut off its last k dims (the adjoint of padSpatial). */
function unpadSpatial(x: Tensor, padding: readonly (readonly [number, number])[]): Tensor {
  const lead = x.ndim - padding.length;
  let out = x;
  padding.forEach(([p0, p1], i) => {
    if (p0 > 0 || p1 > 0) out = out.slice(lead + i, p0, x.shape[lead + i]! - p1);
  });
  return out;
}

/** Options of the transposed convolutions: padding is symmetric per dim, outputPadding adds at the end. */
export interface ConvTransposeNdOptions {
  stride: readonly number[];
  padding: readonly number[];
  outputPadding: readonly number[];
  dilation: readonly number[];
  groups: number;
}

/**
 * Transposed convolution of x [N, Cin, ...S] with w [Cin, Cout/groups, ...K] (the gradient of
 * convNd with respect to its input): one matmul gives every window's contribution, fold adds them.
 */
export function convTransposeNd(x: Tensor, w: Tensor, bias: Tensor | null, opts: ConvTransposeNdOptions): Tensor {
  const k = w.ndim - 2;
  const [n, inC] = x.shape as [number, number];
  const g = opts.groups;
  const kernel = w.shape.slice(2);
  const outC = w.shape[1]! * g;
  const spatial = x.shape.slice(2);
  const patch = (outC / g) * numelOf(kernel);
  const cols = w
    .reshape([g, inC / g, patch])
    .transpose(-1, -2)
    .matmul(x.reshape([n, g, inC / g, numelOf(spatial)]))
    .reshape([n, outC, ...kernel, ...spatial]);
  const full = spatial.map((s, i) => (s - 1) * opts.stride[i]! + opts.dilation[i]! * (kernel[i]! - 1) + 1);
  let out = foldWindows(cols, full, kernel, opts.stride, opts.dilation);
  out = padSpatial(
    out,
    opts.outputPadding.map((p) => [0, p] as const),
  );
  for (let i = 0; i < k; i++) {
    const p = opts.padding[i]!;
    if (p > 0) out = out.slice(2 + i, p, out.shape[2 + i]! - p);
  }
  return bias ? out.add(bias.reshape([outC, ...kernel.map(() => 1)])) : out;
}
