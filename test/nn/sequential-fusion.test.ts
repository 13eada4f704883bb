// nn.Sequential runs a batch norm followed by a ReLU as one fused op (relu(batchNorm) forward, the
// ReLU's mask folded into batch norm's backward). These tests hold it to the same modules run one
// by one: outputs, every gradient and the running statistics, in training and eval, float32 and
// float64; and check that the fusion stands aside wherever the output in between could be seen
// (hooks on either module, an observer such as explain's trace) or the next module is not a ReLU.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { observers } from "../../src/graph/observe.js";
import { assertClose } from "../helpers.js";

const { nn } = cr;
type DType = "float32" | "float64";

const tol = (dtype: DType) => (dtype === "float64" ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 2e-4, atol: 2e-5 });

/** A conv → BN → ReLU → conv → BN → ReLU stack with seeded parameters, in `dtype`. */
function stack(dtype: DType, seed: number): cr.nn.Sequential {
  cr.manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Conv2d(3, 5, 3, { padding: 1 }),
    new nn.BatchNorm2d(5),
    new nn.ReLU(),
    new nn.Conv2d(5, 4, 3),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
  );
  // weights and biases away from BN's defaults, so the scale and shift are exercised
  cr.noGrad(() => {
    for (const m of model) if (m instanceof nn.BatchNorm2d) m.weight!.copy_(cr.rand([m.weight!.shape[0]!]).add(0.5));
    for (const m of model) if (m instanceof nn.BatchNorm2d) m.bias!.copy_(cr.randn([m.bias!.shape[0]!]).mul(0.5));
  });
  return model.to(dtype);
}

/** The same modules called one at a time (never fused). */
const oneByOne = (model: cr.nn.Sequential, x: cr.Tensor) =>
  [...model].reduce((y, m) => (m as unknown as { call(t: cr.Tensor): cr.Tensor }).call(y), x);

/** Output, input gradient and parameter gradients of f on x under upstream gradient g. */
function run(model: cr.nn.Sequential, f: (x: cr.Tensor) => cr.Tensor, x: cr.Tensor, g: cr.Tensor) {
  model.zeroGrad();
  const xin = x.detach().requiresGrad_();
  const out = f(xin);
  out.backward(g);
  return { out, dx: xin.grad!, grads: [...model.parameters()].map((p) => p.grad!), node: out.gradFn!.name };
}

for (const dtype of ["float64", "float32"] as const) {
  for (const training of [true, false]) {
    test(`Sequential's fused batch norm + ReLU agrees with the modules one by one (${dtype}, ${training ? "train" : "eval"})`, () => {
      const [fused, plain] = [stack(dtype, 7), stack(dtype, 7)];
      if (!training) {
        // eval after one training step, so the running statistics are not the initial ones
        const warm = cr.randn([4, 3, 7, 6]).to(dtype);
        fused.call(warm);
        oneByOne(plain, warm);
        fused.eval();
        plain.eval();
      }
      const x = cr.randn([4, 3, 7, 6]).to(dtype);
      const g = cr.randn([4, 4, 5, 4]).to(dtype);
      const a = run(fused, (t) => fused.call(t), x, g);
      const b = run(plain, (t) => oneByOne(plain, t), x, g);
      assert.equal(b.node, "ReluBackward");
      assert.notEqual(a.node, "ReluBackward", "the batch norm and ReLU were not fused");
      assertClose(a.out, b.out, tol(dtype));
      assertClose(a.dx, b.dx, tol(dtype));
      a.grads.forEach((p, i) => assertClose(p, b.grads[i]!, { ...tol(dtype), msg: `parameter ${i}` }));
      for (const [i, m] of [...fused].entries()) {
        if (!(m instanceof nn.BatchNorm2d)) continue;
        const p = [...plain][i] as cr.nn.BatchNorm2d;
        assertClose(m.running_mean!, p.running_mean!, tol(dtype));
        assertClose(m.running_var!, p.running_var!, tol(dtype));
      }
    });
  }
}

test("a ReLU that kills whole channels passes no gradient through them, as unfused", () => {
  // bias far below zero: every output of channel 0 is clamped, so its weight and bias get 0
  const [fused, plain] = [stack("float64", 3), stack("float64", 3)];
  for (const model of [fused, plain]) cr.noGrad(() => (model.at(1) as cr.nn.BatchNorm2d).bias!.fill_(-50));
  const x = cr.randn([2, 3, 5, 5], { dtype: "float64" });
  const g = cr.randn([2, 4, 3, 3], { dtype: "float64" });
  const a = run(fused, (t) => fused.call(t), x, g);
  const b = run(plain, (t) => oneByOne(plain, t), x, g);
  assertClose(a.dx, b.dx, tol("float64"));
  a.grads.forEach((p, i) => assertClose(p, b.grads[i]!, { ...tol("float64"), msg: `parameter ${i}` }));
  assert.deepEqual(a.grads[2]!.toArray(), [0, 0, 0, 0, 0]);
});

