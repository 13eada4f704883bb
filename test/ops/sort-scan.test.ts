// What the table's samples cannot show about the scans, sorts, order statistics and counting ops:
// the pairs and tuples they return (destructured and read by name), the int32 dtype of every index
// and count, unique's forms, searchsorted's sides, bincount's weights, stability on long rows,
// and the errors of misuse, each naming the function and what it got.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, throwsNaming } from "../helpers.js";

const f64 = (data: number[] | number[][] | number, requiresGrad = false) =>
  cr.tensor(data, { dtype: "float64", requiresGrad });
const i32 = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });

test("sort, topk, kthvalue, median, mode, cummax and cummin: values and int32 indices, by position and by name", () => {
  const x = f64([
    [3, 1, 2],
    [0, 5, 4],
  ]);
  const [v, i] = x.sort(1);
  assert.deepEqual(v.toArray(), [
    [1, 2, 3],
    [0, 4, 5],
  ]);
  assert.deepEqual(i.toArray(), [
    [1, 2, 0],
    [0, 2, 1],
  ]);
  const pairs = {
    sort: cr.sort(x, 0, { descending: true }),
    topk: cr.topk(x, 2),
    kthvalue: x.kthvalue(2, 1),
    median: x.median(1),
    nanmedian: cr.nanmedian(x, 1, true),
    mode: x.mode(0),
    cummax: x.cummax(1),
    cummin: cr.cummin(x, 0),
  };
  for (const [name, p] of Object.entries(pairs)) {
    assert.equal(p.indices.dtype, "int32", name);
    assert.equal(p.values.dtype, "float64", name);
    assert.equal(p[0], p.values, name);
    assert.equal(p[1], p.indices, name);
  }
  assert.deepEqual(pairs.topk.indices.toArray(), [
    [0, 2],
    [1, 2],
  ]);
  assert.deepEqual(pairs.nanmedian.values.shape, [2, 1]);
  for (const t of [x.argsort(), cr.argsort(x, 0), x.msort()]) assert.ok(t instanceof cr.Tensor);
  assert.equal(x.argsort().dtype, "int32");
});

test("the options object may stand in for the dim, which then is the last", () => {
  const x = f64([
    [3, 1, 2],
    [0, 5, 4],
  ]);
  assert.deepEqual(x.sort({ descending: true }).values.toArray(), x.sort(-1, { descending: true }).values.toArray());
  assert.deepEqual(x.argsort({ descending: true }).toArray(), [
    [0, 2, 1],
    [1, 2, 0],
  ]);
  assert.deepEqual(x.topk(1, { largest: false }).values.toArray(), [[1], [0]]);
  assert.deepEqual(x.topk(3, -1, { sorted: false }).values.toArray(), [
    [3, 2, 1],
    [5, 4, 0],
  ]);
});

test("a stable sort keeps long runs of ties in order, ascending and descending, on the active backend", () => {
  const n = 1000;
  const data = Array.from({ length: n }, (_, k) => (k * 7919) % 5);
  const x = i32(data);
  for (const descending of [false, true]) {
    const [v, i] = x.sort({ descending, stable: true });
    const [vs, is] = [v.dataSync(), i.dataSync()];
    for (let k = 1; k < n; k++) {
      assert.ok(descending ? vs[k - 1]! >= vs[k]! : vs[k - 1]! <= vs[k]!, `order at ${k}`);
      if (vs[k - 1] === vs[k]) assert.ok(is[k - 1]! < is[k]!, `ties out of order at ${k}`);
    }
  }
});

test("NaN sorts above every number: last ascending, first descending, the largest of topk", () => {
  const x = f64([2, NaN, -1, NaN, 0]);
  assert.deepEqual(x.argsort().toArray(), [2, 4, 0, 1, 3]);
  assert.deepEqual(x.argsort({ descending: true }).toArray(), [1, 3, 0, 4, 2]);
  assert.deepEqual(x.topk(1).indices.toArray(), [1]);
  assert.deepEqual(x.topk(2, { largest: false }).values.toArray(), [-1, 0]);
  assert.ok(Number.isNaN((x.median() as cr.Tensor).item()));
  assert.equal((x.nanmedian() as cr.Tensor).item(), 0);
});

test("without a recorded gradient the kernel's values come back as they are; with one, the same values", () => {
  const data = [
    [0.5, -2, 3, 1],
    [4, 4, -1, 0],
  ];
  const plain = f64(data).sort(1, { descending: true });
  const traced = f64(data, true).sort(1, { descending: true });
  assert.deepEqual(plain.values.toArray(), traced.values.toArray());
  assert.equal(plain.values.requiresGrad, false);
  assert.equal(traced.values.requiresGrad, true);
  assert.equal(traced.indices.requiresGrad, false);
});

