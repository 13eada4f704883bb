// Shape ops. Views (view, permute, slice) share storage and only change strides; their backward
// rules undo the geometry. Copies (contiguous, clone, to, flip) make new buffers. The broadcast
// view (expand) and its composites (repeat, tile) are broadcast.ts's, which builds on these.

import { kernels } from "../backend/registry.js";
import { checkDType, type DType } from "../core/dtype.js";
import { fmtShape, inferShape, normDim, normDims, viewStrides } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { defineComposite } from "./composite.js";
import { defineOp, type Op } from "./define.js";
import { movesRule } from "./explain-rule.js";
import { castRaw, cloneRaw, viewOf, zerosRaw } from "./unrecorded.js";

/** The view primitive: the same elements under a new shape, sharing storage. */
export const viewOp = defineOp<{ shape: number[] }>({
  name: "view",
  forward: ([x], { shape }) => {
    const strides = viewStrides(x!.shape, x!.strides, shape);
    if (!strides) {
      throw new RangeError(
        `view: shape ${fmtShape(shape)} is not compatible with the input's size and strides ` +
          `(shape ${fmtShape(x!.shape)}, strides ${fmtShape(x!.strides)}); use .reshape(), which copies when needed`,
      );
    }
    return viewOf(x!, shape, strides, x!.offset);
  },
  save: { inputs: [0] },
  backward: (g, { inputs: [x] }) => [reshape(g, x!.shape)],
  explain: movesRule("view"),
  samples: [
    { inputs: [{ shape: [2, 6] }], attrs: { shape: [3, 2, 2] }, torch: "x0.view(3, -1, 2)" },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { shape: [4, 6] }, torch: "x0.view(4, -1)" },
  ],
});

/** A view with a new shape (one dim may be -1); fails if the layout does not allow it. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return viewOp([x], { shape: inferShape("view", shape, x.numel(), x.shape) });
}

/** A tensor with a new shape: a view when the layout allows, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape("reshape", shape, x.numel(), x.shape);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  if (viewStrides(x.shape, x.strides, s)) return viewOp([x], { shape: s });
  return viewOp([contiguous(x)], { shape: s });
}

/** The permute primitive: a view with its dims reordered. */
export const permuteOp = defineOp<{ dims: number[] }>({
  name: "permute",
  forward: ([x], { dims }) =>
    viewOf(
      x!,
      dims.map((d) => x!.shape[d]!),
      dims.map((d) => x!.strides[d]!),
      x!.offset,
    ),
  backward: (g, { attrs: { dims } }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [permute(g, ...inverse)];
  },
  explain: movesRule("permute"),
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], attrs: { dims: [2, 0, 1] }, torch: "x0.permute(-1, 0, 1)" },
    { inputs: [{ shape: [2, 3] }], attrs: { dims: [1, 0] }, torch: "x0.transpose(0, 1)" },
  ],
});

/** Reorders dims: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, ...dims: number[]): Tensor {
  const flat = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as unknown as number[]) : dims;
  const nd = flat.map((d) => normDim("permute", d, x.shape));
  if (nd.length !== x.ndim || new Set(nd).size !== nd.length) {
    throw new RangeError(
      `permute: dims ${fmtShape(flat)} are not a permutation of the ${x.ndim} dims of shape ${fmtShape(x.shape)}`,
    );
  }
  return permuteOp([x], { dims: nd });
}

/** Swaps two dims. */
export function transpose(x: Tensor, d0: number, d1: number): Tensor {
  const a = normDim("transpose", d0, x.shape);
  const b = normDim("transpose", d1, x.shape);
  if (a === b) return x;
  const dims = x.shape.map((_, i) => i);
  [dims[a], dims[b]] = [b, a];
  return permuteOp([x], { dims });
}

interface SliceAttrs {
  dim: number;
  start: number;
  end: number;
  step: number;
  inputShape: readonly number[];
}

