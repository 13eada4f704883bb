// Variance and standard deviation over dims, with PyTorch's Bessel correction, alone or with the
// mean they are taken about (var_mean, std_mean). All composites: mean, centre, square, sum.

import { checkOptions } from "../core/options.js";
import { numelOf } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { div, mul, sub } from "./arithmetic.js";
import { type DimArg, reduceAttrs, sum } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { sqrt } from "./math.js";
import { mean } from "./reduce.js";
import type { Sample } from "./samples.js";
import { squeeze } from "./view.js";

/** Options of var, std, varMean and stdMean. */
export interface VarOptions {
  /** Bessel's correction: divide by N − correction (default 1, unbiased). */
  correction?: number;
  /** Keep the reduced dims as size 1. */
  keepdim?: boolean;
}

const VAR_KEYS = ["correction", "keepdim"];

/** The variance over `dims` and the mean it is taken about, both shaped as keepdim says. */
function moments(op: string, x: Tensor, dim: DimArg, opts: VarOptions): readonly [Tensor, Tensor] {
  checkOptions(op, opts, VAR_KEYS);
  const { correction = 1, keepdim = false } = opts;
  if (typeof correction !== "number" || !Number.isFinite(correction)) {
    throw new TypeError(`${op}: correction must be a finite number, got ${String(correction)}`);
  }
  const { dims } = reduceAttrs(op, x, dim, true);
  const n = numelOf(dims.map((d) => x.shape[d]!));
  const m = mean(x, dims, true);
  const centred = sub(x, m);
  // NOTE: N − correction ≤ 0 divides by 0, giving inf or NaN as PyTorch does
  const v = div(sum(mul(centred, centred), dims, keepdim), Math.max(n - correction, 0));
  return [v, keepdim ? m : squeeze(m, dims)];
}

/** var, under another name because `var` is a keyword; its doc is on its entry in api/op-functions.ts. */
export function variance(x: Tensor, dim?: DimArg, opts: VarOptions = {}): Tensor {
  return moments("var", x, dim, opts)[0];
}
/** Standard deviation over `dim`, with var's options. */
export function std(x: Tensor, dim?: DimArg, opts: VarOptions = {}): Tensor {
  return sqrt(moments("std", x, dim, opts)[0]);
}
/** The variance and the mean over `dim`, as PyTorch's pair: `const [v, m] = varMean(x, 1)`. */
export function varMean(x: Tensor, dim?: DimArg, opts: VarOptions = {}): readonly [variance: Tensor, mean: Tensor] {
  return moments("varMean", x, dim, opts);
}
/** The standard deviation and the mean over `dim`, as PyTorch's pair: `const [s, m] = stdMean(x)`. */
export function stdMean(x: Tensor, dim?: DimArg, opts: VarOptions = {}): readonly [std: Tensor, mean: Tensor] {
  const [v, m] = moments("stdMean", x, dim, opts);
  return [sqrt(v), m];
}

/** A sample's call: the dims, the options, and for the pairs which part it returns. */
interface MomentAttrs extends VarOptions {
  dim?: number | number[];
  part?: 0 | 1;
}

/** The samples of one function; `torch(args, part)` writes its PyTorch call. */
function momentSamples(
  torch: (args: string, part: string) => string,
  pair: boolean,
): [Sample<MomentAttrs>, ...Sample<MomentAttrs>[]] {
  const p = (part: 0 | 1) => (pair ? { part } : {});
  const at = (part: 0 | 1) => (pair ? `[${part}]` : "");
  return [
    { inputs: [{ shape: [2, 3] }], attrs: { ...p(0) }, torch: torch("x0", at(0)) },
    { inputs: [{ shape: [2, 3] }], attrs: { dim: 1, ...p(1) }, torch: torch("x0, 1", at(1)) },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { dim: [0, -1], keepdim: true, ...p(0) },
      torch: torch("x0, (0, -1), keepdim=True", at(0)),
    },
    {
      inputs: [{ shape: [3, 4] }],
      attrs: { dim: -2, correction: 0, ...p(0) },
      torch: torch("x0, -2, correction=0", at(0)),
    },
    {
      inputs: [{ shape: [2, 5] }],
      attrs: { dim: 1, correction: 2, keepdim: true, ...p(1) },
      torch: torch("x0, 1, correction=2, keepdim=True", at(1)),
    },
    {
      inputs: [{ shape: [4, 1] }],
      attrs: { dim: 0, correction: 0, ...p(0) },
      torch: torch("x0, 0, correction=0", at(0)),
    },
  ];
}

/** A composite of one of the four; `pick` takes the sample's part of a pair. */
function momentComposite(
  name: string,
  torchName: string,
  fn: (x: Tensor, dim: DimArg, opts: VarOptions) => Tensor | readonly [Tensor, Tensor],
) {
  const pair = name.endsWith("Mean");
  const pick = (r: Tensor | readonly [Tensor, Tensor], part: 0 | 1 = 0) => (r instanceof TensorBase ? r : r[part]);
  return defineComposite<MomentAttrs>({
    name,
    call: ([x], { dim, part, ...opts }) => pick(fn(x!, dim, opts), part),
    options: { keys: VAR_KEYS, call: ([x], o) => fn(x!, 1, o) },
    samples: momentSamples((args, part) => `torch.${torchName}(${args})${part}`, pair),
  });
}

/** var's samples. */
export const varComposite = momentComposite("var", "var", variance);
/** std's samples. */
export const stdComposite = momentComposite("std", "std", std);
/** varMean's samples. */
export const varMeanComposite = momentComposite("varMean", "var_mean", varMean);
/** stdMean's samples. */
export const stdMeanComposite = momentComposite("stdMean", "std_mean", stdMean);
