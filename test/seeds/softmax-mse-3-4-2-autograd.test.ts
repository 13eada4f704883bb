// The 3-4-2 network as the notes' PyTorch section writes it: a batch
// of one row, Linear layers as x·Wᵀ + b, the graph autograd records (gradFn, leaves, .grad
// accumulation), the loss split into L1 + L2, and the notes' custom MySigmoid and MyLinear
// Functions, which must give the built-ins' gradients.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { agreesAll } from "./printed.js";
import { f64, params } from "./net-3-4-2.js";

const x = cr.tensor([[1.0, 0.5, -1.0]], f64); // a^0, batch size 1
const y = cr.tensor([[1.0, 0.0]], f64);

type Params = ReturnType<typeof params>;

/** nn.Linear's computation: input · weightᵀ + bias over a batch of rows. */
const linear = (input: cr.Tensor, weight: cr.Tensor, bias: cr.Tensor) => input.matmul(weight.t()).add(bias);
const mse = (a2: cr.Tensor) => a2.sub(y).pow(2).sum().mul(0.5);

/** The notes' Linear gradient as a custom Function, batch-aware. */
class MyLinear extends cr.autograd.Function {
  static override forward(ctx: cr.autograd.FunctionCtx, input: cr.Tensor, weight: cr.Tensor, bias: cr.Tensor) {
    ctx.saveForBackward(input, weight, bias);
    return input.matmul(weight.t()).add(bias);
  }
  static override backward(ctx: cr.autograd.FunctionCtx, gradOutput: cr.Tensor) {
    const [input, weight] = ctx.savedTensors;
    // dL/dinput = δ·W;  dL/dW = δᵀ·input;  dL/db = Σ over the batch of δ
    return [gradOutput.matmul(weight!), gradOutput.t().matmul(input!), gradOutput.sum(0)];
  }
}

/** The notes' sigmoid as a custom Function: saves its output a, backward is g·a(1 − a). */
class MySigmoid extends cr.autograd.Function {
  static override forward(ctx: cr.autograd.FunctionCtx, input: cr.Tensor) {
    const a = input.neg().exp().add(1).reciprocal();
    ctx.saveForBackward(a);
    return a;
  }
  static override backward(ctx: cr.autograd.FunctionCtx, gradOutput: cr.Tensor) {
    const [a] = ctx.savedTensors;
    return gradOutput.mul(a!).mul(a!.neg().add(1));
  }
}

/** The notes' MyTwoLayerNet.forward. */
function myTwoLayerNet(p: Params, input: cr.Tensor): cr.Tensor {
  const z1 = MyLinear.apply(input, p.W1, p.b1);
  const a1 = MySigmoid.apply(z1);
  const z2 = MyLinear.apply(a1, p.W2, p.b2);
  return z2.softmax(1);
}

function builtin(p: Params, input: cr.Tensor): cr.Tensor {
  return linear(linear(input, p.W1, p.b1).sigmoid(), p.W2, p.b2).softmax(1);
}

test("the PyTorch-style batch version prints the same a1, a2, loss and gradients as the hand-worked pass", () => {
  const p = params();
  const a1 = linear(x, p.W1, p.b1).sigmoid();
  const a2 = linear(a1, p.W2, p.b2).softmax(1);
  const loss = mse(a2);
  assert.deepEqual(a1.shape, [1, 4]);
  assert.deepEqual(a2.shape, [1, 2]);
  agreesAll("a1", a1, [0.413382, 0.679179, 0.365864, 0.425557], 6);
  agreesAll("a2", a2, [0.515852, 0.484148], 6);
  agreesAll("loss", loss, [0.2344], 4);
  loss.backward();
  agreesAll(
    "dL/dW2",
    p.W2.grad!,
    [-0.099969, -0.164246, -0.088477, -0.102913, 0.099969, 0.164246, 0.088477, 0.102913],
    6,
  );
  agreesAll("dL/db2", p.b2.grad!, [-0.241831, 0.241831], 6);
  agreesAll("dL/db1", p.b1.grad!, [-0.029322, 0.036886, 0.011221, -0.035471], 6);
  // the bias [4] was broadcast over the batch dim [1, 4]: the engine summed its gradient back
  assert.deepEqual(p.b1.grad!.shape, [4]);
  agreesAll("dL/dW1 row 1", p.W1.grad!.select(0, 0), [-0.029322, -0.014661, 0.029322], 6);
});

