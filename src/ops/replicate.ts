// Ops whose results repeat the input's elements: repeatInterleave (a broadcast and a reshape, or
// an index select for per-element counts), meshgrid's coordinate grids (broadcast views), and
// Tensor.unfold's sliding windows along one dim (a view; overlapping windows share elements).
// The gradients are those of expand, gather and the windows view: copies' gradients add up.

import { kernels } from "../backend/registry.js";
import { checkOptions } from "../core/options.js";
import { fmtShape, normDim } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { expand } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { indexSelect, stack } from "./index-ops.js";
import { wrap } from "./unrecorded.js";
import { flatten, permute, reshape, unsqueeze } from "./view.js";
import { windowsOp } from "./windows.js";

/** Options of repeatInterleave. */
export interface RepeatInterleaveOptions {
  /** The length of the result along dim, when known: checked against the repeat counts. */
  outputSize?: number;
}

/**
 * Repeats each element `repeats` times along `dim`, copies side by side (torch.repeat_interleave):
 * [1, 2] with 2 gives [1, 1, 2, 2]. `repeats` is a count or an int32 tensor of one count per
 * element; without dim, x is flattened first. With x alone, an int32 tensor of counts, it gives
 * the indices 0, 1, … each repeated its count times.
 */
export function repeatInterleave(
  x: Tensor,
  repeats?: number | Tensor,
  dim?: number,
  opts: RepeatInterleaveOptions = {},
): Tensor {
  checkOptions("repeatInterleave", opts, ["outputSize"]);
  if (repeats === undefined) {
    if (x.dtype !== "int32" || x.ndim > 1) {
      throw new TypeError(
        `repeatInterleave: without repeats, the input must be a 1-D int32 tensor of counts, got ${x.dtype} of shape ${fmtShape(x.shape)}`,
      );
    }
    const n = x.numel();
    const indices = wrap(
      kernels().upload(
        "int32",
        Array.from({ length: n }, (_, i) => i),
      ),
      "int32",
      [n],
    );
    return repeatInterleave(indices, x, 0, opts);
  }
  const src = dim === undefined ? flatten(x) : x;
  const d = normDim("repeatInterleave", dim ?? 0, src.shape);
  const n = src.ndim === 0 ? 1 : src.shape[d]!;
  const counts = countsOf(repeats, n);
  const total = counts.reduce((a, b) => a + b, 0);
  if (opts.outputSize !== undefined && opts.outputSize !== total) {
    throw new RangeError(`repeatInterleave: outputSize ${opts.outputSize} does not match the repeats' total ${total}`);
  }
  if (src.ndim === 0) return repeatInterleave(reshape(src, [1]), repeats, 0, opts);
  if (typeof repeats === "number" || repeats.numel() === 1) {
    const r = counts[0] ?? 0;
    const spread = [...src.shape.slice(0, d + 1), r, ...src.shape.slice(d + 1)];
    const shape = src.shape.map((s, i) => (i === d ? s * r : s));
    return reshape(expand(unsqueeze(src, d + 1), spread), shape);
  }
  const index = new Int32Array(total);
  let at = 0;
  counts.forEach((c, i) => index.fill(i, at, (at += c)));
  return indexSelect(src, d, wrap(kernels().upload("int32", index), "int32", [total]));
}

/** The repeat count of each of n elements, checked. */
function countsOf(repeats: number | Tensor, n: number): number[] {
  let counts: number[];
  if (typeof repeats === "number") {
    counts = new Array<number>(n).fill(repeats);
  } else {
    if (repeats.dtype !== "int32" || repeats.ndim > 1) {
      throw new TypeError(
        `repeatInterleave: repeats must be a number or a 0-d or 1-D int32 tensor, got ${repeats.dtype} of shape ${fmtShape(repeats.shape)}`,
      );
    }
    const values = Array.from(repeats.dataSync());
    if (values.length !== 1 && values.length !== n) {
      throw new RangeError(
        `repeatInterleave: repeats has ${values.length} counts but the input has ${n} elements along dim`,
      );
    }
    counts = values.length === 1 ? new Array<number>(n).fill(values[0]!) : values;
  }
  const bad = counts.find((c) => !Number.isInteger(c) || c < 0);
  if (bad !== undefined) throw new RangeError(`repeatInterleave: repeats must be non-negative integers, got ${bad}`);
  return counts;
}

