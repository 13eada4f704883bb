// The graph's lifetime and higher orders: saved tensors are freed by backward unless retainGraph,
// gradients accumulate into .grad across calls, and createGraph records the backward pass so it
// can be differentiated again (second derivatives through every kind of op).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { kernels } from "../../src/backend/registry.js";
import { assertClose, freedDuring } from "../helpers.js";

const f64 = { dtype: "float64" as const };

test("a second backward through freed saved tensors fails clearly; with retainGraph grads accumulate", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward();
  assert.throws(() => y.backward(), /trying to backward through the graph a second time.*retainGraph: true/s);
  const w = cr.tensor([1, 2], { requiresGrad: true });
  const z = w.mul(w).sum();
  z.backward(undefined, { retainGraph: true });
  assert.deepEqual(w.grad!.toArray(), [2, 4]);
  z.backward(undefined, { retainGraph: true });
  assert.deepEqual(w.grad!.toArray(), [4, 8]);
  z.backward(); // the last one may free
  assert.deepEqual(w.grad!.toArray(), [6, 12]);
  assert.throws(() => z.backward(), /[A-Z]\w+Backward: trying to backward through the graph a second time/);
});

test(".grad accumulates over separate graphs until reset; fresh .grad is not shared between leaves", () => {
  const a = cr.tensor([1, 1], { requiresGrad: true });
  const b = cr.tensor([2, 2], { requiresGrad: true });
  for (let i = 0; i < 3; i++) a.add(b).sum().backward();
  assert.deepEqual(a.grad!.toArray(), [3, 3]);
  assert.deepEqual(b.grad!.toArray(), [3, 3]);
  // add hands the same gradient to both inputs: each leaf must own its copy
  assert.notEqual(a.grad, b.grad);
  cr.noGrad(() => a.grad!.zero_());
  assert.deepEqual(b.grad!.toArray(), [3, 3]);
  a.grad = null;
  a.mul(5).sum().backward();
  assert.deepEqual(a.grad!.toArray(), [5, 5]);
  assert.equal(a.grad!.requiresGrad, false);
});

test("createGraph: d/dx, d²/dx² and d³/dx³ of x³ at x = 2 are 12, 12 and 6", () => {
  const x = cr.tensor(2, { ...f64, requiresGrad: true });
  const y = x.pow(3);
  const [g1] = cr.autograd.grad(y, x, { createGraph: true });
  assert.equal(g1!.item(), 12);
  assert.ok(g1!.requiresGrad);
  const [g2] = cr.autograd.grad(g1!, x, { createGraph: true });
  assert.equal(g2!.item(), 12);
  const [g3] = cr.autograd.grad(g2!, x);
  assert.equal(g3!.item(), 6);
  assert.equal(g3!.requiresGrad, false);
  // without createGraph the gradient is a plain tensor: nothing to differentiate
  const [plain] = cr.autograd.grad(x.pow(3), x);
  assert.equal(plain!.requiresGrad, false);
});

test("backward with createGraph leaves a differentiable .grad: x·∂(x³)/∂x summed again", () => {
  const x = cr.tensor(3, { ...f64, requiresGrad: true });
  x.mul(x).mul(x).backward(undefined, { createGraph: true });
  const g = x.grad!;
  assert.equal(g.item(), 27);
  assert.ok(g.gradFn !== null);
  x.grad = null;
  g.backward();
  assert.equal(x.grad!.item(), 18); // d(3x²)/dx = 6x
});

test("second derivatives through sigmoid and tanh match their closed forms", () => {
  const xs = [-2, -0.5, 0, 0.7, 3];
  const x = cr.tensor(xs, { ...f64, requiresGrad: true });
  const [gs] = cr.autograd.grad(x.sigmoid().sum(), x, { createGraph: true });
  const [gs2] = cr.autograd.grad(gs!.sum(), x);
  const s = xs.map((v) => 1 / (1 + Math.exp(-v)));
  assertClose(
    gs!,
    s.map((v) => v * (1 - v)),
    { atol: 1e-15 },
  );
  // σ'' = σ(1 − σ)(1 − 2σ)
  assertClose(
    gs2!,
    s.map((v) => v * (1 - v) * (1 - 2 * v)),
    { atol: 1e-15 },
  );
  const [gt] = cr.autograd.grad(x.tanh().sum(), x, { createGraph: true });
  const [gt2] = cr.autograd.grad(gt!.sum(), x);
  // tanh'' = −2 tanh (1 − tanh²)
  assertClose(
    gt2!,
    xs.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)),
    { atol: 1e-14 },
  );
});

