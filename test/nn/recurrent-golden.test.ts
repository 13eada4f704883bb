// RNN, LSTM, GRU, their cells, MultiheadAttention and TransformerEncoderLayer against PyTorch, and
// the shared-weights property of recurrence: W_hh's gradient is the sum of the per-step gradients.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { checkLayerCase, fixture, type LayerCase } from "./golden.js";

const { cases } = fixture<{ cases: LayerCase[] }>("nn-recurrent.json");

for (const c of cases) test(`${c.name} matches PyTorch (${c.dtype})`, () => checkLayerCase(c));

test("an RNN's shared weights receive the sum of the per-step gradients", () => {
  cr.manualSeed(3);
  const rnn = new cr.nn.RNN(3, 4).double();
  const x = cr.randn([5, 2, 3], { dtype: "float64" });
  const [out] = rnn.call(x);
  out.sum().backward();
  // unroll by hand with one private copy of W_hh (and W_ih) per step; the copies' gradients add up
  const wIh = rnn.param("weight_ih_l0")!;
  const wHh = rnn.param("weight_hh_l0")!;
  const bIh = rnn.param("bias_ih_l0")!;
  const bHh = rnn.param("bias_hh_l0")!;
  let h = cr.zeros([2, 4], { dtype: "float64" });
  const copies: cr.Tensor[] = [];
  const hs: cr.Tensor[] = [];
  for (let t = 0; t < 5; t++) {
    const w = wHh.detach().clone().requiresGrad_();
    copies.push(w);
    h = cr.nn.functional
      .linear(x.select(0, t), wIh.detach(), bIh.detach())
      .add(cr.nn.functional.linear(h, w, bHh.detach()))
      .tanh();
    hs.push(h);
  }
  cr.stack(hs).sum().backward();
  const perStep = copies.map((w) => w.grad!);
  // step 0 multiplies W_hh by h0 = 0; every later step contributes
  assert.equal(perStep[0]!.abs().sum().item(), 0);
  assert.ok(
    perStep.slice(1).every((g) => g.abs().sum().item() > 0),
    "every later step contributes",
  );
  assertClose(
    wHh.grad!,
    perStep.reduce((a, b) => a.add(b)),
    { atol: 1e-12, rtol: 1e-10 },
  );
  // the same step count as a loop over one shared tensor: the gradient is not that of any single step
  assert.ok(perStep.some((g) => g.sub(wHh.grad!).abs().amax().item() > 1e-6));
});

test("LSTM hidden state shapes and batchFirst layout", () => {
  const lstm = new cr.nn.LSTM(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true });
  const [out, [h, c]] = lstm.call(cr.randn([2, 7, 3]));
  assert.deepEqual(out.shape, [2, 7, 8]);
  assert.deepEqual(h.shape, [4, 2, 4]);
  assert.deepEqual(c.shape, [4, 2, 4]);
  assert.throws(
    () => lstm.call(cr.randn([2, 7, 5])),
    /LSTM\(3, 4, numLayers=2, batchFirst=true, bidirectional=true\): expected input \[N, L, 3\] or unbatched \[L, 3\], got shape \[2, 7, 5\]/,
  );
  assert.throws(
    () => lstm.call(cr.randn([2, 7, 3]), [cr.zeros([1, 2, 4]), cr.zeros([4, 2, 4])]),
    /initial hidden state \[4, 2, 4\]/,
  );
});

test("multi-layer dropout between RNN layers only acts in train mode", () => {
  cr.manualSeed(5);
  const gru = new cr.nn.GRU(3, 3, { numLayers: 2, dropout: 0.5 });
  const x = cr.randn([4, 1, 3]);
  gru.eval();
  const [a] = gru.call(x);
  const [b] = gru.call(x);
  assertClose(a, b, { atol: 0 });
  gru.train();
  const [c] = gru.call(x);
  assert.ok(c.sub(a).abs().amax().item() > 1e-4, "train mode drops between layers");
});
