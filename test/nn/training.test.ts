// End to end: a small CNN and an LSTM classifier built from cr.nn train with plain SGD on
// synthetic data, so layers, losses, hooks-free calls and parameter updates compose.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

const { nn } = cr;

function sgd(model: cr.nn.Module, lr: number): void {
  cr.noGrad(() => {
    for (const p of model.parameters()) if (p.grad) p.sub_(p.grad.mul(lr));
  });
  model.zeroGrad();
}

test("a CNN learns to tell bright-left from bright-right images", () => {
  cr.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.1),
    new nn.Linear(4 * 3 * 3, 2),
  );
  const x = cr.randn([16, 1, 6, 6]).mul(0.3);
  const labels = Array.from({ length: 16 }, (_, i) => i % 2);
  const shift = cr.tensor(labels.map((l) => [[[l ? -1 : 1, 0, 0, 0, 0, l ? 1 : -1]]]));
  const inputs = x.add(shift);
  const y = cr.tensor(labels, { dtype: "int32" });
  const lossFn = new nn.CrossEntropyLoss();
  const first = lossFn.call(model.call(inputs), y).item();
  let last = first;
  for (let step = 0; step < 30; step++) {
    const loss = lossFn.call(model.call(inputs), y);
    loss.backward();
    sgd(model, 0.2);
    last = loss.item();
  }
  assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
  model.eval();
  const acc = model.call(inputs).argmax(1).eq(y).to("float32").mean().item();
  assert.ok(acc >= 0.9, `accuracy ${acc}`);
});

test("an LSTM learns the sign of a sequence's sum", () => {
  cr.manualSeed(1);
  class Classifier extends nn.Module {
    lstm = new nn.LSTM(1, 8, { batchFirst: true });
    head = new nn.Linear(8, 1);
    forward(x: cr.Tensor): cr.Tensor {
      const [, [h]] = this.lstm.call(x);
      return this.head.call(h.select(0, 0)).squeeze(1);
    }
  }
  const model = new Classifier();
  const x = cr.randn([32, 5, 1]);
  const target = x.sum([1, 2]).gt(0).to("float32");
  const lossFn = new nn.BCEWithLogitsLoss();
  const first = lossFn.call(model.call(x), target).item();
  let last = first;
  for (let step = 0; step < 60; step++) {
    const loss = lossFn.call(model.call(x), target);
    loss.backward();
    nn.utils.clipGradNorm(model.parameters(), 5);
    sgd(model, 0.5);
    last = loss.item();
  }
  assert.ok(last < first * 0.6, `loss ${first} -> ${last}`);
});
