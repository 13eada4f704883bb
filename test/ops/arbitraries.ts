// fast-check generators for op property tests: small shapes (0-3 dims, at most 12 elements),
// broadcast-compatible pairs, reduction dims (negative, several, keepdim) and float64 values kept
// away from the points where an op is not differentiable (all distinct, never 0, off the grid).

import fc from "fast-check";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

/** A tensor's shape and row-major values, generated as plain data so counterexamples print well. */
export interface TData {
  shape: number[];
  values: number[];
}

/**
 * Maps a distinct non-zero integer k in [-30, 30] to a value. Distinct k give distinct values, so
 * max/min/maximum never tie and |x| never tie unless a domain folds signs.
 */
export type Domain = (k: number) => number;

/** ±0.1 … ±3, never 0. */
export const real: Domain = (k) => k / 10;
/** 0.3 … 3.2, for log, sqrt and friends. */
export const positive: Domain = (k) => Math.abs(k) / 10 + 0.2;
/** |x| < 1.25, for tan. */
export const small: Domain = (k) => k / 25;
/** Like `real`, but negative values are shifted by 0.05 so that |x| never ties either (inf-norm). */
export const distinctAbs: Domain = (k) => (k > 0 ? k / 10 : k / 10 - 0.05);
/** ±0.07 … ±3.03, at least 0.02 from every integer and half-integer (floor, round, remainder). */
export const offGrid: Domain = (k) => k / 10 + 0.03;

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A shape of `minDims`…`maxDims` dims of size 1…3, at most `maxNumel` elements. */
export function shapeArb(minDims = 0, maxDims = 3, maxNumel = 12): fc.Arbitrary<number[]> {
  // the rank is drawn first and uniformly: fc.array's lengths lean towards short arrays
  return fc
    .integer({ min: minDims, max: maxDims })
    .chain((nd) => fc.tuple(...Array.from({ length: nd }, () => fc.integer({ min: 1, max: 3 }))))
    .map((t) => {
      // shrink the largest dims until the tensor is small enough (no rejection, so ranks stay uniform)
      const s = [...t];
      while (numel(s) > maxNumel) s[s.indexOf(Math.max(...s))]!--;
      return s;
    });
}

/** Distinct values for several shapes at once (distinct across all of them). */
export function valuesFor(shapes: number[][], domain: Domain = real): fc.Arbitrary<TData[]> {
  const total = shapes.reduce((n, s) => n + numel(s), 0);
  const k = fc.integer({ min: -30, max: 30 }).filter((v) => v !== 0);
  return fc.uniqueArray(k, { minLength: total, maxLength: total }).map((ks) => {
    let at = 0;
    return shapes.map((shape) => {
      const values = ks.slice(at, (at += numel(shape))).map(domain);
      return { shape, values };
    });
  });
}

/** One tensor of a random shape. */
export function tensorArb(domain: Domain = real, minDims = 0, maxDims = 3): fc.Arbitrary<TData> {
  return shapeArb(minDims, maxDims).chain((s) => valuesFor([s], domain).map(([t]) => t!));
}

/**
 * Two shapes that broadcast together: one drops leading dims and/or has some dims set to 1. With
 * `swap` off the first is always the full (broadcast) shape, as in-place ops need.
 */
export function broadcastShapesArb(swap = true): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(0, 3, 8).chain((a) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }),
        fc.integer({ min: 0, max: a.length }),
        fc.boolean(),
      )
      .map(([ones, drop, flip]) => {
        const b = a.map((s, i) => (ones[i] ? 1 : s)).slice(drop);
        return (swap && flip ? [b, a] : [a, b]) as [number[], number[]];
      }),
  );
}

/** A broadcasting pair of tensors with the given domains. */
export function pairArb(da: Domain = real, db: Domain = real, swap = true): fc.Arbitrary<[TData, TData]> {
  return broadcastShapesArb(swap).chain(([sa, sb]) =>
    fc.tuple(valuesFor([sa], da), valuesFor([sb], db)).map(([[a], [b]]) => [a!, b!] as [TData, TData]),
  );
}

/** A pair whose values are distinct across both tensors (maximum, minimum: no ties). */
export function distinctPairArb(domain: Domain = real): fc.Arbitrary<[TData, TData]> {
  return broadcastShapesArb().chain(([sa, sb]) => valuesFor([sa, sb], domain).map(([a, b]) => [a!, b!]));
}

/** Reduction dims of an n-d tensor: undefined (all), or a non-empty set written with random signs. */
export function dimsArb(ndim: number): fc.Arbitrary<number | number[] | undefined> {
  if (ndim === 0) return fc.constant(undefined);
  const all = Array.from({ length: ndim }, (_, d) => d);
  const list = fc
    .tuple(
      fc.subarray(all, { minLength: 1 }),
      fc.array(fc.boolean(), { minLength: ndim, maxLength: ndim }),
      fc.boolean(),
    )
    .map(([ds, neg, single]) => {
      const signed = ds.map((d, i) => (neg[i] ? d - ndim : d));
      return single ? signed[0]! : signed;
    });
  return fc.oneof(fc.constant(undefined), list, list);
}

/** One existing dim of an n-d tensor, maybe negative (n >= 1). */
export function dimArb(ndim: number): fc.Arbitrary<number> {
  return fc.integer({ min: -ndim, max: ndim - 1 });
}

/** A tensor with reduction dims and keepdim. */
export function reductionArb(
  domain: Domain = real,
): fc.Arbitrary<{ x: TData; dim: number | number[] | undefined; keepdim: boolean }> {
  return tensorArb(domain).chain((x) =>
    fc.record({ x: fc.constant(x), dim: dimsArb(x.shape.length), keepdim: fc.boolean() }),
  );
}

/** A tensor of at least one dim, with one dim chosen. */
export function withDimArb(domain: Domain = real, minDims = 1): fc.Arbitrary<{ x: TData; dim: number }> {
  return tensorArb(domain, minDims).chain((x) => fc.record({ x: fc.constant(x), dim: dimArb(x.shape.length) }));
}

/** A float64 leaf that requires grad. */
export function leaf(d: TData): Tensor {
  return cr.tensor(Float64Array.from(d.values), { shape: d.shape, dtype: "float64", requiresGrad: true });
}

/** Elements counted over the given dims (all when undefined). */
export function countOver(shape: readonly number[], dim: number | number[] | undefined): number {
  if (dim === undefined) return numel(shape);
  const ds = typeof dim === "number" ? [dim] : dim;
  return ds.reduce((n, d) => n * shape[d < 0 ? d + shape.length : d]!, 1);
}
