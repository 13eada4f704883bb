// train() vs eval(): dropout drops ~p of the elements and scales the rest by 1/(1 − p) in train
// mode, seeded by the default generator, and is the identity in eval; batch norm's statistics.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

test("Dropout in eval mode is the identity", () => {
  const d = new cr.nn.Dropout(0.4).eval();
  const x = cr.randn([50]);
  assert.equal(d.call(x), x);
});

test("Dropout in train mode zeroes about p of the elements and scales the survivors by 1/(1 − p)", () => {
  cr.manualSeed(11);
  const p = 0.3;
  const n = 20000;
  const d = new cr.nn.Dropout(p);
  const x = cr.ones([n], { requiresGrad: true });
  const y = d.call(x);
  const vals = y.dataSync();
  const zeros = vals.filter((v) => v === 0).length;
  // 5 standard deviations of a binomial(n, p) count
  assert.ok(Math.abs(zeros - n * p) < 5 * Math.sqrt(n * p * (1 - p)), `dropped ${zeros} of ${n}`);
  assert.ok(vals.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6));
  y.sum().backward();
  assertClose(x.grad!, y.detach(), { atol: 1e-6, msg: "the gradient is the same mask, scaled" });
});

test("Dropout masks are reproducible from the seed, and p = 0 / p = 1 are exact", () => {
  const x = cr.randn([100]);
  cr.manualSeed(3);
  const a = cr.nn.functional.dropout(x, 0.5);
  cr.manualSeed(3);
  const b = cr.nn.functional.dropout(x, 0.5);
  assertClose(a, b, { atol: 0 });
  assert.equal(cr.nn.functional.dropout(x, 0), x);
  assertClose(cr.nn.functional.dropout(x, 1), cr.zeros([100]), { atol: 0 });
  assert.throws(() => new cr.nn.Dropout(1.5), /Dropout: probability must be in \[0, 1\], got 1.5/);
});

test("BatchNorm: train mode uses and records batch statistics, eval mode uses the running ones", () => {
  const bn = new cr.nn.BatchNorm1d(2, { momentum: 0.5 }).double();
  const x = cr.tensor(
    [
      [1, 10],
      [3, 14],
    ],
    { dtype: "float64" },
  );
  const y = bn.call(x);
  // batch statistics: means [2, 12], biased variances [1, 4]
  const [a, b] = [1 / Math.sqrt(1 + 1e-5), 2 / Math.sqrt(4 + 1e-5)];
  assertClose(y, [-a, -b, a, b], { atol: 1e-12 });
  // running mean: 0.5·0 + 0.5·[2, 12]; running var: 0.5·1 + 0.5·(unbiased [2, 8])
  assertClose(bn.running_mean!, [1, 6], { atol: 1e-12 });
  assertClose(bn.running_var!, [1.5, 4.5], { atol: 1e-12 });
  assert.equal(bn.num_batches_tracked!.item(), 1);
  bn.eval();
  const z = bn.call(x);
  assertClose(
    z,
    [
      (1 - 1) / Math.sqrt(1.5 + 1e-5),
      (10 - 6) / Math.sqrt(4.5 + 1e-5),
      2 / Math.sqrt(1.5 + 1e-5),
      8 / Math.sqrt(4.5 + 1e-5),
    ],
    {
      atol: 1e-12,
    },
  );
  assert.equal(bn.num_batches_tracked!.item(), 1, "eval leaves the statistics alone");
  assertClose(bn.running_mean!, [1, 6], { atol: 1e-12 });
  assert.throws(
    () => bn.train().call(cr.randn([1, 2], { dtype: "float64" })),
    /more than 1 value per channel when training/,
  );
});
