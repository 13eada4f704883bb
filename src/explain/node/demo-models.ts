// Small models for `chainrule diagnose` and `chainrule saliency`: three networks with known
// gradient health (a healthy ReLU MLP, ten sigmoid layers with a tiny init whose gradients
// vanish, a ReLU layer whose units are all dead), and quickly trained classifiers for the
// 8x8 digits and 28x28 MNIST whose saliency maps are drawn. Uses nn and optim.

import { loadDigits, loadMnist, type ClassificationData } from "../../data/index.js";
import * as nn from "../../nn/index.js";
import { SGD } from "../../optim/index.js";
import { creation } from "../../api/functions.js";

const { tensor } = creation;
import { manualSeed, Generator } from "../../tensor/random.js";
import type { Tensor } from "../../api/tensor.js";
import { diagnose, type FlowReport } from "../diagnostics.js";

/** The networks `diagnose` knows. */
export const DIAGNOSE_NETS = ["healthy", "vanishing", "dead-relu"] as const;
/** One of them. */
export type DiagnoseNet = (typeof DIAGNOSE_NETS)[number];

/** A network for the gradient-flow report, with the description printed above it. */
export function diagnoseNet(
  name: DiagnoseNet,
  features: number,
  classes: number,
): { model: nn.Sequential; about: string } {
  manualSeed(7);
  if (name === "healthy") {
    return {
      model: new nn.Sequential(
        new nn.Linear(features, 32),
        new nn.ReLU(),
        new nn.Linear(32, 16),
        new nn.ReLU(),
        new nn.Linear(16, classes),
      ),
      about: `healthy: Linear(${features}, 32) → ReLU → Linear(32, 16) → ReLU → Linear(16, ${classes}), PyTorch's default init`,
    };
  }
  if (name === "vanishing") {
    const layers: nn.Module[] = [];
    let width = features;
    for (let i = 0; i < 10; i++) {
      const lin = new nn.Linear(width, 16);
      nn.init.normal(lin.weight, 0, 0.01);
      nn.init.zeros(lin.bias!);
      layers.push(lin, new nn.Sigmoid());
      width = 16;
    }
    layers.push(new nn.Linear(16, classes));
    return {
      model: new nn.Sequential(...layers),
      about: "vanishing: 10 × (Linear → Sigmoid) with weights N(0, 0.01²), then Linear",
    };
  }
  const first = new nn.Linear(features, 32);
  nn.init.constant(first.bias!, -50);
  return {
    model: new nn.Sequential(first, new nn.ReLU(), new nn.Linear(32, classes)),
    about: `dead-relu: Linear(${features}, 32) with bias -50 → ReLU → Linear(32, ${classes}): every unit is off`,
  };
}

/** Standardised features per column (so the demo nets see zero-mean, unit-variance inputs). */
function standardise(x: Tensor): Tensor {
  const mean = x.mean(0, true);
  const std = x.std(0, { keepdim: true }).add(1e-6);
  return x.sub(mean).div(std);
}

/** A seeded random batch of `n` rows from the data. */
function batchOf(data: ClassificationData, n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const rows = data.x.shape[0]!;
  const idx = tensor(
    Array.from({ length: Math.min(n, rows) }, () => g.int(0, rows)),
    { dtype: "int32" },
  );
  const flat = data.x.reshape([rows, -1]);
  return { x: flat.indexSelect(0, idx), y: data.y.indexSelect(0, idx) };
}

/** Runs `steps` SGD steps of a demo net on a batch of the digits and reports the gradient flow. */
export async function diagnoseDigits(
  net: DiagnoseNet,
  opts: { steps?: number; lr?: number; batch?: number } = {},
): Promise<FlowReport & { losses: number[]; about: string }> {
  const digits = await loadDigits();
  const { x, y } = batchOf(digits, opts.batch ?? 128, 1);
  const xs = standardise(x.to("float32"));
  const { model, about } = diagnoseNet(net, xs.shape[1]!, 10);
  const optimizer = new SGD(model.parameters(), { lr: opts.lr ?? 0.1 });
  const report = diagnose(() => nn.functional.crossEntropy(model.call(xs), y), {
    model,
    optimizer,
    steps: opts.steps ?? 3,
  });
  return { ...report, about };
}

/** A classifier trained for a few epochs, its data and the image size. */
export interface TrainedClassifier {
  model: nn.Sequential;
  data: ClassificationData;
  /** Inputs as the model takes them: [n, h·w], scaled to 0…1. */
  inputs: Tensor;
  height: number;
  width: number;
  accuracy: number;
}

/**
 * An MLP (h·w → 64 → 10) trained with SGD on the digits (8x8) or on `limit` MNIST images (28x28,
 * the bundled test set or the IDX pair in `mnistDir`), enough for a meaningful saliency map in seconds on the js backend.
 */
export async function trainClassifier(
  dataset: "digits" | "mnist",
  opts: { epochs?: number; limit?: number; mnistDir?: string } = {},
): Promise<TrainedClassifier> {
  manualSeed(3);
  const data = dataset === "digits" ? await loadDigits() : await loadMnist(opts.mnistDir);
  const n = Math.min(opts.limit ?? (dataset === "digits" ? 1797 : 2000), data.x.shape[0]!);
  const [height, width] = dataset === "digits" ? [8, 8] : [data.x.shape[1]!, data.x.shape[2]!];
  const scale = dataset === "digits" ? 16 : 1;
  const inputs = data.x
    .narrow(0, 0, n)
    .reshape([n, height * width])
    .to("float32")
    .div(scale);
  const labels = data.y.narrow(0, 0, n);
  const model = new nn.Sequential(new nn.Linear(height * width, 64), new nn.ReLU(), new nn.Linear(64, 10));
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const batch = 64;
  const g = new Generator(5);
  for (let epoch = 0; epoch < (opts.epochs ?? 8); epoch++) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = g.int(0, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let s = 0; s < n; s += batch) {
      const idx = tensor(order.slice(s, s + batch), { dtype: "int32" });
      optimizer.zeroGrad();
      nn.functional.crossEntropy(model.call(inputs.indexSelect(0, idx)), labels.indexSelect(0, idx)).backward();
      optimizer.step();
    }
  }
  const predicted = model.call(inputs).argmax(1);
  const accuracy = predicted.eq(labels).to("float32").mean().item();
  return { model, data: { ...data, y: labels }, inputs, height, width, accuracy };
}
