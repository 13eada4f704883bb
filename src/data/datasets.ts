// Ready-made classification datasets (Node): the bundled digits, the iris and breast-cancer
// CSVs (header line "rows,features,class names..."), and MNIST-style IDX pairs from a folder;
// plus a seeded train/test split and feature standardisation that can be saved with a model.

import { checkOptions } from "../core/options.js";
import { creation } from "../api/functions.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../api/tensor.js";
import { readCsv, readIdx } from "./files.js";

/** Features x [n, ...], integer labels y [n], and the class names. */
export interface ClassificationData {
  name: string;
  x: Tensor;
  y: Tensor;
  classes: string[];
}

/** The path of a dataset shipped in the package's data/ folder (digits, iris, breast cancer). */
export async function bundledPath(file: "digits.csv.gz" | "iris.csv.gz" | "breast_cancer.csv.gz"): Promise<string> {
  const { fileURLToPath } = await import("node:url");
  return fileURLToPath(new URL(`../../data/${file}`, import.meta.url));
}

/** The path of the digits dataset shipped in the package (data/digits.csv.gz). */
export const bundledDigitsPath = () => bundledPath("digits.csv.gz");

/** UCI's 8×8 hand-written digits: x [1797, 64] with grey levels 0…16, y in 0…9. */
export async function loadDigits(file?: string): Promise<ClassificationData> {
  const path = file ?? (await bundledDigitsPath());
  const { features, labels } = await readCsv(path);
  if (features.shape[1] !== 64) {
    throw new RangeError(`loadDigits: ${path} has ${features.shape[1]} feature columns, expected 64 (8×8 pixels)`);
  }
  return { name: "digits", x: features, y: labels!, classes: Array.from({ length: 10 }, (_, i) => String(i)) };
}

/** A CSV whose first line is "rows,features,class0,class1,…" and whose last column is the label. */
export async function loadCountedCsv(file: string, name = "csv"): Promise<ClassificationData> {
  const { features, labels, header } = await readCsv(file, { headerLines: 1 });
  const [rows, cols, ...classes] = header[0]!.map((f) => f.trim());
  if (Number(rows) !== features.shape[0] || Number(cols) !== features.shape[1]) {
    throw new RangeError(
      `${name}: ${file} header declares ${rows} rows × ${cols} features but holds ${features.shape[0]} × ${features.shape[1]}`,
    );
  }
  const y = labels!;
  if (y.dtype !== "int32" || y.numel() === 0 || y.amin().item() < 0 || y.amax().item() >= classes.length) {
    throw new RangeError(`${name}: ${file} labels must be integers in 0…${classes.length - 1} (${classes.join(", ")})`);
  }
  return { name, x: features, y, classes };
}

/** Fisher's iris (150 × 4, three classes): the bundled copy, or a file in the same CSV layout. */
export const loadIris = async (file?: string) => loadCountedCsv(file ?? (await bundledPath("iris.csv.gz")), "iris");

/** Wisconsin diagnostic breast cancer (569 × 30, malignant/benign): the bundled copy, or a file in the same layout. */
export const loadBreastCancer = async (file?: string) =>
  loadCountedCsv(file ?? (await bundledPath("breast_cancer.csv.gz")), "breast-cancer");

/**
 * An IDX image/label pair from a folder (MNIST's layout): x float32 [n, rows, cols] scaled to
 * 0…1, y int32 [n]. With several pairs (train and t10k), `prefix` picks one; "train" is preferred.
 */
export async function loadIdxFolder(dir: string, prefix?: string): Promise<ClassificationData> {
  const [{ readdir }, { join }] = await Promise.all([import("node:fs/promises"), import("node:path")]);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw new Error(`loadIdxFolder: cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const images = names.filter((n) => /images[-.]idx3-ubyte(\.gz)?$/.test(n));
  const choose = (list: string[]) =>
    (prefix ? list.filter((n) => n.startsWith(prefix)) : list).sort(
      (a, b) => +b.startsWith("train") - +a.startsWith("train"),
    )[0];
  const img = choose(images);
  if (!img)
    throw new Error(
      `loadIdxFolder: no *images-idx3-ubyte[.gz] file${prefix ? ` starting with '${prefix}'` : ""} in ${dir}`,
    );
  const stem = img.slice(0, img.indexOf("images"));
  const lab = names.find((n) => n.startsWith(stem) && /labels[-.]idx1-ubyte(\.gz)?$/.test(n));
  if (!lab) throw new Error(`loadIdxFolder: found ${img} but no matching ${stem}labels-idx1-ubyte[.gz] in ${dir}`);
  const [x, y] = await Promise.all([readIdx(join(dir, img)), readIdx(join(dir, lab))]);
  if (x.ndim !== 3 || y.ndim !== 1 || x.shape[0] !== y.shape[0]) {
    throw new RangeError(
      `loadIdxFolder: ${img} has shape [${x.shape.join(", ")}] and ${lab} [${y.shape.join(", ")}]; expected [n, rows, cols] images and [n] labels`,
    );
  }
  const k = Math.max(9, y.amax().item());
  return {
    name: stem.replace(/[-.]$/, "") || "idx",
    x: x.to("float32").div(255),
    y,
    classes: Array.from({ length: k + 1 }, (_, i) => String(i)),
  };
}

/** Train and test parts of a dataset. */
export interface Split {
  train: ClassificationData;
  test: ClassificationData;
}

/** Shuffles with `seed` and holds out `testFraction` of the rows (or `testSize` rows) for testing. */
export function trainTestSplit(
  data: ClassificationData,
  opts: { testFraction?: number; testSize?: number; seed?: number } = {},
): Split {
  checkOptions("trainTestSplit", opts, ["testFraction", "testSize", "seed"]);
  const n = data.x.shape[0]!;
  const nTest = opts.testSize ?? Math.round(n * (opts.testFraction ?? 0.2));
  if (!Number.isInteger(nTest) || nTest < 1 || nTest >= n) {
    throw new RangeError(`trainTestSplit: a test part of ${nTest} rows does not fit ${n} rows (need 1…${n - 1})`);
  }
  const p = creation.randperm(n, { generator: new Generator(opts.seed ?? 0) }).dataSync() as Int32Array;
  const part = (idx: Int32Array): ClassificationData => {
    const t = creation.tensor(idx, { shape: [idx.length] });
    return { ...data, x: data.x.indexSelect(0, t), y: data.y.indexSelect(0, t) };
  };
  return { test: part(p.subarray(0, nTest)), train: part(p.subarray(nTest)) };
}

/** Per-feature standardisation (x − mean) / std, fitted on training data and reusable on new data. */
export class Standardizer {
  constructor(
    readonly mean: Tensor,
    readonly std: Tensor,
  ) {}

  /** Mean and (population) standard deviation over dim 0; constant features get std 1. */
  static fit(x: Tensor): Standardizer {
    const mean = x.mean(0);
    const std = x.sub(mean).square().mean(0).sqrt();
    return new Standardizer(mean, std.add(std.eq(0).to(std.dtype)));
  }

  /** Rebuilds a standardizer from toJSON()'s output. */
  static fromJSON(o: { mean: number[]; std: number[] }): Standardizer {
    return new Standardizer(creation.tensor(o.mean), creation.tensor(o.std));
  }

  /** Standardised features. */
  apply(x: Tensor): Tensor {
    return x.sub(this.mean).div(this.std);
  }

  /** Plain numbers, e.g. for a safetensors file's metadata. */
  toJSON(): { mean: number[]; std: number[] } {
    return { mean: Array.from(this.mean.dataSync()), std: Array.from(this.std.dataSync()) };
  }
}
