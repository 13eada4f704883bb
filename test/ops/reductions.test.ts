// What the table's samples cannot show about the reductions: the pairs they return (destructured
// and read by name), result dtypes, where gradients go on ties and at NaNs, and the errors of
// misuse, each naming the function and what it got.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, throwsNaming } from "../helpers.js";

const f64 = (data: number[] | number[][] | number, requiresGrad = false) =>
  cr.tensor(data, { dtype: "float64", requiresGrad });

test("max(dim) and min(dim) return values and int32 indices, by position and by name", () => {
  const x = f64([
    [1, 7, 3],
    [4, -2, 6],
  ]);
  const [v, i] = x.max(1);
  assert.deepEqual(v.toArray(), [7, 6]);
  assert.deepEqual(i.toArray(), [1, 2]);
  assert.equal(i.dtype, "int32");
  assert.equal(v.dtype, "float64");
  const byName = cr.min(x, 0, true);
  assert.deepEqual(byName.values.toArray(), [[1, -2, 3]]);
  assert.deepEqual(byName.indices.toArray(), [[0, 1, 0]]);
  assert.deepEqual(x.min(-1).indices.toArray(), [0, 1]);
  const ints = cr.tensor([[3, 9, 9]], { dtype: "int32" }).max(1);
  assert.equal(ints.values.dtype, "int32");
  assert.deepEqual(ints.indices.toArray(), [1], "the first of tied maxima, as PyTorch");
});

test("max() is a tensor, max(other) the elementwise maximum, in both forms", () => {
  const x = f64([
    [1, 7],
    [4, -2],
  ]);
  const all = x.max();
  assert.ok(all instanceof cr.Tensor);
  assert.equal(all.item(), 7);
  assert.equal(cr.min(x).item(), -2);
  assert.deepEqual(x.max(f64([2, 0])).toArray(), [
    [2, 7],
    [4, 0],
  ]);
  assert.deepEqual(cr.min(x, f64(3)).toArray(), [
    [1, 3],
    [3, -2],
  ]);
});

test("max(dim)'s gradient goes to the index it returns; max()'s is split among ties, as PyTorch's", () => {
  const x = f64(
    [
      [1, 5, 5],
      [2, 2, 0],
    ],
    true,
  );
  x.max(1).values.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [
    [0, 1, 0],
    [1, 0, 0],
  ]);
  const y = f64([1, 5, 5], true);
  y.max().backward();
  assert.deepEqual(y.grad!.toArray(), [0, 0.5, 0.5]);
  const z = f64([3, 3, 1], true);
  cr.min(z, 0).values.backward();
  assert.deepEqual(z.grad!.toArray(), [0, 0, 1]);
});

test("max and min along a dim: NaN wins at its first position; a 0-d tensor is its own extreme", () => {
  const [v, i] = f64([
    [1, NaN, 2, NaN],
    [0, 1, 2, 3],
  ]).min(1);
  assert.ok(Number.isNaN(v.dataSync()[0]!));
  assert.deepEqual(i.toArray(), [1, 0]);
  const [s, j] = f64(2.5).max(0);
  assert.deepEqual([s.shape, s.item(), j.shape, j.item(), j.dtype], [[], 2.5, [], 0, "int32"]);
  assert.equal(cr.max(cr.zeros([0, 3]), 1).values.numel(), 0, "an empty output is fine");
});

test("max and min refuse a bad dim, an empty dim and stray arguments, naming themselves", () => {
  const x = cr.ones([2, 3]);
  throwsNaming(() => x.max(2), RangeError, "max:", "dimension 2", "[2, 3]");
  throwsNaming(() => cr.min(x, -3, true), RangeError, "min:", "dimension -3");
  throwsNaming(() => cr.zeros([2, 0]).max(1), RangeError, "max:", "dim 1", "size 0", "[2, 0]");
  throwsNaming(() => cr.zeros([0]).min(), RangeError, "min:", "[0]");
  throwsNaming(() => x.max(1.5), TypeError, "max:", "1.5");
  throwsNaming(() => (cr.max as (...a: unknown[]) => unknown)(x, x, true), TypeError, "max:", "keepdim");
});

test("aminmax returns min and max, by name and by position", () => {
  const x = f64([
    [2, -1, 5],
    [0, 3, 3],
  ]);
  const r = x.aminmax({ dim: 1 });
  assert.deepEqual(r.min.toArray(), [-1, 0]);
  assert.deepEqual(r.max.toArray(), [5, 3]);
  const [lo, hi] = cr.aminmax(x);
  assert.deepEqual([lo.item(), hi.item()], [-1, 5]);
  assert.deepEqual(
    [...cr.aminmax(x, { keepdim: true })].map((t) => t.shape),
    [
      [1, 1],
      [1, 1],
    ],
  );
  assert.deepEqual(cr.aminmax(x, { dim: -2, keepdim: true }).min.shape, [1, 3]);
  assert.equal(cr.aminmax(cr.tensor([4, 1], { dtype: "int32" })).max.dtype, "int32");
});

test("aminmax's gradient is amin's and amax's: split among ties", () => {
  const x = f64([[3, 1, 3]], true);
  const { min, max } = x.aminmax({ dim: 1 });
  min.add(max.mul(2)).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[1, 1, 1]]);
});

