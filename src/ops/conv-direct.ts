// The direct path of the convolution primitive, where the backend has one: a stride-1 2-D
// convolution computed from x itself (no im2col matrix), and the input gradient of one as the
// same kernel over the gradient with the weights flipped and transposed (a strided view, no copy).

import { kernels } from "../backend/registry.js";
import type { View } from "../backend/kernels.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { cloneRaw, zerosRaw } from "./unrecorded.js";

/** The convolution options the direct path reads. */
interface DirectAttrs {
  stride: readonly number[];
  padding: readonly (readonly [number, number])[];
  dilation: readonly number[];
  groups: number;
}

/** Whether the backend computes this convolution directly: 2-D, stride 1, one float dtype. */
export function directConv(x: Tensor, w: Tensor, b: Tensor | undefined, a: DirectAttrs): boolean {
  return (
    kernels().convDirect !== undefined &&
    x.ndim === 4 &&
    a.stride.every((s) => s === 1) &&
    (x.dtype === "float32" || x.dtype === "float64") &&
    w.dtype === x.dtype &&
    (!b || b.dtype === x.dtype)
  );
}

/** The direct convolution of x with w (and bias b) at this padding and dilation; out [N, O, Ho, Wo]. */
function run(x: View, w: View, b: View | null, padding: number[], dilation: readonly number[], groups: number): Tensor {
  const [n, o, kh, kw] = [x.shape[0]!, w.shape[0]!, w.shape[2]!, w.shape[3]!];
  const ho = x.shape[2]! + padding[0]! + padding[1]! - dilation[0]! * (kh - 1);
  const wo = x.shape[3]! + padding[2]! + padding[3]! - dilation[1]! * (kw - 1);
  const out = zerosRaw([n, o, ho, wo], x.dtype);
  if (out.numel() > 0) kernels().convDirect!(x, w, b, padding, dilation, groups, out.storage.handle);
  return out;
}

/** The forward of the convolution primitive on the direct path. */
export function convForwardDirect(x: Tensor, w: Tensor, b: Tensor | undefined, a: DirectAttrs): Tensor {
  return run(x._view(), w._view(), b ? b._view() : null, a.padding.flat(), a.dilation, a.groups);
}

/** Whether the input gradient can take the direct path: one group (the transposed weights are then one view). */
export function directInputGrad(x: Tensor, w: Tensor, grad: Tensor, a: DirectAttrs): boolean {
  return a.groups === 1 && directConv(x, w, undefined, a) && grad.dtype === x.dtype;
}

/**
 * ∂L/∂x of a stride-1 convolution: the gradient [N, O, Ho, Wo] convolved with w flipped in space
 * and with its channel dims swapped, w'[c, o, i, j] = w[o, c, KH−1−i, KW−1−j], padded by
 * d(K−1) − p on each side so that the result has x's size.
 */
export function convInputGradDirect(grad: Tensor, w: Tensor, a: DirectAttrs): Tensor {
  const v = w._view();
  const [kh, kw] = [w.shape[2]!, w.shape[3]!];
  const [s0, s1, s2, s3] = v.strides as [number, number, number, number];
  const flipped: View = {
    ...v,
    shape: [w.shape[1]!, w.shape[0]!, kh, kw],
    strides: [s1, s0, -s2, -s3],
    offset: v.offset + (kh - 1) * s2 + (kw - 1) * s3,
  };
  const [dh, dw] = a.dilation as [number, number];
  const [[top, bottom], [left, right]] = a.padding as [[number, number], [number, number]];
  const padding = [dh * (kh - 1) - top, dh * (kh - 1) - bottom, dw * (kw - 1) - left, dw * (kw - 1) - right];
  return run(grad._view(), flipped, null, padding, a.dilation, 1);
}

/** Whether the weight gradient can take the direct path. */
export function directWeightGrad(x: Tensor, w: Tensor, grad: Tensor, a: DirectAttrs): boolean {
  return kernels().convWeightGrad !== undefined && directConv(x, w, undefined, a) && grad.dtype === x.dtype;
}

/**
 * ∂L/∂w [O, C/groups, KH, KW] of a stride-1 convolution from x and the output's gradient, with no
 * im2col matrix; with `bias`, also the bias's gradient [O] from the same reads of the gradient
 * (null where there is no weight gradient to compute it beside).
 */
export function convWeightGradDirect(
  x: Tensor,
  grad: Tensor,
  wShape: readonly number[],
  a: DirectAttrs,
  bias: boolean,
): [Tensor, Tensor | null] {
  const g = grad.isContiguous() ? grad : cloneRaw(grad);
  const out = zerosRaw(wShape, x.dtype);
  const gb = bias && out.numel() > 0 ? zerosRaw([wShape[0]!], x.dtype) : null;
  if (out.numel() > 0) {
    kernels().convWeightGrad!(
      x._view(),
      g._view(),
      wShape.slice(2),
      a.padding.flat(),
      a.dilation,
      a.groups,
      out.storage.handle,
      gb?._view() ?? null,
    );
  }
  if (g !== grad) g.dispose();
  return [out, gb];
}