test("the fused backward passes gradient exactly where the forward's output is positive", () => {
  // Half of each channel sits exactly at its mean, where x·scale + shift (no bias) is a rounding
  // residue of either sign or 0: the backward's mask, summed again from x, must be the forward
  // output's own, for contiguous and strided inputs (the two take different loops), float32 and
  // float64: gradients equal to the bit to the modules run one by one.
  for (const dtype of ["float32", "float64"] as const) {
    for (const strided of [false, true]) {
      const bn = () => {
        const m = new nn.BatchNorm2d(3);
        cr.noGrad(() => {
          m.weight!.copy_(cr.tensor([0.7, 1.3, 2.1]));
        });
        return m.to(dtype);
      };
      const [fused, plain] = [new nn.Sequential(bn(), new nn.ReLU()), new nn.Sequential(bn(), new nn.ReLU())];
      // per channel: even elements at the mean, odd ones at mean ± 1.5 (so the mean stays exact)
      const at = [0.3, -1.7, 2.9];
      const values = Array.from({ length: 144 }, (_, i) => at[Math.floor(i / 24) % 3]! + [0, 1.5, 0, -1.5][i % 4]!);
      let x = cr.tensor(values, { dtype }).reshape([2, 3, 6, 4]);
      if (strided) x = x.transpose(2, 3);
      const g = cr.randn(x.shape).to(dtype);
      const a = run(fused, (t) => fused.call(t), x, g);
      const b = run(plain, (t) => oneByOne(plain, t), x, g);
      assert.notEqual(a.node, "ReluBackward", "the batch norm and ReLU were not fused");
      assert.deepEqual(a.out.toArray(), b.out.toArray(), `${dtype} ${strided ? "strided" : "contiguous"}: outputs`);
      assert.deepEqual(a.dx.toArray(), b.dx.toArray(), `${dtype} ${strided ? "strided" : "contiguous"}: dx`);
      a.grads.forEach((p, i) => assert.deepEqual(p.toArray(), b.grads[i]!.toArray(), `parameter ${i}`));
    }
  }
});

test("double backward through the fused op matches the modules one by one", () => {
  const [fused, plain] = [stack("float64", 5), stack("float64", 5)];
  const x = cr.randn([3, 3, 4, 4], { dtype: "float64" });
  const gradNorm = (model: cr.nn.Sequential, f: (t: cr.Tensor) => cr.Tensor) => {
    const xin = x.detach().requiresGrad_();
    const [dx] = cr.autograd.grad([f(xin).square().sum()], [xin], { createGraph: true });
    const [ddx] = cr.autograd.grad([dx!.square().sum()], [xin]);
    return ddx!;
  };
  assertClose(
    gradNorm(fused, (t) => fused.call(t)),
    gradNorm(plain, (t) => oneByOne(plain, t)),
    tol("float64"),
  );
});

test("the fusion stands aside where the output in between can be seen", () => {
  const x = cr.randn([2, 3, 6, 6]).requiresGrad_();
  const last = (model: cr.nn.Sequential) => (model.call(x) as cr.Tensor).gradFn!.name;
  const model = stack("float32", 1);
  assert.notEqual(last(model), "ReluBackward");

  // a hook on the ReLU, or on the batch norm, may read or replace the batch norm's output
  const seen: (readonly number[])[] = [];
  const handle = model.at(5).registerForwardHook((_m, inputs) => void seen.push((inputs[0] as cr.Tensor).shape));
  assert.equal(last(model), "ReluBackward");
  assert.deepEqual(seen, [[2, 4, 4, 4]]);
  handle.remove();
  const pre = model.at(4).registerForwardHook(() => undefined);
  assert.equal(last(model), "ReluBackward");
  pre.remove();

  // an observer (explain's trace, a graph export) is shown every op
  const ops: string[] = [];
  observers.push({ forward: (e) => void ops.push(e.op) });
  try {
    assert.equal(last(model), "ReluBackward");
  } finally {
    observers.pop();
  }
  assert.ok(ops.filter((o) => o === "relu").length === 2, `ops seen: ${ops.join(", ")}`);
  assert.notEqual(last(model), "ReluBackward");
});

test("only a batch norm followed by a plain ReLU is fused", () => {
  class LoudReLU extends nn.ReLU {
    calls = 0;
    override forward(x: cr.Tensor): cr.Tensor {
      this.calls++;
      return super.forward(x);
    }
  }
  const x = cr.randn([2, 3, 4, 4]).requiresGrad_();
  const loud = new LoudReLU();
  const sub = new nn.Sequential(new nn.Conv2d(3, 3, 1), new nn.BatchNorm2d(3), loud);
  assert.equal((sub.call(x) as cr.Tensor).gradFn!.name, "ReluBackward");
  assert.equal(loud.calls, 1);
  const tail = new nn.Sequential(new nn.Conv2d(3, 3, 1), new nn.BatchNorm2d(3));
  assert.notEqual((tail.call(x) as cr.Tensor).gradFn!.name, "ReluBackward");
  const other = new nn.Sequential(new nn.BatchNorm2d(3), new nn.Sigmoid(), new nn.ReLU());
  assert.equal((other.call(x) as cr.Tensor).gradFn!.name, "ReluBackward");
  // a batch norm whose subclass replaces forward runs that forward
  class ShiftedNorm extends nn.BatchNorm2d {
    override forward(t: cr.Tensor): cr.Tensor {
      return super.forward(t).add(1);
    }
  }
  const shifted = new nn.Sequential(new ShiftedNorm(3), new nn.ReLU());
  const expected = (new nn.BatchNorm2d(3).call(x) as cr.Tensor).add(1).relu();
  assertClose(shifted.call(x) as cr.Tensor, expected, { atol: 1e-5 });
});
