// cr.optim against torch.optim: every optimizer and scheduler runs the same float64 problem as
// tools/gen_golden_optim.py and must land on PyTorch's parameters and rates after every step.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

type Opts = Record<string, unknown>;
interface Case {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options?: Opts;
  groups?: ({ params: ("W" | "b")[] } & Opts)[];
  scheduler?: { type: string; options?: Opts; maxLr?: number; metrics?: number[] };
  steps: number;
  expected: { W: number[][]; b: number[][]; lr: number[][]; momentum: number[][] };
}
const golden = JSON.parse(readFileSync(new URL("../fixtures/optim-golden.json", import.meta.url), "utf8")) as {
  problem: { X: number[][]; T: number[][]; W: number[][]; b: number[] };
  cases: Case[];
};

const f64 = { dtype: "float64" } as const;
const X = cr.tensor(golden.problem.X, f64);
const T = cr.tensor(golden.problem.T, f64);

const lossOf = (W: cr.Tensor, b: cr.Tensor) => X.matmul(W).add(b).tanh().sub(T).square().mean();

function makeOptimizer(c: Case, W: cr.Tensor, b: cr.Tensor) {
  const named = { W, b };
  const params = c.groups
    ? c.groups.map(({ params, ...rest }) => ({ ...rest, params: params.map((n) => named[n]) }))
    : [W, b];
  const ctor = cr.optim[c.optimizer] as unknown as new (p: unknown, o: Opts) => cr.optim.Optimizer<{ lr: number }>;
  return new ctor(params, c.options ?? {});
}

type Sched = { step(metric?: number): void; getLastLr(): number[] };
function makeScheduler(c: Case, opt: cr.optim.Optimizer<{ lr: number }>): Sched | null {
  const s = c.scheduler;
  if (!s) return null;
  const o = s.options ?? {};
  const L = cr.optim.lrScheduler;
  switch (s.type) {
    case "StepLR":
      return new L.StepLR(opt, o.stepSize as number, o.gamma as number);
    case "ExponentialLR":
      return new L.ExponentialLR(opt, o.gamma as number);
    case "CosineAnnealingLR":
      return new L.CosineAnnealingLR(opt, o.tMax as number, o.etaMin as number);
    case "OneCycleLR":
      return new L.OneCycleLR(opt, s.maxLr!, o);
    case "ReduceLROnPlateau":
      return new L.ReduceLROnPlateau(opt, o) as Sched;
  }
  throw new Error(`unknown scheduler ${s.type}`);
}

/** Runs `steps` steps of the case from the current parameters, checking each against the golden. */
function runSteps(
  c: Case,
  W: cr.Tensor,
  b: cr.Tensor,
  opt: cr.optim.Optimizer<{ lr: number }>,
  sched: Sched | null,
  from: number,
  to: number,
) {
  for (let i = from; i < to; i++) {
    opt.zeroGrad();
    lossOf(W, b).backward();
    opt.step();
    if (sched) sched.step(c.scheduler!.metrics?.[i]);
    const tol = { atol: 1e-12, rtol: 1e-10 };
    assertClose(W.flatten(), c.expected.W[i]!, { ...tol, msg: `${c.name} step ${i + 1} W` });
    assertClose(b, c.expected.b[i]!, { ...tol, msg: `${c.name} step ${i + 1} b` });
    const lrs = opt.paramGroups.map((g) => g.lr);
    assertClose(lrs, c.expected.lr[i]!, { ...tol, msg: `${c.name} step ${i + 1} lr` });
    if (sched) assert.deepEqual(sched.getLastLr(), lrs);
    const mom = opt.paramGroups.map((g) => (g.betas ? (g.betas as number[])[0]! : ((g.momentum as number) ?? 0)));
    assertClose(mom, c.expected.momentum[i]!, { ...tol, msg: `${c.name} step ${i + 1} momentum` });
  }
}

const leaves = () =>
  [
    cr.tensor(golden.problem.W, { ...f64, requiresGrad: true }),
    cr.tensor(golden.problem.b, { ...f64, requiresGrad: true }),
  ] as const;

for (const c of golden.cases) {
  test(`${c.name} matches torch.optim step by step`, () => {
    const [W, b] = leaves();
    const opt = makeOptimizer(c, W, b);
    runSteps(c, W, b, opt, makeScheduler(c, opt), 0, c.steps);
  });
}

for (const c of golden.cases.filter((k) => !k.scheduler)) {
  test(`${c.name}: stateDict after 2 steps resumes in a fresh optimizer on PyTorch's trajectory`, () => {
    const [W, b] = leaves();
    const opt = makeOptimizer(c, W, b);
    runSteps(c, W, b, opt, null, 0, 2);
    const sd = opt.stateDict();
    // a fresh optimizer over copies of the parameters, continuing from the snapshot
    const [W2, b2] = leaves();
    cr.noGrad(() => {
      W2.copy_(W);
      b2.copy_(b);
    });
    const opt2 = makeOptimizer(c, W2, b2);
    opt2.loadStateDict(sd);
    runSteps(c, W2, b2, opt2, null, 2, c.steps);
  });
}

