// The recorded graph as PyTorch shows it: gradFn names (PyTorch's without the trailing digit),
// nextFunctions edges ending in one AccumulateGrad per leaf, and the engine's own duties: summing
// gradients that meet at a node and reducing broadcast gradients to each input's shape.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("gradFn names follow PyTorch's (MulBackward0 → MulBackward)", () => {
  const x = cr.tensor([[1, 2, 3]], { requiresGrad: true });
  const w = cr.ones([3, 1]);
  const cases: [cr.Tensor, string][] = [
    [x.add(1), "AddBackward"],
    [x.sub(1), "SubBackward"],
    [x.mul(2), "MulBackward"],
    [x.div(2), "DivBackward"],
    [x.neg(), "NegBackward"],
    [x.exp(), "ExpBackward"],
    [x.log(), "LogBackward"],
    [x.pow(2), "PowBackward"],
    [x.sqrt(), "SqrtBackward"],
    [x.abs(), "AbsBackward"],
    [x.sigmoid(), "SigmoidBackward"],
    [x.tanh(), "TanhBackward"],
    [x.relu(), "ReluBackward"],
    [x.sum(), "SumBackward"],
    [x.matmul(w), "MmBackward"],
    [cr.addmm(cr.ones([1]), x, w), "AddmmBackward"],
    [cr.nn.functional.linear(x, w.t(), cr.ones([1])), "AddmmBackward"],
    [x.view([3]), "ViewBackward"],
    [x.expand([2, 3]), "ExpandBackward"],
    [x.clone(), "CloneBackward"],
    [x.to("float64"), "ToCopyBackward"],
    [x.clamp(0, 1), "ClampBackward"],
    [cr.cat([x, x]), "CatBackward"],
    [cr.where(x.gt(1), x, 0), "WhereBackward"],
  ];
  for (const [t, name] of cases) assert.equal(t.gradFn?.name, name);
  assert.equal(x.gradFn, null);
});

test("nextFunctions: edges to the inputs' nodes, one cached AccumulateGrad per leaf, null for constants", () => {
  const x = cr.tensor(2, { requiresGrad: true });
  const y = cr.tensor(3, { requiresGrad: true });
  const c = cr.tensor(4);
  const q = x.mul(y);
  const f = q.add(x).mul(c);
  assert.equal(f.gradFn!.name, "MulBackward");
  const [[add, addNr], [none, noneNr]] = f.gradFn!.nextFunctions as [[cr.autograd.Node, number], [null, number]];
  assert.equal(add.name, "AddBackward");
  assert.equal(addNr, 0);
  assert.equal(none, null); // c does not require grad: no edge
  assert.equal(noneNr, 0);
  const [[mul], [accX1]] = add.nextFunctions as [[cr.autograd.Node, number], [cr.autograd.Node, number]];
  assert.equal(mul.name, "MulBackward");
  assert.ok(accX1 instanceof cr.autograd.AccumulateGrad);
  const [[accX2], [accY]] = mul.nextFunctions as [[cr.autograd.Node, number], [cr.autograd.Node, number]];
  // x appears twice in the graph but has one sink, which knows its leaf
  assert.equal(accX1, accX2);
  assert.equal((accX1 as cr.autograd.AccumulateGrad).variable, x);
  assert.equal((accY as cr.autograd.AccumulateGrad).variable, y);
  assert.deepEqual(accY.nextFunctions, []);
  assert.equal(q.gradFn, mul);
});

test("gradients meeting at a node are summed (the copy gate adds), in any graph shape", () => {
  const x = cr.tensor(1.5, { requiresGrad: true, dtype: "float64" });
  // a diamond: x feeds a and b, both feed out
  const a = x.mul(2);
  const b = x.pow(2);
  const out = a.mul(b).add(a);
  out.backward();
  // out = 2x·x² + 2x = 2x³ + 2x; d/dx = 6x² + 2
  assert.equal(x.grad!.item(), 6 * 1.5 ** 2 + 2);
  // the same tensor used many times
  const y = cr.tensor(2, { requiresGrad: true });
  let acc = y;
  for (let i = 0; i < 10; i++) acc = acc.add(y);
  acc.backward();
  assert.equal(y.grad!.item(), 11);
});

test("the engine reduces broadcast gradients to each input's shape", () => {
  const W = cr.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [1, 1, 1],
    ],
    { requiresGrad: true },
  );
  const bias = cr.tensor([0.5, -0.5, 1], { requiresGrad: true });
  W.add(bias).sum().backward();
  assert.deepEqual(bias.grad!.shape, [3]);
  assert.deepEqual(bias.grad!.toArray(), [4, 4, 4]); // summed over the 4 rows
  // size-1 dims kept and stretched, on both sides of one op
  const col = cr.tensor([[1], [2]], { requiresGrad: true });
  const row = cr.tensor([[10, 20, 30]], { requiresGrad: true });
  col.mul(row).sum().backward();
  assert.deepEqual(col.grad!.toArray(), [[60], [60]]);
  assert.deepEqual(row.grad!.toArray(), [[3, 3, 3]]);
  // a 0-d tensor broadcast over everything
  const s = cr.tensor(2, { requiresGrad: true });
  cr.ones([2, 3, 4]).mul(s).sum().backward();
  assert.deepEqual(s.grad!.shape, []);
  assert.equal(s.grad!.item(), 24);
  // weighted, so the reduction must sum the right elements
  const b2 = cr.tensor([[1], [1]], { requiresGrad: true });
  b2.add(cr.zeros([2, 3])).backward(
    cr.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
  );
  assert.deepEqual(b2.grad!.toArray(), [[6], [15]]);
});
