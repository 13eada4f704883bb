// Classification data on any platform: features with integer labels and class names, a seeded
// train/test split, and feature standardisation that can be saved with a model.

import { checkOptions } from "../core/options.js";
import { creation } from "../api/functions.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../api/tensor.js";

/** Features x [n, ...], integer labels y [n], and the class names. */
export interface ClassificationData {
  /** The dataset's name. */
  name: string;
  /** Features [n, ...]. */
  x: Tensor;
  /** Integer class labels [n]. */
  y: Tensor;
  /** The class names, indexed by label. */
  classes: string[];
}

/** Train and test parts of a dataset. */
export interface Split {
  /** The training part. */
  train: ClassificationData;
  /** The held-out test part. */
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
    /** Per-feature mean. */
    readonly mean: Tensor,
    /** Per-feature standard deviation (1 for constant features). */
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
  toJSON(): {
    /** Per-feature mean. */
    mean: number[];
    /** Per-feature standard deviation. */
    std: number[];
  } {
    return { mean: Array.from(this.mean.dataSync()), std: Array.from(this.std.dataSync()) };
  }
}
