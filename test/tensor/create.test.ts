// Creation functions: tensors from nested arrays and typed arrays, constants, ranges, and the
// seeded random stream (same seed, same numbers; the right ranges and moments).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

test("tensor from nested arrays: shape, float32 default, bool only for all-boolean data", () => {
  const t = cr.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(cr.tensor(3.5).shape, []);
  assert.equal(cr.tensor(3.5).item(), 3.5);
  assert.equal(cr.tensor([true, false]).dtype, "bool");
  assert.deepEqual(cr.tensor([true, false]).toArray(), [true, false]);
  // numbers among booleans make a number tensor, as torch.tensor([True, 2]) does
  assert.equal(cr.tensor([true, 2]).dtype, "float32");
  assert.deepEqual(cr.tensor([true, 2]).toArray(), [1, 2]);
  assert.deepEqual(cr.tensor([]).shape, [0]);
  assert.deepEqual(cr.tensor([[]]).shape, [1, 0]);
  assert.equal(cr.tensor([1.9, -1.9], { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(cr.tensor([1.9, -1.9], { dtype: "int32" }).toArray(), [1, -1]);
  const w = cr.tensor([0.5], { requiresGrad: true });
  assert.ok(w.requiresGrad && w.isLeaf);
});

test("tensor from a typed array keeps its type; shape must match the length", () => {
  const d = cr.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
  assert.equal(d.dtype, "float64");
  assert.deepEqual(d.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(cr.tensor(new Int32Array([7, 8])).dtype, "int32");
  assert.deepEqual(cr.tensor(new Int32Array([7, 8])).shape, [2]);
  assert.equal(cr.tensor(new Float32Array(4), { shape: [2, 2], dtype: "float64" }).dtype, "float64");
  assert.throws(() => cr.tensor(new Float32Array(5), { shape: [2, 3] }), /shape \[2, 3\] holds 6 elements.*has 5/);
  // the source array is copied: later writes to it do not reach the tensor
  const src = new Float32Array([1, 2]);
  const t = cr.tensor(src);
  src[0] = 99;
  assert.deepEqual(t.toArray(), [1, 2]);
});

test("ragged nested arrays and non-numbers are refused, naming where", () => {
  assert.throws(
    () => cr.tensor([[1, 2], [3]]),
    /ragged nested array at \[1\]: expected a list of length 2, got length 1/,
  );
  assert.throws(() => cr.tensor([[1, 2], 3] as never), /ragged nested array at \[1\].*got number/);
  assert.throws(() => cr.tensor([1, [2]] as never), /ragged nested array at \[1\]: expected a number/);
  assert.throws(() => cr.tensor([[1], ["a"]] as never), /expected numbers or booleans, got string at \[1\]\[0\]/);
});

test("zeros, ones, full and the *Like forms", () => {
  assert.deepEqual(cr.zeros([2, 2]).toArray(), [
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(cr.ones([3]).toArray(), [1, 1, 1]);
  assert.deepEqual(cr.full([2], 7, { dtype: "int32" }).toArray(), [7, 7]);
  assert.equal(cr.full([2], 7, { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(cr.zeros([2, 0]).shape, [2, 0]);
  assert.equal(cr.ones([]).item(), 1);
  const t = cr.tensor([[1, 2]], { dtype: "float64", requiresGrad: true });
  for (const like of [cr.zerosLike(t), cr.onesLike(t), cr.fullLike(t, 3)]) {
    assert.deepEqual(like.shape, [1, 2]);
    assert.equal(like.dtype, "float64");
    assert.equal(like.requiresGrad, false);
  }
  assert.deepEqual(cr.fullLike(t, 3).toArray(), [[3, 3]]);
  assert.equal(cr.zerosLike(t, { dtype: "int32" }).dtype, "int32");
  assert.throws(() => cr.zeros([2, -1]), /zeros: shape must be a list of non-negative integers/);
});

test("arange, linspace and eye", () => {
  assert.deepEqual(cr.arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.equal(cr.arange(5).dtype, "int32");
  assert.deepEqual(cr.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
  assert.equal(cr.arange(1, 2, 0.25).dtype, "float32");
  assert.deepEqual(cr.arange(5, 0, -2).toArray(), [5, 3, 1]);
  assert.deepEqual(cr.arange(0, 1, 0.1).shape, [10]);
  assert.throws(() => cr.arange(0, 1, 0), /step must be non-zero/);
  assert.deepEqual(cr.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(cr.linspace(-1, 1, 1).toArray(), [-1]);
  const l = cr.linspace(0, 0.3, 7, { dtype: "float64" }).dataSync();
  assert.equal(l[6], 0.3); // filled from both ends, so the last point is exactly the end
  assert.deepEqual(cr.eye(2).toArray(), [
    [1, 0],
    [0, 1],
  ]);
  assert.deepEqual(cr.eye(2, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
  ]);
});

test("manualSeed: the same seed gives the same numbers, for every random creator", () => {
  const draw = () => [
    cr.rand([5]).toArray(),
    cr.randn([3]).toArray(),
    cr.randint(0, 10, [6]).toArray(),
    cr.randperm(7).toArray(),
  ];
  cr.manualSeed(1234);
  const a = draw();
  cr.manualSeed(1234);
  const b = draw();
  assert.deepEqual(a, b);
  cr.manualSeed(1235);
  assert.notDeepEqual(draw(), a);
  // a Generator of its own is a separate, equally reproducible stream
  const g = new cr.Generator(5);
  const first = cr.rand([3], { generator: g }).toArray();
  g.manualSeed(5);
  assert.deepEqual(cr.rand([3], { generator: g }).toArray(), first);
});

test("rand lies in [0, 1) with mean 1/2; randn has mean ≈ 0 and std ≈ 1 over 10^5 samples", () => {
  cr.manualSeed(0);
  const n = 100_000;
  const u = Array.from(cr.rand([n]).dataSync());
  assert.ok(u.every((v) => v >= 0 && v < 1));
  const uMean = u.reduce((s, v) => s + v, 0) / n;
  assert.ok(Math.abs(uMean - 0.5) < 0.01, `rand mean ${uMean}`);
  const z = cr.randn([n], { dtype: "float64" });
  const zs = Array.from(z.dataSync());
  const mean = zs.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(zs.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  // the standard error of the mean is 1/√n ≈ 0.003
  assert.ok(Math.abs(mean) < 0.015, `randn mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.015, `randn std ${std}`);
  assertClose(z.mean(), mean, { atol: 1e-12 });
  const within1 = zs.filter((v) => Math.abs(v) < 1).length / n;
  assert.ok(Math.abs(within1 - 0.6827) < 0.01, `P(|z| < 1) = ${within1}`);
});

test("float32 rand stays below 1 even when the double drawn rounds up to 1", () => {
  class NearOne extends cr.Generator {
    override uniform(): number {
      return 1 - 2 ** -30;
    }
  }
  const r = cr.rand([2], { generator: new NearOne() });
  assert.equal(r.dtype, "float32");
  assert.ok(Array.from(r.dataSync()).every((v) => v < 1));
  assert.equal(cr.rand([1], { generator: new NearOne(), dtype: "float64" }).item(), 1 - 2 ** -30);
});

test("randint draws integers in [low, high); randperm is a permutation", () => {
  cr.manualSeed(7);
  const r = cr.randint(3, 7, [2000]);
  assert.equal(r.dtype, "int32");
  const values = new Set(r.dataSync());
  assert.deepEqual([...values].sort(), [3, 4, 5, 6]);
  assert.throws(() => cr.randint(5, 5, [1]), /high \(5\) must be greater than low \(5\)/);
  const p = cr.randperm(50);
  assert.equal(p.dtype, "int32");
  assert.deepEqual(
    Array.from(p.dataSync()).sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test("shapes as a list or size by size, options last, as PyTorch takes them", () => {
  assert.deepEqual(cr.zeros(2, 3).shape, [2, 3]);
  assert.deepEqual(cr.ones(4).shape, [4]);
  assert.equal(cr.randn(2, 3, { dtype: "float64" }).dtype, "float64");
  assert.deepEqual(cr.rand([1, 2], { generator: new cr.Generator(1) }).shape, [1, 2]);
  assert.throws(() => cr.zeros(2, "3" as never), /zeros: expected a shape \(a list, or sizes one by one\)/);
});

test("an unknown dtype or option gets the same clear error in every creation and cast", () => {
  const unknown = /unknown dtype 'int64'; expected float32, float64, int32 or bool/;
  for (const make of [
    () => cr.zeros([2], { dtype: "int64" as never }),
    () => cr.full([2], 1, { dtype: "int64" as never }),
    () => cr.arange(3, undefined, 1, { dtype: "int64" as never }),
    () => cr.randn([2], { dtype: "int64" as never }),
    () => cr.eye(2, 2, { dtype: "int64" as never }),
    () => cr.tensor([1, 2]).to("int64" as never),
  ])
    assert.throws(make, unknown);
  assert.throws(
    () => cr.ones([2], { dtyp: "int32" } as never),
    /ones: unknown option 'dtyp' \(did you mean 'dtype'\?\)/,
  );
  assert.throws(() => cr.tensor([1], { requires_grad: true } as never), /did you mean 'requiresGrad'/);
});

test("x.T reverses the dims and x.mT swaps the last two, as views", () => {
  const x = cr.arange(6).reshape(2, 3);
  assert.deepEqual(x.T.toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(cr.zeros(2, 3, 4).T.shape, [4, 3, 2]);
  assert.deepEqual(cr.zeros(5, 2, 3).mT.shape, [5, 3, 2]);
});

test("a float cast to bool is true for every non-zero value, NaN included, as PyTorch's", () => {
  const x = cr.tensor([NaN, 0, 0.5, -0, -2]);
  assert.deepEqual(Array.from(x.to("bool").dataSync()), [1, 0, 1, 0, 1]);
  assert.deepEqual(Array.from(cr.tensor([NaN, 0.5, 0], { dtype: "bool" }).dataSync()), [1, 1, 0]);
});