test("the gradient of sort, topk, kthvalue and median goes to the positions their indices name", () => {
  const x = f64([5, 1, 4, 2, 3], true);
  x.topk(2).values.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [1, 0, 1, 0, 0]);
  const y = f64([5, 1, 4, 2], true);
  (y.median() as cr.Tensor).backward();
  assert.deepEqual(y.grad!.toArray(), [0, 0, 0, 1], "the lower median, 2");
  const z = f64([2, 2, 1], true);
  z.cummax(0)
    .values.mul(f64([1, 10, 100]))
    .sum()
    .backward();
  assert.deepEqual(z.grad!.toArray(), [1, 110, 0], "ties: the later index takes the running maximum");
});

test("cumsum and cumprod: dtype, the int32 accumulation of ints and bools, the gradient back in x's dtype", () => {
  const x = cr.tensor([1.5, 2, 3], { requiresGrad: true });
  const y = x.cumsum(0, { dtype: "float64" });
  assert.equal(y.dtype, "float64");
  y.backward(f64([1, 1, 1]));
  assert.equal(x.grad!.dtype, "float32");
  assert.deepEqual(x.grad!.toArray(), [3, 2, 1]);
  assert.equal(cr.cumsum(cr.tensor([true, true, false]), 0).dtype, "int32");
  assert.deepEqual(cr.cumprod(i32([2, -3, 4]), 0).toArray(), [2, -6, -24]);
  assert.equal(cr.logcumsumexp(i32([1, 2]), 0).dtype, "float32");
});

test("cumprod's gradient at zeros, and its second derivative there, match finite differences", () => {
  const fn = (t: cr.Tensor) => t.cumprod(0);
  for (const data of [
    [0.5, 0, 2, 0, 3],
    [0, 0, 1.5, -2],
    [1.2, -0.7, 0, 1.1],
  ]) {
    const x = f64(data, true);
    cr.autograd.gradcheck(fn, [x]);
    cr.autograd.gradgradcheck(fn, [x]);
  }
});

test("logcumsumexp's gradient stays finite for large inputs", () => {
  const x = f64([1000, 1001, 999, 1002], true);
  x.logcumsumexp(0).sum().backward();
  const g = x.grad!.dataSync();
  for (const v of g) assert.ok(Number.isFinite(v));
  assertClose(
    Array.from(g).reduce((a, b) => a + b, 0),
    4,
    { atol: 1e-9 },
  );
});

test("unique: a tensor alone, PyTorch's tuple with the inverse or counts, slices along a dim", () => {
  const x = i32([3, 1, 2, 1, 3, 3]);
  const alone = cr.unique(x);
  assert.ok(alone instanceof cr.Tensor);
  assert.deepEqual(alone.toArray(), [1, 2, 3]);
  const [values, inverse] = x.unique({ returnInverse: true });
  assert.deepEqual(values.toArray(), [1, 2, 3]);
  assert.deepEqual(inverse.toArray(), [2, 0, 1, 0, 2, 2]);
  const [, counts] = cr.unique(x, { returnCounts: true });
  assert.deepEqual(counts.toArray(), [2, 1, 3]);
  const all = cr.unique(x, { returnInverse: true, returnCounts: true, sorted: false });
  assert.equal(all.length, 3);
  assert.deepEqual(all[0].toArray(), [1, 2, 3], "always sorted");
  assert.equal(all[1].dtype, "int32");
  assert.equal(all[2].dtype, "int32");
  const rows = i32([
    [3, 1],
    [2, 1],
    [3, 1],
  ]);
  const [u, inv, c] = rows.unique({ dim: 0, returnInverse: true, returnCounts: true });
  assert.deepEqual(u.toArray(), [
    [2, 1],
    [3, 1],
  ]);
  assert.deepEqual(inv.toArray(), [1, 0, 1]);
  assert.deepEqual(c.toArray(), [1, 2]);
  const [nan, nanCounts] = cr.unique(f64([1, NaN, NaN, 1]), { returnCounts: true });
  assert.equal(nan.numel(), 3, "each NaN is unique, as NaN ≠ NaN");
  assert.deepEqual(nanCounts.toArray(), [2, 1, 1]);
  assert.equal(f64([1, 2], true).unique().requiresGrad, false);
  assert.deepEqual(cr.unique(f64([]), { returnCounts: true })[1].shape, [0]);
});

