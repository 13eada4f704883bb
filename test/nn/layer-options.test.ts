// Every layer, loss module and optimizer that takes an options object refuses a key it does not
// know, naming itself and the key. The test walks cr.nn's and cr.optim's exports: a new class
// fails here until it is given a construction below (its arguments before the options object),
// or is listed as taking no options.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

type Ctor = new (...args: never[]) => unknown;

const w = () => [cr.zeros([2], { requiresGrad: true })];
const encoder = () => new cr.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 });

/** The arguments each class takes before its options object; null where it takes none. */
const constructions: Record<string, (() => unknown[]) | null> = {
  Linear: () => [3, 2],
  Embedding: () => [10, 3],
  Conv1d: () => [2, 3, 3],
  Conv2d: () => [2, 3, 3],
  ConvTranspose1d: () => [2, 3, 3],
  ConvTranspose2d: () => [2, 3, 3],
  BatchNorm1d: () => [3],
  BatchNorm2d: () => [3],
  BatchNorm3d: () => [3],
  LayerNorm: () => [3],
  GroupNorm: () => [2, 4],
  RNN: () => [3, 4],
  LSTM: () => [3, 4],
  GRU: () => [3, 4],
  RNNCell: () => [3, 4],
  LSTMCell: () => [3, 4],
  GRUCell: () => [3, 4],
  MultiheadAttention: () => [4, 2],
  TransformerEncoderLayer: () => [4, 2],
  TransformerEncoder: () => [encoder(), 2],
  MSELoss: () => [],
  L1Loss: () => [],
  HuberLoss: () => [],
  SmoothL1Loss: () => [],
  BCELoss: () => [],
  BCEWithLogitsLoss: () => [],
  CrossEntropyLoss: () => [],
  NLLLoss: () => [],
  KLDivLoss: () => [],
  MaxPool1d: () => [2],
  MaxPool2d: () => [2],
  AvgPool1d: () => [2],
  AvgPool2d: () => [2],
  Conv3d: () => [2, 3, 3],
  ConvTranspose3d: () => [2, 3, 3],
  MaxPool3d: () => [2],
  AvgPool3d: () => [2],
  AdaptiveMaxPool1d: () => [2],
  AdaptiveMaxPool2d: () => [2],
  AdaptiveMaxPool3d: () => [2],
  MaxUnpool1d: () => [2],
  MaxUnpool2d: () => [2],
  MaxUnpool3d: () => [2],
  Upsample: () => [],
  SGD: () => [w()],
  Adam: () => [w()],
  AdamW: () => [w()],
  RMSprop: () => [w()],
  Adagrad: () => [w()],
  OneCycleLR: () => [new cr.optim.SGD(w(), { lr: 0.1 }), 0.1],
  ReduceLROnPlateau: () => [new cr.optim.SGD(w(), { lr: 0.1 })],
  CosineSimilarity: () => [],
  PairwiseDistance: () => [],
  CosineEmbeddingLoss: () => [],
  MarginRankingLoss: () => [],
  TripletMarginLoss: () => [],
  CTCLoss: () => [],
  PoissonNLLLoss: () => [],
  GaussianNLLLoss: () => [],
  MultiLabelSoftMarginLoss: () => [],
  // positional settings only, as PyTorch's
  CELU: null,
  SELU: null,
  ReLU6: null,
  Hardtanh: null,
  Hardswish: null,
  Hardsigmoid: null,
  Mish: null,
  Softsign: null,
  Softmin: null,
  Tanhshrink: null,
  Hardshrink: null,
  Softshrink: null,
  LogSigmoid: null,
  GLU: null,
  PReLU: null,
  RReLU: null,
  AdaptiveAvgPool1d: null,
  AdaptiveAvgPool2d: null,
  AdaptiveAvgPool3d: null,
  PixelShuffle: null,
  PixelUnshuffle: null,
  ReLU: null,
  Sigmoid: null,
  Tanh: null,
  SiLU: null,
  GELU: null,
  LeakyReLU: null,
  ELU: null,
  Softplus: null,
  Softmax: null,
  LogSoftmax: null,
  Dropout: null,
  Sequential: null,
  ModuleList: null,
  ModuleDict: null,
  Identity: null,
  Flatten: null,
  Unflatten: null,
  Parameter: null,
  Module: null,
  Optimizer: null,
  LRScheduler: null,
  StepLR: null,
  ExponentialLR: null,
  CosineAnnealingLR: null,
};

