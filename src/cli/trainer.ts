// The training loop behind `chainrule train`: seeded data split, model and optimizer; mini-batch
// epochs with a cosine learning-rate schedule; held-out evaluation after each epoch; progress
// reported through callbacks so the CLI draws bars and tests stay quiet. Classifiers score one
// label per sample, the GPT one next character per position; loss and accuracy are per label.

import { noGrad } from "../graph/grad-mode.js";
import { DataLoader, TensorDataset } from "../data/index.js";
import * as nn from "../nn/index.js";
import * as optim from "../optim/index.js";
import { manualSeed } from "../tensor/random.js";
import type { Tensor } from "../api/tensor.js";
import { buildModel, type CliModel, type ModelConfig, modelConfig, modelInput } from "./models.js";
import { loadTaskData, type TaskData } from "./task-data.js";

/** The optimizers the CLI offers. */
export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop"] as const;

/** Everything a training run needs; unset numbers take defaultsFor(dataset, model). */
export interface TrainOptions {
  dataset: string;
  model: "mlp" | "cnn" | "gpt";
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
  model: CliModel;
  config: ModelConfig;
  task: TaskData;
  history: EpochStats[];
  options: Required<Omit<TrainOptions, "limit" | "dataDir">>;
}

/** Hyperparameters (for Adam-like optimizers) that reach good accuracy quickly on the JS backend. */
export function defaultsFor(dataset: string, model: string): { epochs: number; batchSize: number; lr: number } {
  if (model === "gpt") return { epochs: 10, batchSize: 32, lr: 3e-3 };
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

/**
 * Summed cross-entropy, the count of correct argmax predictions and how many labels they cover.
 * Sequence logits [N, L, classes] with labels [N, L] count each position.
 */
function scoreBatch(logits: Tensor, y: Tensor): { lossSum: Tensor; correct: number; labels: number } {
  const flat = logits.ndim === 3 ? logits.reshape([-1, logits.shape[2]!]) : logits;
  const labels = y.reshape([-1]);
  const lossSum = nn.functional.crossEntropy(flat, labels, { reduction: "sum" });
  const correct = noGrad(() => flat.argmax(1).eq(labels).sum().item());
  return { lossSum, correct, labels: labels.shape[0]! };
}

/** Mean loss and accuracy of `model` on (x, y), in chunks, without recording a graph. */
export function evaluate(
  model: CliModel,
  config: ModelConfig,
  x: Tensor,
  y: Tensor,
): { loss: number; accuracy: number } {
  return noGrad(() => {
    model.eval();
    const n = x.shape[0]!;
    let loss = 0;
    let correct = 0;
    let labels = 0;
    for (let at = 0; at < n; at += 512) {
      const len = Math.min(512, n - at);
      const logits = model.call(modelInput(config, x.narrow(0, at, len)));
      const s = scoreBatch(logits, y.narrow(0, at, len));
      loss += s.lossSum.item();
      correct += s.correct;
      labels += s.labels;
    }
    model.train();
    return { loss: loss / labels, accuracy: correct / labels };
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
  if ((opts.model === "gpt") !== (opts.dataset === "text")) {
    throw new Error(
      opts.model === "gpt"
        ? `--model gpt learns from text: use --dataset text, not ${opts.dataset}`
        : `--dataset text needs --model gpt, not ${opts.model}`,
    );
  }
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
    let labels = 0;
    let lossSum = 0;
    let correct = 0;
    let done = 0;
    const lr = optimizer.paramGroups[0]!.lr;
    for await (const [xb, yb] of loader) {
      const logits = model.call(modelInput(config, xb!));
      const s = scoreBatch(logits, yb!);
      optimizer.zeroGrad();
      s.lossSum.div(s.labels).backward();
      optimizer.step();
      schedule.step();
      seen += yb!.shape[0]!;
      labels += s.labels;
      lossSum += s.lossSum.item();
      correct += s.correct;
      done++;
      const secs = (performance.now() - t0) / 1000;
      reporter.batch?.(done, { loss: lossSum / labels, accuracy: correct / labels, samplesPerSecond: seen / secs });
    }
    const seconds = (performance.now() - t0) / 1000;
    const test = evaluate(model, config, task.test.x, task.test.y);
    const stats: EpochStats = {
      epoch,
      trainLoss: lossSum / labels,
      trainAccuracy: correct / labels,
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
