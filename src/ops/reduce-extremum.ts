// max and min in PyTorch's three forms: over every element (a tensor; the gradient split among
// ties, as amax's), along one dim (values and int32 indices of the first extreme; the gradient
// routed to that index alone, through a gather), and against another tensor (the elementwise
// maximum/minimum). Also aminmax, both extremes at once.

import { checkOptions } from "../core/options.js";
import { fmtShape } from "../core/shape.js";
import { type MinMax, minMax } from "../tensor/min-max.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { type ValuesIndices, valuesIndices } from "../tensor/values-indices.js";
import { maximum, minimum } from "./binary-math.js";
import { reduceAttrs } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { gather } from "./index-ops.js";
import { amax, amin, argmax, argmin } from "./reduce.js";
import type { Sample } from "./samples.js";
import { squeeze } from "./view.js";

const FORMS = {
  max: { all: amax, arg: argmax, elementwise: maximum },
  min: { all: amin, arg: argmin, elementwise: minimum },
};

/** max or min in the form its arguments pick: the one body of their overloads and Tensor methods. */
export function extremum(
  name: "max" | "min",
  x: Tensor,
  arg: number | Tensor | undefined,
  keepdim: boolean | undefined,
): Tensor | ValuesIndices {
  const form = FORMS[name];
  if (arg instanceof TensorBase) {
    if (keepdim !== undefined) throw new TypeError(`${name}: keepdim goes with a dim, not with another tensor`);
    return form.elementwise(x, arg);
  }
  if (arg === undefined) {
    if (keepdim !== undefined) throw new TypeError(`${name}: keepdim needs a dim (${name}(x, dim, keepdim))`);
    return form.all(x);
  }
  if (!Number.isInteger(arg)) {
    throw new TypeError(`${name}: expected a dim (an integer) or a tensor, got ${String(arg)}`);
  }
  const keep = keepdim ?? false;
  const { dims } = reduceAttrs(name, x, arg, keep);
  // NOTE: a 0-d tensor accepts dim 0 or -1: its one element is the extreme, at index 0
  if (x.ndim === 0) return valuesIndices(form.all(x), form.arg(x));
  const d = dims[0]!;
  if (x.shape[d] === 0) {
    throw new RangeError(`${name}: cannot reduce over dim ${arg}, of size 0 in shape ${fmtShape(x.shape)}`);
  }
  const indices = form.arg(x, d, true);
  // the values are gathered at the indices, so their gradient goes to those positions only
  const values = gather(x, d, indices);
  return keep ? valuesIndices(values, indices) : valuesIndices(squeeze(values, d), squeeze(indices, d));
}

/** The largest element (torch.max(x)); the gradient is split among ties. */
export function max(x: Tensor): Tensor;
/** The largest values along `dim` and their int32 indices, first on ties: `const [v, i] = max(x, 1)`. */
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
/** The elementwise maximum of x and other, broadcast (torch.max(x, other)). */
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, arg?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  return extremum("max", x, arg, keepdim);
}

/** The smallest element (torch.min(x)); the gradient is split among ties. */
export function min(x: Tensor): Tensor;
/** The smallest values along `dim` and their int32 indices, first on ties: `const [v, i] = min(x, 1)`. */
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
/** The elementwise minimum of x and other, broadcast (torch.min(x, other)). */
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, arg?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  return extremum("min", x, arg, keepdim);
}

/** Options of aminmax. */
export interface AminmaxOptions {
  /** The dim to reduce; every dim when left out. */
  dim?: number;
  /** Keep the reduced dim as size 1. */
  keepdim?: boolean;
}

/**
 * The smallest and largest values over `dim` (every dim by default), as amin and amax give them:
 * `const { min, max } = aminmax(x, { dim: 1 })`, or `const [lo, hi] = aminmax(x)`.
 */
export function aminmax(x: Tensor, opts: AminmaxOptions = {}): MinMax {
  checkOptions("aminmax", opts, ["dim", "keepdim"]);
  const { dim, keepdim = false } = opts;
  if (dim !== undefined && !Number.isInteger(dim)) {
    throw new TypeError(`aminmax: dim must be an integer, got ${String(dim)}`);
  }
  const { dims } = reduceAttrs("aminmax", x, dim, keepdim);
  if (x.numel() === 0 && (dim === undefined || x.ndim === 0 || x.shape[dims[0]!] === 0)) {
    throw new RangeError(`aminmax: cannot reduce over an empty dim (shape ${fmtShape(x.shape)}): it has no identity`);
  }
  return minMax(amin(x, dims, keepdim), amax(x, dims, keepdim));
}

/** A max or min sample: over all (no dim), along a dim (one part of the pair), or against x1. */
interface ExtremumAttrs {
  dim?: number;
  keepdim?: boolean;
  part?: "values" | "indices";
}

