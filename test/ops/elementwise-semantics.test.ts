// PyTorch's semantics of the elementwise ops where the table's samples cannot show them: result
// dtypes (int stays int, int becomes float), the errors PyTorch raises, the plain-number exponent
// rule of pow, integer linspace, and the gradients at the points where a rule is special. Values
// marked "torch:" were computed with PyTorch 1.13 (/usr/bin/python3).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const int = (v: number[]) => cr.tensor(v, { dtype: "int32" });
const f64 = (v: number[], requiresGrad = false) => cr.tensor(v, { dtype: "float64", requiresGrad });

test("div rounds with roundingMode, ints stay int32; true division of ints is float32", () => {
  const a = int([7, -7, 7, -7, 0, 5]);
  const b = int([2, 2, -2, -2, 3, -5]);
  const trunc = cr.div(a, b, { roundingMode: "trunc" });
  const floor = a.div(b, { roundingMode: "floor" });
  // torch.div(a, b, rounding_mode='trunc' / 'floor') and torch.div(a, b)
  assert.deepEqual([trunc.dtype, trunc.toArray()], ["int32", [3, -3, -3, 3, 0, -1]]);
  assert.deepEqual([floor.dtype, floor.toArray()], ["int32", [3, -4, -4, 3, 0, -1]]);
  assert.equal(cr.div(a, b).dtype, "float32");
  assert.deepEqual(cr.div(a, b, { roundingMode: null }).toArray(), [3.5, -3.5, -3.5, 3.5, 0, -1]);
  assert.deepEqual(cr.floorDivide(a, b).toArray(), [3, -4, -4, 3, 0, -1]);
  assert.deepEqual(a.floorDivide(2).toArray(), [3, -4, 3, -4, 0, 2]);
  // an int tensor over a float number is float, rounded
  const mixed = cr.div(int([7, 8]), 2.5, { roundingMode: "floor" });
  assert.deepEqual([mixed.dtype, mixed.toArray()], ["float32", [2, 3]]);
});

test("div's floor is Python's //, not ⌊a/b⌋, and keeps float edge cases", () => {
  const x = f64([1, -1, 7.5, -7.5, 0, 1, Infinity, 1]);
  const y = f64([0.1, 0.1, -2, -2, -3, 0, 2, -0]);
  // torch.div(x, y, rounding_mode='floor'), and 'trunc'
  assert.deepEqual(cr.div(x, y, { roundingMode: "floor" }).toArray(), [9, -10, -4, 3, -0, Infinity, NaN, -Infinity]);
  assert.deepEqual(cr.div(x, y, { roundingMode: "trunc" }).toArray(), [
    10,
    -10,
    -3,
    3,
    -0,
    Infinity,
    Infinity,
    -Infinity,
  ]);
});

test("integer division by zero throws, as PyTorch's ZeroDivisionError; float division does not", () => {
  const a = int([1, 2]);
  const zero = int([1, 0]);
  const isZeroDivision = (e: Error) => e instanceof RangeError && /ZeroDivisionError/.test(e.message);
  for (const mode of ["trunc", "floor"] as const) {
    assert.throws(() => cr.div(a, zero, { roundingMode: mode }), isZeroDivision);
  }
  assert.throws(() => cr.floorDivide(a, 0), isZeroDivision);
  assert.throws(() => cr.remainder(a, zero), isZeroDivision);
  assert.throws(() => cr.fmod(a, zero), isZeroDivision);
  assert.deepEqual(cr.div(a, zero).toArray(), [1, Infinity]);
  assert.deepEqual(cr.div(a.float(), 0, { roundingMode: "floor" }).toArray(), [Infinity, Infinity]);
});

test("div refuses an unknown rounding mode and bool operands", () => {
  assert.throws(() => cr.div(f64([1]), 2, { roundingMode: "round" as never }), /roundingMode must be "trunc", "floor"/);
  const t = cr.tensor([true, false]);
  assert.throws(() => cr.div(t, t, { roundingMode: "floor" }), /not defined for bool/);
});

