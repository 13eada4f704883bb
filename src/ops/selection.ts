// Order statistics along a dim, each read off one stable sort: kthvalue, median, nanmedian and
// mode. Their values and int32 indices match PyTorch's CPU results, ties included (the stable
// order decides: median's index is its place in that order, mode's the last of its run), and the
// values are gathered at the indices, so their gradient routes to exactly those positions.

import { fmtShape, normDim } from "../core/shape.js";
import { arange } from "../tensor/create.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { valuesIndices, type ValuesIndices } from "../tensor/values-indices.js";
import { div, gt, ne, sub } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { cummax } from "./cumulative.js";
import { cat, gather } from "./index-ops.js";
import { floor, isnan } from "./math.js";
import { argmax } from "./reduce.js";
import { routedPair, sortRaw } from "./row-kernels.js";
import type { Sample } from "./samples.js";
import { fullRaw } from "./unrecorded.js";
import { narrow, reshape, squeeze, to } from "./view.js";
import { clamp, where } from "./where.js";

/**
 * f along dim with the dim kept (size 1), then squeezed unless keepdim; a 0-d x is a row of one.
 * Every statistic here needs a non-empty row.
 */
function alongRows(
  name: string,
  x: Tensor,
  dim: number,
  keepdim: boolean,
  f: (x: Tensor, d: number, n: number) => ValuesIndices,
): ValuesIndices {
  const d = normDim(name, dim, x.shape);
  if (x.ndim === 0) {
    const r = f(reshape(x, [1]), 0, 1);
    return valuesIndices(reshape(r.values, []), reshape(r.indices, []));
  }
  const n = x.shape[d]!;
  if (n === 0) throw new RangeError(`${name}: dim ${dim} is empty in a tensor of shape ${fmtShape(x.shape)}`);
  const r = f(x, d, n);
  return keepdim ? r : valuesIndices(squeeze(r.values, d), squeeze(r.indices, d));
}

/** Position `pos` (int32, dim kept as 1) of x's stable ascending sort along d: the value and where it came from. */
function sortedAt(x: Tensor, d: number, pos: Tensor | number): ValuesIndices {
  const { values, indices } = sortRaw(x, d, false);
  if (typeof pos === "number")
    return routedPair(x, d, { values: narrow(values, d, pos, 1), indices: narrow(indices, d, pos, 1) });
  return routedPair(x, d, { values: gather(values, d, pos), indices: gather(indices, d, pos) });
}

/** The k-th smallest value along dim (k from 1; NaN is the largest) and its int32 index: `kthvalue(x, 2, 1)`. */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  return alongRows("kthvalue", x, dim, keepdim, (xr, d, n) => {
    if (!Number.isInteger(k) || k < 1 || k > n) {
      throw new RangeError(
        `kthvalue: k = ${k} is out of range for dim ${dim} of size ${n} (input shape ${fmtShape(x.shape)})`,
      );
    }
    return sortedAt(xr, d, k - 1);
  });
}

/** The lower median along d, or the first NaN of a row that has one, or (ignoreNaN) the median of the rest. */
function medianAlong(x: Tensor, d: number, n: number, ignoreNaN: boolean): ValuesIndices {
  const nans = sum(isnan(x), d, true);
  // NaNs sort last, in their original order: the first of them sits at n − nans
  const pos = ignoreNaN
    ? to(floor(div(clamp(sub(sub(n, nans), 1), 0), 2)), "int32")
    : where(gt(nans, 0), sub(n, nans), (n - 1) >> 1);
  return sortedAt(x, d, pos);
}

/** The lower median of all elements (NaN if any is NaN), a 0-d tensor: `median(x)`. */
export function median(x: Tensor): Tensor;
/** The lower median along dim and its int32 index; a row with a NaN gives its first NaN: `const [v, i] = median(x, 1)`. */
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return medianOf("median", x, dim, keepdim, false);
}

/** median, ignoring NaNs (NaN only where a row is all NaN). */
export function nanmedian(x: Tensor): Tensor;
/** The lower median along dim of the values that are not NaN, and its int32 index. */
export function nanmedian(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return medianOf("nanmedian", x, dim, keepdim, true);
}

function medianOf(
  name: string,
  x: Tensor,
  dim: number | undefined,
  keepdim: boolean,
  ignoreNaN: boolean,
): Tensor | ValuesIndices {
  const along = (t: Tensor, d: number) =>
    alongRows(name, t, d, keepdim, (xr, dr, n) => medianAlong(xr, dr, n, ignoreNaN));
  if (dim !== undefined) return along(x, dim);
  // NOTE: PyTorch's median of no elements is NaN
  if (x.numel() === 0) return fullRaw([], NaN, x.dtype);
  return along(reshape(x, [-1]), 0).values;
}

/**
 * The most frequent value along dim (the smallest of equally frequent ones) and the int32 index
 * of its last occurrence, as PyTorch's CPU mode gives: `const [v, i] = mode(x, 1)`.
 */