test("stateDict is a snapshot: later steps do not change it, and it names params by position", () => {
  const [W, b] = leaves();
  const opt = new cr.optim.Adam([{ params: [W] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  lossOf(W, b).backward();
  opt.step();
  const sd = opt.stateDict();
  const before = (sd.state[0]!.expAvg as cr.Tensor).toArray();
  opt.zeroGrad();
  lossOf(W, b).backward();
  opt.step();
  assert.deepEqual((sd.state[0]!.expAvg as cr.Tensor).toArray(), before);
  assert.deepEqual(
    sd.paramGroups.map((g) => [g.params, g.lr]),
    [
      [[0], 0.1],
      [[1], 0.5],
    ],
  );
  assert.equal(sd.state[1]!.step, 1);
});

test("zeroGrad sets grads to null by default and to zeros when asked", () => {
  const [W, b] = leaves();
  const opt = new cr.optim.SGD([W, b], { lr: 0.1 });
  lossOf(W, b).backward();
  opt.zeroGrad(false);
  assert.deepEqual(b.grad!.toArray(), [0, 0, 0, 0]);
  opt.zeroGrad();
  assert.equal(W.grad, null);
  assert.equal(b.grad, null);
});

test("parameters without a gradient are left alone; step(closure) returns the loss", () => {
  const [W, b] = leaves();
  const opt = new cr.optim.SGD([W, b], { lr: 0.1, momentum: 0.9 });
  const loss = opt.step(() => {
    const l = X.matmul(W).sum();
    l.backward();
    return l;
  }) as cr.Tensor;
  assert.ok(loss instanceof cr.Tensor);
  assert.deepEqual(b.toArray(), golden.problem.b);
  assert.equal(opt.state.has(b), false);
  assert.notDeepEqual(W.toArray(), golden.problem.W);
});

test("bad hyperparameters and parameter lists are refused with the optimizer's name", () => {
  const [W, b] = leaves();
  assert.throws(() => new cr.optim.SGD([W], { lr: -1 }), /SGD: invalid learning rate -1/);
  assert.throws(
    () => new cr.optim.SGD([W], { lr: 0.1, nesterov: true }),
    /SGD: nesterov momentum requires momentum > 0/,
  );
  assert.throws(() => new cr.optim.Adam([W], { betas: [1, 0.9] }), /Adam: invalid beta1 1/);
  assert.throws(() => new cr.optim.Adam([]), /Adam: got an empty parameter list/);
  assert.throws(() => new cr.optim.RMSprop([{ params: [W] }, { params: [W, b] }]), /more than one parameter group/);
  assert.throws(() => new cr.optim.Adagrad([cr.tensor([1, 2], { dtype: "int32" })]), /floating-point.*int32/);
  assert.throws(() => new cr.optim.SGD([W.mul(2)]), /non-leaf/);
  const opt = new cr.optim.SGD([W], { lr: 0.1 });
  assert.throws(
    () => opt.loadStateDict({ state: {}, paramGroups: [] }),
    /SGD.loadStateDict: the state dict has 0 parameter groups, this optimizer has 1/,
  );
});

test("OneCycleLR refuses an optimizer without momentum and steps past the schedule", () => {
  const [W] = leaves();
  const L = cr.optim.lrScheduler;
  assert.throws(() => new L.OneCycleLR(new cr.optim.Adagrad([W]), 0.1, { totalSteps: 5 }), /must support momentum/);
  const s = new L.OneCycleLR(new cr.optim.SGD([W], { momentum: 0.9 }), 0.1, { totalSteps: 2 });
  s.step();
  s.step();
  assert.throws(() => s.step(), /tried to step 4 times; the schedule has 2 total steps/);
});

test("a scheduler's stateDict restores its position in the schedule", () => {
  const [W] = leaves();
  const L = cr.optim.lrScheduler;
  const a = new L.StepLR(new cr.optim.SGD([W], { lr: 1 }), 2, 0.5);
  for (let i = 0; i < 3; i++) a.step();
  const [W2] = leaves();
  const opt2 = new cr.optim.SGD([W2], { lr: 1 });
  const b2 = new L.StepLR(opt2, 2, 0.5);
  b2.loadStateDict(a.stateDict());
  opt2.paramGroups[0]!.lr = a.getLastLr()[0]!;
  a.step();
  b2.step();
  assert.deepEqual(b2.getLastLr(), a.getLastLr());
  assert.equal(a.getLastLr()[0], 0.25);
});
