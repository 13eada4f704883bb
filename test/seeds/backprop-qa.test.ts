// The claims of the notes' interview Q&A (Q4–Q14) that autograd can
// check: the loss picks δ's form, sigmoid chains shrink gradients by at most ¼ a layer, ReLU's
// derivative at 0, shared parameters sum their gradients, L1/L2 add λ·sign(W) and λW, and
// gradients along parallel paths (skip connections) add.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const f64 = { dtype: "float64" as const };

test("Q4: with sigmoid, cross-entropy gives δ = ŷ − y while MSE gives δ = (ŷ − y)·σ'(z)", () => {
  const z = cr.tensor(-2, { ...f64, requiresGrad: true });
  const y = 1;
  const yHat = z.sigmoid();
  const s = yHat.item();
  const [dCE] = cr.autograd.grad(
    yHat
      .log()
      .mul(-y)
      .sub(
        yHat
          .neg()
          .add(1)
          .log()
          .mul(1 - y),
      ),
    z,
    { retainGraph: true },
  );
  assertClose(dCE!, s - y, { atol: 1e-15 });
  const [dMSE] = cr.autograd.grad(yHat.sub(y).pow(2).mul(0.5), z);
  assertClose(dMSE!, (s - y) * s * (1 - s), { atol: 1e-15 });
  // far from the target the MSE signal is the smaller one: σ' shrinks it (slow learning)
  assert.ok(Math.abs(dMSE!.item()) < Math.abs(dCE!.item()) * 0.25);
});

test("Q5: through L sigmoid layers the gradient shrinks at least by ¼ per layer; ReLU passes it whole", () => {
  const L = 10;
  const x = cr.tensor(0.3, { ...f64, requiresGrad: true });
  let h = x;
  for (let i = 0; i < L; i++) h = h.sigmoid();
  h.backward();
  assert.ok(x.grad!.item() > 0 && x.grad!.item() <= 0.25 ** L, `${x.grad!.item()} > 0.25^${L}`);
  const r = cr.tensor(0.3, { ...f64, requiresGrad: true });
  let k = r;
  for (let i = 0; i < L; i++) k = k.relu();
  k.backward();
  assert.equal(r.grad!.item(), 1);
});

test("Q6 and Q8: a dead ReLU passes no gradient; at exactly 0 the derivative is taken as 0", () => {
  const x = cr.tensor([-3, 0, 2], { ...f64, requiresGrad: true });
  x.relu().sum().backward();
  assert.deepEqual(x.grad!.toArray(), [0, 0, 1]);
});

test("Q10: a parameter shared across time steps gets the sum of the per-step gradients", () => {
  const xs = [0.5, -1, 2];
  const W = cr.tensor(0.8, { ...f64, requiresGrad: true });
  // h_t = tanh(W·h_(t−1) + x_t), the same W at every step
  let h = cr.tensor(0.3, f64);
  for (const x of xs) h = W.mul(h).add(x).tanh();
  h.backward();
  // the same unroll with one copy of W per step: the shared gradient is their sum
  const copies = xs.map(() => cr.tensor(0.8, { ...f64, requiresGrad: true }));
  let g = cr.tensor(0.3, f64);
  xs.forEach((x, t) => (g = copies[t]!.mul(g).add(x).tanh()));
  g.backward();
  const sum = copies.reduce((s, c) => s + c.grad!.item(), 0);
  assertClose(W.grad!, sum, { atol: 1e-15 });
  assert.ok(copies.every((c) => c.grad!.item() !== 0));
});

test("Q11: L2 adds λW to the gradient, L1 adds λ·sign(W)", () => {
  const W = cr.tensor([0.5, -2, 0.25], { ...f64, requiresGrad: true });
  const x = cr.tensor([1, 2, 3], f64);
  const lambda = 0.1;
  const [plain] = cr.autograd.grad(W.mul(x).sum().pow(2), W);
  const [l2] = cr.autograd.grad(
    W.mul(x)
      .sum()
      .pow(2)
      .add(
        W.pow(2)
          .sum()
          .mul(lambda / 2),
      ),
    W,
  );
  const [l1] = cr.autograd.grad(W.mul(x).sum().pow(2).add(W.abs().sum().mul(lambda)), W);
  assertClose(
    l2!,
    cr.noGrad(() => plain!.add(W.mul(lambda))),
    { atol: 1e-15 },
  );
  assertClose(
    l1!,
    cr.noGrad(() => plain!.add(W.sign().mul(lambda))),
    { atol: 1e-15 },
  );
});

test("Q12 and Q14: a skip connection's gradient is the sum over paths, 1 + f'(x)", () => {
  const x = cr.tensor([0.2, -1.5], { ...f64, requiresGrad: true });
  const y = x.add(x.tanh().mul(3)); // y = x + f(x), f = 3·tanh
  y.sum().backward();
  const expected = [0.2, -1.5].map((v) => 1 + 3 * (1 - Math.tanh(v) ** 2));
  assertClose(x.grad!, expected, { atol: 1e-15 });
  // the two paths meet at x's node, which sums them: one gradient, not two
  assert.equal(x.grad!.numel(), 2);
});