test("a rounded quotient has a zero gradient for both operands", () => {
  const a = f64([7.3, -2.1], true);
  const b = f64([2, -3], true);
  cr.div(a, b, { roundingMode: "floor" }).sum().backward();
  assert.deepEqual(
    [a.grad!.toArray(), b.grad!.toArray()],
    [
      [0, 0],
      [0, 0],
    ],
  );
  assert.equal(cr.div(a, b, { roundingMode: "trunc" }).gradFn?.name, "DivBackward");
});

test("div_ with a rounding mode keeps an int tensor int", () => {
  const a = int([7, -7]);
  a.div_(2, { roundingMode: "floor" });
  assert.deepEqual([a.dtype, a.toArray()], ["int32", [3, -4]]);
  assert.throws(() => int([1]).div_(2));
});

test("remainder and fmod on ints with negative divisors", () => {
  const a = int([7, -7, 7, -7, 0]);
  const b = int([3, 3, -3, -3, -3]);
  // torch.remainder(a, b), torch.fmod(a, b)
  assert.deepEqual([cr.remainder(a, b).dtype, cr.remainder(a, b).toArray()], ["int32", [1, 2, -2, -1, 0]]);
  assert.deepEqual(cr.fmod(a, b).toArray(), [1, -1, 1, -1, 0]);
  // an int tensor and a fractional number: float32 (torch: [2, 0.5, 2, 0.5, 0])
  assert.deepEqual(cr.remainder(a, 2.5).toArray(), [2, 0.5, 2, 0.5, 0]);
});

test("pow: int ** non-negative integer is int32, negative or fractional numbers give float32", () => {
  const x = int([2, 3, -2, 0]);
  // torch: x ** 2, x ** 0 (int64); x ** -1.0, x ** 0.5, x ** 2.5 (float32)
  assert.deepEqual([x.pow(2).dtype, x.pow(2).toArray()], ["int32", [4, 9, 4, 0]]);
  assert.deepEqual(x.pow(0).toArray(), [1, 1, 1, 1]);
  const inv = x.pow(-1);
  assert.equal(inv.dtype, "float32");
  assertClose(inv, [0.5, 1 / 3, -0.5, Infinity]);
  const root = cr.pow(x, 0.5);
  assert.equal(root.dtype, "float32");
  assertClose(root, [Math.SQRT2, Math.sqrt(3), NaN, 0]);
  assert.equal(x.pow(2.5).dtype, "float32");
  // a bool tensor: torch.tensor([True, False]) ** 2 is int64 [1, 0]
  assert.deepEqual(
    [cr.tensor([true, false]).pow(2).dtype, cr.tensor([true, false]).pow(2).toArray()],
    ["int32", [1, 0]],
  );
});

test("pow: tensor exponents follow promotion; int ** negative int rounds toward 0", () => {
  const x = int([2, 3, -2, 0]);
  // torch.pow(x, torch.tensor([1, -1, 2, 0])) is [2, 0, 4, 1]; with a float exponent tensor float32
  const ints = x.pow(int([1, -1, 2, 0]));
  assert.deepEqual([ints.dtype, ints.toArray()], ["int32", [2, 0, 4, 1]]);
  const floats = x.pow(cr.tensor([1, -1, 2, 0]));
  assert.equal(floats.dtype, "float32");
  assertClose(floats, [2, 1 / 3, 4, 1]);
  // torch.pow(2, torch.tensor([1, -1])) is int64 [2, 0]; 2.0 ** it is float32
  assert.deepEqual(cr.pow(2, int([1, -1])).toArray(), [2, 0]);
  assert.deepEqual(cr.pow(2.5, int([1, -1])).toArray(), [2.5, 0.4000000059604645]);
  // float ** int tensor is float
  assert.equal(cr.tensor([1.5, 2]).pow(int([2, 3])).dtype, "float32");
  // an int tensor cannot hold a float power in place (PyTorch refuses the cast too)
  assert.throws(() => int([2]).pow_(-1));
});

