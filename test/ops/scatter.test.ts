// scatter, scatterReduce and the ops written with them, beyond the table's samples: amax/amin
// ties share the gradient as PyTorch shares it (values from torch 1.13), NaN wins, repeated
// positions, the older `reduce` option, the int dtypes the results keep, and the errors.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, throwsNaming } from "../helpers.js";

const ints = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });
const f64 = (data: number[] | number[][], requiresGrad = false) => cr.tensor(data, { dtype: "float64", requiresGrad });

test("amax and amin split the gradient among ties as PyTorch does, x's own value counted", () => {
  // torch: x = [5, 1, 2], src = [5, 3, 5], index = [0, 1, 0], cotangent [1, 2, 3]
  const want = {
    amax: {
      true: { y: [5, 3, 2], gx: [1 / 3, 0, 3], gs: [1 / 3, 2, 1 / 3] },
      false: { y: [5, 3, 2], gx: [0, 0, 3], gs: [1 / 3, 2, 1 / 3] },
    },
    amin: {
      true: { y: [5, 1, 2], gx: [1 / 3, 2, 3], gs: [1 / 3, 0, 1 / 3] },
      false: { y: [5, 3, 2], gx: [0, 0, 3], gs: [1 / 3, 2, 1 / 3] },
    },
  } as const;
  for (const reduce of ["amax", "amin"] as const)
    for (const includeSelf of [true, false]) {
      const x = f64([5, 1, 2], true);
      const src = f64([5, 3, 5], true);
      const y = cr.scatterReduce(x, 0, ints([0, 1, 0]), src, reduce, { includeSelf });
      y.backward(f64([1, 2, 3]));
      const w = want[reduce][`${includeSelf}`];
      const msg = `${reduce} includeSelf ${includeSelf}`;
      assertClose(y, [...w.y], { msg });
      assertClose(x.grad!, [...w.gx], { atol: 1e-12, msg });
      assertClose(src.grad!, [...w.gs], { atol: 1e-12, msg });
    }
});

test("amax and amin propagate NaN; prod with two zeros at a position has zero gradients", () => {
  const x = f64([1, 2, 3]);
  const nanSrc = f64([NaN, 5, 0]);
  assertClose(x.scatterReduce(0, ints([0, 1, 2]), nanSrc, "amax"), [NaN, 5, 3]);
  assertClose(x.scatterReduce(0, ints([0, 0, 0]), nanSrc, "amin", { includeSelf: false }), [NaN, 2, 3]);
  const p = f64([2], true);
  const s = f64([0, 0, 3], true);
  const y = cr.scatterReduce(p, 0, ints([0, 0, 0]), s, "prod");
  y.backward(f64([1]));
  assert.deepEqual([y.toArray(), p.grad!.toArray(), s.grad!.toArray()], [[0], [0], [0, 0, 0]]);
});

test("scatterReduce keeps int dtypes; an int mean rounds down", () => {
  const x = ints([[1, 2, 3]]);
  const y = x.scatterReduce(1, ints([[0, 0, 2]]), ints([[4, 5, -8]]), "mean");
  assert.equal(y.dtype, "int32");
  assert.deepEqual(y.toArray(), [[3, 2, -3]]);
  assert.deepEqual(x.scatterReduce(1, ints([[1, 1]]), ints([[3, -4]]), "prod").toArray(), [[1, -24, 3]]);
});

test("scatter: the last write to a repeated position wins; src may be larger than index", () => {
  assert.deepEqual(
    cr
      .zeros([3])
      .scatter(0, ints([1, 1, 1]), cr.tensor([1, 2, 3]))
      .toArray(),
    [0, 3, 0],
  );
  const x = cr.zeros([2, 4], { dtype: "float64", requiresGrad: true });
  const src = cr.arange(1, 13, 1, { dtype: "float64" }).reshape(3, 4).requiresGrad_();
  const y = x.scatter(
    1,
    ints([
      [3, 0],
      [1, 2],
    ]),
    src,
  );
  // torch 1.13 computes this forward but fails its backward (src.grad of index's shape)
  assert.deepEqual(y.toArray(), [
    [2, 0, 0, 1],
    [0, 5, 6, 0],
  ]);
  y.backward(cr.arange(0, 8, 1, { dtype: "float64" }).reshape(2, 4));
  assert.deepEqual(x.grad!.toArray(), [
    [0, 1, 2, 0],
    [4, 0, 0, 7],
  ]);
  assert.deepEqual(src.grad!.toArray(), [
    [3, 0, 0, 0],
    [5, 6, 0, 0],
    [0, 0, 0, 0],
  ]);
  // bool and int tensors scatter too
  assert.deepEqual(
    cr
      .zeros([3])
      .bool()
      .scatter(0, ints([2]), 1)
      .toArray(),
    [false, false, true],
  );
  assert.deepEqual(
    ints([5, 6])
      .scatter(0, ints([1]), 2.7)
      .toArray(),
    [5, 2],
  );
});

