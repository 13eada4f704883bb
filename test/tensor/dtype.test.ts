// dtypes and promotion: the result dtype of add and div for every pairing of tensor, 0-d tensor and
// plain number, against torch.result_type (test/fixtures/tensor-golden.json); conversions; and
// gradients existing for float dtypes only.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { golden, type PromotionRow } from "./golden.js";

function operand([kind, dt]: PromotionRow["a"] | PromotionRow["b"]): cr.Tensor | number | boolean {
  if (kind === "tensor") return cr.ones([2], { dtype: dt as cr.DType });
  if (kind === "0d") return cr.ones([], { dtype: dt as cr.DType });
  return dt === "int" ? 2 : dt === "float" ? 2.5 : true;
}

test("promotion matches torch.result_type for tensor-tensor, tensor-0d and tensor-scalar operands", () => {
  assert.equal(golden.promotion.length, 88);
  const wrong: string[] = [];
  for (const row of golden.promotion) {
    const a = operand(row.a) as cr.Tensor;
    const b = operand(row.b);
    const got = { add: cr.add(a, b).dtype, div: cr.div(a, b).dtype };
    if (got.add !== row.add || got.div !== row.div) {
      wrong.push(
        `${row.a.join(" ")} op ${row.b.join(" ")}: add ${got.add} (want ${row.add}), div ${got.div} (want ${row.div})`,
      );
    }
  }
  assert.deepEqual(wrong, []);
});

test("a few promotions spelled out: int op float is float, float32 op float64 is float64, scalars are weak", () => {
  const i = cr.tensor([1, 2], { dtype: "int32" });
  const f = cr.tensor([0.5, 0.25]);
  const d = cr.tensor([0.5, 0.25], { dtype: "float64" });
  assert.equal(i.add(f).dtype, "float32");
  assert.equal(f.add(d).dtype, "float64");
  assert.equal(f.mul(cr.tensor(2, { dtype: "float64" })).dtype, "float32"); // a 0-d tensor does not widen
  assert.equal(i.mul(cr.tensor(2, { dtype: "float64" })).dtype, "float64"); // but lifts the category
  assert.equal(i.add(3).dtype, "int32");
  assert.equal(i.add(0.5).dtype, "float32");
  assert.equal(i.div(i).dtype, "float32"); // true division
  assert.deepEqual(i.div(2).toArray(), [0.5, 1]);
  assert.equal(cr.tensor([true]).add(1).dtype, "int32");
  assert.equal(f.gt(0.3).dtype, "bool");
  assert.deepEqual(f.gt(0.3).toArray(), [true, false]);
});

test("to() converts (truncating toward zero into int32, nonzero to true), and keeps the values' identity", () => {
  const x = cr.tensor([1.7, -1.7, 0]);
  assert.deepEqual(x.to("int32").toArray(), [1, -1, 0]);
  assert.deepEqual(x.to("bool").toArray(), [true, true, false]);
  assert.deepEqual(cr.tensor([true, false]).to("float64").toArray(), [1, 0]);
  assert.equal(x.to("float32"), x); // already that dtype: the same tensor, as PyTorch
  assert.equal(x.double().dtype, "float64");
  assert.equal(x.int().dtype, "int32");
  assert.equal(x.float().dtype, "float32");
  assert.equal(x.bool().dtype, "bool");
  // float64 holds what float32 rounds
  assert.equal(cr.tensor([0.1], { dtype: "float64" }).item(), 0.1);
  assert.equal(cr.tensor([0.1]).item(), Math.fround(0.1));
});

test("gradients exist for float dtypes only", () => {
  assert.throws(
    () => cr.tensor([1, 2], { dtype: "int32", requiresGrad: true }),
    /only floating-point tensors can require gradients, got dtype int32/,
  );
  assert.throws(() => {
    cr.tensor([true]).requiresGrad = true;
  }, /got dtype bool/);
  const x = cr.tensor([1.5, 2.5], { requiresGrad: true });
  // casting to int cuts the graph: the result is an int tensor without gradFn
  const n = x.to("int32");
  assert.equal(n.requiresGrad, false);
  assert.equal(n.gradFn, null);
  // comparisons have no gradient either
  assert.equal(x.gt(2).requiresGrad, false);
});

test("a float32 leaf used in a float64 computation gets a float32 gradient", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const w = cr.tensor([3, 4], { dtype: "float64" });
  const y = x.mul(w).sum();
  assert.equal(y.dtype, "float64");
  y.backward();
  assert.equal(x.grad!.dtype, "float32");
  assert.deepEqual(x.grad!.toArray(), [3, 4]);
});
