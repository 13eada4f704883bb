// autograd.functional (vjp, jvp, jacobian, hessian, hvp) against derivatives worked by hand for
// f(x) = [x0²·x1, 5·x0 + sin x1] and g(x) = x0³ + x0·x1², at x = (1.5, −0.5).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const F = cr.autograd.functional;
const f64 = { dtype: "float64" as const };
const [x0, x1] = [1.5, -0.5];
const point = () => cr.tensor([x0, x1], f64);

const f = (x: cr.Tensor) => {
  const [a, b] = [x.select(0, 0), x.select(0, 1)];
  return cr.stack([a.pow(2).mul(b), a.mul(5).add(b.sin())]);
};
const g = (x: cr.Tensor) => {
  const [a, b] = [x.select(0, 0), x.select(0, 1)];
  return a.pow(3).add(a.mul(b.pow(2)));
};
// J_f = [[2·x0·x1, x0²], [5, cos x1]];  H_g = [[6·x0, 2·x1], [2·x1, 2·x0]]
const Jf = [
  [2 * x0 * x1, x0 ** 2],
  [5, Math.cos(x1)],
];
const Hg = [
  [6 * x0, 2 * x1],
  [2 * x1, 2 * x0],
];

test("jacobian of a vector function", () => {
  const x = point();
  const J = F.jacobian(f, x) as cr.Tensor;
  assert.deepEqual(J.shape, [2, 2]);
  assertClose(J, Jf, { atol: 1e-15 });
  assert.equal(J.requiresGrad, false);
  assert.equal(x.grad, null);
  // shapes: [...out.shape, ...in.shape]
  const M = cr.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    f64,
  );
  const Jm = F.jacobian((v) => v.matmul(M), cr.tensor([[1, 2]], f64)) as cr.Tensor;
  assert.deepEqual(Jm.shape, [1, 2, 1, 2]);
  assertClose(Jm.reshape([2, 2]), M.t());
});

test("jacobian of a function of several inputs returns one Jacobian per input", () => {
  const a = cr.tensor([1, 2], f64);
  const b = cr.tensor([3, 4], f64);
  const [Ja, Jb] = F.jacobian((p, q) => p.mul(q), [a, b]) as cr.Tensor[];
  assert.deepEqual(Ja!.toArray(), [
    [3, 0],
    [0, 4],
  ]);
  assert.deepEqual(Jb!.toArray(), [
    [1, 0],
    [0, 2],
  ]);
  // an input that does not reach the output has a zero Jacobian
  const [, Jnone] = F.jacobian((p) => p.mul(2), [a, b]) as cr.Tensor[];
  assert.deepEqual(Jnone!.toArray(), [
    [0, 0],
    [0, 0],
  ]);
});

test("vjp gives vᵀJ and jvp gives J·v, each with the output", () => {
  const v = cr.tensor([0.25, -2], f64);
  const [out, vj] = F.vjp(f, point(), v);
  assertClose(out, [x0 ** 2 * x1, 5 * x0 + Math.sin(x1)], { atol: 1e-15 });
  assertClose(vj as cr.Tensor, [0.25 * Jf[0]![0]! - 2 * Jf[1]![0]!, 0.25 * Jf[0]![1]! - 2 * Jf[1]![1]!], {
    atol: 1e-15,
  });
  const [out2, jv] = F.jvp(f, point(), v);
  assertClose(out2, out);
  assertClose(jv as cr.Tensor, [Jf[0]![0]! * 0.25 - 2 * Jf[0]![1]!, Jf[1]![0]! * 0.25 - 2 * Jf[1]![1]!], {
    atol: 1e-14,
  });
  // a scalar function needs no v for its vjp: it is the gradient
  const [, grad] = F.vjp(g, point());
  assertClose(grad as cr.Tensor, [3 * x0 ** 2 + x1 ** 2, 2 * x0 * x1], { atol: 1e-15 });
  // several inputs: one vjp each
  const [, both] = F.vjp((p, q) => p.mul(q).sum(), [cr.tensor([1, 2], f64), cr.tensor([3, 4], f64)]);
  assert.deepEqual(
    (both as cr.Tensor[]).map((t) => t.toArray()),
    [
      [3, 4],
      [1, 2],
    ],
  );
});

test("hessian and hvp of a scalar function", () => {
  const H = F.hessian(g, point());
  assert.deepEqual(H.shape, [2, 2]);
  assertClose(H, Hg, { atol: 1e-14 });
  const v = cr.tensor([1, 3], f64);
  const [out, hv] = F.hvp(g, point(), v);
  assertClose(out, x0 ** 3 + x0 * x1 ** 2, { atol: 1e-15 });
  assertClose(hv as cr.Tensor, [Hg[0]![0]! + 3 * Hg[0]![1]!, Hg[1]![0]! + 3 * Hg[1]![1]!], { atol: 1e-14 });
  // the Hessian of a quadratic form xᵀAx is A + Aᵀ
  const A = cr.tensor(
    [
      [1, 2, 0],
      [0, 3, -1],
      [4, 0, 5],
    ],
    f64,
  );
  const Hq = F.hessian((x) => x.matmul(A).matmul(x), cr.tensor([0.1, 0.2, 0.3], f64));
  assertClose(Hq, A.add(A.t()), { atol: 1e-14 });
});

test("the functional API does not touch its inputs' .grad or requiresGrad", () => {
  const x = cr.tensor([x0, x1], { ...f64, requiresGrad: true });
  F.jacobian(f, x);
  F.hessian(g, x);
  F.vjp(f, x, cr.ones([2], f64));
  assert.equal(x.grad, null);
  assert.ok(x.requiresGrad);
  const y = point();
  F.jacobian(f, y);
  assert.equal(y.requiresGrad, false);
});
