// Views share storage with their base (PyTorch's semantics), their strides are PyTorch's, copies
// (contiguous of a non-contiguous view, clone) do not share; and the ways to read values back.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

const grid = () => cr.arange(6).to("float32").reshape([2, 3]);

test("strides of contiguous tensors, transpose, permute and expand match PyTorch's", () => {
  const x = grid();
  assert.deepEqual(x.strides, [3, 1]);
  assert.ok(x.isContiguous());
  const t = x.transpose(0, 1);
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(t.strides, [1, 3]);
  assert.ok(!t.isContiguous());
  const y = cr.zeros([2, 3, 4]);
  assert.deepEqual(y.strides, [12, 4, 1]);
  const p = y.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.deepEqual(p.strides, [1, 12, 4]);
  const e = cr.zeros([3, 1]).expand([2, 3, 4]);
  assert.deepEqual(e.shape, [2, 3, 4]);
  assert.deepEqual(e.strides, [0, 1, 0]); // broadcast dims have stride 0: no copy
  assert.deepEqual(cr.zeros([4]).unsqueeze(0).expand(3, -1).strides, [0, 1]);
  const s = x.select(1, 2);
  assert.deepEqual([s.shape, s.strides, s.offset], [[2], [3], 2]);
  const n = cr.arange(10).narrow(0, 2, 5);
  assert.deepEqual([n.shape, n.strides, n.offset], [[5], [1], 2]);
  assert.deepEqual(cr.arange(10).slice(0, 1, 9, 3).strides, [3]);
});

test("a view sees in-place writes to its base, and writes through a view reach the base", () => {
  const x = grid();
  const t = x.t();
  const row = x.select(0, 1);
  const flat = x.view([6]);
  x.add_(10);
  assert.deepEqual(t.toArray(), [
    [10, 13],
    [11, 14],
    [12, 15],
  ]);
  assert.deepEqual(row.toArray(), [13, 14, 15]);
  assert.deepEqual(flat.toArray(), [10, 11, 12, 13, 14, 15]);
  row.fill_(-1);
  assert.deepEqual(x.toArray(), [
    [10, 11, 12],
    [-1, -1, -1],
  ]);
  // the version counter is shared by all views of one storage
  assert.equal(t._version, x._version);
  assert.equal(x._version, 2);
});

test("contiguous() of a non-contiguous view and clone() copy: later writes do not reach them", () => {
  const x = grid();
  const t = x.t();
  const c = t.contiguous();
  assert.ok(c.isContiguous());
  assert.deepEqual(c.strides, [2, 1]);
  const cl = x.clone();
  x.mul_(0);
  assert.deepEqual(c.toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(cl.toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  // contiguous() of an already contiguous tensor is that tensor, as in PyTorch
  assert.equal(cl.contiguous(), cl);
  // reshape of a transposed view cannot be a view, so it copies; view() refuses
  assert.throws(() => x.t().view([6]), /view: shape \[6\] is not compatible.*use \.reshape\(\)/);
  const r = t.reshape([6]);
  t.add_(1);
  assert.deepEqual(r.toArray(), [0, 0, 0, 0, 0, 0]);
});

test("detach shares storage (and so sees writes) but is cut from the graph", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  assert.equal(d.gradFn, null);
  assert.equal(d.storage, y.storage);
  cr.noGrad(() => y.add_(1));
  assert.deepEqual(d.toArray(), [3, 5]);
});

test("toArray, item, dataSync and await data() read the logical elements of any view", async () => {
  const x = grid();
  const t = x.t();
  assert.deepEqual(t.toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  const sync = t.dataSync();
  assert.ok(sync instanceof Float32Array);
  assert.deepEqual(Array.from(sync), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(Array.from(await t.data()), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(Array.from(await x.select(0, 1).data()), [3, 4, 5]);
  // dataSync returns a copy: writing to it does not change the tensor
  const copy = x.dataSync();
  copy[0] = 42;
  assert.equal(x.toArray().toString(), "0,1,2,3,4,5");
  assert.equal(x.select(0, 1).select(0, 2).item(), 5);
  assert.equal(cr.tensor([[7]]).item(), 7);
  assert.throws(() => x.item(), /item: only one-element tensors can be converted to a number, got shape \[2, 3\]/);
  assert.ok(cr.tensor([1], { dtype: "int32" }).dataSync() instanceof Int32Array);
  assert.ok(cr.tensor([1], { dtype: "float64" }).dataSync() instanceof Float64Array);
  assert.deepEqual(cr.tensor([true, false]).toArray(), [true, false]);
  assert.deepEqual(cr.zeros([0, 2]).toArray(), []);
  assert.equal(cr.tensor(2.5).toArray(), 2.5);
});

test("shape accessors: ndim, numel, size", () => {
  const x = cr.zeros([2, 3, 4]);
  assert.equal(x.ndim, 3);
  assert.equal(x.numel(), 24);
  assert.deepEqual(x.size(), [2, 3, 4]);
  assert.equal(x.size(-1), 4);
  assert.equal(cr.tensor(1).ndim, 0);
  assert.equal(cr.tensor(1).numel(), 1);
});
