// cr.nn.init: gains and fans as torch.nn.init, in-place fills under noGrad, the statistics of the
// random fills, orthogonality, and every layer's PyTorch default initialisation.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const { init } = cr.nn;

function stats(t: cr.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

test("calculateGain and fans follow torch.nn.init", () => {
  assert.equal(init.calculateGain("linear"), 1);
  assert.equal(init.calculateGain("sigmoid"), 1);
  assert.equal(init.calculateGain("tanh"), 5 / 3);
  assert.equal(init.calculateGain("relu"), Math.SQRT2);
  assertClose(init.calculateGain("leaky_relu"), Math.sqrt(2 / (1 + 0.0001)));
  assertClose(init.calculateGain("leaky_relu", Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.equal(init.calculateGain("selu"), 0.75);
  assert.deepEqual(init.calculateFanInAndFanOut(cr.zeros([8, 3, 2, 2])), [12, 32]);
  assert.throws(() => init.calculateFanInAndFanOut(cr.zeros([5])), /fewer than 2 dims/);
});

test("fills run in place on parameters that require grad and return the tensor", () => {
  const p = new cr.nn.Parameter(cr.zeros([3, 4]));
  assert.equal(init.ones(p), p);
  assertClose(p, new Array(12).fill(1));
  assert.equal(init.constant(p, 2.5), p);
  assertClose(p.sum(), 30);
  init.zeros(p);
  assertClose(p.abs().sum(), 0);
  init.eye(p);
  assertClose(p, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  assert.ok(p.requiresGrad && p.isLeaf && p.grad === null);
});

test("xavier and kaiming fills have the prescribed bounds and spread", () => {
  cr.manualSeed(1);
  const w = cr.zeros([200, 300]);
  const a = Math.sqrt(6 / 500);
  let s = stats(init.xavierUniform(w));
  assert.ok(s.min >= -a && s.max <= a && Math.abs(s.std - a / Math.sqrt(3)) < 0.01 * a);
  s = stats(init.xavierNormal(w, 2));
  assert.ok(Math.abs(s.std - 2 * Math.sqrt(2 / 500)) < 0.02 * s.std && Math.abs(s.mean) < 0.01);
  s = stats(init.kaimingNormal(w, { mode: "fanOut", nonlinearity: "relu" }));
  assert.ok(Math.abs(s.std - Math.SQRT2 / Math.sqrt(200)) < 0.02 * s.std);
  const bound = (Math.sqrt(3) * init.calculateGain("leaky_relu", 0.1)) / Math.sqrt(300);
  s = stats(init.kaimingUniform(w, { a: 0.1 }));
  assert.ok(s.min >= -bound && s.max <= bound && s.max > 0.99 * bound);
  s = stats(init.truncNormal(w, 0, 1, -0.5, 0.5));
  assert.ok(s.min >= -0.5 && s.max <= 0.5);
  s = stats(init.uniform(w, 2, 3));
  assert.ok(s.min >= 2 && s.max < 3);
  s = stats(init.normal(w, -1, 0.5));
  assert.ok(Math.abs(s.mean + 1) < 0.01 && Math.abs(s.std - 0.5) < 0.01);
});

test("orthogonal gives orthonormal rows (wide) or columns (tall), times the gain", () => {
  cr.manualSeed(2);
  const wide = init.orthogonal(cr.zeros([3, 5], { dtype: "float64" }));
  assertClose(wide.matmul(wide.t()), cr.eye(3), { atol: 1e-12 });
  const tall = init.orthogonal(cr.zeros([6, 2, 2], { dtype: "float64" }), 2);
  const m = tall.reshape([6, 4]);
  assertClose(m.t().matmul(m), cr.eye(4).mul(4), { atol: 1e-12 });
});

test("layers start from PyTorch's default initialisation", () => {
  cr.manualSeed(3);
  const lin = new cr.nn.Linear(50, 40);
  let s = stats(lin.weight);
  const b = 1 / Math.sqrt(50);
  assert.ok(s.min >= -b && s.max <= b && s.max > 0.95 * b, "kaiming_uniform(a=√5) is U(±1/√fan_in)");
  s = stats(lin.bias!);
  assert.ok(s.min >= -b && s.max <= b);
  const conv = new cr.nn.Conv2d(4, 8, 3);
  s = stats(conv.weight);
  assert.ok(s.max <= 1 / 6 && s.min >= -1 / 6, "fan_in = 4·3·3");
  const tconv = new cr.nn.ConvTranspose2d(4, 6, 2, { groups: 2 });
  s = stats(tconv.weight);
  assert.ok(s.max <= 1 / Math.sqrt(12) && s.max > 0.8 / Math.sqrt(12), "fan_in of [in, out/groups, k, k] is 3·2·2");
  const emb = new cr.nn.Embedding(400, 50, { paddingIdx: 3 });
  s = stats(emb.weight);
  assert.ok(Math.abs(s.std - 1) < 0.02);
  assertClose(emb.weight.select(0, 3), new Array(50).fill(0));
  const rnn = new cr.nn.GRU(10, 16);
  for (const p of rnn.parameters()) assert.ok(stats(p).max <= 0.25 && stats(p).min >= -0.25);
  const mha = new cr.nn.MultiheadAttention(16, 4);
  s = stats(mha.in_proj_weight!);
  assert.ok(s.max <= Math.sqrt(6 / 64) && s.max > 0.9 * Math.sqrt(6 / 64), "xavier_uniform on [3E, E]");
  assertClose(mha.in_proj_bias!, new Array(48).fill(0));
  assertClose(mha.out_proj.bias!, new Array(16).fill(0));
  const bn = new cr.nn.BatchNorm2d(3);
  assertClose(bn.weight!, [1, 1, 1]);
  assertClose(bn.bias!, [0, 0, 0]);
  assertClose(bn.running_var!, [1, 1, 1]);
});
