// Tensor hooks and retainGrad, with PyTorch 2's ordering: hooks see the gradient of their tensor
// and may replace it; remove() detaches them; a retained .grad is taken after every hook; hooks on
// autograd.grad's inputs run too.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("a hook on a leaf sees each incoming gradient and may replace it before accumulation", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const seen: number[][] = [];
  x.registerHook((g) => {
    seen.push(g.toArray() as number[]);
  });
  const h = x.registerHook((g) => g.mul(10));
  x.mul(3).sum().backward();
  assert.deepEqual(seen, [[3, 3]]);
  assert.deepEqual(x.grad!.toArray(), [30, 30]);
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [60, 60]); // accumulated, each contribution hooked
  h.remove();
  x.grad = null;
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [3, 3]);
  h.remove(); // removing twice is harmless
  assert.equal(seen.length, 3);
});

test("a hook on a non-leaf replaces the gradient flowing on to its inputs", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const seen: number[][] = [];
  y.registerHook((g) => {
    seen.push(g.toArray() as number[]);
    return g.mul(0.5);
  });
  y.mul(3).sum().backward();
  assert.deepEqual(seen, [[3, 3]]);
  assert.deepEqual(x.grad!.toArray(), [3, 3]); // 3 · ½ · 2
});

test("hooks run in registration order, each seeing the previous one's result", () => {
  const x = cr.tensor([1], { requiresGrad: true });
  const y = x.mul(1);
  const order: string[] = [];
  y.registerHook((g) => {
    order.push(`a:${g.item()}`);
    return g.add(1);
  });
  y.registerHook((g) => {
    order.push(`b:${g.item()}`);
    return g.mul(10);
  });
  y.sum().backward();
  assert.deepEqual(order, ["a:1", "b:2"]);
  assert.equal(x.grad!.item(), 20);
});

test("a hook returning a gradient of the wrong shape fails, naming the shapes", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  x.registerHook(() => cr.ones([3]));
  assert.throws(() => x.sum().backward(), /hook on a leaf tensor: returned a gradient of shape \[3\], expected \[2\]/);
  const y = cr.tensor([1, 2], { requiresGrad: true }).mul(2);
  y.registerHook(() => cr.ones([1]));
  assert.throws(() => y.sum().backward(), /hook on output 0 of MulBackward: .*shape \[1\], expected \[2\]/);
});

test("hooks need a tensor that requires grad", () => {
  assert.throws(
    () => cr.tensor([1]).registerHook((g) => g),
    /cannot register a hook on a tensor that does not require grad/,
  );
  assert.throws(() => cr.tensor([1]).retainGrad(), /cannot retain the gradient of a tensor that does not require grad/);
});

test("retainGrad keeps a non-leaf's gradient and accumulates it across backward calls", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3);
  assert.equal(h.retainsGrad, false);
  h.retainGrad();
  h.retainGrad(); // idempotent
  assert.equal(h.retainsGrad, true);
  const out = h.mul(h).sum();
  out.backward(undefined, { retainGraph: true });
  assert.deepEqual(h.grad!.toArray(), [6, 12]); // 2h
  out.backward();
  assert.deepEqual(h.grad!.toArray(), [12, 24]);
  assert.equal(h.grad!.requiresGrad, false);
  // a leaf keeps its gradient anyway; retainGrad on it changes nothing
  x.retainGrad();
  assert.equal(x.retainsGrad, false);
  // other non-leaves do not keep theirs
  const k = x.mul(2);
  k.sum().backward();
  assert.equal(k.grad, null);
});

test("a retained .grad reflects the tensor's hooks whatever the registration order (PyTorch 2)", () => {
  for (const retainFirst of [true, false]) {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    if (retainFirst) y.retainGrad();
    y.registerHook((g) => g.mul(100));
    if (!retainFirst) y.retainGrad();
    y.sum().backward();
    assert.deepEqual(y.grad!.toArray(), [100, 100], `retainGrad ${retainFirst ? "before" : "after"} the hook`);
    assert.deepEqual(x.grad!.toArray(), [200, 200]);
  }
});

test("hooks on autograd.grad's inputs run, leaf or not, and shape what grad returns", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  x.registerHook((g) => g.mul(10));
  const [gx] = cr.autograd.grad(x.mul(3).sum(), x);
  assert.deepEqual(gx!.toArray(), [30, 30]);
  assert.equal(x.grad, null);
  const w = cr.tensor([1, 2], { requiresGrad: true });
  const y = w.mul(2);
  y.registerHook((g) => g.neg());
  const [gy] = cr.autograd.grad(y.mul(y).sum(), y);
  assert.deepEqual(gy!.toArray(), [-4, -8]);
});

test("a hook that never fires: the tensor is not on the differentiated path", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const unused = x.mul(5);
  let fired = false;
  unused.registerHook(() => {
    fired = true;
  });
  x.mul(2).sum().backward();
  assert.equal(fired, false);
  assert.deepEqual(x.grad!.toArray(), [2, 2]);
});
