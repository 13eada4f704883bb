// Every loss, with every reduction, against PyTorch: the functional form's value and input
// gradient, and the module form agreeing with it.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { fixture, fromJSON, revive, type TensorJSON, tolFor } from "./golden.js";

interface LossCase {
  name: string;
  js: { fn: string; opts: Record<string, unknown> };
  reduction: string;
  input: TensorJSON;
  target: TensorJSON;
  output: TensorJSON;
  upstream: TensorJSON;
  grad: TensorJSON;
}

type LossFn = (input: cr.Tensor, target: cr.Tensor, opts: Record<string, unknown>) => cr.Tensor;

const moduleOf: Record<string, string> = {
  mseLoss: "MSELoss",
  l1Loss: "L1Loss",
  huberLoss: "HuberLoss",
  smoothL1Loss: "SmoothL1Loss",
  binaryCrossEntropy: "BCELoss",
  binaryCrossEntropyWithLogits: "BCEWithLogitsLoss",
  crossEntropy: "CrossEntropyLoss",
  nllLoss: "NLLLoss",
  klDiv: "KLDivLoss",
};

const { cases } = fixture<{ cases: LossCase[] }>("nn-losses.json");
const tol = tolFor("float64");

for (const c of cases) {
  test(`${c.name} matches PyTorch`, () => {
    const fn = (cr.nn.functional as unknown as Record<string, LossFn>)[c.js.fn]!;
    const opts = { ...(revive(c.js.opts) as Record<string, unknown>), reduction: c.reduction };
    const x = fromJSON(c.input, true);
    const target = fromJSON(c.target);
    const out = fn(x, target, opts);
    assert.deepEqual(out.shape, c.output.shape);
    assertClose(out, c.output.data, { ...tol, msg: "loss" });
    out.mul(fromJSON(c.upstream)).sum().backward();
    assertClose(x.grad!, c.grad.data, { ...tol, msg: "grad" });

    const Ctor = (cr.nn as unknown as Record<string, new (o: object) => cr.nn.Module>)[moduleOf[c.js.fn]!]!;
    const m = new Ctor(opts) as cr.nn.Module & { forward(a: cr.Tensor, b: cr.Tensor): cr.Tensor };
    assertClose(m.call(x.detach(), target), c.output.data, { ...tol, msg: "module form" });
  });
}

test("loss modules register class weights as PyTorch-named buffers", () => {
  const w = cr.tensor([1, 2, 3]);
  assert.deepEqual(Object.keys(new cr.nn.CrossEntropyLoss({ weight: w }).stateDict()), ["weight"]);
  const pw = cr.tensor([2, 2, 2]);
  assert.deepEqual(Object.keys(new cr.nn.BCEWithLogitsLoss({ posWeight: pw }).stateDict()), ["pos_weight"]);
  assert.deepEqual(Object.keys(new cr.nn.MSELoss().stateDict()), []);
});

test("binaryCrossEntropyWithLogits stays finite at extreme logits and has gradient σ(x) − y at 0", () => {
  const x = cr.tensor([-1000, 0, 1000], { dtype: "float64", requiresGrad: true });
  const y = cr.tensor([1, 0, 0], { dtype: "float64" });
  const loss = cr.nn.functional.binaryCrossEntropyWithLogits(x, y, { reduction: "sum" });
  assertClose(loss, 2000 + Math.LN2, { atol: 1e-9 });
  loss.backward();
  assertClose(x.grad!, [-1, 0.5, 1], { atol: 1e-12 });
});

test("losses reject mismatched shapes and bad targets with the op's name", () => {
  const F = cr.nn.functional;
  assert.throws(
    () => F.mseLoss(cr.zeros([2, 3]), cr.zeros([3, 2])),
    /mseLoss: target shape \[3, 2\] must match input shape \[2, 3\]/,
  );
  assert.throws(
    () => F.crossEntropy(cr.zeros([2, 3]), cr.tensor([0, 1, 2], { dtype: "int32" })),
    /crossEntropy: expected input \[N, C, …\] and class-index target \[N, …\]; got input \[2, 3\] and target \[3\]/,
  );
  assert.throws(() => F.nllLoss(cr.zeros([2, 3]), cr.zeros([2])), /nllLoss: class-index targets must be int32/);
  // PyTorch's int64 labels ported as a float tensor: say what they must be and how to make them
  assert.throws(
    () => F.crossEntropy(cr.zeros([2, 3]), cr.tensor([0, 2])),
    /crossEntropy: class-index targets must be an int32 tensor, got float32 of shape \[2\] for input \[2, 3\]; make them with cr\.tensor\(labels, \{ dtype: "int32" \}\)/,
  );
  assert.throws(() => F.mseLoss(cr.zeros([2]), cr.zeros([2]), { reduction: "avg" as "mean" }), /reduction must be/);
  assert.throws(
    () => F.crossEntropy(cr.zeros([2, 3]), cr.tensor([0, 1], { dtype: "int32" }), { reduction: "avg" as "mean" }),
    /reduction must be/,
  );
  // a target out of range, above or below (not the ignored class): small batches and large ones
  for (const n of [2, 300]) {
    for (const bad of [3, -1]) {
      const target = cr.cat([cr.tensor([bad], { dtype: "int32" }), cr.zeros([n - 1], { dtype: "int32" })]);
      assert.throws(
        () => F.crossEntropy(cr.zeros([n, 3]), target),
        new RegExp(`nllLoss: target ${bad} is out of bounds for 3 classes \\(expected 0\\.\\.2\\)`),
      );
    }
  }
  // class weights get no gradient, as in PyTorch: asking for one is an error, not a silent null
  const w = cr.ones([3]).requiresGrad_();
  assert.throws(
    () => F.crossEntropy(cr.zeros([2, 3]).requiresGrad_(), cr.tensor([0, 1], { dtype: "int32" }), { weight: w }),
    /nllLoss: the gradient with respect to the class weights is not implemented/,
  );
});

test("crossEntropy with every target ignored gives NaN for mean, as PyTorch, and a zero gradient", () => {
  const x = cr.randn([2, 3]).requiresGrad_();
  const loss = cr.nn.functional.crossEntropy(x, cr.tensor([-100, -100], { dtype: "int32" }));
  assert.ok(Number.isNaN(loss.item()));
  loss.backward();
  assert.deepEqual(Array.from(x.grad!.dataSync()), [0, 0, 0, 0, 0, 0]);
});

test("crossEntropy of class indices records PyTorch's two nodes: LogSoftmaxBackward, then NllLossBackward", () => {
  const x = cr.randn([4, 5]).requiresGrad_();
  const loss = cr.nn.functional.crossEntropy(x, cr.tensor([0, 4, 2, 1], { dtype: "int32" }));
  assert.equal(loss.gradFn?.name, "NllLossBackward");
  const next = loss.gradFn!.nextFunctions.map(([n]) => n?.name);
  assert.deepEqual(next, ["LogSoftmaxBackward", undefined]);
});