export function mode(x: Tensor, dim = -1, keepdim = false): ValuesIndices {
  return alongRows("mode", x, dim, keepdim, (xr, d, n) => {
    const { values } = sortRaw(xr, d, false);
    if (n === 1) return sortedAt(xr, d, 0);
    // runs of equal values in sorted order; a NaN is a run of its own
    const differs = ne(narrow(values, d, 1, n - 1), narrow(values, d, 0, n - 1));
    const edge = fullRaw(narrow(values, d, 0, 1).shape, 1, "bool");
    const position = reshape(
      arange(n),
      xr.shape.map((s, i) => (i === d ? n : 1)),
    );
    const runStart = cummax(where(cat([edge, differs], d), position, 0), d).values;
    // each run's length, counted at its last element; the first longest run holds the smallest value
    const length = where(cat([differs, edge], d), sub(position, runStart), -1);
    return sortedAt(xr, d, argmax(length, d, true));
  });
}

type Part = "values" | "indices";

interface SelectionAttrs {
  k?: number;
  dim?: number;
  keepdim?: boolean;
  part?: Part;
}

/** The sample call in both languages: `median(x0, 1, keepdim=True).values`. */
function selectionSample(name: string, shape: number[], a: SelectionAttrs, values?: number[]): Sample<SelectionAttrs> {
  const args = [a.k, a.dim].filter((v) => v !== undefined).map(String);
  if (a.keepdim) args.push("keepdim=True");
  return {
    inputs: [{ shape, values, grad: !values && a.part !== "indices" }],
    attrs: a,
    torch: `torch.${name}(${["x0", ...args].join(", ")})${a.part ? `.${a.part}` : ""}`,
  };
}

const TIES = [1, 2, 2, 1, 3, 2, 0, 0, 1, 1, 0, 1];
const NANS = [1, NaN, 2, NaN, 3, 2, 0.5, -1, 4, 2, 1, 0, NaN, 2, NaN, 2, NaN, 1];
const ALL_NAN = [NaN, NaN, NaN, 1, NaN, 2];

/** kthvalue's samples. */
export const kthvalueComposite = defineComposite<SelectionAttrs>({
  name: "kthvalue",
  call: ([x], { k, dim, keepdim, part }) => kthvalue(x!, k!, dim, keepdim)[part!],
  samples: [
    selectionSample("kthvalue", [2, 5], { k: 2, part: "values" }),
    selectionSample("kthvalue", [2, 5], { k: 5, part: "indices" }),
    selectionSample("kthvalue", [4, 3], { k: 1, dim: 0, keepdim: true, part: "values" }),
    selectionSample("kthvalue", [3, 2, 2], { k: 3, dim: -3, keepdim: true, part: "indices" }),
    selectionSample("kthvalue", [], { k: 1, dim: 0, part: "values" }),
    selectionSample("kthvalue", [2, 4], { k: 4, dim: 1, part: "values" }, [1, NaN, 2, 0, 3, 1, NaN, 5]),
    selectionSample("kthvalue", [2, 4], { k: 3, dim: 1, part: "indices" }, [1, NaN, 2, 0, 3, 1, NaN, 5]),
  ],
});

function medianSamplesOf(name: "median" | "nanmedian", fn: typeof median) {
  return defineComposite<SelectionAttrs>({
    name,
    call: ([x], { dim, keepdim, part }) => (dim === undefined ? fn(x!) : fn(x!, dim, keepdim)[part!]),
    samples: [
      selectionSample(name, [2, 3], {}),
      selectionSample(name, [2, 4], {}),
      selectionSample(name, [2, 5], { dim: 1, part: "values" }),
      selectionSample(name, [2, 5], { dim: 1, part: "indices" }),
      selectionSample(name, [4, 3], { dim: 0, keepdim: true, part: "values" }),
      selectionSample(name, [4, 2, 3], { dim: -3, keepdim: true, part: "indices" }),
      selectionSample(name, [], { dim: -1, part: "values" }),
      selectionSample(name, [2, 6], { dim: 1, part: "indices" }, TIES),
      selectionSample(name, [3, 6], { dim: 1, part: "values" }, NANS),
      selectionSample(name, [3, 6], { dim: -1, part: "indices" }, NANS),
      selectionSample(name, [3, 6], {}, NANS),
      { ...selectionSample(name, [2, 3], { dim: 1, part: "values" }, ALL_NAN), note: "a row of NaNs only" },
    ],
  });
}

/** median's samples. */
export const medianComposite = medianSamplesOf("median", median);
/** nanmedian's samples. */
export const nanmedianComposite = medianSamplesOf("nanmedian", nanmedian);

/** mode's samples. */
export const modeComposite = defineComposite<SelectionAttrs>({
  name: "mode",
  call: ([x], { dim, keepdim, part }) => mode(x!, dim, keepdim)[part!],
  samples: [
    selectionSample("mode", [2, 6], { part: "values" }, TIES),
    selectionSample("mode", [2, 6], { dim: 1, part: "indices" }, TIES),
    selectionSample("mode", [6, 2], { dim: 0, keepdim: true, part: "indices" }, [3, 1, 1, 1, 3, 2, 2, 2, 1, 2, 3, 1]),
    selectionSample("mode", [2, 3], { dim: -1, part: "values" }),
    selectionSample("mode", [2, 3], { dim: 1, part: "indices" }),
    selectionSample("mode", [3, 1], { dim: 1, part: "values" }),
    selectionSample("mode", [], { dim: 0, part: "indices" }),
  ],
});
