// Sorting along a dim: sort, argsort, msort and topk, all from the one stable sort kernel. NaN
// sorts above every number, as in PyTorch (last ascending, first descending). The values are
// gathered at the sorted indices while x's gradient is recorded, so it routes back to them.

import { checkOptions } from "../core/options.js";
import { fmtShape, normDim } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { ValuesIndices } from "../tensor/values-indices.js";
import { defineComposite } from "./composite.js";
import { routedPair, sortRaw } from "./row-kernels.js";
import type { Sample } from "./samples.js";
import { narrow } from "./view.js";

/** Options of sort and argsort. */
export interface SortOptions {
  /** Largest first (NaN first of all). Default false. */
  descending?: boolean;
  /** Equal values keep their order. The sort is always stable, so this changes nothing. */
  stable?: boolean;
}

/** A dim given where PyTorch takes one, or the options object in its place (`x.sort({ descending: true })`). */
export type DimOrOptions<O> = number | O | undefined;

/** The dim and options of a call whose dim may be left out in favour of the options. */
function dimAndOptions<O extends object>(
  name: string,
  dim: DimOrOptions<O>,
  opts: O,
  keys: readonly string[],
): { dim: number; opts: O } {
  const [d, o] = typeof dim === "object" ? [-1, dim] : [dim ?? -1, opts];
  checkOptions(name, o, keys);
  return { dim: d, opts: o };
}

/**
 * x sorted along dim (the last by default) and the int32 positions the values came from:
 * `const [values, indices] = sort(x, 1, { descending: true })`. Stable; NaN sorts highest.
 */
export function sort(x: Tensor, dim?: DimOrOptions<SortOptions>, opts: SortOptions = {}): ValuesIndices {
  const a = dimAndOptions("sort", dim, opts, ["descending", "stable"]);
  const d = normDim("sort", a.dim, x.shape);
  return routedPair(x, d, sortRaw(x, d, a.opts.descending ?? false));
}

/** The int32 indices that sort x along dim (the last by default): sort(x, dim, opts).indices. */
export function argsort(x: Tensor, dim?: DimOrOptions<SortOptions>, opts: SortOptions = {}): Tensor {
  const a = dimAndOptions("argsort", dim, opts, ["descending", "stable"]);
  return sortRaw(x, normDim("argsort", a.dim, x.shape), a.opts.descending ?? false).indices;
}

/** x sorted along its first dim (torch.msort): sort(x, 0).values. */
export function msort(x: Tensor): Tensor {
  return sort(x, 0).values;
}

/** Options of topk. */
export interface TopkOptions {
  /** The k largest (default) or, false, the k smallest. NaN counts as the largest value. */
  largest?: boolean;
  /** Results in sorted order. They always are, so this changes nothing. */
  sorted?: boolean;
}

/**
 * The k largest (or smallest) values along dim (the last by default) and their int32 indices, in
 * order: `const [values, indices] = topk(x, 3)`.
 */
export function topk(x: Tensor, k: number, dim?: DimOrOptions<TopkOptions>, opts: TopkOptions = {}): ValuesIndices {
  const a = dimAndOptions("topk", dim, opts, ["largest", "sorted"]);
  const d = normDim("topk", a.dim, x.shape);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(
      `topk: k = ${k} is out of range for dim ${a.dim} of size ${size} (input shape ${fmtShape(x.shape)})`,
    );
  }
  const { values, indices } = sortRaw(x, d, a.opts.largest ?? true);
  const first = (t: Tensor) => (x.ndim === 0 ? t : narrow(t, d, 0, k));
  return routedPair(x, d, { values: first(values), indices: first(indices) });
}

/** One part of a pair, or the indices argsort gives. */
type Part = "values" | "indices";

interface SortAttrs extends SortOptions {
  dim?: number;
  part: Part;
}

/** ", dim=1, descending=True" for a torch call: the named arguments that are set. */
export function pyArgs(named: Record<string, number | boolean | undefined>): string {
  const py = (v: number | boolean) => (v === true ? "True" : v === false ? "False" : String(v));
  return Object.entries(named)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `, ${k}=${py(v!)}`)
    .join("");
}

const TIES = [2, 1, 2, 0, 1, 2, 3, 3, 0, 3, 1, 3];
const NANS = [1, NaN, -2, NaN, 0.5, 3, NaN, -1];

