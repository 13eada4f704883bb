// searchsorted: where values would go into a sorted sequence, found with one stable sort of both
// (O((n + m) log(n + m)) on any backend) instead of a binary search per value.

import { isFloat, promoteTypes } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import { fmtShape } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { ge, lt } from "./arithmetic.js";
import { defineComposite } from "./composite.js";
import { cumsum } from "./cumulative.js";
import { cat, gather, scatterAdd } from "./index-ops.js";
import type { Sample } from "./samples.js";
import { argsort, pyArgs } from "./sort.js";
import { castRaw, scalarRaw, zerosRaw } from "./unrecorded.js";
import { narrow, reshape } from "./view.js";
import { where } from "./where.js";

/** Options of searchsorted. */
export interface SearchsortedOptions {
  /** The last place each value could go (after equal elements) instead of the first. */
  right?: boolean;
  /** "left" or "right", as `right`; the two must not contradict each other. */
  side?: "left" | "right";
  /** PyTorch's choice of int32 over int64 results; chainrule's indices are always int32. */
  outInt32?: boolean;
  /** Indices that sort `sortedSequence` along its last dim, when it is not sorted itself. */
  sorter?: Tensor;
}

/**
 * Where each value would be inserted into `sortedSequence` (along its last dim) to keep it sorted,
 * int32 of values' shape: `searchsorted(edges, x, { right: true })`. An N-D sequence holds one
 * sorted row per row of values (their leading dims must match).
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts: SearchsortedOptions = {}): Tensor {
  checkOptions("searchsorted", opts, ["right", "side", "outInt32", "sorter"]);
  const { side, sorter } = opts;
  if (side !== undefined && side !== "left" && side !== "right") {
    throw new TypeError(`searchsorted: side must be 'left' or 'right', got ${String(side)}`);
  }
  if (side === "left" && opts.right) throw new RangeError("searchsorted: side 'left' contradicts right: true");
  const right = opts.right === true || side === "right";
  let seq = sortedSequence.detach();
  const scalarType = isFloat(seq.dtype) ? seq.dtype : Number.isInteger(values) ? "int32" : "float32";
  const v = values instanceof TensorBase ? values.detach() : scalarRaw(values, scalarType);
  const shapes = `(sorted sequence ${fmtShape(seq.shape)}, values ${fmtShape(v.shape)})`;
  if (seq.ndim === 0) throw new RangeError(`searchsorted: the sorted sequence needs at least one dim ${shapes}`);
  if (seq.ndim > 1 && (v.ndim !== seq.ndim || seq.shape.slice(0, -1).some((s, i) => s !== v.shape[i]))) {
    throw new RangeError(`searchsorted: the leading dims of the sorted sequence and the values must match ${shapes}`);
  }
  if (sorter) {
    if (sorter.ndim !== seq.ndim || sorter.shape.some((s, i) => s !== seq.shape[i])) {
      throw new RangeError(
        `searchsorted: sorter ${fmtShape(sorter.shape)} must have the sorted sequence's shape ${shapes}`,
      );
    }
    seq = gather(seq, -1, sorter);
  }
  const n = seq.shape.at(-1)!;
  const rows = seq.ndim === 1 ? [1, n] : [-1, n];
  const s = reshape(seq, rows);
  const vr = reshape(v, [s.shape[0]!, -1]);
  const m = vr.shape[1]!;
  // one stable sort of both: each value lands before the equal elements of the sequence (left) or
  // after them (right), and its answer is how many elements of the sequence precede it
  const dt = promoteTypes(s.dtype, vr.dtype);
  const [first, second] = right ? [s, vr] : [vr, s];
  const order = argsort(cat([castRaw(first, dt), castRaw(second, dt)], 1), 1);
  const fromSeq = right ? lt(order, n) : ge(order, m);
  const placed = scatterAdd(zerosRaw(order.shape, "int32"), 1, order, where(fromSeq, 0, cumsum(fromSeq, 1)));
  return reshape(narrow(placed, 1, right ? n : 0, m), v.shape);
}

interface SearchAttrs {
  right?: boolean;
  side?: "left" | "right";
  /** Whether x2 is the sorter. */
  withSorter?: boolean;
}

const SEQ = { shape: [5], values: [1, 3, 5, 7, 9] } as const;
const PROBES = { shape: [2, 3], values: [3, 6, 9, 0, 5, 10] } as const;

const searchSample = (inputs: Sample<SearchAttrs>["inputs"], a: SearchAttrs): Sample<SearchAttrs> => ({
  inputs,
  attrs: a,
  torch: `torch.searchsorted(x0, x1${pyArgs({ right: a.right })}${a.side ? `, side='${a.side}'` : ""}${a.withSorter ? ", sorter=x2" : ""})`,
});

/** searchsorted's samples. */
export const searchsortedComposite = defineComposite<SearchAttrs>({
  name: "searchsorted",
  call: ([s, v, sorter], { withSorter, ...o }) =>
    searchsorted(s!, v!, { ...o, sorter: withSorter ? sorter : undefined }),
  differentiable: false,
  options: { keys: ["right", "side", "outInt32", "sorter"], call: ([s, v], o) => searchsorted(s!, v!, o) },
  samples: [
    searchSample([SEQ, PROBES], {}),
    searchSample([SEQ, PROBES], { right: true }),
    searchSample([SEQ, PROBES], { side: "right" }),
    searchSample([SEQ, PROBES], { side: "left", right: false }),
    searchSample(
      [
        { shape: [4], dtype: "int32", values: [1, 3, 3, 7] },
        { shape: [4], values: [3, 3.5, 0.5, 8] },
      ],
      {},
    ),
    searchSample(
      [
        { shape: [2, 4], values: [1, 2, 3, 4, -2, 0, 0, 5] },
        { shape: [2, 3], values: [2, 2.5, 9, 0, -3, 5] },
      ],
      {
        right: true,
      },
    ),
    searchSample([SEQ, { shape: [], values: [5] }], {}),
    searchSample(
      [
        { shape: [4], values: [5, 3, 7, 1] },
        { shape: [3], values: [3, 6, 1] },
        { shape: [4], dtype: "int32", values: [3, 1, 0, 2] },
      ],
      { withSorter: true },
    ),
  ],
});
