// Indexing as PyTorch users write it, beyond what the table's samples show: basic indexing gives
// views that share storage, advanced indexing gives copies, assignment through indexPut_ is an
// in-place op (version counter, graph rebased, leaves refused), and misuse fails naming the op,
// the dim, the index and the shapes.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, throwsNaming } from "../helpers.js";

const ints = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });
const grid = () => cr.arange(0, 24, 1, { dtype: "float64" }).reshape(2, 3, 4);

test("basic indexing returns views: writes through the base show in them, and back", () => {
  const x = grid();
  const v = x.index(1, "1:3", "::2");
  assert.deepEqual(v.shape, [2, 2]);
  assert.deepEqual(v.toArray(), [
    [16, 18],
    [20, 22],
  ]);
  assert.equal(v.storage, x.storage);
  cr.noGrad(() => x.fill_(0));
  assert.deepEqual(v.toArray(), [
    [0, 0],
    [0, 0],
  ]);
  v.fill_(7);
  assert.equal(x.index(1, 2, 2).item(), 7);
  assert.equal(x.index(1, 2, 1).item(), 0);
  // new axes and the ellipsis are views too; x[...] and x[:] are new views, never x itself
  for (const items of [[null, "...", null], ["..."], [":"], []] as cr.IndexItem[][]) {
    const w = x.index(...items);
    assert.notEqual(w, x);
    assert.equal(w.storage, x.storage);
  }
  assert.deepEqual(x.index(null, "...", null).shape, [1, 2, 3, 4, 1]);
  assert.deepEqual(x.index(true).shape, [1, 2, 3, 4]);
  assert.deepEqual(x.index(false).shape, [0, 2, 3, 4]);
  assert.deepEqual(x.index({ start: -2, step: 2 }, 0).shape, [1, 4]);
});

test("advanced indexing returns a copy with PyTorch's placement of the indexed dims", () => {
  const x = grid();
  const idx = ints([0, 2]);
  const y = x.index(":", idx);
  assert.notEqual(y.storage, x.storage);
  assert.deepEqual(y.shape, [2, 2, 4]);
  // split by a slice: the broadcast index shape leads; adjacent: it stays in place
  assert.deepEqual(x.index(ints([1, 0]), ":", ints([3, 2])).shape, [2, 3]);
  assert.deepEqual(x.index(":", ints([[0], [1]]), ints([3, 2, 1])).shape, [2, 2, 3]);
  // an integer selects first (a view), so the tensors after it stay adjacent, as in PyTorch
  assert.deepEqual(x.index(ints([1, 0]), 0, ints([3, 2])).shape, [2]);
  assert.deepEqual(x.index(0, ":", ints([3, 2])).shape, [3, 2]);
  // a 0-d int tensor indexes like an integer but copies
  assert.deepEqual(x.index(cr.tensor(1, { dtype: "int32" })).shape, [3, 4]);
  // a mask over two dims takes its true positions, row-major
  const mask = cr.tensor([
    [true, false, false],
    [false, false, true],
  ]);
  assert.deepEqual(x.index(mask, 1).toArray(), [1, 21]);
  assert.deepEqual(
    x.index([
      [true, false, false],
      [false, false, true],
    ]).shape,
    [2, 4],
  );
  assert.deepEqual(x.index("...", [true, false, true, true]).shape, [2, 3, 3]);
});

test("index's gradient scatters back and adds where an index repeats", () => {
  const x = cr.zeros([3, 2], { dtype: "float64", requiresGrad: true });
  x.index(ints([2, 0, 2]), 1)
    .sum()
    .backward();
  assert.deepEqual(x.grad!.toArray(), [
    [0, 1],
    [0, 0],
    [0, 2],
  ]);
});

test("indexPut_ writes in place: x[mask] = 0, x[1:3, idx] = t, x[idx] += t", () => {
  const x = grid();
  const version = x._version;
  x.indexPut_([x.gt(20)], 0);
  assert.equal(x._version, version + 1);
  assert.deepEqual(x.index(1, 2).toArray(), [20, 0, 0, 0]);
  x.indexPut_([":", "1:3", ints([0, 3])], cr.tensor([-1, -2], { dtype: "float64" }));
  assert.deepEqual(x.index(0, 1).toArray(), [-1, 5, 6, -2]);
  const y = cr.zeros([3], { dtype: "float64" });
  y.indexPut_([ints([0, 2, 0])], 1.5, { accumulate: true });
  assert.deepEqual(y.toArray(), [3, 0, 1.5]);
  // without accumulate the last write to a repeated position wins
  y.indexPut_([ints([1, 1])], cr.tensor([5, 6], { dtype: "float64" }));
  assert.equal(y.index(1).item(), 6);
  // a view's assignment writes its base, as x[0][1] = 9 does in PyTorch
  const row = x.index(0);
  row.indexPut_([1, 1], 9);
  assert.equal(x.index(0, 1, 1).item(), 9);
  // the out-of-place form leaves x alone
  const z = cr.indexPut(x, [0, 0, 0], 100);
  assert.equal(z.index(0, 0, 0).item(), 100);
  assert.equal(x.index(0, 0, 0).item(), 0);
});