test("aminmax checks its options and refuses an empty reduction", () => {
  const x = cr.ones([2, 3]);
  throwsNaming(() => x.aminmax({ dims: 1 } as cr.AminmaxOptions), TypeError, "aminmax", "'dims'", "'dim'");
  throwsNaming(() => x.aminmax({ dim: [0, 1] } as unknown as cr.AminmaxOptions), TypeError, "aminmax", "integer");
  throwsNaming(() => x.aminmax({ dim: 2 }), RangeError, "aminmax:", "dimension 2", "[2, 3]");
  throwsNaming(() => cr.zeros([0, 2]).aminmax(), RangeError, "aminmax:", "[0, 2]");
  throwsNaming(() => cr.zeros([2, 0]).aminmax({ dim: 1 }), RangeError, "aminmax:", "[2, 0]");
});

test("any and all give bools, read non-zero (NaN too) as true, of any dtype, without gradient", () => {
  const x = f64(
    [
      [0, NaN, 0],
      [0, 0, 0],
    ],
    true,
  );
  const a = x.any(1);
  assert.equal(a.dtype, "bool");
  assert.equal(a.requiresGrad, false);
  assert.deepEqual(a.toArray(), [true, false]);
  assert.deepEqual(cr.all(f64([NaN, 2])).toArray(), true);
  assert.deepEqual(x.all(0, true).toArray(), [[false, false, false]]);
  assert.deepEqual(cr.any(cr.tensor([[0, 3]], { dtype: "int32" }), [0, 1], true).shape, [1, 1]);
  assert.deepEqual(cr.tensor([true, false]).all().toArray(), false);
  assert.deepEqual([cr.zeros([0]).any().toArray(), cr.zeros([0]).all().toArray()], [false, true]);
  throwsNaming(() => x.any(2), RangeError, "any:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.all([0, 0]), RangeError, "all:", "repeats");
});

test("countNonzero counts into int32, NaN included", () => {
  const x = f64([
    [0, NaN, 2],
    [0, 0, -1],
  ]);
  const c = x.countNonzero(0);
  assert.equal(c.dtype, "int32");
  assert.deepEqual(c.toArray(), [0, 1, 2]);
  assert.equal(cr.countNonzero(x).item(), 3);
  throwsNaming(() => x.countNonzero(-3), RangeError, "countNonzero:", "dimension -3");
});

test("nansum and nanmean skip NaNs, which get a zero gradient", () => {
  const x = f64(
    [
      [1, NaN, 3],
      [NaN, NaN, NaN],
    ],
    true,
  );
  assert.deepEqual(x.nansum(1).toArray(), [4, 0]);
  const m = x.nanmean(1);
  assert.equal(m.dataSync()[0], 2);
  assert.ok(Number.isNaN(m.dataSync()[1]!), "a slice of only NaNs has no mean");
  cr.nanmean(x, 1)
    .mul(f64([1, 1]))
    .sum()
    .backward();
  // NOTE: PyTorch's gradient is NaN in the all-NaN row (0 · ∞); nothing there depends on the input
  assert.deepEqual(x.grad!.toArray(), [
    [0.5, 0, 0.5],
    [0, 0, 0],
  ]);
  const y = f64([NaN, 2, 5], true);
  y.nansum().backward();
  assert.deepEqual(y.grad!.toArray(), [0, 1, 1]);
  const ints = cr.tensor([1, 2, 3], { dtype: "int32" }).nansum();
  assert.deepEqual([ints.dtype, ints.item()], ["int32", 6]);
  throwsNaming(() => cr.tensor([1, 2], { dtype: "int32" }).nanmean(), TypeError, "nanmean:", "int32");
  throwsNaming(() => x.nansum(2), RangeError, "nansum:", "dimension 2");
});

test("varMean and stdMean return PyTorch's pair, equal to var, std and mean", () => {
  const x = f64([
    [1, 2, 4],
    [0, 1, 5],
  ]);
  const [v, m] = cr.varMean(x, 1);
  assertClose(v, x.var(1), { atol: 1e-12 });
  assertClose(m, x.mean(1), { atol: 1e-12 });
  const [s, m2] = cr.stdMean(x, [0, 1], { correction: 0, keepdim: true });
  assert.deepEqual(s.shape, [1, 1]);
  assertClose(s, x.std(undefined, { correction: 0, keepdim: true }), { atol: 1e-12 });
  assertClose(m2, [13 / 6], { atol: 1e-12 });
  assert.deepEqual(cr.varMean(x)[1].shape, []);
});

test("var, std, varMean and stdMean check their options", () => {
  const x = cr.ones([2, 3]);
  throwsNaming(() => x.var(1, { keepDim: true } as cr.VarOptions), TypeError, "var:", "'keepDim'", "'keepdim'");
  throwsNaming(() => x.std(1, { unbiased: false } as cr.VarOptions), TypeError, "std:", "'unbiased'", "'correction'");
  throwsNaming(() => cr.varMean(x, 1, { corection: 0 } as cr.VarOptions), TypeError, "varMean", "'correction'");
  throwsNaming(
    () => cr.stdMean(x, 1, { correction: "1" } as unknown as cr.VarOptions),
    TypeError,
    "stdMean:",
    "number",
  );
  throwsNaming(() => cr.stdMean(x, 3), RangeError, "stdMean:", "dimension 3");
});