const classes = Object.entries({ ...cr.nn, ...cr.optim, ...cr.optim.lrScheduler }).filter(
  ([name, v]) => typeof v === "function" && /^[A-Z]/.test(name) && v.prototype !== undefined,
) as [string, Ctor][];

test("every class of cr.nn and cr.optim has a construction here", () => {
  const missing = classes.map(([name]) => name).filter((name) => !(name in constructions));
  assert.deepEqual(missing, []);
});

for (const [name, Class] of classes) {
  const args = constructions[name];
  if (!args) continue;
  test(`${name} refuses an option it does not know`, () => {
    assert.throws(
      () => new Class(...(args() as never[]), { notAnOption: 1 } as never),
      (e: Error) => e instanceof TypeError && e.message.startsWith(name) && e.message.includes("'notAnOption'"),
    );
  });
}

test("a near miss is answered with the key that was meant", () => {
  assert.throws(
    () => new cr.nn.Linear(3, 2, { bais: false } as never),
    /Linear: unknown option 'bais' \(did you mean 'bias'\?\)/,
  );
  assert.throws(
    () => new cr.optim.Adam(w(), { weight_decay: 0.1 } as never),
    /Adam: unknown option 'weight_decay' \(did you mean 'weightDecay'\?\)/,
  );
});

test("errors inside a layer name the layer", () => {
  assert.throws(
    () => new cr.nn.Embedding(10, 3).call(cr.tensor([1, 12], { dtype: "int32" })),
    /^RangeError: Embedding\(10, 3\): index 12 is out of range; indices must be in \[0, 10\)/,
  );
  const model = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.LayerNorm(4), new cr.nn.Linear(4, 2));
  // an op failing inside a layer: the innermost layer leads the message, once
  const bad = new cr.nn.Sequential(new cr.nn.Flatten(0), new cr.nn.Linear(6, 2));
  assert.throws(
    () => bad.call(cr.zeros([2, 3, 4])),
    /^RangeError: Linear\(inFeatures=6, outFeatures=2, bias=true\): expected/,
  );
  assert.doesNotThrow(() => model.call(cr.zeros([2, 3])));
  assert.throws(
    () =>
      new cr.nn.MultiheadAttention(4, 2).call(cr.zeros([3, 4]), cr.zeros([3, 4]), cr.zeros([3, 4]), {
        attnMsk: null,
      } as never),
    /MultiheadAttention\(embedDim=4, numHeads=2\)\.forward: unknown option 'attnMsk' \(did you mean 'attnMask'\?\)/,
  );
});

test("the functional forms and helpers with options refuse unknown keys too", () => {
  const F = cr.nn.functional;
  const bad = { bogusKey: 1 } as never;
  const x = cr.randn(2, 3, 4);
  const calls: [string, () => unknown][] = [
    ["batchNorm", () => F.batchNorm(x, null, null, bad)],
    ["layerNorm", () => F.layerNorm(x, 4, bad)],
    ["groupNorm", () => F.groupNorm(x, 1, bad)],
    ["kaimingUniform", () => cr.nn.init.kaimingUniform(cr.zeros(2, 2), bad)],
    ["kaimingNormal", () => cr.nn.init.kaimingNormal(cr.zeros(2, 2), bad)],
    ["clipGradNorm", () => cr.nn.utils.clipGradNorm([cr.zeros(2, { requiresGrad: true })], 1, 2, bad)],
    ["backward", () => cr.randn(2, { requiresGrad: true }).sum().backward(undefined, bad)],
    ["autograd.grad", () => cr.autograd.grad(cr.randn(2, { requiresGrad: true }).sum(), [], bad)],
    ["DataLoader", () => new cr.data.DataLoader(new cr.data.TensorDataset(x), bad)],
  ];
  for (const [name, call] of calls) {
    assert.throws(
      call,
      (e: Error) => e instanceof TypeError && e.message.startsWith(`${name}: unknown option 'bogusKey'`),
      name,
    );
  }
});
