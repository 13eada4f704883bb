// detectAnomaly: inside it, the forward op that makes a NaN from clean inputs fails at once, naming
// itself; a backward rule that returns NaN or Inf fails naming its node and where its forward ran.
// Outside it, the same computations quietly produce NaN, as in PyTorch.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("log(-1) and 0/0 inside detectAnomaly fail naming the op and the shape", () => {
  assert.throws(
    () => cr.autograd.detectAnomaly(() => cr.tensor([1, -1]).log()),
    /detectAnomaly: op 'log' produced NaN in its output of shape \[2\] from inputs without NaN/,
  );
  assert.throws(
    () => cr.autograd.detectAnomaly(() => cr.tensor([0], { requiresGrad: true }).div(0)),
    /detectAnomaly: op 'div' produced NaN/,
  );
  // the error says where: this file is on the stack it prints
  assert.throws(
    () => cr.autograd.detectAnomaly(() => cr.tensor([-1]).sqrt()),
    (e: Error) => /op 'sqrt'/.test(e.message) && e.message.includes("anomaly.test.ts"),
  );
});

test("outside detectAnomaly the same ops give NaN without complaint", () => {
  assert.ok(Number.isNaN(cr.tensor([-1]).log().item()));
  assert.ok(Number.isNaN(cr.tensor([0]).div(0).item()));
  // NaN already in the input is not the op's doing: no error even inside
  const viaNaN = cr.autograd.detectAnomaly(() => cr.tensor([NaN]).mul(2));
  assert.ok(Number.isNaN(viaNaN.item()));
});

test("a backward producing NaN names the backward node, not an op inside its rule", () => {
  // √x at 0 with a zero upstream gradient: the rule computes 0 / (2·0) = NaN
  const run = () => {
    const x = cr.tensor([0, 4], { requiresGrad: true });
    x.sqrt()
      .mul(cr.tensor([0, 1]))
      .sum()
      .backward();
    return x;
  };
  assert.throws(
    () => cr.autograd.detectAnomaly(run),
    (e: Error) =>
      /detectAnomaly: SqrtBackward returned NaN in its gradient for input 0\./.test(e.message) &&
      /The forward op was called at:/.test(e.message) &&
      e.message.includes("anomaly.test.ts"),
  );
  // unchecked, the NaN lands in .grad
  const x = run();
  assert.ok(Number.isNaN(x.grad!.dataSync()[0]!));
  assert.equal(x.grad!.dataSync()[1], 0.25);
});

test("a backward producing Inf fails too, as the contract says", () => {
  assert.throws(
    () =>
      cr.autograd.detectAnomaly(() => {
        const x = cr.tensor([0], { requiresGrad: true });
        x.sqrt().sum().backward();
      }),
    /detectAnomaly: SqrtBackward returned Inf in its gradient for input 0/,
  );
});

test("a custom Function whose backward returns NaN is named by its node", () => {
  class Broken extends cr.autograd.Function {
    static override forward(_ctx: cr.autograd.FunctionCtx, x: cr.Tensor) {
      return x.mul(1);
    }
    static override backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor) {
      return g.mul(NaN);
    }
  }
  assert.throws(
    () =>
      cr.autograd.detectAnomaly(() =>
        Broken.apply(cr.tensor([1], { requiresGrad: true }))
          .sum()
          .backward(),
      ),
    /BrokenBackward returned NaN in its gradient for input 0/,
  );
});

test("detectAnomaly returns fn's value, restores the mode, and leaves clean runs alone", () => {
  const x = cr.tensor([1, 4], { requiresGrad: true });
  const y = cr.autograd.detectAnomaly(() => {
    const out = x.sqrt().sum();
    out.backward();
    return out;
  });
  assert.equal(y.item(), 3);
  assert.deepEqual(x.grad!.toArray(), [0.5, 0.25]);
  assert.throws(() =>
    cr.autograd.detectAnomaly(() => {
      throw new Error("inner");
    }),
  );
  // the mode is off again: NaN passes
  assert.ok(Number.isNaN(cr.tensor([-1]).log().item()));
});