test("indexPut_ is recorded: gradients reach x's untouched elements and the value", () => {
  const w = cr.tensor([1, 2, 3, 4], { dtype: "float64", requiresGrad: true });
  const v = cr.tensor([10, 20], { dtype: "float64", requiresGrad: true });
  const y = w.mul(2);
  y.indexPut_([ints([3, 0])], v);
  assert.deepEqual(y.toArray(), [20, 4, 6, 10]);
  assert.ok(y.gradFn);
  y.mul(cr.tensor([1, 2, 3, 4], { dtype: "float64" }))
    .sum()
    .backward();
  assert.deepEqual(w.grad!.toArray(), [0, 4, 6, 0]);
  assert.deepEqual(v.grad!.toArray(), [4, 1]);
  // accumulate keeps every path
  const a = cr.tensor([1, 2], { dtype: "float64", requiresGrad: true });
  const b = a.mul(1);
  b.indexPut_([ints([1, 1])], a.index(0), { accumulate: true });
  b.sum().backward();
  assert.deepEqual(a.grad!.toArray(), [3, 1]);
});

test("indexPut_ follows the in-place rules: leaves refused outside noGrad, saved tensors guarded", () => {
  const leaf = cr.ones([3], { requiresGrad: true });
  throwsNaming(() => leaf.indexPut_([0], 2), Error, "indexPut_:", "leaf tensor that requires grad");
  cr.noGrad(() => leaf.indexPut_([0], 2));
  assert.deepEqual(leaf.toArray(), [2, 1, 1]);
  const x = cr.ones([3], { requiresGrad: true }).mul(1);
  const z = x.mul(x);
  x.indexPut_([1], 5);
  assert.throws(() => z.sum().backward(), /modified by an in-place operation/);
});

test("indexing errors name the op, the dim, the index and the shapes", () => {
  const x = cr.ones([3, 4]);
  throwsNaming(() => x.index(1, 4), RangeError, "index:", "index 4", "dim 1", "size 4", "[3, 4]");
  throwsNaming(() => x.index(-4), RangeError, "index:", "index -4", "dim 0", "size 3");
  throwsNaming(() => x.index(":", ints([0, 7])), RangeError, "index:", "index 7", "dim 1", "size 4", "[3, 4]");
  throwsNaming(() => x.index("...", ints([-5])), RangeError, "index:", "index -5", "dim 1", "size 4");
  throwsNaming(() => x.index(cr.ones([2]).bool()), RangeError, "index:", "mask's shape [2]", "[3]", "[3, 4]");
  throwsNaming(() => x.index(0, cr.ones([3]).bool()), RangeError, "index:", "[3]", "[4]");
  throwsNaming(() => x.index(0, 1, 2), RangeError, "index:", "too many indices", "[3, 4]");
  throwsNaming(() => x.index(cr.ones([3, 4, 1]).bool()), RangeError, "index:", "too many indices", "[3, 4]");
  throwsNaming(() => x.index("...", 0, "..."), RangeError, "index:", "single ellipsis");
  throwsNaming(() => x.index("1:2:0"), RangeError, "index:", "step cannot be zero");
  throwsNaming(() => x.index("::-1"), RangeError, "index:", "step must be positive", "-1");
  throwsNaming(() => x.index("1-2"), TypeError, "index:", "'1-2' is not a slice");
  throwsNaming(() => x.index(0.5), TypeError, "index:", "0.5");
  throwsNaming(() => x.index(cr.ones([2])), TypeError, "index:", "int32 or bool", "float32");
  throwsNaming(() => x.index({ begin: 1 } as cr.IndexItem), TypeError, "index:", "'begin'");
  throwsNaming(() => x.index(ints([0, 1]), ints([0, 1, 2])), RangeError, "index", "[2]", "[3]");
  throwsNaming(() => x.indexPut_([0], cr.ones([3])), RangeError, "indexPut_:", "[3]", "[4]");
  throwsNaming(() => cr.indexPut(x, [0], 1, { accumulat: true } as never), TypeError, "indexPut", "'accumulate'");
});

test("indexPut_ accepts a value with extra leading size-1 dims, as x[0] = t[None] does", () => {
  const x = cr.zeros([2, 3]);
  x.indexPut_([0], cr.ones([1, 1, 3]));
  assert.deepEqual(x.toArray(), [
    [1, 1, 1],
    [0, 0, 0],
  ]);
});

test("index works on int and bool tensors, which record nothing", () => {
  const x = cr.arange(0, 6, 1, { dtype: "int32" }).reshape(2, 3);
  const y = x.index(":", ints([2, 0]));
  assert.equal(y.dtype, "int32");
  assert.deepEqual(y.toArray(), [
    [2, 0],
    [5, 3],
  ]);
  const b = x.gt(2).index(1, "1:");
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.toArray(), [true, true]);
  assertClose(cr.index(x.double(), [1, 0], ints([0, 0])), [3, 0]);
});
