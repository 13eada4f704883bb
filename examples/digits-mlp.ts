// An MLP on the bundled 8×8 digits, written out by hand: load, split, scale, batch with a seeded
// DataLoader, train with Adam, evaluate on held-out digits, save the weights as safetensors and
// load them back into a fresh model. (`chainrule train` runs the same thing with a progress bar.)
//
//   node --import tsx examples/digits-mlp.ts [epochs]

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "chainrule";

const epochs = Number(process.argv[2] ?? 20);
cr.manualSeed(0);

const digits = await cr.data.loadDigits();
const { train, test } = cr.data.trainTestSplit(digits, { testFraction: 0.2, seed: 0 });
// grey levels are 0…16: scale to 0…1
const xTrain = train.x.div(16);
const xTest = test.x.div(16);
console.log(`digits: ${xTrain.shape[0]} train, ${xTest.shape[0]} test, ${xTrain.shape[1]} features`);

const makeModel = () =>
  new cr.nn.Sequential(
    new cr.nn.Linear(64, 128),
    new cr.nn.ReLU(),
    new cr.nn.Linear(128, 64),
    new cr.nn.ReLU(),
    new cr.nn.Linear(64, 10),
  );
const model = makeModel();
const optimizer = new cr.optim.Adam(model.parameters(), { lr: 3e-3 });
const loader = new cr.data.DataLoader(new cr.data.TensorDataset(xTrain, train.y), {
  batchSize: 32,
  shuffle: true,
  seed: 0,
});
const schedule = new cr.optim.lrScheduler.CosineAnnealingLR(optimizer, epochs * loader.length, 3e-5);
const lossFn = new cr.nn.CrossEntropyLoss();

const accuracy = (m: ReturnType<typeof makeModel>, x: cr.Tensor, y: cr.Tensor) =>
  cr.noGrad(() => m.call(x).argmax(1).eq(y).to("float32").mean().item());

const t0 = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  let total = 0;
  for (const [xb, yb] of loader) {
    const loss = lossFn.call(model.call(xb!), yb!);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    schedule.step();
    total += loss.item() * yb!.shape[0]!;
  }
  model.eval();
  const acc = accuracy(model, xTest, test.y);
  model.train();
  console.log(
    `epoch ${String(epoch).padStart(2)}  train loss ${(total / xTrain.shape[0]!).toFixed(4)}  test accuracy ${(100 * acc).toFixed(1)}%`,
  );
}
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const file = join(await mkdtemp(join(tmpdir(), "digits-")), "digits-mlp.safetensors");
await cr.save(model.stateDict(), file, { dataset: "digits", scale: "1/16" });
const restored = makeModel();
restored.loadStateDict(await cr.load(file));
restored.eval();
console.log(
  `saved ${file}; the reloaded model scores ${(100 * accuracy(restored, xTest, test.y)).toFixed(1)}% on the test digits`,
);