test("integer linspace truncates as PyTorch does, from both ends", () => {
  const cases: [number, number, number, number[]][] = [
    // torch.linspace(a, b, n, dtype=torch.int32).tolist() for each (a, b, n)
    [0, 10, 4, [0, 3, 6, 10]],
    [0, 10, 5, [0, 2, 5, 7, 10]],
    [0, 10, 7, [0, 1, 3, 5, 6, 8, 10]],
    [-5, 5, 4, [-5, -1, 1, 5]],
    [5, -5, 4, [5, 1, -1, -5]],
    [-3, -10, 4, [-3, -5, -7, -10]],
    [0, -1, 3, [0, 0, -1]],
    [10, 0, 7, [10, 8, 6, 5, 3, 1, 0]],
    [-10, 10, 9, [-10, -7, -5, -2, 0, 2, 5, 7, 10]],
    [-10, 10, 8, [-10, -7, -4, -1, 1, 4, 7, 10]],
    [0, 10, 12, [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    [-1, 1, 7, [-1, 0, 0, 0, 0, 0, 1]],
    [0.5, 9.5, 4, [0, 3, 6, 9]],
    [-2.5, 2.5, 6, [-2, -1, 0, 0, 1, 2]],
    [-2.7, 3.9, 5, [-2, 0, 0, 1, 3]],
    [-3, 4, 7, [-3, -1, 0, 0, 1, 2, 4]],
    [2, -9, 5, [2, 0, -3, -6, -9]],
    [7, 7, 3, [7, 7, 7]],
    [0.5, 3, 1, [0]],
    [0, 10, 0, []],
  ];
  for (const [a, b, n, expected] of cases) {
    const t = cr.linspace(a, b, n, { dtype: "int32" });
    assert.equal(t.dtype, "int32");
    assert.deepEqual(t.toArray(), expected, `linspace(${a}, ${b}, ${n})`);
  }
  assert.throws(() => cr.linspace(0, 1, 3, { dtype: "bool" }), /bool/);
});

test("sinc is 1 at 0, its gradient 0 there and its second derivative −π²/3", () => {
  const x = f64([0, 1, -2], true);
  const y = cr.sinc(x);
  assertClose(y, [1, 0, 0], { atol: 1e-15 });
  const [g] = cr.autograd.grad(y.sum(), [x], { createGraph: true });
  // torch.sinc's gradient at 0 is 0; at integers k ≠ 0 it is cos(πk)/k
  assertClose(g!, [0, -1, -0.5], { atol: 1e-15 });
  const [gg] = cr.autograd.grad(g!.sum(), [x]);
  assertClose(gg!.slice(0, 0, 1), [-(Math.PI ** 2) / 3]);
  assert.equal(cr.sinc(int([0, 1])).dtype, "float32");
});

test("isinf, isposinf, isneginf and signbit are bool tests; signbit is true for −0", () => {
  const v = cr.tensor([1, Infinity, -Infinity, NaN, -0, 0, -2]);
  // torch.isinf(v), torch.isposinf(v), torch.isneginf(v), torch.signbit(v)
  const bools = (xs: number[]) => xs.map(Boolean);
  assert.deepEqual(cr.isinf(v).toArray(), bools([0, 1, 1, 0, 0, 0, 0]));
  assert.deepEqual(v.isposinf().toArray(), bools([0, 1, 0, 0, 0, 0, 0]));
  assert.deepEqual(v.isneginf().toArray(), bools([0, 0, 1, 0, 0, 0, 0]));
  assert.deepEqual(cr.signbit(v).toArray(), bools([0, 0, 1, 0, 1, 0, 1]));
  assert.deepEqual(cr.signbit(cr.neg(cr.tensor([NaN]))).dtype, "bool");
  assert.deepEqual(cr.signbit(int([-1, 0, 1])).toArray(), [true, false, false]);
  assert.deepEqual(cr.isinf(int([-1, 0])).toArray(), [false, false]);
  const x = cr.tensor([1, Infinity], { requiresGrad: true });
  assert.equal(cr.isinf(x).requiresGrad, false);
});

test("nanToNum: 0 and the dtype's extremes by default, each replacement, a gradient only where finite", () => {
  const v = [NaN, Infinity, -Infinity, -0, 2];
  // torch.nan_to_num(v) in float32 and float64
  assert.deepEqual(cr.nanToNum(cr.tensor(v)).toArray(), [0, 3.4028234663852886e38, -3.4028234663852886e38, -0, 2]);
  assert.deepEqual(cr.nanToNum(f64(v)).toArray(), [0, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 2]);
  assert.deepEqual(f64(v).nanToNum({ nan: 1.5, posinf: 2, neginf: -3 }).toArray(), [1.5, 2, -3, -0, 2]);
  // a replacement float32 cannot hold becomes inf, as in PyTorch
  assert.equal(cr.nanToNum(cr.tensor(v), { posinf: 1e300 }).dataSync()[1], Infinity);
  const ints = int([1, -2]);
  const copy = cr.nanToNum(ints);
  assert.deepEqual([copy.dtype, copy.toArray(), copy === ints], ["int32", [1, -2], false]);
  const x = f64([1, Infinity, NaN], true);
  cr.nanToNum(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [1, 0, 0]);
  assert.throws(() => cr.nanToNum(x, { posInf: 1 } as never), /did you mean 'posinf'/);
});

test("isclose and allclose: PyTorch's rule, a JS boolean from allclose, one dtype", () => {
  const a = cr.tensor([1, 1 + 1e-6, NaN, Infinity, 0]);
  const b = cr.tensor([1, 1, NaN, -Infinity, 1e-9]);
  // torch.isclose(a, b) and with equal_nan=True
  assert.deepEqual(cr.isclose(a, b).toArray(), [true, true, false, false, true]);
  assert.deepEqual(a.isclose(b, { equalNan: true }).toArray(), [true, true, true, false, true]);
  assert.deepEqual(cr.isclose(a, b, { rtol: 0, atol: 0 }).toArray(), [true, false, false, false, false]);
  assert.equal(cr.allclose(a, b), false);
  assert.equal(cr.allclose(a, a, { equalNan: true }), true);
  assert.equal(typeof a.allclose(a), "boolean");
  assert.equal(cr.allclose(cr.tensor([1, 1 + 1e-7]), 1), true);
  // ints: |100 - 101| <= 0.01 * 101 (torch.isclose(..., rtol=0.01, atol=0))
  assert.deepEqual(cr.isclose(int([100, 2]), int([101, 3]), { rtol: 0.01, atol: 0 }).toArray(), [true, false]);
  assert.throws(() => cr.isclose(a, f64([1, 1, 1, 1, 1])), /input is float32 but other is float64/);
  assert.throws(() => cr.isclose(int([1]), 1.5), /not a int32 value/);
  assert.throws(() => cr.isclose(a, b, { rtol: -1 }), /rtol must be a number ≥ 0/);
  assert.throws(() => cr.allclose(a, b, { equal_nan: true } as never), /allclose: unknown option 'equal_nan'/);
});

test("lerp: gradients for input, end and a tensor weight; PyTorch's dtype rules", () => {
  const input = f64([1, 2], true);
  const end = f64([3, 6], true);
  const weight = f64([0.25, 0.75], true);
  const y = input.lerp(end, weight);
  assertClose(y, [1.5, 5]);
  y.sum().backward();
  // d/dinput = 1 − w, d/dend = w, d/dweight = end − input
  assertClose(input.grad!, [0.75, 0.25]);
  assertClose(end.grad!, [0.25, 0.75]);
  assertClose(weight.grad!, [2, 4]);
  assert.deepEqual(cr.lerp(cr.tensor([0, 10]), cr.tensor([1, 20]), 1).toArray(), [1, 20]);
  assert.throws(() => cr.lerp(int([1]), int([2]), 0.5), /input must be a float tensor/);
  assert.throws(() => cr.lerp(cr.tensor([1]), f64([2]), 0.5), /end is float64 but input is float32/);
  assert.throws(() => cr.lerp(cr.tensor([1]), cr.tensor([2]), f64([0.5])), /weight is float64/);
});