/** Options of meshgrid. */
export interface MeshgridOptions {
  /** "ij" (default): output dim i runs along input i. "xy": the first two dims swapped (Cartesian, as NumPy's default). */
  indexing?: "ij" | "xy";
}

/** The tensors meshgrid takes, one by one or as a list, with its options last. */
export type MeshgridArgs = Tensor[] | [...Tensor[], MeshgridOptions] | [readonly Tensor[], MeshgridOptions?];

/**
 * Coordinate grids of 0-d or 1-D tensors (torch.meshgrid): meshgrid(xs, ys) of sizes 2 and 3
 * gives two [2, 3] grids, the first varying along dim 0, the second along dim 1. Each grid is
 * a broadcast view of its input. Takes the tensors as arguments or as one array, options last.
 */
export function meshgrid(...args: MeshgridArgs): Tensor[] {
  const last = args[args.length - 1];
  const opts = last !== undefined && !(last instanceof TensorBase) && !Array.isArray(last) ? last : {};
  checkOptions("meshgrid", opts, ["indexing"]);
  const tensors = (Array.isArray(args[0]) ? args[0] : args.filter((a) => a instanceof TensorBase)) as Tensor[];
  const indexing = (opts as MeshgridOptions).indexing ?? "ij";
  if (indexing !== "ij" && indexing !== "xy") {
    throw new RangeError(`meshgrid: indexing must be "ij" or "xy", got ${JSON.stringify(indexing)}`);
  }
  if (!tensors.length) throw new RangeError("meshgrid: expects at least one tensor");
  tensors.forEach((t, k) => {
    if (t.ndim > 1) throw new RangeError(`meshgrid: tensor ${k} has shape ${fmtShape(t.shape)}; expected 0-d or 1-D`);
    if (t.dtype !== tensors[0]!.dtype) {
      throw new TypeError(`meshgrid: tensor ${k} is ${t.dtype} but tensor 0 is ${tensors[0]!.dtype}; all must match`);
    }
  });
  // "xy" swaps the first two output dims: input 0 runs along dim 1 and input 1 along dim 0
  const position = (k: number) => (indexing === "xy" && k < 2 && tensors.length > 1 ? 1 - k : k);
  const shape = new Array<number>(tensors.length);
  tensors.forEach((t, k) => (shape[position(k)] = t.numel()));
  return tensors.map((t, k) => {
    const along = shape.map((s, i) => (i === position(k) ? s : 1));
    return expand(reshape(t, along), shape);
  });
}