test("the graph autograd records: gradFn on results, none on leaves, leaves accumulate .grad", () => {
  const p = params();
  assert.ok(p.W1.isLeaf && p.W1.gradFn === null && p.W1.requiresGrad);
  assert.ok(x.isLeaf && !x.requiresGrad);
  const a1 = linear(x, p.W1, p.b1).sigmoid();
  assert.equal(a1.gradFn!.name, "SigmoidBackward");
  assert.equal(a1.isLeaf, false);
  const z2 = linear(a1, p.W2, p.b2);
  assert.equal(z2.gradFn!.name, "AddBackward");
  const loss = mse(z2.softmax(1));
  assert.equal(loss.gradFn!.name, "MulBackward");
  // the bias enters the add through its AccumulateGrad node, as in PyTorch's next_functions
  const [, biasEdge] = z2.gradFn!.nextFunctions;
  assert.equal(biasEdge![0]!.name, "AccumulateGrad");
  // gradients accumulate across backward calls until zeroed (the notes' zero_grad before backward)
  loss.backward(undefined, { retainGraph: true });
  const once = p.W2.grad!.toArray();
  loss.backward();
  assertClose(p.W2.grad!, cr.tensor(once as number[][], f64).mul(2), { atol: 1e-15 });
  for (const t of Object.values(p)) t.grad = null;
  mse(builtin(p, x)).backward();
  assertClose(p.W2.grad!, cr.tensor(once as number[][], f64), { atol: 1e-15 });
  // non-leaves keep no .grad unless they retain it
  assert.equal(a1.grad, null);
});

test("splitting L into L1 + L2 over a2[0, 0] and a2[0, 1] gives the same gradients (AddBackward distributes 1)", () => {
  const p = params();
  const a2 = builtin(p, x);
  const L1 = a2.select(1, 0).select(0, 0).sub(1).pow(2).mul(0.5);
  const L2 = a2.select(1, 1).select(0, 0).pow(2).mul(0.5);
  const loss = L1.add(L2);
  assert.equal(loss.gradFn!.name, "AddBackward");
  a2.retainGrad();
  loss.backward();
  // dL1/da2[0,0] = a2[0,0] − 1 and dL2/da2[0,1] = a2[0,1], assembled into one gradient
  agreesAll("∂L/∂a2", a2.grad!, [-0.484148, 0.484148], 6);
  const split = Object.values(p).map((t) => t.grad!);
  const q = params();
  mse(builtin(q, x)).backward();
  Object.values(q).forEach((t, i) => assertClose(split[i]!, t.grad!, { atol: 1e-15 }));
});

test("the notes' MySigmoid and MyLinear Functions give the built-ins' values and gradients", () => {
  const mine = params();
  const ours = params();
  const aMine = myTwoLayerNet(mine, x);
  const aOurs = builtin(ours, x);
  assertClose(aMine, aOurs, { atol: 1e-15 });
  mse(aMine).backward();
  mse(aOurs).backward();
  for (const k of ["W1", "b1", "W2", "b2"] as const) {
    assertClose(mine[k].grad!, ours[k].grad!, { atol: 1e-15, msg: k });
  }
  agreesAll("dL/db1 via MyLinear", mine.b1.grad!, [-0.029322, 0.036886, 0.011221, -0.035471], 6);
  // also on a batch of three rows, where MyLinear's Σ over the batch matters
  cr.manualSeed(3);
  const batch = cr.randn([3, 3], f64);
  const m2 = params();
  const o2 = params();
  myTwoLayerNet(m2, batch)
    .sum(0)
    .mul(cr.tensor([1.5, -0.5], f64))
    .sum()
    .backward();
  builtin(o2, batch)
    .sum(0)
    .mul(cr.tensor([1.5, -0.5], f64))
    .sum()
    .backward();
  for (const k of ["W1", "b1", "W2", "b2"] as const) assertClose(m2[k].grad!, o2[k].grad!, { atol: 1e-14, msg: k });
});

test("backward visits MyLinear(2) → MySigmoid → MyLinear(1), in reverse order of the forward", () => {
  const p = params();
  const a2 = myTwoLayerNet(p, x);
  const visited: string[] = [];
  cr.autograd.observe({ backward: (e) => visited.push(e.node.name) }, () => mse(a2).backward());
  assert.deepEqual(
    visited.filter((n) => n.startsWith("My")),
    ["MyLinearBackward", "MySigmoidBackward", "MyLinearBackward"],
  );
  // the loss-side nodes run first
  assert.equal(visited[0], "MulBackward");
});