function extremumSamples(name: "max" | "min"): [Sample<ExtremumAttrs>, ...Sample<ExtremumAttrs>[]] {
  // NOTE: the indices samples' inputs are not differentiated: their output is an int tensor
  const along = (dim: number, keepdim: boolean, part: "values" | "indices") =>
    `torch.${name}(x0, ${dim}${keepdim ? ", keepdim=True" : ""}).${part}`;
  return [
    { inputs: [{ shape: [2, 3] }], attrs: {}, torch: `torch.${name}(x0)` },
    { inputs: [{ shape: [2, 3] }], attrs: { dim: 1, part: "values" }, torch: along(1, false, "values") },
    { inputs: [{ shape: [2, 3], grad: false }], attrs: { dim: 1, part: "indices" }, torch: along(1, false, "indices") },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { dim: -2, keepdim: true, part: "values" },
      torch: along(-2, true, "values"),
    },
    {
      inputs: [{ shape: [2, 3, 4], grad: false }],
      attrs: { dim: 0, keepdim: true, part: "indices" },
      torch: along(0, true, "indices"),
    },
    { inputs: [{ shape: [3, 1] }], attrs: { dim: 1, part: "values" }, torch: along(1, false, "values") },
    { inputs: [{ shape: [] }], attrs: { dim: 0, part: "values" }, torch: along(0, false, "values") },
    { inputs: [{ shape: [], grad: false }], attrs: { dim: -1, part: "indices" }, torch: along(-1, false, "indices") },
    {
      inputs: [{ shape: [2, 4], values: [1, 3, 3, 0, -2, -2, 5, -2], grad: false }],
      attrs: { dim: 1, part: "indices" },
      torch: along(1, false, "indices"),
      note: "ties: the first index, as PyTorch",
    },
    {
      inputs: [{ shape: [2, 3], dtype: "int32", values: [4, 9, 9, -3, -3, 7] }],
      attrs: { dim: -1, part: "values" },
      torch: along(-1, false, "values"),
      note: "int32 values",
    },
    {
      inputs: [{ shape: [2, 3], values: [1, NaN, 2, NaN, 0.5, NaN], grad: false }],
      attrs: { dim: 1, part: "indices" },
      torch: along(1, false, "indices"),
      note: "NaN wins, at its first position",
    },
    {
      inputs: [{ shape: [2, 3], values: [1, NaN, 2, 3, 0.5, -1], grad: false }],
      attrs: {},
      torch: `torch.${name}(x0)`,
      note: "NaN anywhere makes the extreme NaN",
    },
    { inputs: [{ shape: [2, 3] }, { shape: [3] }], attrs: {}, torch: `torch.${name}(x0, x1)` },
  ];
}

function extremumComposite(name: "max" | "min") {
  const fn = name === "max" ? max : min;
  return defineComposite<ExtremumAttrs>({
    name,
    call: ([x, other], { dim, keepdim, part }) =>
      other ? fn(x!, other) : dim === undefined ? fn(x!) : fn(x!, dim, keepdim)[part ?? "values"],
    samples: extremumSamples(name),
  });
}
/** max's samples. */
export const maxComposite = extremumComposite("max");
/** min's samples. */
export const minComposite = extremumComposite("min");

/** aminmax's samples; `part` picks min or max. */
export const aminmaxComposite = defineComposite<AminmaxOptions & { part: "min" | "max" }>({
  name: "aminmax",
  call: ([x], { part, ...opts }) => aminmax(x!, opts)[part],
  options: { keys: ["dim", "keepdim"], call: ([x], o) => aminmax(x!, o) },
  // NOTE: PyTorch 1.13's aminmax has no derivative; newer PyTorch's is amin's and amax's, so the
  // goldens, gradients included, come from those
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { part: "min" }, torch: "torch.amin(x0)" },
    {
      inputs: [{ shape: [2, 3] }],
      attrs: { part: "max", keepdim: true },
      torch: "torch.amax(x0, (0, 1), keepdim=True)",
    },
    { inputs: [{ shape: [2, 3] }], attrs: { part: "max", dim: 1 }, torch: "torch.amax(x0, 1)" },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { part: "min", dim: -2, keepdim: true },
      torch: "torch.amin(x0, -2, keepdim=True)",
    },
    {
      // NOTE: no gradient checks at ties: the split is a step, so finite differences of it are not
      // smooth (reductions.test.ts checks the split itself)
      inputs: [{ shape: [2, 3], values: [2, 5, 2, -1, -1, 4], grad: false }],
      attrs: { part: "min", dim: 1 },
      torch: "torch.aminmax(x0, dim=1).min",
      note: "ties",
    },
  ],
});
