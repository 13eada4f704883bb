// The two entry points: tensor.backward() and autograd.grad(). What each accepts (seeds, non-leaf
// inputs, unused inputs, several outputs), what each refuses, and what each leaves in .grad.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("backward of a non-scalar needs a gradient of the output's shape", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  assert.throws(
    () => y.backward(),
    /backward: output 0 has shape \[2\]; a gradient can only be created implicitly for a one-element output/,
  );
  assert.throws(
    () => y.backward(cr.ones([3])),
    /backward: gradient of shape \[3\] does not match output 0 of shape \[2\]/,
  );
  y.backward(cr.tensor([1, 10]));
  assert.deepEqual(x.grad!.toArray(), [2, 20]);
  // a one-element output of any rank gets the implicit 1
  const w = cr.tensor([[3]], { requiresGrad: true });
  w.mul(w).backward();
  assert.deepEqual(w.grad!.toArray(), [[6]]);
});

test("backward of a tensor outside the graph fails, saying why", () => {
  assert.throws(() => cr.tensor(1).backward(), /does not require grad and has no gradFn/);
  const x = cr.tensor(1, { requiresGrad: true });
  assert.throws(() => cr.noGrad(() => x.mul(2)).backward(), /does not require grad/);
  // a leaf that requires grad is its own graph: its gradient is the seed
  x.backward();
  assert.equal(x.grad!.item(), 1);
});

test("autograd.grad returns gradients and leaves .grad untouched", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = cr.tensor([3, 4], { requiresGrad: true });
  const out = x.mul(y).sum();
  const [gx, gy] = cr.autograd.grad(out, [x, y]);
  assert.deepEqual(gx!.toArray(), [3, 4]);
  assert.deepEqual(gy!.toArray(), [1, 2]);
  assert.equal(x.grad, null);
  assert.equal(y.grad, null);
  // a single input may be passed bare
  const [g] = cr.autograd.grad(x.mul(x).sum(), x);
  assert.deepEqual(g!.toArray(), [2, 4]);
});

test("autograd.grad with respect to non-leaf tensors", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(2);
  const out = h.mul(h).sum();
  const [gh, gx] = cr.autograd.grad(out, [h, x]);
  assert.deepEqual(gh!.toArray(), [4, 8]); // 2h
  assert.deepEqual(gx!.toArray(), [8, 16]); // 2h · 2
  assert.equal(x.grad, null);
  assert.equal(h.grad, null);
});

test("autograd.grad: an unused input fails unless allowUnused, which gives null", () => {
  const x = cr.tensor(1, { requiresGrad: true });
  const unused = cr.tensor(1, { requiresGrad: true });
  assert.throws(
    () => cr.autograd.grad(x.mul(2), [x, unused]),
    /grad: input 1 was not used in computing the outputs; pass \{ allowUnused: true \}/,
  );
  const [g, none] = cr.autograd.grad(x.mul(2), [x, unused], { allowUnused: true });
  assert.equal(g!.item(), 2);
  assert.equal(none, null);
  assert.throws(() => cr.autograd.grad(x.mul(2), cr.tensor(1)), /grad: input 0 does not require grad/);
});

test("autograd.grad: gradOutputs seed non-scalar outputs; several outputs sum their contributions", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const [g] = cr.autograd.grad(x.mul(x), x, { gradOutputs: cr.tensor([1, 10]) });
  assert.deepEqual(g!.toArray(), [2, 40]);
  assert.throws(() => cr.autograd.grad(x.mul(x), x), /grad: output 0 has shape \[2\]/);
  const a = x.mul(3).sum();
  const b = x.pow(2);
  const [both] = cr.autograd.grad([a, b], x, { gradOutputs: [cr.tensor(1), cr.tensor([1, 1])], retainGraph: true });
  assert.deepEqual(both!.toArray(), [5, 7]); // 3 + 2x
  const [partial] = cr.autograd.grad([a, b], x, { gradOutputs: [undefined, cr.tensor([0, 1])] });
  assert.deepEqual(partial!.toArray(), [3, 7]);
});

test("autograd.grad frees the graph unless retainGraph, like backward", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const out = x.mul(x).sum();
  cr.autograd.grad(out, x, { retainGraph: true });
  const [again] = cr.autograd.grad(out, x);
  assert.deepEqual(again!.toArray(), [2, 4]);
  assert.throws(() => cr.autograd.grad(out, x), /second time/);
});

test("autograd.grad runs only the part of the graph that leads to its inputs", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const other = cr.tensor([5, 5], { requiresGrad: true });
  let otherBranchRan = false;
  const side = other.mul(2);
  side.registerHook(() => {
    otherBranchRan = true;
  });
  const out = x.mul(3).add(side).sum();
  const [g] = cr.autograd.grad(out, x);
  assert.deepEqual(g!.toArray(), [3, 3]);
  assert.equal(otherBranchRan, false);
});