/** The slice primitive: every step-th element of [start, end) along dim, as a view. */
export const sliceOp: Op<SliceAttrs> = defineOp<SliceAttrs>({
  name: "slice",
  forward: ([x], { dim, start, end, step }) => {
    const shape = [...x!.shape];
    shape[dim] = Math.max(0, Math.ceil((end - start) / step));
    const strides = [...x!.strides];
    strides[dim] = x!.strides[dim]! * step;
    return viewOf(x!, shape, strides, x!.offset + (shape[dim] ? start * x!.strides[dim]! : 0));
  },
  backward: (g, { attrs }) => [sliceBackwardOp([g], attrs)],
  explain: movesRule("slice"),
  samples: [
    {
      inputs: [{ shape: [2, 5] }],
      attrs: { dim: 1, start: 1, end: 4, step: 2, inputShape: [2, 5] },
      torch: "x0[:, 1:4:2]",
    },
    { inputs: [{ shape: [6, 2] }], attrs: { dim: 0, start: 2, end: 6, step: 1, inputShape: [6, 2] }, torch: "x0[-4:]" },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { dim: 2, start: 0, end: 4, step: 3, inputShape: [2, 3, 4] },
      torch: "x0[..., 0:4:3]",
    },
  ],
});

/** The slice's gradient: the slice's values at their places in zeros of the input's shape. */
export const sliceBackwardOp: Op<SliceAttrs> = defineOp<SliceAttrs>({
  name: "sliceBackward",
  gradName: "SliceBackwardBackward",
  // scatters the slice's gradient into zeros of the input's shape
  forward: ([g], { dim, start, step, inputShape }) => {
    const out = zerosRaw(inputShape, g!.dtype);
    const strides = [...out.strides];
    strides[dim] = out.strides[dim]! * step;
    const window = viewOf(out, g!.shape, strides, g!.shape[dim] ? start * out.strides[dim]! : 0);
    kernels().copy(g!._view(), window._view());
    return out;
  },
  backward: (gg, { attrs }) => [sliceOp([gg], attrs)],
  explain: movesRule("sliceBackward"),
  samples: [
    {
      inputs: [{ shape: [2, 2] }],
      attrs: { dim: 1, start: 1, end: 4, step: 2, inputShape: [2, 5] },
      torch: "torch.slice_scatter(torch.zeros(2, 5, dtype=x0.dtype), x0, 1, 1, 4, 2)",
    },
  ],
});

/** Elements start, start+step, … < end along `dim` (Python slice semantics, negatives count from the end). */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normDim("slice", dim, x.shape);
  const n = x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end ?? n), s);
  if (s === 0 && e === n && step === 1) return x;
  return sliceOp([x], { dim: d, start: s, end: e, step, inputShape: x.shape });
}

