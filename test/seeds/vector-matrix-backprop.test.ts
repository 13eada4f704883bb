// Backprop with vectors and matrices, as the notes show it: the ReLU whose Jacobian is
// diagonal, so backward multiplies elementwise and never forms it; and Y = W·X, whose gradients
// are dL/dW = dL/dY·Xᵀ and dL/dX = Wᵀ·dL/dY without the 4-d Jacobian dY/dW.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const f64 = { dtype: "float64" as const };

test("ReLU on a vector: the Jacobian is diagonal, so dL/dx = 1[x > 0] ⊙ dL/dy", () => {
  const x = cr.tensor([1, -2, 3, -1], { ...f64, requiresGrad: true });
  const yv = x.relu();
  assert.deepEqual(yv.toArray(), [1, 0, 3, 0]);
  const upstream = cr.tensor([4, -1, 5, 9], f64);
  yv.backward(upstream);
  assert.deepEqual(x.grad!.toArray(), [4, 0, 5, 0]);
  // the explicit Jacobian: only its diagonal is non-zero
  const J = cr.autograd.functional.jacobian((v) => v.relu(), x.detach()) as cr.Tensor;
  assert.deepEqual(J.toArray(), [
    [1, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
  ]);
  // the full vector-Jacobian product equals the implicit elementwise one
  assertClose(upstream.matmul(J), x.grad!);
  const [, vjp] = cr.autograd.functional.vjp((v) => v.relu(), x.detach(), upstream);
  assertClose(vjp as cr.Tensor, x.grad!);
});

test("Y = W·X: dL/dW = dL/dY·Xᵀ and dL/dX = Wᵀ·dL/dY", () => {
  const W = cr.tensor(
    [
      [2, 1, -3],
      [-3, 4, 2],
    ],
    { ...f64, requiresGrad: true },
  );
  const X = cr.tensor(
    [
      [3, 2, 1, -1],
      [2, 1, 3, 2],
      [3, 2, 1, -2],
    ],
    { ...f64, requiresGrad: true },
  );
  const Y = W.matmul(X);
  assert.deepEqual(Y.toArray(), [
    [-1, -1, 2, 6],
    [5, 2, 11, 7],
  ]);
  const G = cr.tensor(
    [
      [2, 3, -3, 9],
      [-8, 1, 4, 6],
    ],
    f64,
  );
  Y.backward(G);
  assert.deepEqual(W.grad!.toArray(), [
    [0, 16, -9],
    [-24, 9, -30],
  ]);
  assert.deepEqual(X.grad!.toArray(), [
    [28, 3, -18, 0],
    [-30, 7, 13, 33],
    [-22, -7, 17, -15],
  ]);
  cr.noGrad(() => {
    assertClose(W.grad!, G.matmul(X.t()));
    assertClose(X.grad!, W.t().matmul(G));
  });
  // the Jacobian dY/dW has shape [2, 4, 2, 3] and is mostly zeros: Y[i, j] only sees row i of W
  const J = cr.autograd.functional.jacobian((w) => w.matmul(X.detach()), W.detach()) as cr.Tensor;
  assert.deepEqual(J.shape, [2, 4, 2, 3]);
  assert.deepEqual(J.select(0, 0).select(0, 1).toArray(), [
    [2, 1, 2],
    [0, 0, 0],
  ]);
  const zeros = Array.from(J.dataSync()).filter((v) => v === 0).length;
  assert.ok(zeros >= J.numel() / 2);
  // contracting it with dL/dY is the same gradient the implicit formula gave
  const contracted = cr.noGrad(() => J.mul(G.reshape([2, 4, 1, 1])).sum([0, 1]));
  assertClose(contracted, W.grad!);
});