function sortSamples(
  torchOf: (a: SortAttrs) => string,
  parts: readonly Part[],
): [Sample<SortAttrs>, ...Sample<SortAttrs>[]] {
  const plain: [readonly number[], Omit<SortAttrs, "part">][] = [
    [[2, 4], {}],
    [[3, 2, 2], { dim: 0, descending: true }],
    [[2, 3, 2], { dim: -2 }],
    [[3, 1], { dim: 1, descending: true }],
    [[], { dim: 0 }],
  ];
  const samples: Sample<SortAttrs>[] = plain.flatMap(([shape, a]) =>
    parts.map((part) => ({
      inputs: [{ shape, grad: part === "values" }],
      attrs: { ...a, part },
      torch: torchOf({ ...a, part }),
    })),
  );
  for (const descending of [false, true]) {
    for (const part of parts) {
      const a = { dim: 1, descending, stable: true, part };
      samples.push(
        {
          inputs: [{ shape: [3, 4], values: TIES, grad: false }],
          attrs: a,
          torch: torchOf(a),
          note: "ties keep their order (stable)",
        },
        {
          inputs: [{ shape: [2, 4], values: NANS, grad: false }],
          attrs: a,
          torch: torchOf(a),
          note: "NaN above every number",
        },
      );
    }
  }
  const ints = { dim: -1, part: parts[0]! };
  samples.push({
    inputs: [{ shape: [2, 3], dtype: "int32", values: [4, -1, 4, 0, 7, -3] }],
    attrs: ints,
    torch: torchOf(ints),
    note: "int32",
  });
  return samples as [Sample<SortAttrs>, ...Sample<SortAttrs>[]];
}

/** sort's samples. */
export const sortComposite = defineComposite<SortAttrs>({
  name: "sort",
  call: ([x], { part, ...o }) => sort(x!, o.dim, { descending: o.descending, stable: o.stable })[part],
  options: { keys: ["descending", "stable"], call: ([x], o) => sort(x!, -1, o) },
  // NOTE: in PyTorch 1.13 a stable sort takes its dim by keyword only
  samples: sortSamples(
    ({ part, dim, ...o }) => `torch.sort(x0${pyArgs({ dim, ...o })}).${part}`,
    ["values", "indices"],
  ),
});

/** argsort's samples. */
export const argsortComposite = defineComposite<SortAttrs>({
  name: "argsort",
  call: ([x], { dim, descending, stable }) => argsort(x!, dim, { descending, stable }),
  differentiable: false,
  options: { keys: ["descending", "stable"], call: ([x], o) => argsort(x!, -1, o) },
  samples: sortSamples(({ part: _, dim, ...o }) => `torch.argsort(x0${pyArgs({ dim, ...o })})`, ["indices"]),
});

/** msort's samples. */
export const msortComposite = defineComposite({
  name: "msort",
  call: ([x]) => msort(x!),
  samples: [
    { inputs: [{ shape: [4, 2] }], attrs: undefined, torch: "torch.msort(x0)" },
    { inputs: [{ shape: [3] }], attrs: undefined, torch: "torch.msort(x0)" },
    {
      inputs: [{ shape: [3, 2], values: [1, NaN, NaN, 0, -1, 2], grad: false }],
      attrs: undefined,
      torch: "torch.msort(x0)",
    },
  ],
});

interface TopkAttrs extends TopkOptions {
  k: number;
  dim?: number;
  part: Part;
}

const topkSample = (shape: number[], a: TopkAttrs, values?: number[]): Sample<TopkAttrs> => ({
  inputs: [{ shape, values, grad: !values && a.part === "values" }],
  attrs: a,
  torch: `torch.topk(x0, ${a.k}${pyArgs({ dim: a.dim, largest: a.largest, sorted: a.sorted })}).${a.part}`,
});

/** topk's samples. */
export const topkComposite = defineComposite<TopkAttrs>({
  name: "topk",
  call: ([x], { k, dim, part, ...o }) => topk(x!, k, dim, o)[part],
  options: { keys: ["largest", "sorted"], call: ([x], o) => topk(x!, 1, -1, o) },
  samples: [
    topkSample([2, 5], { k: 2, part: "values" }),
    topkSample([2, 5], { k: 2, part: "indices" }),
    topkSample([4, 3], { k: 3, dim: 0, largest: false, part: "values" }),
    topkSample([4, 3], { k: 3, dim: -2, largest: false, part: "indices" }),
    topkSample([2, 3, 2], { k: 1, dim: 1, sorted: true, part: "values" }),
    topkSample([3, 4], { k: 0, dim: 1, part: "values" }),
    topkSample([], { k: 1, part: "values" }),
    topkSample([7], { k: 3, part: "indices" }, [1, 2, -2, 1.5, 3, 0, NaN]),
    topkSample([7], { k: 3, largest: false, part: "values" }, [1, 2, -2, 1.5, 3, 0, NaN]),
  ],
});