/** `length` elements of `dim` starting at `start`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim("narrow", dim, x.shape);
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (s < 0 || length < 0 || s + length > n) {
    throw new RangeError(
      `narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${n} ` +
        `(input shape ${fmtShape(x.shape)})`,
    );
  }
  return slice(x, d, s, s + length);
}

/** The sub-tensor at `index` of `dim`, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim("select", dim, x.shape);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new RangeError(
      `select: index ${index} is out of range for dim ${dim} of size ${n} (input shape ${fmtShape(x.shape)})`,
    );
  }
  const i = index < 0 ? index + n : index;
  return squeeze(sliceOp([x], { dim: d, start: i, end: i + 1, step: 1, inputShape: x.shape }), d);
}

/** Resolves the position of a dim to insert into `shape` (-ndim-1 … ndim), naming op and shape when out of range. */
export function newDim(op: string, dim: number, shape: readonly number[]): number {
  const n = shape.length + 1;
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `${op}: dimension ${dim} is out of range for inserting a dim into a tensor of shape ${fmtShape(shape)} ` +
        `(expected ${-n}..${n - 1})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Inserts a size-1 dim at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = newDim("unsqueeze", dim, x.shape);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Removes size-1 dims (all, or those listed). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : normDims("squeeze", dim, x.shape);
  const shape = x.shape.filter((s, i) => !(s === 1 && dims.includes(i)));
  return reshape(x, shape);
}

/** Merges dims start..end into one. */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim("flatten", start, x.shape);
  const e = normDim("flatten", end, x.shape);
  if (s > e) throw new RangeError(`flatten: start dim ${start} comes after end dim ${end}`);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Splits `dim` into `sizes`. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normDim("unflatten", dim, x.shape);
  const inner = inferShape("unflatten", sizes, x.shape[d]!);
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** unflatten's samples: one size may be -1. */
export const unflattenComposite = defineComposite<{ dim: number; sizes: number[] }>({
  name: "unflatten",
  call: ([x], { dim, sizes }) => unflatten(x!, dim, sizes),
  samples: [
    { inputs: [{ shape: [2, 12] }], attrs: { dim: 1, sizes: [3, -1] }, torch: "x0.unflatten(1, (3, -1))" },
    { inputs: [{ shape: [6, 2] }], attrs: { dim: -2, sizes: [1, 6, 1] }, torch: "x0.unflatten(-2, (1, 6, 1))" },
  ],
});

/** The contiguous primitive: a dense copy of a strided view. */
export const contiguousOp = defineOp<undefined>({
  name: "contiguous",
  gradName: "CloneBackward",
  forward: ([x]) => cloneRaw(x!),
  backward: (g) => [g],
  explain: movesRule("contiguous"),
  samples: [{ inputs: [{ shape: [2, 3] }], attrs: undefined, torch: "x0.contiguous()" }],
});

/** x itself if already contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : contiguousOp([x], undefined);
}

/** The clone primitive: a copy with its own storage. */
export const cloneOp = defineOp<undefined>({
  name: "clone",
  forward: ([x]) => cloneRaw(x!),
  backward: (g) => [g],
  explain: movesRule("clone"),
  samples: [{ inputs: [{ shape: [2, 3] }], attrs: undefined, torch: "x0.clone()" }],
});

/** A copy with its own storage; gradients flow through it. */
export function clone(x: Tensor): Tensor {
  return cloneOp([x], undefined);
}

/** The dtype conversion primitive (a copy). */
export const toOp = defineOp<{ dtype: DType }>({
  name: "to",
  gradName: "ToCopyBackward",
  // NOTE: a new buffer even in x's own dtype: an op's output must never be its input (to() itself
  // returns x unchanged before reaching the op)
  forward: ([x], { dtype }) => (x!.dtype === dtype ? cloneRaw(x!) : castRaw(x!, dtype)),
  // the engine casts the gradient back to the input's dtype
  backward: (g) => [g],
  explain: movesRule("to"),
  // NOTE: float64 to float64, as finite differences need; the float32 backend run of the samples
  // converts float32 to float64 with it
  samples: [{ inputs: [{ shape: [2, 3] }], attrs: { dtype: "float64" }, torch: "x0.to(torch.float64)" }],
});

/** A copy converted to `dtype` (x itself when it already has it). */
export function to(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : toOp([x], { dtype: checkDType(dtype, "to") });
}

/** The flip primitive: elements reversed along dims (a copy). */
export const flipOp = defineOp<{ dims: number[] }>({
  name: "flip",
  forward: ([x], { dims }) => {
    let offset = x!.offset;
    const strides = x!.strides.map((s, d) => {
      if (!dims.includes(d)) return s;
      offset += (x!.shape[d]! - 1) * s;
      return -s;
    });
    return cloneRaw(viewOf(x!, x!.shape, strides, x!.shape.includes(0) ? x!.offset : offset));
  },
  backward: (g, { attrs: { dims } }) => [flip(g, dims)],
  explain: movesRule("flip"),
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], attrs: { dims: [0] }, torch: "torch.flip(x0, [0])" },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { dims: [1, 2] }, torch: "torch.flip(x0, [-1, 1])" },
  ],
});

/** Reverses the order of elements along `dims` (a copy, as in PyTorch). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  return flipOp([x], { dims: normDims("flip", dims, x.shape) });
}
