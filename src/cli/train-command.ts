// `chainrule train`: trains an MLP or CNN classifier, or a character-level GPT on the bundled
// text, with a live progress bar (epoch, loss, accuracy, samples/s), evaluates on held-out data
// after each epoch, and writes the weights (safetensors,
// with the model config in __metadata__), a loss/accuracy chart (SVG) and the history (JSON)
// into a run folder that never silently replaces an earlier run.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import cliProgress from "cli-progress";
import { type Command, Option } from "commander";
import { getBackend } from "../backend/registry.js";
import { save, writeFileAtomic } from "../io/index.js";
import { intInRange, nonNegativeInt, positiveInt, positiveNumber } from "./parsers.js";
import { chartSvg } from "./svg-chart.js";
import { DATASETS, datasetArg, datasetName, defaultDataDir, TEXT_BLOCK } from "./task-data.js";
import { type EpochStats, OPTIMIZERS, type TrainResult, trainModel } from "./trainer.js";

/** Key of the weights file's __metadata__ entry that holds what predict needs (JSON). */
export const METADATA_KEY = "chainrule";

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The loss and accuracy curves of a run as an SVG document. */
export function curvesSvg(history: EpochStats[], title: string): string {
  return chartSvg([
    {
      title: `${title}: loss`,
      xLabel: "epoch",
      yLabel: "cross-entropy loss",
      series: [
        { name: "train", values: history.map((h) => h.trainLoss), color: "#1f77b4" },
        { name: "test", values: history.map((h) => h.testLoss), color: "#d62728" },
      ],
    },
    {
      title: `${title}: accuracy`,
      xLabel: "epoch",
      yLabel: "accuracy",
      yRange: [Math.min(0.5, ...history.flatMap((h) => [h.trainAccuracy, h.testAccuracy])), 1],
      yFormat: (v) => `${Math.round(v * 1000) / 10}%`,
      series: [
        { name: "train", values: history.map((h) => h.trainAccuracy), color: "#1f77b4" },
        { name: "test", values: history.map((h) => h.testAccuracy), color: "#d62728" },
      ],
    },
  ]);
}

/** The files a run writes into its folder. */
const RUN_FILES = ["model.safetensors", "curves.svg", "history.json"];

/** Whether `folder` holds (some of) a run's files. */
export const holdsRun = (folder: string): boolean => RUN_FILES.some((f) => existsSync(join(folder, f)));

/**
 * Where a run goes. An explicit --out is used as given, but an earlier run there is replaced only
 * with --overwrite. The default runs/<dataset>-<model> is numbered past earlier runs instead
 * (runs/digits-mlp-2, -3, ...), as experiment trackers version their runs.
 */
export function runFolder(opts: { out?: string; overwrite?: boolean }, name: string): string {
  if (opts.out) {
    if (!opts.overwrite && holdsRun(opts.out))
      throw new Error(`train: --out ${opts.out} holds an earlier run; pass --overwrite to replace it`);
    return opts.out;
  }
  const base = join("runs", name);
  if (opts.overwrite) return base;
  let folder = base;
  for (let n = 2; holdsRun(folder); n++) folder = `${base}-${n}`;
  return folder;
}

/** Writes model.safetensors, curves.svg and history.json into `out`; returns their paths. */
export async function writeRun(
  r: TrainResult,
  out: string,
): Promise<{ weights: string; curves: string; history: string }> {
  await mkdir(out, { recursive: true });
  const last = r.history[r.history.length - 1]!;
  const info = {
    model: r.config,
    preprocess: r.task.preprocess,
    classes: r.task.classes,
    dataset: r.task.name,
    training: { ...r.options, testAccuracy: last.testAccuracy },
  };
  const paths = {
    weights: join(out, "model.safetensors"),
    curves: join(out, "curves.svg"),
    history: join(out, "history.json"),
  };
  await save(r.model.stateDict(), paths.weights, { format: "pt", [METADATA_KEY]: JSON.stringify(info) });
  await writeFileAtomic(
    paths.curves,
    new TextEncoder().encode(curvesSvg(r.history, `${r.task.name} ${r.config.kind}`)),
  );
  await writeFileAtomic(paths.history, new TextEncoder().encode(JSON.stringify(r.history, null, 2) + "\n"));
  return paths;
}

interface TrainFlags {
  model: "mlp" | "cnn" | "gpt";
  dataset: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer: (typeof OPTIMIZERS)[number];
  seed: number;
  out?: string;
  overwrite?: boolean;
  limit?: number;
  dataDir?: string;
}

