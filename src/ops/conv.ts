// Convolution is one primitive: im2col (the sliding-windows view copied to a batch-merged matrix),
// one matmul and one pass that adds the bias; a backend with a direct kernel runs stride-1 2-D
// convolutions and their gradients without the matrix (conv-direct.ts). Transposed convolution is
// one matmul and a fold. The window primitives it is built on live in windows.ts.

import { numelOf } from "../core/shape.js";
import { observers } from "../graph/observe.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import type { Sample } from "./samples.js";
import { type BackwardRule, defineOp } from "./define.js";
import { genericRule } from "./explain-rule.js";
import {
  convForwardDirect,
  convInputGradDirect,
  convWeightGradDirect,
  directConv,
  directInputGrad,
  directWeightGrad,
} from "./conv-direct.js";
import { matmul } from "./linalg.js";
import { binaryRaw, cloneRaw, resultType } from "./unrecorded.js";
import { permute, reshape, transpose } from "./view.js";
import {
  foldWindows,
  geometryOf,
  padSpatial,
  slidingWindows,
  unpadSpatial,
  type WindowGeometry,
  windowCounts,
} from "./windows.js";

/** Options of the convolutions over k spatial dims (every list has k entries). */
export interface ConvNdOptions {
  stride: readonly number[];
  /** Zero padding per spatial dim as [before, after] pairs, first dim first. */
  padding: readonly (readonly [number, number])[];
  dilation: readonly number[];
  groups: number;
}

/** The fused convolution's attributes: its options and the window geometry over the padded input. */
interface ConvAttrs extends ConvNdOptions {
  geometry: WindowGeometry;
}

/** The convolution's attributes for x and w of these shapes: the geometry is over the padded input. */
function convAttrs(xShape: readonly number[], wShape: readonly number[], opts: ConvNdOptions): ConvAttrs {
  const padded = xShape.map((s, i) => (i < 2 ? s : s + opts.padding[i - 2]![0] + opts.padding[i - 2]![1]));
  return { ...opts, geometry: geometryOf("conv", padded, wShape.slice(2), opts.stride, opts.dilation) };
}

/**
 * A sample call: x and w (with a bias of w's O outputs when `bias`), the options as stride,
 * padding (the same at both ends of a dim, as PyTorch's), dilation and groups, and the call under
 * torch.nn.functional.
 */
function convSample(
  x: number[],
  w: number[],
  bias: boolean,
  [stride, padding, dilation, groups]: [number[], number[], number[], number],
  call: string,
): Sample<ConvAttrs> {
  return {
    inputs: [{ shape: x }, { shape: w }, ...(bias ? [{ shape: [w[0]!] }] : [])],
    attrs: convAttrs(x, w, { stride, padding: padding.map((p) => [p, p] as const), dilation, groups }),
    torch: `torch.nn.functional.${call}`,
  };
}

/** Frees a temporary at once unless an observer may hold it (ops run by a backward are observed). */
function freeUnobserved(t: Tensor): void {
  if (observers.length === 0) t.dispose();
}

/**
 * im2col with the batch merged into the columns: x's (padded) windows copied to a contiguous
 * [groups, C/groups·ΠK, N·ΠO] matrix, so that each product of the convolution is one GEMM over
 * the whole batch (not N small ones) and the weight gradient needs no sum over samples. When
 * nothing records, `unrecorded` frees the padded copy of x at once.
 */
function im2col(x: Tensor, a: ConvAttrs, unrecorded: boolean): Tensor {
  const [n, c] = x.shape as [number, number];
  const { kernel } = a.geometry;
  const k = kernel.length;
  const patch = (c / a.groups) * numelOf(kernel);
  const xp = padSpatial(x, a.padding);
  const windows = slidingWindows(xp, kernel, a.stride, a.dilation);
  // [N, C, K.., O..] → [C, K.., N, O..]: the one copy (a view only for a 1x1 kernel over one sample)
  const order = [1, ...kernel.map((_, i) => 2 + i), 0, ...kernel.map((_, i) => 2 + k + i)];
  const cols = reshape(permute(windows, ...order), [a.groups, patch, n * numelOf(windowCounts(a.geometry))]);
  if (unrecorded && xp !== x && cols.storage !== xp.storage) freeUnobserved(xp);
  return cols;
}

