// In-place ops and the version counter: a backward that needs a tensor changed after it was saved
// fails, naming the node and both versions; leaves that require grad are changed only under noGrad;
// in-place ops on non-leaves keep gradients right.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("every in-place op bumps the version, shared by all views of the storage", () => {
  const x = cr.zeros([2, 3]);
  const row = x.select(0, 0);
  assert.equal(x._version, 0);
  x.add_(1);
  x.mul_(2);
  row.fill_(5);
  assert.equal(x._version, 3);
  assert.equal(row._version, 3);
  const other = cr.zeros([2]);
  assert.equal(other._version, 0); // a separate storage keeps its own count
});

test("modifying a saved input before backward fails, naming the node and the versions", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const z = y.mul(y); // MulBackward saves y
  y.add_(1);
  assert.throws(
    () => z.sum().backward(),
    /MulBackward: one of the tensors needed for gradient computation has been modified by an in-place operation: saved tensor 0 of shape \[2\] is at version 1; expected version 0/,
  );
});

test("modifying a saved output (exp, sigmoid, tanh save theirs) fails the same way", () => {
  for (const [op, name] of [
    [(t: cr.Tensor) => t.exp(), "ExpBackward"],
    [(t: cr.Tensor) => t.sigmoid(), "SigmoidBackward"],
    [(t: cr.Tensor) => t.tanh(), "TanhBackward"],
  ] as const) {
    const x = cr.tensor([0.5, 1], { requiresGrad: true });
    const y = op(x);
    y.mul_(2);
    assert.throws(() => y.sum().backward(), new RegExp(`${name}: one of the tensors needed .* expected version 0`));
  }
});

test("x.mul_(x) on a non-leaf invalidates its own saved input, as in PyTorch", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const a = x.mul(1);
  a.mul_(a);
  assert.throws(() => a.sum().backward(), /MulBackward: .*modified by an in-place operation/);
});

test("in-place on a leaf that requires grad is refused outside noGrad, allowed inside", () => {
  const w = cr.tensor([1, 2], { requiresGrad: true });
  assert.throws(
    () => w.add_(1),
    /add_: a leaf tensor that requires grad is being used in an in-place operation; wrap the update in cr\.noGrad/,
  );
  assert.throws(() => w.zero_(), /zero_: a leaf tensor that requires grad/);
  assert.throws(() => w.uniform_(), /uniform_: a leaf tensor that requires grad/);
  assert.deepEqual(w.toArray(), [1, 2]);
  cr.noGrad(() => w.sub_(cr.tensor([0.5, 0.5])));
  assert.deepEqual(w.toArray(), [0.5, 1.5]);
  assert.ok(w.isLeaf && w.requiresGrad && w.gradFn === null);
  assert.equal(w._version, 1);
});

test("in-place ops on a non-leaf keep the gradient right: y = 2x; y *= 3; y += x gives dy/dx = 7", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  y.mul_(3);
  y.add_(x);
  assert.deepEqual(y.toArray(), [7, 14]);
  assert.equal(y.gradFn!.name, "AddBackward");
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [7, 7]);
  // div_, pow_ and clamp_ too
  const v = cr.tensor([1, 2, 3], { requiresGrad: true, dtype: "float64" });
  const u = v.mul(1);
  u.pow_(2);
  u.div_(2);
  u.clamp_(0, 2); // 0.5, 2, 4.5 → 0.5, 2, 2: the last one is cut
  u.sum().backward();
  assert.deepEqual(v.grad!.toArray(), [1, 2, 0]);
});

test("an in-place op with a grad-requiring operand brings a plain tensor into the graph", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const z = cr.zeros([2]);
  z.add_(x.mul(2));
  assert.equal(z.isLeaf, false);
  assert.equal(z.gradFn!.name, "AddBackward");
  z.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, 2]);
});

test("in-place ops that no saved tensor depends on are free to run before backward", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.add(1);
  const out = y.neg().sub(y); // neither neg nor sub saves its inputs
  y.mul_(10);
  out.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [-2, -2]);
  // and under noGrad, on tensors outside the graph, nothing is checked at all
  const plain = cr.ones([2]);
  cr.noGrad(() => plain.add_(1));
  assert.deepEqual(plain.toArray(), [2, 2]);
});

test("in-place ops keep the tensor's dtype: a float result cannot be written into an int tensor", () => {
  const i = cr.tensor([1, 2], { dtype: "int32" });
  assert.throws(() => i.mul_(0.5), /mul_: result type float32 cannot be stored in a int32 tensor in place/);
  i.add_(3);
  assert.deepEqual(i.toArray(), [4, 5]);
  assert.equal(i.dtype, "int32");
});

test("add_ and sub_ with alpha update in place without recording, with broadcast operands and ints", () => {
  const p = cr.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: "float64" },
  );
  const g = cr.tensor(
    [
      [0.5, -1, 2],
      [3, 0, -4],
    ],
    { dtype: "float64" },
  );
  cr.noGrad(() => p.add_(g, { alpha: -0.25 }));
  assert.deepEqual(p.toArray(), [
    [0.875, 2.25, 2.5],
    [3.25, 5, 7],
  ]);
  p.sub_(cr.tensor([1, 0, -1], { dtype: "float64" }), { alpha: 2 });
  assert.deepEqual(p.toArray(), [
    [-1.125, 2.25, 4.5],
    [1.25, 5, 9],
  ]);
  assert.equal(p._version, 2);
  const i = cr.tensor([1, 2, 3], { dtype: "int32" });
  i.add_(cr.tensor([1, 1, 1], { dtype: "int32" }), { alpha: 3 });
  assert.deepEqual(i.toArray(), [4, 5, 6]);
});
