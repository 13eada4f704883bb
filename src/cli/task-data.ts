// What `chainrule train` learns from: a bundled dataset's name (digits, iris, breast-cancer, mnist)
// or a folder of IDX files, turned into a seeded train/test split plus the preprocessing that predict must
// repeat (a fixed scale for images, standardisation for tabular data).

import { statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import * as data from "../data/index.js";
import { creation } from "../api/functions.js";

const { randperm, tensor } = creation;
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../api/tensor.js";

/** How raw features become model inputs; stored with the weights so predict can repeat it. */
export type Preprocess = { kind: "scale"; scale: number } | { kind: "standardize"; mean: number[]; std: number[] };

/** A dataset ready to train on. */
export interface TaskData {
  name: string;
  classes: string[];
  /** Shape of one raw sample: [features] for tables, [rows, cols] for images. */
  sampleShape: number[];
  isImage: boolean;
  preprocess: Preprocess;
  train: { x: Tensor; y: Tensor };
  test: { x: Tensor; y: Tensor };
}

/** The datasets known by name, all shipped in the package's data/; anything else must be a folder of IDX files. */
export const DATASETS = ["digits", "iris", "breast-cancer", "mnist"] as const;

const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** A commander parser for --dataset: a known name or an existing folder. */
export function datasetArg(v: string): string {
  if ((DATASETS as readonly string[]).includes(v) || isFolder(v)) return v;
  throw new InvalidArgumentError(`expected ${DATASETS.join(", ")} or a folder of IDX image/label files, got '${v}'`);
}

/**
 * What a run calls its dataset: the name given, or for a folder of IDX files the folder's name
 * ("mnist", not the "t10k" of its file names; torchvision's MNIST/raw gives "mnist").
 */
export function datasetName(dataset: string): string {
  if ((DATASETS as readonly string[]).includes(dataset)) return dataset;
  const dir = resolve(dataset);
  const name = basename(dir) === "raw" ? basename(dirname(dir)) : basename(dir);
  return name.toLowerCase() || "idx";
}

/** A folder holding iris.csv and breast_cancer.csv to use instead of the bundled copies, if any. */
export const defaultDataDir = (): string | undefined => process.env.CHAINRULE_DATASETS;

/** Applies a stored preprocessing step to raw features. */
export function applyPreprocess(p: Preprocess, x: Tensor): Tensor {
  if (p.kind === "scale") return x.mul(p.scale);
  return x.sub(tensor(p.mean)).div(tensor(p.std));
}

/** A seeded random subset of `limit` rows (all rows when limit is absent or large enough). */
function capped(d: data.ClassificationData, limit: number | undefined, seed: number): data.ClassificationData {
  const n = d.x.shape[0]!;
  if (limit === undefined || limit >= n) return d;
  if (!Number.isInteger(limit) || limit < 10) throw new RangeError(`--limit must be an integer >= 10, got ${limit}`);
  const idx = randperm(n, { generator: new Generator(seed + 1) }).narrow(0, 0, limit);
  return { ...d, x: d.x.indexSelect(0, idx), y: d.y.indexSelect(0, idx) };
}

async function loadRaw(dataset: string, dataDir: string | undefined): Promise<data.ClassificationData> {
  switch (dataset) {
    case "digits":
      return data.loadDigits();
    case "iris":
      return data.loadIris(dataDir && join(dataDir, "iris.csv"));
    case "breast-cancer":
      return data.loadBreastCancer(dataDir && join(dataDir, "breast_cancer.csv"));
    case "mnist":
      return data.loadMnist();
  }
  if (!isFolder(dataset)) {
    throw new Error(`unknown dataset '${dataset}': use ${DATASETS.join(", ")} or a folder with IDX image/label files`);
  }
  return data.loadIdxFolder(dataset);
}

/** Loads, caps, splits (80/20, seeded) and fits the preprocessing on the training part. */
export async function loadTaskData(
  dataset: string,
  opts: { dataDir?: string; limit?: number; seed?: number; testFraction?: number } = {},
): Promise<TaskData> {
  const seed = opts.seed ?? 0;
  const raw = capped(await loadRaw(dataset, opts.dataDir ?? defaultDataDir()), opts.limit, seed);
  const { train, test } = data.trainTestSplit(raw, { testFraction: opts.testFraction ?? 0.2, seed });
  const isImage = dataset === "digits" || raw.x.ndim === 3;
  let preprocess: Preprocess;
  if (dataset === "digits") preprocess = { kind: "scale", scale: 1 / 16 };
  else if (isImage)
    preprocess = { kind: "scale", scale: 1 }; // IDX images arrive scaled to 0…1
  else {
    const s = data.Standardizer.fit(train.x).toJSON();
    preprocess = { kind: "standardize", mean: s.mean, std: s.std };
  }
  const sampleShape = dataset === "digits" ? [8, 8] : raw.x.shape.slice(1);
  const prep = (x: Tensor) => applyPreprocess(preprocess, x).reshape([x.shape[0]!, ...sampleShape]);
  return {
    name: datasetName(dataset),
    classes: raw.classes,
    sampleShape,
    isImage,
    preprocess,
    train: { x: prep(train.x), y: train.y },
    test: { x: prep(test.x), y: test.y },
  };
}