/** A gradient [N, O, ...S] as the batch-merged matrix [groups, O/groups, N·ΠS] (a copy, unless N = 1). */
function batchMerged(t: Tensor, groups: number): Tensor {
  const [n, o] = t.shape as [number, number];
  const spatial = numelOf(t.shape.slice(2));
  return reshape(permute(reshape(t, [n, groups, o / groups, spatial]), 1, 2, 0, 3), [groups, o / groups, n * spatial]);
}

/**
 * y = W·cols(x) + b per group, over the batch-merged columns: ∂L/∂W = G·colsᵀ, ∂L/∂cols = Wᵀ·G
 * folded back onto x's grid (the adjoint of taking windows), ∂L/∂b = G summed over its columns.
 * The reference rule takes the windows again from x, so that ∂L/∂W is differentiable in x; the
 * `fused` one, run when nothing records, reads the kept im2col matrix instead and frees its
 * temporaries at once.
 */
function convBackward(fused: boolean): BackwardRule<ConvAttrs> {
  return (grad, { inputs: [x, w], kept: [kept], attrs: a, needsInputGrad: [dx, dw, db] }) => {
    const [n, c] = x!.shape as [number, number];
    const [outC, g] = [w!.shape[0]!, a.groups];
    const { kernel } = a.geometry;
    const k = kernel.length;
    const counts = windowCounts(a.geometry);
    // the batch-merged gradient, made only if a product needs it (the direct input gradient does not)
    let merged: Tensor | null = null;
    const gm = () => (merged ??= batchMerged(grad, g));
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (dx && fused && directInputGrad(x!, w!, grad, a)) {
      gx = convInputGradDirect(grad, w!, a);
    } else if (dx) {
      const dcols = matmul(transpose(reshape(w!, [g, outC / g, (c / g) * numelOf(kernel)]), -1, -2), gm());
      // [C, K.., N, O..] seen as the windows [N, C, K.., O..] that fold adds back onto the grid
      const windows = permute(
        reshape(dcols, [c, ...kernel, n, ...counts]),
        k + 1,
        0,
        ...kernel.map((_, i) => 1 + i),
        ...counts.map((_, i) => k + 2 + i),
      );
      const padded = foldWindows(windows, a.geometry.size, kernel, a.stride, a.dilation);
      if (fused) freeUnobserved(dcols);
      gx = unpadSpatial(padded, a.padding);
    }
    let gb: Tensor | null = null;
    if (dw && fused && directWeightGrad(x!, w!, grad, a)) {
      [gw, gb] = convWeightGradDirect(x!, grad, w!.shape, a, db === true);
    } else if (dw) {
      const cols = fused && kept ? kept : im2col(x!, a, fused);
      // as cols·Gᵀ: rows of both are contiguous along the long N·ΠO dim (dot products, no packing)
      gw = reshape(transpose(matmul(cols, transpose(gm(), -1, -2)), -1, -2), w!.shape);
      if (fused && !kept && cols.storage !== x!.storage) freeUnobserved(cols);
    }
    if (db && !gb) gb = sum(grad, [0, ...counts.map((_, i) => 2 + i)]);
    // (merged is set inside gm(), which the compiler's flow analysis does not follow)
    const m = merged as Tensor | null;
    if (fused && m && m !== grad && m.storage !== grad.storage) freeUnobserved(m);
    return [gx, gw, gb];
  };
}