test("grad of grad through softmax and matmul agrees with finite differences and a closed form", () => {
  cr.manualSeed(21);
  const z = cr.randn([4], { ...f64, requiresGrad: true });
  const w = cr.randn([4], f64);
  assert.ok(cr.autograd.gradgradcheck((t) => t.softmax(0).mul(w).sum(), [z]));
  const A = cr.randn([3, 4], { ...f64, requiresGrad: true });
  const B = cr.randn([4, 2], { ...f64, requiresGrad: true });
  assert.ok(cr.autograd.gradgradcheck((a, b) => a.matmul(b).pow(2).sum(), [A, B]));
  // closed forms for L = ‖AB‖²: ∂L/∂A = 2ABBᵀ, and with J = ones, ∂/∂B Σ_ij (∂L/∂A)_ij = 2(AᵀJ + JᵀA)B
  const [gA] = cr.autograd.grad(A.matmul(B).pow(2).sum(), A, { createGraph: true });
  assertClose(
    gA!,
    cr.noGrad(() => A.matmul(B).matmul(B.t()).mul(2)),
    { atol: 1e-12 },
  );
  const [ggB] = cr.autograd.grad(gA!.sum(), B);
  const ones = cr.ones([3, 4], f64);
  const expected = cr.noGrad(() => A.t().matmul(ones).matmul(B).add(ones.t().matmul(A).matmul(B)).mul(2));
  assertClose(ggB!, expected, { atol: 1e-12 });
});

test("createGraph through a chain with a shared input: mixed partials of f = x²y + y³", () => {
  const x = cr.tensor(1.5, { ...f64, requiresGrad: true });
  const y = cr.tensor(-0.5, { ...f64, requiresGrad: true });
  const f = x.pow(2).mul(y).add(y.pow(3));
  const [fx, fy] = cr.autograd.grad(f, [x, y], { createGraph: true });
  assertClose(fx!, 2 * 1.5 * -0.5); // 2xy
  assertClose(fy!, 1.5 ** 2 + 3 * 0.25); // x² + 3y²
  const [fxx, fxy] = cr.autograd.grad(fx!, [x, y], { retainGraph: true });
  const [fyx, fyy] = cr.autograd.grad(fy!, [x, y]);
  assertClose(fxx!, -1); // 2y
  assertClose(fxy!, 3); // 2x
  assertClose(fyx!, 3); // symmetric
  assertClose(fyy!, -3); // 6y
});

// The walk frees the gradients it made as soon as no pending slot refers to them (the native
// backend returns them to its pool at once). Everything below keeps a gradient past that point:
// each must still read its values afterwards (a freed buffer would throw on read).
test("gradients kept by hooks, retainGrad, autograd.grad and user Functions outlive the walk that made them", () => {
  const n = 40_000; // above the native backend's small-tensor cutoff, so buffers are really freed
  const x = cr.randn([n], { requiresGrad: true });
  const kept: cr.Tensor[] = [];
  const mid = x.mul(3);
  mid.retainGrad();
  mid.registerHook((g) => void kept.push(g));
  const out = mid.exp().mul(2).sum();
  out.backward();
  const expected = x.detach().mul(3).exp().mul(6);
  assertClose(mid.grad!, expected.div(3), { rtol: 1e-5 });
  assertClose(kept[0]!, expected.div(3), { rtol: 1e-5 });
  assertClose(x.grad!, expected, { rtol: 1e-5 });

  const [gx] = cr.autograd.grad(x.mul(x).mul(0.5).sum(), x);
  assertClose(gx!, x.detach(), { rtol: 1e-6 });

  let stashed: cr.Tensor | null = null;
  class Keep extends cr.autograd.Function {
    static override forward(_ctx: cr.autograd.FunctionCtx, a: cr.Tensor) {
      return a.mul(1);
    }
    static override backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor) {
      stashed = g;
      return [g.mul(2)];
    }
  }
  const z = cr.randn([n], { requiresGrad: true });
  (Keep.apply(z.mul(3)) as cr.Tensor).exp().sum().backward();
  assertClose(stashed!, z.detach().mul(3).exp(), { rtol: 1e-5 });
  assertClose(z.grad!, z.detach().mul(3).exp().mul(6), { rtol: 1e-5 });
});

