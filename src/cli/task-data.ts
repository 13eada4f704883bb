// What `chainrule train` learns from: a bundled dataset's name (digits, iris, breast-cancer, mnist)
// or a folder of IDX files, turned into a seeded train/test split plus the preprocessing that predict must
// repeat (a fixed scale for images, standardisation for tabular data); or the bundled text, cut
// into windows of characters for next-character prediction.

import { statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import * as data from "../data/index.js";
import { creation } from "../api/functions.js";

const { randperm, tensor } = creation;
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../api/tensor.js";

/** How raw features become model inputs; stored with the weights so predict can repeat it. */
export type Preprocess =
  { kind: "scale"; scale: number } | { kind: "standardize"; mean: number[]; std: number[] } | { kind: "none" };

/** A dataset ready to train on. */
export interface TaskData {
  name: string;
  /** Class names, or for text the vocabulary (one character each). */
  classes: string[];
  /** Shape of one raw sample: [features] for tables, [rows, cols] for images, [characters] for text. */
  sampleShape: number[];
  isImage: boolean;
  preprocess: Preprocess;
  /** Samples and labels; for text, windows of character ids [n, L] and the next characters [n, L]. */
  train: { x: Tensor; y: Tensor };
  test: { x: Tensor; y: Tensor };
}

/** The datasets known by name, all shipped in the package's data/; anything else must be a folder of IDX files. */
export const DATASETS = ["digits", "iris", "breast-cancer", "mnist", "text"] as const;

/** Characters per window of the text dataset: the GPT's context. */
export const TEXT_BLOCK = 64;

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
  if (p.kind === "none") return x;
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

/** Windows of `block` ids every `stride` characters: inputs [n, block] and the next ids [n, block]. */
function windows(ids: Int32Array, block: number, stride: number): { x: Tensor; y: Tensor } {
  const n = Math.floor((ids.length - block - 1) / stride) + 1;
  const x = new Int32Array(n * block);
  const y = new Int32Array(n * block);
  for (let i = 0; i < n; i++) {
    x.set(ids.subarray(i * stride, i * stride + block), i * block);
    y.set(ids.subarray(i * stride + 1, i * stride + block + 1), i * block);
  }
  return { x: tensor(x, { shape: [n, block] }), y: tensor(y, { shape: [n, block] }) };
}

/**
 * The bundled text for next-character prediction. The first part trains (windows overlapping by
 * half, so each character is seen in two contexts), the last `testFraction` is held out (windows
 * side by side); --limit caps the text at `limit` windows' worth of characters.
 */
async function loadTextTask(limit: number | undefined, testFraction: number): Promise<TaskData> {
  let text = await data.loadText();
  if (limit !== undefined) text = text.slice(0, limit * TEXT_BLOCK + 1);
  const vocab = [...new Set(text)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const ids = Int32Array.from(text, (c) => index.get(c)!);
  const cut = Math.round(ids.length * (1 - testFraction));
  if (ids.length - cut <= TEXT_BLOCK) {
    throw new RangeError(
      `--dataset text: too little held-out text for one ${TEXT_BLOCK}-character window; raise --limit`,
    );
  }
  return {
    name: "text",
    classes: vocab,
    sampleShape: [TEXT_BLOCK],
    isImage: false,
    preprocess: { kind: "none" },
    train: windows(ids.subarray(0, cut + 1), TEXT_BLOCK, TEXT_BLOCK / 2),
    test: windows(ids.subarray(cut), TEXT_BLOCK, TEXT_BLOCK),
  };
}

/** Loads, caps, splits (80/20, seeded) and fits the preprocessing on the training part. */
export async function loadTaskData(
  dataset: string,
  opts: { dataDir?: string; limit?: number; seed?: number; testFraction?: number } = {},
): Promise<TaskData> {
  if (dataset === "text") return loadTextTask(opts.limit, opts.testFraction ?? 0.2);
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