// NOTE: a primitive, not the composite of windows, copy, matmul and bias add it computes: one node
// instead of seven per convolution, and the im2col matrix kept for the weight gradient and freed
// with the node (hot for the next step's forward). The composite form is the reference it is
// tested against. The product comes out channel-major, [O, N, ...S] (the layout that makes each
// product one GEMM over the batch); the pass that adds the bias also writes it out as the
// contiguous [N, O, ...S] that PyTorch returns, so .view() works on the result as it does there.
/** The convolution primitive: x [N, C, ...S], w [O, C/groups, ...K] and an optional bias [O]. */
export const convOp = defineOp<ConvAttrs>({
  name: "convolution",
  forward: ([x, w, b], a, keep) => {
    if (directConv(x!, w!, b, a)) return convForwardDirect(x!, w!, b, a);
    const [n, outC] = [x!.shape[0]!, w!.shape[0]!];
    const cols = im2col(x!, a, true);
    if (cols.storage !== x!.storage) keep(cols);
    const counts = windowCounts(a.geometry);
    const product = transpose(
      reshape(matmul(reshape(w!, [a.groups, outC / a.groups, cols.shape[1]!]), cols), [outC, n, ...counts]),
      0,
      1,
    );
    // a bias of a wider dtype widens the result, as the add it replaces did
    const dt = b ? resultType([product, b]) : product.dtype;
    const out = b
      ? binaryRaw("convolution", "add", product, reshape(b, [outC, ...counts.map(() => 1)]), dt, dt)
      : cloneRaw(product);
    // the product is this forward's own temporary: nothing else ever sees it
    product.dispose();
    return out;
  },
  save: { inputs: [0, 1] },
  backward: convBackward(false),
  fastBackward: convBackward(true),
  explain: genericRule("convolution"),
  samples: [
    convSample([1, 2, 4, 4], [3, 2, 2, 2], true, [[1, 1], [0, 0], [1, 1], 1], "conv2d(x0, x1, x2)"),
    convSample([2, 2, 5], [4, 1, 3], false, [[2], [1], [1], 2], "conv1d(x0, x1, stride=2, padding=1, groups=2)"),
    convSample(
      [1, 1, 5, 4],
      [2, 1, 2, 2],
      true,
      [[2, 1], [1, 0], [1, 2], 1],
      "conv2d(x0, x1, x2, stride=(2, 1), padding=(1, 0), dilation=(1, 2))",
    ),
  ],
});

/**
 * Convolution (cross-correlation) of x [N, C, ...S] with w [O, C/groups, ...K]: im2col as the
 * windows view copied to [groups, C/groups·ΠK, N·ΠO], then one matmul with w [groups, O/groups, C/groups·ΠK].
 */
export function convNd(x: Tensor, w: Tensor, bias: Tensor | null, opts: ConvNdOptions): Tensor {
  return convOp(bias ? [x, w, bias] : [x, w], convAttrs(x.shape, w.shape, opts));
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
  const [n, inC] = x.shape as [number, number];
  const g = opts.groups;
  const kernel = w.shape.slice(2);
  const outC = w.shape[1]! * g;
  const spatial = x.shape.slice(2);
  const patch = (outC / g) * numelOf(kernel);
  const cols = reshape(
    matmul(transpose(reshape(w, [g, inC / g, patch]), -1, -2), reshape(x, [n, g, inC / g, numelOf(spatial)])),
    [n, outC, ...kernel, ...spatial],
  );
  const full = spatial.map((s, i) => (s - 1) * opts.stride[i]! + opts.dilation[i]! * (kernel[i]! - 1) + 1);
  const folded = foldWindows(cols, full, kernel, opts.stride, opts.dilation);
  const extended = padSpatial(
    folded,
    opts.outputPadding.map((p) => [0, p] as const),
  );
  const out = unpadSpatial(
    extended,
    opts.padding.map((p) => [p, p] as const),
  );
  return bias ? add(out, reshape(bias, [outC, ...kernel.map(() => 1)])) : out;
}