test("searchsorted: left and right sides, sorter, N-D rows, a number, int32 always", () => {
  const seq = f64([1, 3, 5, 7]);
  const v = f64([
    [3, 6, 9],
    [0, 5, 7],
  ]);
  assert.deepEqual(cr.searchsorted(seq, v).toArray(), [
    [1, 3, 4],
    [0, 2, 3],
  ]);
  const right = cr.searchsorted(seq, v, { side: "right" });
  assert.deepEqual(right.toArray(), [
    [2, 3, 4],
    [0, 3, 4],
  ]);
  assert.deepEqual(cr.searchsorted(seq, v, { right: true }).toArray(), right.toArray());
  assert.equal(cr.searchsorted(seq, v, { outInt32: false }).dtype, "int32");
  const scalar = cr.searchsorted(seq, 5.5);
  assert.deepEqual(scalar.shape, []);
  assert.equal(scalar.item(), 3);
  assert.deepEqual(cr.searchsorted(f64([5, 3, 7, 1]), f64([3, 6]), { sorter: i32([3, 1, 0, 2]) }).toArray(), [1, 3]);
  const rows = cr.searchsorted(
    f64([
      [1, 2, 3],
      [10, 20, 30],
    ]),
    f64([[2.5], [5]]),
  );
  assert.deepEqual(rows.toArray(), [[2], [0]]);
  throwsNaming(() => cr.searchsorted(seq, v, { side: "left", right: true }), RangeError, "searchsorted", "contradicts");
  throwsNaming(() => cr.searchsorted(f64([[1, 2]]), f64([1])), RangeError, "searchsorted", "[1, 2]", "[1]");
});

test("bincount: counts int32, weights summed in their float dtype (float64 for others), minlength", () => {
  const x = i32([0, 2, 2, 5]);
  const counts = x.bincount();
  assert.equal(counts.dtype, "int32");
  assert.deepEqual(counts.toArray(), [1, 0, 2, 0, 0, 1]);
  const w = cr.tensor([0.5, 1, 2, 4]);
  const weighted = cr.bincount(x, { weights: w, minlength: 8 });
  assert.equal(weighted.dtype, "float32");
  assert.deepEqual(weighted.toArray(), [0.5, 0, 3, 0, 0, 4, 0, 0]);
  assert.equal(cr.bincount(x, { weights: i32([1, 1, 1, 1]) }).dtype, "float64");
  assert.deepEqual(cr.bincount(i32([]), { minlength: 2 }).toArray(), [0, 0]);
  throwsNaming(() => cr.bincount(i32([1, -1])), RangeError, "bincount", "-1");
  throwsNaming(() => cr.bincount(f64([1])), TypeError, "bincount", "float64", "[1]");
  throwsNaming(() => cr.bincount(x, { weights: f64([1]) }), RangeError, "bincount", "[1]", "[4]");
});

test("histc: NaN and values outside the range are left out; int input is counted as float32", () => {
  const h = f64([0, 0.25, 1, NaN, 2, -1]).histc({ bins: 2, min: 0, max: 1 });
  assert.deepEqual(h.toArray(), [2, 1]);
  assert.equal(h.dtype, "float64");
  const ints = cr.histc(i32([1, 2, 2, 3]), { bins: 3 });
  assert.equal(ints.dtype, "float32");
  assert.deepEqual(ints.toArray(), [1, 2, 1]);
  throwsNaming(() => cr.histc(f64([1]), { min: 2, max: 1 }), RangeError, "histc", "min");
  throwsNaming(() => cr.histc(f64([1]), { bins: 0 }), RangeError, "histc", "bins");
  throwsNaming(() => cr.histc(f64([NaN, 1])), RangeError, "histc", "not finite");
});

test("median of nothing is NaN; a statistic along an empty dim is an error naming the op and shape", () => {
  assert.ok(Number.isNaN((cr.median(f64([])) as cr.Tensor).item()));
  throwsNaming(() => cr.zeros([2, 0]).median(1), RangeError, "median", "[2, 0]");
  throwsNaming(() => cr.zeros([2, 0]).mode(1), RangeError, "mode", "[2, 0]");
});

test("errors name the op and what it got", () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  throwsNaming(() => x.topk(4), RangeError, "topk", "k = 4", "size 3", "[2, 3]");
  throwsNaming(() => x.kthvalue(0, 1), RangeError, "kthvalue", "k = 0", "[2, 3]");
  throwsNaming(() => x.sort(2), RangeError, "sort", "dimension 2");
  throwsNaming(() => x.cumsum(-3), RangeError, "cumsum", "dimension -3");
  throwsNaming(() => x.sort(1, { decending: true } as never), TypeError, "sort", "decending", "descending");
  throwsNaming(() => x.cumprod(0, { dtpye: "float64" } as never), TypeError, "cumprod", "dtpye");
  throwsNaming(() => cr.unique(x, { returnCount: true } as never), TypeError, "unique", "returnCounts");
});