/**
 * The windows of `size` elements along `dim`, starting every `step` elements, as a new last dim
 * (Tensor.unfold, a view): unfold(x, 0, 2, 1) of [1, 2, 3] is [[1, 2], [2, 3]].
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const d = normDim("unfold", dim, x.shape);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(size) || size < 0 || size > n) {
    throw new RangeError(
      `unfold: size ${size} does not fit dim ${dim} of size ${n} (input shape ${fmtShape(x.shape)}); it must be 0..${n}`,
    );
  }
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`unfold: step must be a positive integer, got ${step}`);
  if (x.ndim === 0) return reshape(unfold(reshape(x, [1]), 0, size, step), [size]);
  // windows over the last dim come out as [...others, size, count]; count goes back to dim d
  const last = x.ndim - 1;
  const moved = d === last ? x : permute(x, ...x.shape.map((_, i) => i).filter((i) => i !== d), d);
  const windows = windowsOp([moved], { kernel: [size], stride: [step], dilation: [1], size: [n] });
  const order = x.shape.map((_, i) => (i === d ? last + 1 : i < d ? i : i - 1));
  return permute(windows, ...order, last);
}

/** repeatInterleave's samples. */
export const repeatInterleaveComposite = defineComposite<{ repeats?: number; dim?: number }>({
  name: "repeatInterleave",
  call: ([x, r], { repeats, dim }) => repeatInterleave(x!, r ?? repeats, dim),
  options: { keys: ["outputSize"], call: ([x], o) => repeatInterleave(x!, 2, undefined, o) },
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { repeats: 2 }, torch: "torch.repeat_interleave(x0, 2)", note: "flattened" },
    { inputs: [{ shape: [2, 3] }], attrs: { repeats: 3, dim: -2 }, torch: "torch.repeat_interleave(x0, 3, -2)" },
    { inputs: [{ shape: [2, 3] }], attrs: { repeats: 0, dim: 1 }, torch: "torch.repeat_interleave(x0, 0, 1)" },
    {
      inputs: [{ shape: [2, 3] }, { shape: [3], dtype: "int32", values: [1, 0, 3] }],
      attrs: { dim: 1 },
      torch: "torch.repeat_interleave(x0, x1, 1)",
    },
    {
      inputs: [{ shape: [2, 1] }, { shape: [1], dtype: "int32", values: [2] }],
      attrs: { dim: 1 },
      torch: "torch.repeat_interleave(x0, x1, 1)",
    },
    { inputs: [{ shape: [] }], attrs: { repeats: 3 }, torch: "torch.repeat_interleave(x0, 3)" },
    {
      inputs: [{ shape: [3], dtype: "int32", values: [2, 0, 1] }],
      attrs: {},
      torch: "torch.repeat_interleave(x0)",
      note: "counts alone: indices",
    },
  ],
});

/** meshgrid's samples, its grids stacked into one tensor. */
export const meshgridComposite = defineComposite<MeshgridOptions>({
  name: "meshgrid",
  call: (xs, o) => stack(meshgrid(xs, o)),
  options: { keys: ["indexing"], call: (xs, o) => meshgrid(xs, o as MeshgridOptions) },
  samples: [
    {
      inputs: [{ shape: [2] }, { shape: [3] }],
      attrs: { indexing: "ij" },
      torch: "torch.stack(torch.meshgrid(x0, x1, indexing='ij'))",
    },
    {
      inputs: [{ shape: [2] }, { shape: [3] }, { shape: [4] }],
      attrs: { indexing: "xy" },
      torch: "torch.stack(torch.meshgrid(x0, x1, x2, indexing='xy'))",
    },
    {
      inputs: [{ shape: [2] }, { shape: [] }],
      attrs: { indexing: "xy" },
      torch: "torch.stack(torch.meshgrid(x0, x1, indexing='xy'))",
    },
    { inputs: [{ shape: [3] }], attrs: {}, torch: "torch.stack(torch.meshgrid(x0, indexing='ij'))" },
  ],
});

/** unfold's samples (the Tensor method). */
export const unfoldComposite = defineComposite<{ dim: number; size: number; step: number }>({
  name: "unfold",
  call: ([x], { dim, size, step }) => unfold(x!, dim, size, step),
  samples: [
    { inputs: [{ shape: [2, 5] }], attrs: { dim: 1, size: 2, step: 1 }, torch: "x0.unfold(1, 2, 1)" },
    { inputs: [{ shape: [5, 2, 3] }], attrs: { dim: 0, size: 3, step: 2 }, torch: "x0.unfold(0, 3, 2)" },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { dim: -2, size: 3, step: 5 }, torch: "x0.unfold(-2, 3, 5)" },
    { inputs: [{ shape: [2, 3] }], attrs: { dim: 1, size: 0, step: 1 }, torch: "x0.unfold(1, 0, 1)" },
    { inputs: [{ shape: [] }], attrs: { dim: 0, size: 1, step: 1 }, torch: "x0.unfold(0, 1, 1)" },
  ],
});
