// The notes' computational-graph example, f = (x + y)·z, and its gate patterns.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("f = (x + y)·z at x=-2, y=5, z=-4: q=3, f=-12, df/dx=-4, df/dy=-4, df/dz=3", () => {
  const x = cr.tensor(-2, { requiresGrad: true });
  const y = cr.tensor(5, { requiresGrad: true });
  const z = cr.tensor(-4, { requiresGrad: true });
  const q = x.add(y);
  q.retainGrad();
  const f = q.mul(z);
  f.backward();
  assert.equal(q.item(), 3);
  assert.equal(f.item(), -12);
  assert.equal(q.grad!.item(), -4); // df/dq = z
  assert.equal(x.grad!.item(), -4);
  assert.equal(y.grad!.item(), -4);
  assert.equal(z.grad!.item(), 3); // df/dz = q
  assert.equal(f.gradFn!.name, "MulBackward");
  assert.deepEqual(
    f.gradFn!.nextFunctions.map(([n]) => n?.name),
    ["AddBackward", "AccumulateGrad"],
  );
});

test("add gate distributes, copy gate adds, mul gate swaps, max gate routes", () => {
  const a = cr.tensor(3, { requiresGrad: true });
  const b = cr.tensor(-1, { requiresGrad: true });
  a.add(b).mul(2).backward();
  assert.deepEqual([a.grad!.item(), b.grad!.item()], [2, 2]);

  const c = cr.tensor(1.5, { requiresGrad: true });
  c.mul(3).add(c.mul(4)).backward(); // c used twice: 3 + 4
  assert.equal(c.grad!.item(), 7);

  const u = cr.tensor(2, { requiresGrad: true });
  const v = cr.tensor(-5, { requiresGrad: true });
  u.mul(v).backward();
  assert.deepEqual([u.grad!.item(), v.grad!.item()], [-5, 2]);

  const p = cr.tensor(4, { requiresGrad: true });
  const r = cr.tensor(7, { requiresGrad: true });
  p.maximum(r).mul(3).backward();
  assert.deepEqual([p.grad!.item(), r.grad!.item()], [0, 3]);
});

test("a chain of 100,000 ops backpropagates without overflowing the stack", () => {
  const x = cr.tensor(1, { requiresGrad: true, dtype: "float64" });
  let y = x;
  for (let i = 0; i < 100_000; i++) y = y.mul(1.00001);
  y.backward();
  assert.ok(Math.abs(x.grad!.item() - Math.pow(1.00001, 100_000)) < 1e-6);
});