test("scatter's reduce option adds or multiplies, as scatterReduce's sum and prod", () => {
  const x = cr.tensor([1, 2, 3, 4]);
  assert.deepEqual(x.scatter(0, ints([1, 3]), cr.tensor([10, 20]), { reduce: "multiply" }).toArray(), [1, 20, 3, 80]);
  assert.deepEqual(x.scatter(0, ints([1, 1]), 2, { reduce: "add" }).toArray(), [1, 6, 3, 4]);
  throwsNaming(() => x.scatter(0, ints([1]), 2, { reduce: "max" as "add" }), RangeError, "scatter:", "'max'");
});

test("nonzero, maskedSelect and take give int32 indices and the shapes PyTorch gives", () => {
  const m = cr.tensor([
    [0, 1],
    [2, 0],
  ]);
  const nz = m.nonzero();
  assert.equal(nz.dtype, "int32");
  assert.deepEqual(nz.toArray(), [
    [0, 1],
    [1, 0],
  ]);
  const [rows, cols] = cr.nonzero(m, { asTuple: true });
  assert.deepEqual(
    [rows!.toArray(), cols!.toArray()],
    [
      [0, 1],
      [1, 0],
    ],
  );
  assert.deepEqual(cr.tensor(3).nonzero().shape, [1, 0]);
  assert.deepEqual(cr.zeros([2, 3]).nonzero().shape, [0, 2]);
  assert.deepEqual(m.maskedSelect(m.gt(0)).toArray(), [1, 2]);
  assert.deepEqual(cr.take(m, ints([[3], [-3]])).toArray(), [[0], [1]]);
  assert.deepEqual(m.takeAlongDim(ints([[1], [0]]), 1).toArray(), [[1], [2]]);
  assert.deepEqual(m.indexFill(1, ints([0]), 9).toArray(), [
    [9, 1],
    [9, 0],
  ]);
});

test("maskedScatter fills the true positions in order from source's leading elements", () => {
  const x = cr.zeros([2, 3], { dtype: "float64", requiresGrad: true });
  const source = cr.tensor([1, 2, 3, 4, 5], { dtype: "float64", requiresGrad: true });
  const mask = cr.tensor([true, false, true]);
  const y = x.maskedScatter(mask, source);
  assert.deepEqual(y.toArray(), [
    [1, 0, 2],
    [3, 0, 4],
  ]);
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [
    [0, 1, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(source.grad!.toArray(), [1, 1, 1, 1, 0]);
});

test("scatter and its kin name the op, the index and the shapes when misused", () => {
  const x = cr.zeros([3, 4]);
  throwsNaming(
    () => x.scatter(0, ints([[3]]), cr.ones([1, 1])),
    RangeError,
    "scatter:",
    "index 3",
    "dimension 0",
    "size 3",
  );
  throwsNaming(() => x.scatter(0, ints([0]), 1), RangeError, "scatter:", "[1]", "[3, 4]");
  throwsNaming(() => x.scatter(0, ints([[0, 1]]), cr.ones([1, 1])), RangeError, "scatter:", "[1, 1]", "[1, 2]");
  throwsNaming(() => x.scatter(0, cr.zeros([1, 1]), 1), TypeError, "scatter:", "int32", "float32");
  throwsNaming(
    () => x.scatter(0, ints([[0]]), cr.ones([1, 1], { dtype: "float64" })),
    TypeError,
    "scatter:",
    "float64",
    "float32",
  );
  throwsNaming(
    () => x.scatterReduce(0, ints([[0]]), cr.ones([1, 1]), "max" as "amax"),
    RangeError,
    "scatterReduce:",
    "'max'",
  );
  throwsNaming(
    () => x.bool().scatterReduce(0, ints([[0]]), cr.ones([1, 1]).bool(), "sum"),
    TypeError,
    "scatterReduce:",
    "bool",
  );
  throwsNaming(() => x.indexAdd(1, ints([4]), cr.ones([3, 1])), RangeError, "indexAdd:", "index 4", "dim 1", "size 4");
  throwsNaming(() => x.indexCopy(1, ints([0]), cr.ones([3, 2])), RangeError, "indexCopy:", "[3, 2]", "[3, 1]");
  throwsNaming(() => x.indexFill(0, ints([[0]]), 1), RangeError, "indexFill:", "1-D", "[1, 1]");
  throwsNaming(() => x.maskedSelect(cr.ones([4])), TypeError, "maskedSelect:", "bool", "float32");
  throwsNaming(() => x.maskedScatter(x.ge(0), cr.ones([5])), RangeError, "maskedScatter:", "12", "[5]", "5");
  throwsNaming(() => cr.take(x, ints([12])), RangeError, "take:", "index 12", "size 12");
  throwsNaming(() => x.takeAlongDim(ints([0]), 1), RangeError, "takeAlongDim:", "[1]", "[3, 4]");
});
