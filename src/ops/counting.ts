// Counting, each from one stable sort and scatter/gather: unique (elements or slices along a dim),
// bincount and histc. None of their index or count results has a gradient, and unique's and
// histc's values have none either, as in PyTorch.

import { type DType, isFloat } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import { fmtShape, normDim } from "../core/shape.js";
import { arange } from "../tensor/create.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { div, ge, gt, le, logicalAnd, mul, ne, sub } from "./arithmetic.js";
import { reduceRaw, sum } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { cumsum } from "./cumulative.js";
import { cat, gather, indexSelect, scatterAdd } from "./index-ops.js";
import { sortRaw } from "./row-kernels.js";
import type { Sample } from "./samples.js";
import { argsort, pyArgs } from "./sort.js";
import { castRaw, fullRaw, zerosRaw } from "./unrecorded.js";
import { narrow, reshape, select, to, transpose } from "./view.js";
import { clamp, where } from "./where.js";

/** Options of unique. */
export interface UniqueOptions {
  /** Ascending order. The result always is sorted (as PyTorch's CPU unique is), so this changes nothing. */
  sorted?: boolean;
  /** Also return, for each element (or slice), the int32 index of its value in the result. */
  returnInverse?: boolean;
  /** Also return how often each unique value (or slice) occurs, int32. */
  returnCounts?: boolean;
  /** The unique slices along this dim instead of the unique elements. */
  dim?: number;
}

/** unique's result when the inverse or the counts are asked for: PyTorch's tuple, in its order. */
export type UniqueTuple<T = Tensor> = readonly [output: T, ...more: T[]];

/** The unique values, the index of each element's run in them, and each run's length. */
interface Runs {
  output: Tensor;
  inverse: Tensor;
  counts: Tensor;
}

/**
 * The runs of equal neighbours in a sorted order of n items: `differs` (bool, n − 1) says where a
 * new run starts. Returns each item's run (int32, in sorted order), where each run starts, and how
 * many items each run holds.
 */
function runsOf(differs: Tensor, n: number): { run: Tensor; starts: Tensor; counts: Tensor } {
  const startsHere = cat([fullRaw([1], 1, "bool"), differs], 0);
  const run = sub(cumsum(startsHere, 0), 1);
  const m = sum(startsHere).item();
  const starts = scatterAdd(zerosRaw([m], "int32"), 0, run, where(startsHere, arange(n), 0));
  const counts = scatterAdd(zerosRaw([m], "int32"), 0, run, fullRaw([n], 1, "int32"));
  return { run, starts, counts };
}

/** The unique elements of x, sorted; NaNs are each their own (NaN ≠ NaN). */
function uniqueElements(x: Tensor): Runs {
  const n = x.numel();
  const flat = reshape(x, [n]);
  if (n === 0) return { output: flat, inverse: zerosRaw(x.shape, "int32"), counts: zerosRaw([0], "int32") };
  const { values, indices } = sortRaw(flat, 0, false);
  const { run, starts, counts } = runsOf(ne(narrow(values, 0, 1, n - 1), narrow(values, 0, 0, n - 1)), n);
  const inverse = reshape(scatterAdd(zerosRaw([n], "int32"), 0, indices, run), x.shape);
  return { output: gather(values, 0, starts), inverse, counts };
}

/** The unique slices of x along d, in lexicographic order. */
function uniqueSlices(x: Tensor, d: number): Runs {
  const n = x.shape[d]!;
  if (n === 0) return { output: x, inverse: zerosRaw([0], "int32"), counts: zerosRaw([0], "int32") };
  const rows = reshape(transpose(x, 0, d), [n, -1]);
  // a lexicographic order: stable sorts by each column, the last first
  let order = arange(n);
  for (let c = rows.shape[1]! - 1; c >= 0; c--) {
    order = gather(order, 0, argsort(gather(select(rows, 1, c), 0, order), 0));
  }
  const sorted = indexSelect(rows, 0, order);
  const differs = gt(sum(ne(narrow(sorted, 0, 1, n - 1), narrow(sorted, 0, 0, n - 1)), 1), 0);
  const { run, starts, counts } = runsOf(differs, n);
  const inverse = scatterAdd(zerosRaw([n], "int32"), 0, order, run);
  return { output: indexSelect(x, d, gather(order, 0, starts)), inverse, counts };
}

