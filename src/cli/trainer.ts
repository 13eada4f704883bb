// The training loop behind `chainrule train`: seeded data split, model and optimizer; mini-batch
// epochs with a cosine learning-rate schedule; held-out evaluation after each epoch; progress
// reported through callbacks so the CLI draws bars and tests stay quiet.

import { noGrad } from "../graph/grad-mode.js";
import { DataLoader, TensorDataset } from "../data/index.js";
import * as nn from "../nn/index.js";
import * as optim from "../optim/index.js";
import { manualSeed } from "../tensor/random.js";
import type { Tensor } from "../api/tensor.js";
import { buildModel, type ModelConfig, modelConfig, modelInput } from "./models.js";
import { loadTaskData, type TaskData } from "./task-data.js";

/** The optimizers the CLI offers. */
export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop"] as const;

/** Everything a training run needs; unset numbers take defaultsFor(dataset, model). */
export interface TrainOptions {
  dataset: string;
  model: "mlp" | "cnn";
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: (typeof OPTIMIZERS)[number];
  seed?: number;
  limit?: number;
  dataDir?: string;
}

/** One epoch's numbers. */
export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  seconds: number;
  samplesPerSecond: number;
}

/** Live progress callbacks. */
export interface TrainReporter {
  start?(info: {
    task: TaskData;
    config: ModelConfig;
    options: Required<Omit<TrainOptions, "limit" | "dataDir">>;
    parameters: number;
  }): void;
  epochStart?(epoch: number, batches: number): void;
  batch?(done: number, stats: { loss: number; accuracy: number; samplesPerSecond: number }): void;
  epochEnd?(stats: EpochStats): void;
}

/** What a run produced. */
export interface TrainResult {
  model: nn.Sequential;
  config: ModelConfig;
  task: TaskData;
  history: EpochStats[];
  options: Required<Omit<TrainOptions, "limit" | "dataDir">>;
}

/** Hyperparameters (for Adam-like optimizers) that reach good accuracy quickly on the JS backend. */
export function defaultsFor(dataset: string, model: string): { epochs: number; batchSize: number; lr: number } {
  if (model === "cnn") return { epochs: dataset === "digits" ? 15 : 3, batchSize: 32, lr: 3e-3 };
  if (dataset === "iris") return { epochs: 60, batchSize: 16, lr: 1e-2 };
  if (dataset === "breast-cancer") return { epochs: 30, batchSize: 32, lr: 3e-3 };
  return { epochs: 20, batchSize: 32, lr: 3e-3 };
}

function makeOptimizer(name: string, params: Tensor[], lr: number): optim.Optimizer<{ lr: number }> {
  switch (name) {
    case "sgd":
      return new optim.SGD(params, { lr, momentum: 0.9, nesterov: true });
    case "adam":
      return new optim.Adam(params, { lr });
    case "adamw":
      return new optim.AdamW(params, { lr });
    case "rmsprop":
      return new optim.RMSprop(params, { lr });
  }
  throw new Error(`unknown optimizer '${name}': use ${OPTIMIZERS.join(", ")}`);
}

/** Mean loss and accuracy of `model` on (x, y), in chunks, without recording a graph. */
export function evaluate(
  model: nn.Module,
  config: ModelConfig,
  x: Tensor,
  y: Tensor,
): { loss: number; accuracy: number } {
  return noGrad(() => {
    model.eval();
    const n = x.shape[0]!;
    let loss = 0;
    let correct = 0;
    for (let at = 0; at < n; at += 512) {
      const len = Math.min(512, n - at);
      const logits = model._call(modelInput(config, x.narrow(0, at, len))) as Tensor;
      const yb = y.narrow(0, at, len);
      loss += nn.functional.crossEntropy(logits, yb, { reduction: "sum" }).item();
      correct += logits.argmax(1).eq(yb).sum().item();
    }
    model.train();
    return { loss: loss / n, accuracy: correct / n };
  });
}

/** Trains a fresh model on a dataset and evaluates it on the held-out part after every epoch. */
export async function trainModel(opts: TrainOptions, reporter: TrainReporter = {}): Promise<TrainResult> {
  const d = defaultsFor(opts.dataset, opts.model);
  const options = {
    dataset: opts.dataset,
    model: opts.model,
    epochs: opts.epochs ?? d.epochs,
    batchSize: opts.batchSize ?? d.batchSize,
    // plain SGD (with Nesterov momentum) wants about ten times the adaptive methods' rate
    lr: opts.lr ?? (opts.optimizer === "sgd" ? 10 * d.lr : d.lr),
    optimizer: opts.optimizer ?? "adam",
    seed: opts.seed ?? 0,
  };
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    throw new RangeError(`--epochs must be a positive integer, got ${options.epochs}`);
  if (!(options.lr > 0)) throw new RangeError(`--lr must be positive, got ${options.lr}`);
  const task = await loadTaskData(opts.dataset, { dataDir: opts.dataDir, limit: opts.limit, seed: options.seed });
  const config = modelConfig(opts.model, task.sampleShape, task.classes.length);
  manualSeed(options.seed);
  const model = buildModel(config);
  const params = [...model.parameters()];
  const optimizer = makeOptimizer(options.optimizer, params, options.lr);
  const loader = new DataLoader(new TensorDataset(task.train.x, task.train.y), {
    batchSize: options.batchSize,
    shuffle: true,
    seed: options.seed,
  });
  // cosine annealing per batch, from lr down to lr/100 over the whole run
  const schedule = new optim.lrScheduler.CosineAnnealingLR(optimizer, options.epochs * loader.length, options.lr / 100);
  reporter.start?.({ task, config, options, parameters: params.reduce((n, p) => n + p.numel(), 0) });
  const history: EpochStats[] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    reporter.epochStart?.(epoch, loader.length);
    const t0 = performance.now();
    let seen = 0;
    let lossSum = 0;
    let correct = 0;
    let done = 0;
    const lr = optimizer.paramGroups[0]!.lr;
    for await (const [xb, yb] of loader) {
      const logits = model._call(modelInput(config, xb!)) as Tensor;
      const loss = nn.functional.crossEntropy(logits, yb!);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      schedule.step();
      const n = yb!.shape[0]!;
      seen += n;
      lossSum += loss.item() * n;
      correct += noGrad(() => logits.argmax(1).eq(yb!).sum().item());
      done++;
      const secs = (performance.now() - t0) / 1000;
      reporter.batch?.(done, { loss: lossSum / seen, accuracy: correct / seen, samplesPerSecond: seen / secs });
    }
    const seconds = (performance.now() - t0) / 1000;
    const test = evaluate(model, config, task.test.x, task.test.y);
    const stats: EpochStats = {
      epoch,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      lr,
      seconds,
      samplesPerSecond: seen / seconds,
    };
    history.push(stats);
    reporter.epochEnd?.(stats);
  }
  return { model, config, task, history, options };
}
