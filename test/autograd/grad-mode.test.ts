// Grad mode (noGrad, enableGrad, isGradEnabled, setGradEnabled) and what makes a tensor a leaf that
// requires grad, as in PyTorch: results of ops on such leaves are non-leaves with a gradFn unless
// recorded under noGrad; detach cuts a tensor out.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("noGrad stops recording, enableGrad resumes it inside, and both restore the mode after", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  assert.equal(cr.isGradEnabled(), true);
  const y = cr.noGrad(() => {
    assert.equal(cr.isGradEnabled(), false);
    const inner = cr.enableGrad(() => {
      assert.equal(cr.isGradEnabled(), true);
      return x.mul(2);
    });
    assert.equal(cr.isGradEnabled(), false);
    assert.ok(inner.requiresGrad && inner.gradFn !== null);
    return x.mul(2);
  });
  assert.equal(cr.isGradEnabled(), true);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.equal(y.isLeaf, true);
});

test("grad mode is restored when the function throws", () => {
  assert.throws(
    () =>
      cr.noGrad(() => {
        throw new Error("boom");
      }),
    /boom/,
  );
  assert.equal(cr.isGradEnabled(), true);
  cr.noGrad(() =>
    assert.throws(() =>
      cr.enableGrad(() => {
        throw new Error("inner");
      }),
    ),
  );
  assert.equal(cr.isGradEnabled(), true);
});

test("setGradEnabled switches the mode and returns the previous one", () => {
  const prev = cr.setGradEnabled(false);
  try {
    assert.equal(prev, true);
    assert.equal(cr.tensor([1], { requiresGrad: true }).mul(2).requiresGrad, false);
  } finally {
    cr.setGradEnabled(prev);
  }
  assert.equal(cr.isGradEnabled(), true);
});

test("isLeaf and requiresGrad: leaves are made by the user or by unrecorded ops", () => {
  const a = cr.tensor([1, 2]);
  assert.ok(a.isLeaf && !a.requiresGrad);
  const b = a.mul(2); // no input requires grad: a leaf that does not require grad, as in PyTorch
  assert.ok(b.isLeaf && !b.requiresGrad && b.gradFn === null);
  const w = cr.tensor([1, 2], { requiresGrad: true });
  assert.ok(w.isLeaf && w.requiresGrad);
  const c = w.mul(a);
  assert.ok(!c.isLeaf && c.requiresGrad);
  // requiresGrad is settable on leaves only
  a.requiresGrad = true;
  assert.ok(a.requiresGrad && a.isLeaf);
  assert.equal(a.requiresGrad_(false), a);
  assert.equal(a.requiresGrad, false);
  assert.throws(() => {
    c.requiresGrad = false;
  }, /you can only change requiresGrad of leaf tensors; this one was produced by MulBackward.*\.detach\(\)/);
  // an op with one input requiring grad records; gradients reach only that input
  const k = cr.tensor([3, 4]);
  w.mul(k).sum().backward();
  assert.deepEqual(w.grad!.toArray(), [3, 4]);
  assert.equal(k.grad, null);
});

test("detach gives a leaf without history; gradients stop there", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3);
  const d = h.detach();
  assert.ok(d.isLeaf && !d.requiresGrad && d.gradFn === null);
  assert.deepEqual(d.toArray(), [3, 6]);
  // treat h as a constant in one branch: only the other branch reaches x
  h.mul(d).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [9, 18]); // d · 3, not 2h · 3
  // a detached copy can start a graph of its own
  const e = h.detach().requiresGrad_(true);
  e.pow(2).sum().backward();
  assert.deepEqual(e.grad!.toArray(), [6, 12]);
});

test("comparisons and integer results never require grad", () => {
  const x = cr.tensor([1, -2], { requiresGrad: true });
  assert.equal(x.gt(0).requiresGrad, false);
  assert.equal(x.argmax().requiresGrad, false);
  assert.equal(x.isnan().requiresGrad, false);
  assert.equal(x.to("int32").requiresGrad, false);
});