/** The unique elements of x (or slices along `dim`), sorted: `unique(x)`. */
export function unique(x: Tensor, opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
/**
 * With the inverse or the counts: PyTorch's tuple of the ones asked for, in its order (output,
 * inverse, counts), e.g. `const [values, counts] = unique(x, { returnCounts: true })`.
 */
export function unique(x: Tensor, opts: UniqueOptions): Tensor | UniqueTuple;
export function unique(x: Tensor, opts: UniqueOptions = {}): Tensor | UniqueTuple {
  checkOptions("unique", opts, ["sorted", "returnInverse", "returnCounts", "dim"]);
  const xd = x.detach();
  const r = opts.dim === undefined ? uniqueElements(xd) : uniqueSlices(xd, normDim("unique", opts.dim, x.shape));
  if (!opts.returnInverse && !opts.returnCounts) return r.output;
  return [r.output, ...(opts.returnInverse ? [r.inverse] : []), ...(opts.returnCounts ? [r.counts] : [])];
}

/** Options of bincount. */
export interface BincountOptions {
  /** A weight per element (1-D, the input's length): the bins sum them instead of counting. */
  weights?: Tensor;
  /** The least number of bins. */
  minlength?: number;
}

/**
 * How often each value 0, 1, … occurs in a 1-D int tensor (int32), or the sum of its weights
 * (float weights keep their dtype; others give float64): `bincount(labels, { minlength: 10 })`.
 */
export function bincount(x: Tensor, opts: BincountOptions = {}): Tensor {
  checkOptions("bincount", opts, ["weights", "minlength"]);
  const { weights, minlength = 0 } = opts;
  if (x.ndim !== 1 || isFloat(x.dtype)) {
    throw new TypeError(
      `bincount: expected a 1-D tensor of non-negative ints, got ${x.dtype} of shape ${fmtShape(x.shape)}`,
    );
  }
  if (!Number.isInteger(minlength) || minlength < 0) {
    throw new RangeError(`bincount: minlength must be a non-negative integer, got ${minlength}`);
  }
  if (weights && (weights.ndim !== 1 || weights.shape[0] !== x.shape[0])) {
    throw new RangeError(
      `bincount: weights of shape ${fmtShape(weights.shape)} do not match the input of shape ${fmtShape(x.shape)}`,
    );
  }
  const n = x.shape[0]!;
  const xi = castRaw(x, "int32");
  let size = minlength;
  if (n > 0) {
    const lo = reduceRaw("min", xi, [0], false, "int32").item();
    if (lo < 0) throw new RangeError(`bincount: the input holds ${lo}; it counts non-negative ints only`);
    size = Math.max(size, reduceRaw("max", xi, [0], false, "int32").item() + 1);
  }
  if (!weights) return scatterAdd(zerosRaw([size], "int32"), 0, xi, fullRaw([n], 1, "int32"));
  const dt: DType = isFloat(weights.dtype) ? weights.dtype : "float64";
  return scatterAdd(zerosRaw([size], dt), 0, xi, to(weights, dt));
}

/** Options of histc. */
export interface HistcOptions {
  /** Number of equal-width bins (default 100). */
  bins?: number;
  /** The range's lower end; when min and max are equal (both 0 by default), the data's own min and max. */
  min?: number;
  /** The range's upper end. */
  max?: number;
}

/**
 * A histogram of x's elements in `bins` equal bins over [min, max] (the last bin includes max;
 * elements outside are left out), in x's float dtype: `histc(x, { bins: 4, min: 0, max: 1 })`.
 */
export function histc(x: Tensor, opts: HistcOptions = {}): Tensor {
  checkOptions("histc", opts, ["bins", "min", "max"]);
  const { bins = 100 } = opts;
  let [lo, hi] = [opts.min ?? 0, opts.max ?? 0];
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histc: bins must be a positive integer, got ${bins}`);
  if (lo > hi) throw new RangeError(`histc: max (${hi}) must be larger than min (${lo})`);
  const xf = castRaw(x.detach(), isFloat(x.dtype) ? x.dtype : "float32");
  const all = xf.shape.map((_, i) => i);
  if (lo === hi && xf.numel() > 0) {
    [lo, hi] = [reduceRaw("min", xf, all, false, xf.dtype).item(), reduceRaw("max", xf, all, false, xf.dtype).item()];
  }
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RangeError(`histc: the range [${lo}, ${hi}] is not finite (input shape ${fmtShape(x.shape)})`);
  }
  const inside = reshape(logicalAnd(ge(xf, lo), le(xf, hi)), [-1]);
  // the bin as PyTorch computes it, in x's dtype: ⌊(x − min)·bins / (max − min)⌋, max in the last
  const bin = clamp(to(div(mul(sub(xf, lo), bins), hi - lo), "int32"), 0, bins - 1);
  return scatterAdd(zerosRaw([bins], xf.dtype), 0, where(inside, reshape(bin, [-1]), 0), to(inside, xf.dtype));
}

interface UniqueAttrs {
  dim?: number;
  returnInverse?: boolean;
  returnCounts?: boolean;
  /** Which part of the tuple the sample shows. */
  take?: number;
}

const uniqueSample = (input: Sample<UniqueAttrs>["inputs"][0], a: UniqueAttrs, note?: string): Sample<UniqueAttrs> => ({
  inputs: [input],
  attrs: a,
  torch:
    `torch.unique(x0, sorted=True${pyArgs({ return_inverse: a.returnInverse, return_counts: a.returnCounts, dim: a.dim })})` +
    (a.take === undefined ? "" : `[${a.take}]`),
  note,
});

const INTS = { shape: [8], dtype: "int32", values: [3, 1, 2, 1, 3, 3, 0, 2] } as const;
const ROWS = { shape: [4, 2], dtype: "int32", values: [3, 1, 2, 1, 3, 1, 2, 0] } as const;
const COLUMNS = { shape: [2, 4], values: [1, 0.5, 1, 0.5, 2, -1, 2, -1] } as const;

/** unique's samples, one part of its tuple each. */
export const uniqueComposite = defineComposite<UniqueAttrs>({
  name: "unique",
  call: ([x], { take, ...o }) => {
    const r = unique(x!, o);
    return take === undefined ? (r as Tensor) : (r as UniqueTuple)[take]!;
  },
  differentiable: false,
  options: { keys: ["sorted", "returnInverse", "returnCounts", "dim"], call: ([x], o) => unique(x!, o) },
  samples: [
    uniqueSample(INTS, {}),
    uniqueSample(INTS, { returnInverse: true, take: 1 }),
    uniqueSample(INTS, { returnCounts: true, take: 1 }),
    uniqueSample(INTS, { returnInverse: true, returnCounts: true, take: 2 }),
    uniqueSample(
      { shape: [2, 3], values: [0.5, -1, 0.5, 2, -1, 0.5] },
      { returnInverse: true, take: 1 },
      "the inverse has x's shape",
    ),
    uniqueSample({ shape: [5], domain: "bool" }, { returnCounts: true, take: 0 }),
    uniqueSample(ROWS, { dim: 0 }, "unique rows, in lexicographic order"),
    uniqueSample(ROWS, { dim: 0, returnInverse: true, returnCounts: true, take: 1 }),
    uniqueSample(ROWS, { dim: -2, returnCounts: true, take: 1 }),
    uniqueSample(COLUMNS, { dim: 1, returnInverse: true, take: 0 }),
    uniqueSample(COLUMNS, { dim: 1, returnInverse: true, take: 1 }),
  ],
});

interface BincountAttrs {
  minlength?: number;
  /** Whether x1 is the weights. */
  weighted?: boolean;
}

const bincountSample = (inputs: Sample<BincountAttrs>["inputs"], a: BincountAttrs): Sample<BincountAttrs> => ({
  inputs,
  attrs: a,
  torch: `torch.bincount(x0${a.weighted ? ", weights=x1" : ""}${pyArgs({ minlength: a.minlength })})`,
});

/** bincount's samples. */
export const bincountComposite = defineComposite<BincountAttrs>({
  name: "bincount",
  call: ([x, w], { minlength, weighted }) => bincount(x!, { minlength, weights: weighted ? w : undefined }),
  differentiable: false,
  options: { keys: ["weights", "minlength"], call: ([x], o) => bincount(x!, o) },
  samples: [
    bincountSample([{ shape: [9], domain: "index", bound: 5 }], {}),
    bincountSample([{ shape: [6], domain: "index", bound: 3 }], { minlength: 7 }),
    bincountSample([{ shape: [6], domain: "index", bound: 4 }, { shape: [6] }], { weighted: true }),
    bincountSample(
      [
        { shape: [5], dtype: "int32", values: [4, 0, 4, 1, 0] },
        { shape: [5], domain: "index", bound: 9 },
      ],
      {
        weighted: true,
        minlength: 2,
      },
    ),
    bincountSample([{ shape: [0], dtype: "int32", values: [] }], { minlength: 3 }),
  ],
});

/** histc's samples. */
export const histcComposite = defineComposite<HistcOptions>({
  name: "histc",
  call: ([x], o) => histc(x!, o),
  differentiable: false,
  options: { keys: ["bins", "min", "max"] },
  samples: [
    { inputs: [{ shape: [12] }], attrs: { bins: 4 }, torch: "torch.histc(x0, bins=4)" },
    {
      inputs: [{ shape: [3, 4] }],
      attrs: { bins: 5, min: -1, max: 1 },
      torch: "torch.histc(x0, bins=5, min=-1, max=1)",
    },
    {
      inputs: [{ shape: [7], values: [0, 1, 0.5, 0.25, 1, -0.1, 1.1] }],
      attrs: { bins: 4, min: 0, max: 1 },
      torch: "torch.histc(x0, bins=4, min=0, max=1)",
      note: "edges: max falls in the last bin; values outside are left out",
    },
    { inputs: [{ shape: [3], values: [2, 2, 2] }], attrs: { bins: 4 }, torch: "torch.histc(x0, bins=4)" },
    { inputs: [{ shape: [2, 5] }], attrs: {}, torch: "torch.histc(x0)" },
  ],
});