test("fan-out: one gradient handed to both inputs, sums formed in place, and the leaves' .grad stay independent", () => {
  const n = 40_000;
  const a = cr.randn([n], { requiresGrad: true });
  const b = cr.randn([n], { requiresGrad: true });
  // a reaches the loss four ways and b twice: add's rule gives both the same tensor, and the
  // engine sums a's four contributions (in place once the walk owns the sum)
  const s = a.add(b);
  const loss = s.mul(s).add(a.mul(a)).add(a.exp()).sum();
  loss.backward();
  const [ad, bd] = [a.detach(), b.detach()];
  assertClose(a.grad!, ad.add(bd).mul(2).add(ad.mul(2)).add(ad.exp()), { rtol: 1e-5 });
  assertClose(b.grad!, ad.add(bd).mul(2), { rtol: 1e-5 });
  cr.noGrad(() => a.grad!.zero_());
  assertClose(b.grad!, ad.add(bd).mul(2), { rtol: 1e-5 });
});

test("backward frees each gradient it made once nothing needs it (native: back to the pool at once, not at the next GC)", (t) => {
  const x = cr.randn([50_000], { requiresGrad: true });
  const loss = x.mul(2).exp().mul(3).tanh().sum();
  const freed = freedDuring(() => loss.backward());
  if (!freed) return t.skip(`the ${kernels().name} backend frees nothing early`);
  // tanh's, mul's and exp's gradients are dead once the next rule has used them; mul(2)'s becomes x.grad
  assert.ok(freed.length >= 3, `only ${freed.length} gradient buffers were freed during backward`);
  assert.ok(!freed.includes(x.grad!.storage.handle), "x.grad's buffer was freed");
  const xd = x.detach();
  const e = xd.mul(2).exp().mul(3);
  assertClose(x.grad!, e.tanh().square().neg().add(1).mul(e).mul(2), { rtol: 1e-4 });
});

// zeroGrad(setToNone) frees a leaf's gradient on the spot when nothing but `.grad` can refer to
// its buffer (made by backward and never read since), as PyTorch's reference count would; in JS
// it would otherwise wait for the collector and each step's weight gradients would land in cold
// memory. Every way a gradient can escape must keep it alive: a read a freed buffer would fail.
test("zeroGrad frees a weight gradient no one has read; a gradient that was read, kept by an optimizer or seen by an observer survives", (t) => {
  const n = 40_000;
  const w = cr.randn([n], { requiresGrad: true });
  const lossOf = (k: number) => w.mul(w).mul(k).sum();
  const opt = new cr.optim.SGD([w], { lr: 0 });

  lossOf(1).backward();
  opt.step(); // the built-in optimizers read .grad without keeping it
  cr.nn.utils.clipGradNorm([w], 1e9); // so does clipping
  const unread = w._grad!.storage.handle;
  const freed = freedDuring(() => opt.zeroGrad());
  if (!freed) return t.skip(`the ${kernels().name} backend frees nothing early`);
  assert.deepEqual(freed, [unread]);
  assert.equal(w.grad, null);

  // read by the user: kept, and the next backward's gradient does not land in it
  lossOf(1).backward();
  const mine = w.grad!;
  assert.deepEqual(
    freedDuring(() => opt.zeroGrad()),
    [],
  );
  lossOf(3).backward();
  assertClose(mine, w.detach().mul(2), { rtol: 1e-6 });
  assertClose(w.grad!, w.detach().mul(6), { rtol: 1e-6 });

  // a custom optimizer's update() may keep the gradient it is given
  class Remember extends cr.optim.SGD {
    last: cr.Tensor | null = null;
    protected override update(_g: cr.optim.ParamGroup, _p: cr.Tensor, grad: cr.Tensor): void {
      this.last = grad;
    }
  }
  const remember = new Remember([w], { lr: 0 });
  remember.zeroGrad();
  lossOf(5).backward();
  remember.step();
  assert.deepEqual(
    freedDuring(() => remember.zeroGrad()),
    [],
  );
  lossOf(7).backward();
  assertClose(remember.last!, w.detach().mul(10), { rtol: 1e-6 });

  // an observer may keep the walk's gradients, one of which becomes w.grad itself
  const seen: cr.TensorBase[] = [];
  const model = new cr.nn.Linear(200, 200);
  model.zeroGrad();
  const x = cr.randn([4, 200]);
  cr.autograd.observe({ backward: (e) => seen.push(...e.gradInputs.filter((g) => g !== null)) }, () =>
    model.call(x).square().sum().backward(),
  );
  const values = seen.map((g) => g.toArray());
  assert.deepEqual(
    freedDuring(() => model.zeroGrad()),
    [],
  );
  model.call(x).mul(3).sum().backward();
  assert.deepEqual(
    seen.map((g) => g.toArray()),
    values,
  );
});
