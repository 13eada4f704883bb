// toString prints like PyTorch's repr: every case in the golden file, string for string, plus the
// spellings chainrule keeps its own (true, requiresGrad=true, gradFn=<...>).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { decode, golden } from "./golden.js";

for (const c of golden.format) {
  test(`toString matches PyTorch: ${c.name}`, () => {
    const values = c.data.map(decode);
    const data =
      c.dtype === "float64"
        ? Float64Array.from(values)
        : c.dtype === "float32"
          ? Float32Array.from(values)
          : c.dtype === "int32"
            ? Int32Array.from(values)
            : Uint8Array.from(values);
    let t = cr.tensor(data, { shape: c.shape, dtype: c.dtype, requiresGrad: c.str.includes("requiresGrad=true") });
    if (c.op === "mul2") t = t.requiresGrad_(true).mul(2);
    assert.equal(t.toString(), c.str);
  });
}

test("toString of a view prints the view's elements, not its storage", () => {
  const x = cr.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(x.t().toString(), "tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])");
  assert.equal(x.select(1, 2).toString(), "tensor([3., 6.])");
  assert.equal(String(cr.tensor(-0.5)), "tensor(-0.5000)");
});
