// A small CNN on MNIST: the 10,000-image test set that ships in chainrule's data/mnist (or the
// IDX pair in the folder given), 8,000 to train and 2,000 held out. Conv(1→16, 5×5) → ReLU →
// MaxPool 2 → Conv(16→32, 5×5) → ReLU → MaxPool 2 → Linear(512→10), Adam with a one-cycle schedule.
//
//   node --import tsx examples/mnist-cnn.ts [epochs] [folder]

import * as cr from "chainrule";

const epochs = Number(process.argv[2] ?? 3);
const folder = process.argv[3];
const batchSize = 64;
cr.manualSeed(0);

const mnist = await cr.data.loadMnist(folder);
const { train, test } = cr.data.trainTestSplit(mnist, { testSize: 2000, seed: 0 });
// [n, 28, 28] in 0…1 → one channel, normalised with MNIST's usual mean and std
const prep = (x: cr.Tensor) => x.sub(0.1307).div(0.3081).unsqueeze(1);
const xTrain = prep(train.x);
const xTest = prep(test.x);
console.log(
  `${mnist.name}: ${xTrain.shape[0]} train / ${xTest.shape[0]} test images of ${xTrain.shape.slice(2).join("×")}`,
);

const model = new cr.nn.Sequential(
  new cr.nn.Conv2d(1, 16, 5),
  new cr.nn.ReLU(),
  new cr.nn.MaxPool2d(2),
  new cr.nn.Conv2d(16, 32, 5),
  new cr.nn.ReLU(),
  new cr.nn.MaxPool2d(2),
  new cr.nn.Flatten(),
  new cr.nn.Linear(32 * 4 * 4, 10),
);
const loader = new cr.data.DataLoader(new cr.data.TensorDataset(xTrain, train.y), {
  batchSize,
  shuffle: true,
  seed: 0,
});
const optimizer = new cr.optim.Adam(model.parameters(), { lr: 2e-3 });
const schedule = new cr.optim.lrScheduler.OneCycleLR(optimizer, 4e-3, { epochs, stepsPerEpoch: loader.length });

function testAccuracy(): number {
  return cr.noGrad(() => {
    model.eval();
    let correct = 0;
    for (let at = 0; at < xTest.shape[0]!; at += 500) {
      const logits = model.call(xTest.narrow(0, at, 500)) as cr.Tensor;
      correct += logits
        .argmax(1)
        .eq(test.y.narrow(0, at, 500))
        .sum()
        .item();
    }
    model.train();
    return correct / xTest.shape[0]!;
  });
}

const t0 = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  const te = performance.now();
  let seen = 0;
  let lossSum = 0;
  for await (const [xb, yb] of loader) {
    const loss = cr.nn.functional.crossEntropy(model.call(xb!) as cr.Tensor, yb!);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    schedule.step();
    seen += yb!.shape[0]!;
    lossSum += loss.item() * yb!.shape[0]!;
    if ((seen / batchSize) % 25 === 0) {
      const rate = seen / ((performance.now() - te) / 1000);
      process.stdout.write(
        `\repoch ${epoch}: ${seen}/${xTrain.shape[0]} loss ${(lossSum / seen).toFixed(4)} (${rate.toFixed(0)} images/s)   `,
      );
    }
  }
  const acc = testAccuracy();
  const secs = (performance.now() - te) / 1000;
  console.log(
    `\repoch ${epoch}: train loss ${(lossSum / seen).toFixed(4)}  test accuracy ${(100 * acc).toFixed(2)}%  (${secs.toFixed(0)} s)          `,
  );
}
console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s on the '${cr.getBackend()}' backend`);