async function runTrain(f: TrainFlags): Promise<void> {
  // decided before training, so a refusal costs nothing
  const name = `${datasetName(f.dataset)}-${f.model}`;
  const out = runFolder(f, name);
  if (out !== (f.out ?? join("runs", name)))
    console.log(`${join("runs", name)} holds an earlier run; this one goes to ${out}`);
  const bar = new cliProgress.SingleBar(
    {
      format: "epoch {epoch} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | {speed} samples/s",
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stdout,
    },
    cliProgress.Presets.shades_classic,
  );
  let epochs = 0;
  const t0 = performance.now();
  const result = await trainModel(
    { ...f },
    {
      start: ({ task, config, options, parameters }) => {
        epochs = options.epochs;
        const what =
          config.kind === "gpt"
            ? `${task.train.y.shape[0]} train / ${task.test.y.shape[0]} test windows of ${task.sampleShape[0]} characters, ` +
              `vocabulary of ${task.classes.length}`
            : `${task.train.y.shape[0]} train / ${task.test.y.shape[0]} test samples, ${task.classes.length} classes`;
        console.log(
          `training ${config.kind} (${parameters.toLocaleString("en")} parameters) on ${task.name}: ${what}; ` +
            `${options.optimizer} lr ${options.lr}, batch ${options.batchSize}, ${options.epochs} epochs, seed ${options.seed}; ` +
            `${getBackend()} backend`,
        );
      },
      epochStart: (epoch, batches) =>
        bar.start(batches, 0, { epoch: `${epoch}/${epochs}`, loss: "-", acc: "-", speed: "-" }),
      batch: (done, s) =>
        bar.update(done, { loss: s.loss.toFixed(4), acc: pct(s.accuracy), speed: Math.round(s.samplesPerSecond) }),
      epochEnd: (s) => {
        bar.stop();
        console.log(
          `epoch ${String(s.epoch).padStart(String(epochs).length)}/${epochs}  loss ${s.trainLoss.toFixed(4)}  ` +
            `train acc ${pct(s.trainAccuracy)}  test loss ${s.testLoss.toFixed(4)}  test acc ${pct(s.testAccuracy)}  ` +
            `${Math.round(s.samplesPerSecond)} samples/s  lr ${s.lr.toPrecision(3)}`,
        );
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const last = result.history[result.history.length - 1]!;
  const paths = await writeRun(result, out);
  const show = (p: string) => (relative(process.cwd(), p).startsWith("..") ? p : relative(process.cwd(), p));
  const held = result.task.test.y;
  const scored =
    result.config.kind === "gpt"
      ? `next-character accuracy ${pct(last.testAccuracy)} (loss ${last.testLoss.toFixed(4)}) on ${held.numel()} held-out characters`
      : `test accuracy ${pct(last.testAccuracy)} on ${held.shape[0]} held-out samples`;
  console.log(`\n${scored} after ${result.history.length} epochs in ${seconds.toFixed(1)} s`);
  console.log(`weights  ${show(paths.weights)}`);
  console.log(`curves   ${show(paths.curves)}`);
  console.log(`history  ${show(paths.history)}`);
  if (result.config.kind !== "gpt")
    console.log(`try: chainrule predict --weights ${show(paths.weights)} --input <samples.csv|json>`);
}

/** Adds `train` to the program. */
export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description(
      "train a classifier (or a character-level GPT on text), evaluate it on held-out data, " +
        "save weights (safetensors) and curves (SVG)",
    )
    .addOption(
      new Option("--model <kind>", "network (gpt goes with --dataset text)")
        .choices(["mlp", "cnn", "gpt"])
        .default("mlp"),
    )
    .option(
      "--dataset <name|dir>",
      `${DATASETS.join(", ")} (bundled; text is the US Constitution), or a folder of IDX image/label files`,
      datasetArg,
      "digits",
    )
    .option("--epochs <n>", "passes over the training data (default: 20 for the digits MLP)", positiveInt)
    .option("--batch-size <n>", "samples per step (default 32; 16 for iris)", positiveInt)
    .option(
      "--lr <rate>",
      "peak learning rate, annealed by a cosine schedule (default: 0.003 for digits, 10× that for sgd)",
      positiveNumber,
    )
    .addOption(new Option("--optimizer <name>", "optimizer").choices([...OPTIMIZERS]).default("adam"))
    .option("--seed <n>", "seed for the split, initial weights and shuffling", nonNegativeInt, 0)
    .option(
      "--out <folder>",
      "where to write model.safetensors, curves.svg, history.json " +
        "(default runs/<dataset>-<model>, numbered -2, -3, ... when it holds a run)",
    )
    .option("--overwrite", "replace the run already in the output folder")
    .option(
      "--limit <n>",
      `use at most n samples in all (for text, n windows' worth of ${TEXT_BLOCK} characters; for quick runs; at least 10)`,
      intInRange(10),
    )
    .option(
      "--data-dir <folder>",
      "folder with iris.csv and breast_cancer.csv to use instead of the bundled copies (env CHAINRULE_DATASETS)",
      defaultDataDir(),
    )
    .action((flags: TrainFlags) => runTrain(flags));
}
