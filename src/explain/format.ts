// Numbers and tensor snapshots for explanations. A snapshot copies a tensor's values at one moment
// (later in-place updates cannot change what was recorded) and carries the summary statistics
// that stand in for the values when a tensor is too large to print whole.

import { factor, fmt } from "../ops/explain-rule.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";

export { factor, fmt };

/** Tensors with at most this many elements keep every value in a snapshot. */
export const KEEP_LIMIT = 4096;
/** Tensors with at most this many elements are printed whole by the renderers. */
export const PRINT_LIMIT = 16;
/** How many leading elements a summary lists. */
export const HEAD = 6;

/** A copy of a tensor's values (all of them when small) with summary statistics. */
export interface Snapshot {
  /** The tensor's shape. */
  shape: number[];
  /** Its element type. */
  dtype: string;
  /** Its number of elements. */
  numel: number;
  /** Every value in row-major order, present when numel <= KEEP_LIMIT. */
  values?: number[];
  /** The first HEAD values. */
  head: number[];
  /** Mean of the values. */
  mean: number;
  /** Standard deviation of the values. */
  std: number;
  /** L2 norm of the values. */
  norm: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
}

/** Summary statistics of a list of numbers (population std, L2 norm). */
export function stats(values: ArrayLike<number>): Pick<Snapshot, "mean" | "std" | "norm" | "min" | "max"> {
  const n = values.length;
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    sq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : 0;
  let dev = 0;
  for (let i = 0; i < n; i++) dev += (values[i]! - mean) ** 2;
  return { mean, std: n ? Math.sqrt(dev / n) : 0, norm: Math.sqrt(sq), min: n ? min : 0, max: n ? max : 0 };
}

/** Snapshot of a list of values with a shape. */
export function snapshotOf(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype = "float64",
  keep = KEEP_LIMIT,
): Snapshot {
  const arr = Array.from(values, Number);
  return {
    shape: [...shape],
    dtype,
    numel: arr.length,
    values: arr.length <= keep ? arr : undefined,
    head: arr.slice(0, HEAD),
    ...stats(arr),
  };
}

/** Copies a tensor's current values (bools as 0/1); tensors over `keep` elements keep only statistics. */
export function snapshot(t: Tensor, keep = KEEP_LIMIT): Snapshot {
  return snapshotOf(t.dataSync(), t.shape, t.dtype, keep);
}

/** Elementwise sum of two snapshots of the same shape (gradients meeting at one value). */
export function addSnapshots(a: Snapshot, b: Snapshot): Snapshot {
  if (!a.values || !b.values) {
    // NOTE: large tensors keep no values; the sum's statistics are unknown, so keep b's shape and mark NaN
    return { ...a, head: a.head.map((v, i) => v + (b.head[i] ?? 0)), mean: NaN, std: NaN, norm: NaN };
  }
  return snapshotOf(
    a.values.map((v, i) => v + b.values![i]!),
    a.shape,
    a.dtype,
  );
}

/**
 * A number as the notes print it: at most `digits` decimals, trailing zeros dropped, scientific
 * notation for magnitudes outside [1e-4, 1e6). -0 prints as 0.
 */

/** Row-major nested arrays from a flat list. */
export function nestValues(values: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  const step = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) =>
    nestValues(values.slice(i * step, (i + 1) * step), shape.slice(1)),
  );
}

/** Values as nested brackets: 3 -> "3", [1,2] -> "[1, 2]", 2-D -> "[[1, 2], [3, 4]]". */
export function fmtValues(values: readonly number[], shape: readonly number[], digits = 6): string {
  const render = (x: unknown): string =>
    Array.isArray(x) ? `[${x.map(render).join(", ")}]` : fmt(x as number, digits);
  return render(nestValues(values, shape));
}

/** The shape as PyTorch prints it: [2, 3]. */
export function fmtShapeOf(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A snapshot printed whole when small, else as shape and statistics with its first elements. */
export function fmtSnapshot(s: Snapshot, digits = 6, limit = PRINT_LIMIT): string {
  if (s.values && s.numel <= limit) return fmtValues(s.values, s.shape, digits);
  const head = s.head.map((v) => fmt(v, 4)).join(", ");
  return (
    `<${s.dtype} ${fmtShapeOf(s.shape)} mean=${fmt(s.mean, 4)} std=${fmt(s.std, 4)} ` +
    `norm=${fmt(s.norm, 4)} first=[${head}${s.numel > s.head.length ? ", …" : ""}]>`
  );
}

/** The row-major flat index of a multi-index. */
export function flatIndex(index: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d]! + index[d]!;
  return k;
}

/** The multi-index of a row-major flat index. */
export function unflatIndex(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return idx;
}

/** A 1-based subscript for element k of a tensor: "" for scalars, "2" for vectors, "1,3" for matrices. */
export function subscript(k: number, shape: readonly number[]): string {
  // NOTE: a leading batch dim of 1 (row vectors) is dropped, so x[0, 2] reads as x_3 like the notes' a^0_3
  const dims = shape[0] === 1 && shape.length > 1 ? shape.slice(1) : shape;
  if (dims.length === 0) return "";
  return unflatIndex(k, dims)
    .map((i) => i + 1)
    .join(",");
}
