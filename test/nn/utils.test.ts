// cr.nn.utils: gradient clipping by norm and by value, parameters to one vector and back.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const { utils } = cr.nn;

function withGrads(grads: number[][]): cr.Tensor[] {
  return grads.map((g) => {
    const p = new cr.nn.Parameter(cr.zeros([g.length], { dtype: "float64" }));
    p.grad = cr.tensor(g, { dtype: "float64" });
    return p;
  });
}

test("clipGradNorm returns the total norm and scales gradients down to maxNorm", () => {
  const ps = withGrads([
    [3, 0],
    [0, 4, 0],
  ]);
  const total = utils.clipGradNorm(ps, 1);
  assertClose(total, 5);
  const scale = 1 / (5 + 1e-6);
  assertClose(ps[0]!.grad!, [3 * scale, 0], { atol: 1e-12 });
  assertClose(ps[1]!.grad!, [0, 4 * scale, 0], { atol: 1e-12 });
  // under the limit nothing changes
  const qs = withGrads([[0.3, 0.4]]);
  assertClose(utils.clipGradNorm(qs, 1), 0.5);
  assertClose(qs[0]!.grad!, [0.3, 0.4], { atol: 0 });
});

test("clipGradNorm with other norms, no gradients and non-finite gradients", () => {
  const ps = withGrads([
    [1, -6],
    [2, 2],
  ]);
  assertClose(utils.clipGradNorm(ps, 3, Infinity), 6);
  assertClose(ps[0]!.grad!, [0.5, -3], { atol: 1e-6 });
  const l1 = withGrads([[1, -1], [2]]);
  assertClose(utils.clipGradNorm(l1, 100, 1), 4);
  assertClose(utils.clipGradNorm([new cr.nn.Parameter(cr.zeros([2]))], 1), 0);
  const bad = withGrads([[NaN, 1]]);
  assert.throws(() => utils.clipGradNorm(bad, 1, 2, { errorIfNonfinite: true }), /total norm of order 2 .* is NaN/);
});

test("clipGradValue clamps each gradient element", () => {
  const ps = withGrads([[-3, 0.5, 2]]);
  utils.clipGradValue(ps, 1);
  assertClose(ps[0]!.grad!, [-1, 0.5, 1]);
});

test("parametersToVector and vectorToParameters round-trip a model's parameters", () => {
  const lin = new cr.nn.Linear(3, 2);
  const v = utils.parametersToVector(lin.parameters());
  assert.deepEqual(v.shape, [8]);
  assertClose(v.slice(0, 0, 6), lin.weight.reshape([-1]));
  const w = lin.weight;
  utils.vectorToParameters(cr.arange(8).to("float32"), lin.parameters());
  assert.equal(lin.weight, w);
  assertClose(lin.weight, [0, 1, 2, 3, 4, 5]);
  assertClose(lin.bias!, [6, 7]);
  assert.throws(
    () => utils.vectorToParameters(cr.zeros([7]), lin.parameters()),
    /expected a vector of 8 elements, got shape \[7\]/,
  );
});
