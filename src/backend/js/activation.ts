// The fused activations (GELU exact and tanh-approximated, SiLU) and their derivatives in the
// reference backend: one pass over a strided view into a contiguous buffer, in double, with the
// formulas of the composed forms they replace.

import type { TypedArray } from "../../core/dtype.js";
import { contiguousStrides } from "../../core/shape.js";
import type { ActivationKind, Handle, View } from "../kernels.js";
import { erf, sigmoid } from "./scalar-math.js";
import { coalesce, forEachRow } from "./strided.js";

const arr = (h: Handle) => h as TypedArray;

/** √(2/π), the tanh approximation's scale. */
const TANH_SCALE = Math.sqrt(2 / Math.PI);
/** The tanh approximation's cubic coefficient. */
const CUBIC = 0.044715;
/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** act(x) for one element: x·Φ(x) through erf, its tanh approximation, or x·σ(x). */
export function activationOf(kind: ActivationKind, x: number): number {
  if (kind === "silu") return x * sigmoid(x);
  if (kind === "geluTanh") return x * (Math.tanh((x + x * x * x * CUBIC) * TANH_SCALE) + 1) * 0.5;
  return x * (erf(x * Math.SQRT1_2) + 1) * 0.5;
}

/**
 * act'(x): σ(1 + x(1 − σ)) for SiLU; Φ(x) + x·φ(x) for GELU; ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
 * with t = tanh(√(2/π)(x + 0.044715x³)) for its tanh form.
 */
export function activationGradOf(kind: ActivationKind, x: number): number {
  if (kind === "silu") {
    const s = sigmoid(x);
    return s * (1 + x * (1 - s));
  }
  if (kind === "geluTanh") {
    const u = x * x;
    const t = Math.tanh((x + x * u * CUBIC) * TANH_SCALE);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (1 + 3 * CUBIC * u) * TANH_SCALE;
  }
  return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
}

/** out (contiguous, x's shape and dtype) = act(x). */
export function activationInto(kind: ActivationKind, x: View, out: Handle): void {
  const [xs, o] = [arr(x.handle), arr(out)];
  const walk = coalesce(x.shape, [x.strides, contiguousStrides(x.shape)]);
  const sx = walk.strides[0]!.at(-1)!;
  forEachRow(walk, [x.offset, 0], (off, n) => {
    let [i, k] = off as [number, number];
    for (const end = k + n; k < end; k++, i += sx) o[k] = activationOf(kind, xs[i]!);
  });
}

/** out (contiguous) = g · act'(x), g and x of one shape and dtype. */
export function activationBackwardInto(kind: ActivationKind, g: View, x: View, out: Handle): void {
  const [gs, xs, o] = [arr(g.handle), arr(x.handle), arr(out)];
  const walk = coalesce(x.shape, [g.strides, x.strides, contiguousStrides(x.shape)]);
  const [sg, sx] = [walk.strides[0]!.at(-1)!, walk.strides[1]!.at(-1)!];
  forEachRow(walk, [g.offset, x.offset, 0], (off, n) => {
    let [j, i, k] = off as [number, number, number];
    for (const end = k + n; k < end; k++, j += sg, i += sx) o[k] = gs[j]! * activationGradOf(kind, xs[i]!);
  });
}
