// Sum and expand, each the other's gradient: sum over dims gives back an expanded gradient, and a
// broadcast view's gradient is summed back over the dims it stretched. Also here: the reduction
// machinery every reduction shares, sumToShape and castTo (the engine's reduction of a gradient
// to its input's shape and dtype) and the composites of expand (repeat, tile).

import type { ReduceOp } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { type DType, isFloat } from "../core/dtype.js";
import { fmtShape, normDims, numelOf } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { defineComposite } from "./composite.js";
import { defineOp } from "./define.js";
import { reductionRule, callRule } from "./explain-rule.js";
import { viewOf, zerosRaw } from "./unrecorded.js";
import { reshape, to } from "./view.js";

/** Which dims a reduction removes. */
export interface ReduceAttrs {
  dims: number[];
  keepdim: boolean;
}

/** A dim argument as users pass it. */
export type DimArg = number | readonly number[] | undefined;

/** Shape of the result with reduced dims kept as 1. */
export function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

/** Runs a reduction kernel over `dims` of x. */
export function reduceRaw(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const perm = [...kept, ...dims];
  const permuted = viewOf(
    x,
    perm.map((d) => x.shape[d]!),
    perm.map((d) => x.strides[d]!),
    x.offset,
  );
  const outShape = keepdim ? keptShape(x.shape, dims) : kept.map((d) => x.shape[d]!);
  if (numelOf(dims.map((d) => x.shape[d]!)) === 0 && op !== "sum" && op !== "prod" && numelOf(outShape) > 0) {
    throw new RangeError(`${op}: cannot reduce over a zero-size dimension of a tensor of shape ${fmtShape(x.shape)}`);
  }
  const out = zerosRaw(outShape, outDtype);
  kernels().reduce(op, permuted._view(), dims.length, out.storage.handle, outDtype);
  return out;
}

/** Sum's dtype: ints and bools sum to int32 (PyTorch: int64). */
export const sumType = (d: DType): DType => (isFloat(d) ? d : "int32");

/** A reduction's attributes from the user's dim argument, named for `op` in errors. */
export function reduceAttrs(op: string, x: Tensor, dim: DimArg, keepdim: boolean): ReduceAttrs {
  const dims = normDims(op, dim, x.shape);
  // NOTE: a 0-d tensor accepts dim 0 or -1, as in PyTorch, and has nothing to reduce over
  return { dims: x.ndim === 0 ? [] : dims, keepdim };
}

/** A reduction's gradient (or any tensor of its output's shape) reshaped to keep the reduced dims as 1. */
export function keepDims(t: Tensor, inputShape: readonly number[], { dims, keepdim }: ReduceAttrs): Tensor {
  return keepdim ? t : reshape(t, keptShape(inputShape, dims));
}

/** The sum primitive over dims; `shape` is the input's, all its backward needs. */
export const sumOp = defineOp<ReduceAttrs & { shape: readonly number[] }>({
  name: "sum",
  forward: ([x], { dims, keepdim }) => reduceRaw("sum", x!, dims, keepdim, sumType(x!.dtype)),
  // sum is an add gate: every input element gets the upstream gradient. It saves nothing: only the
  // input's shape is needed, so sum((x+1)) can be differentiated after x+1 was freed or changed
  backward: (g, { attrs }) => [expand(keepDims(g, attrs.shape, attrs), attrs.shape)],
  explain: reductionRule(
    "sum",
    "\\sum",
    "∂(Σx)/∂xᵢ = 1: every summand gets the upstream gradient",
    "\\frac{\\partial \\sum_i x_i}{\\partial x_j} = 1",
    "add",
  ),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { dims: [0, 1], keepdim: false, shape: [2, 3] }, torch: "torch.sum(x0)" },
    { inputs: [{ shape: [2, 3] }], attrs: { dims: [1], keepdim: false, shape: [2, 3] }, torch: "torch.sum(x0, 1)" },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { dims: [0, 2], keepdim: true, shape: [2, 3, 4] },
      torch: "torch.sum(x0, (-1, -3), keepdim=True)",
    },
  ],
});

/**
 * Sum over `dim` (all dims when omitted).
 *
 * @example
 * const x = cr.tensor([[1, 2], [3, 4]]);
 * x.sum(); // 10
 * cr.sum(x, 1, true); // [[3], [7]]
 */
export function sum(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return sumOp([x], { ...reduceAttrs("sum", x, dim, keepdim), shape: x.shape });
}

/** The expand primitive: a broadcast view (size-1 dims stretched, leading dims added). */
export const expandOp = defineOp<{ shape: number[] }>({
  name: "expand",
  forward: ([x], { shape }) => {
    const lead = shape.length - x!.ndim;
    const strides = shape.map((s, i) => {
      if (i < lead) return 0;
      const d = x!.shape[i - lead]!;
      if (d === s) return x!.strides[i - lead]!;
      if (d === 1) return 0;
      throw new RangeError(
        `expand: cannot expand shape ${fmtShape(x!.shape)} to ${fmtShape(shape)} (dim ${i} is ${d}, not 1)`,
      );
    });
    return viewOf(x!, shape, strides, x!.offset);
  },
  // the engine sums the gradient back over the expanded dims (expand is a copy gate)
  backward: (g) => [g],
  explain: callRule(
    "expand",
    1,
    "one value used at many positions: the gradients from all of them add up",
    "\\frac{\\partial L}{\\partial x} = \\sum_{\\text{copies}} G",
    "copy",
  ),
  samples: [
    { inputs: [{ shape: [3, 1] }], attrs: { shape: [2, 3, 4] }, torch: "x0.expand(2, 3, 4)" },
    { inputs: [{ shape: [1, 3] }], attrs: { shape: [2, 3] }, torch: "x0.expand(2, -1)" },
  ],
});

/** A broadcast view (-1 keeps a dim); no data is copied. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new RangeError(`expand: target ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`);
  const s = shape.map((d, i) => (d === -1 ? (i < lead ? -1 : x.shape[i - lead]!) : d));
  if (s.some((d) => d < 0))
    throw new RangeError(`expand: -1 is not allowed for new leading dims in ${fmtShape(shape)}`);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return expandOp([x], { shape: s });
}

/** x broadcast to `shape` as a view sharing x's storage (torch.broadcast_to); -1 keeps a dim's size. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  const fits = (s: number, i: number) => {
    const d = i < lead ? undefined : x.shape[i - lead]!;
    return s === -1 ? d !== undefined : Number.isInteger(s) && s >= 0 && (d === undefined || d === s || d === 1);
  };
  if (lead < 0 || !shape.every(fits)) {
    throw new RangeError(
      `broadcastTo: cannot broadcast shape ${fmtShape(x.shape)} to ${fmtShape(shape)} (aligned from the right, ` +
        "each size must match or be 1; -1 keeps an existing dim's size)",
    );
  }
  return expand(x, shape);
}

/** Repeats the tensor along each dim: out.shape[i] = shape[i] · reps[i] (torch.Tensor.repeat). */
export function repeat(x: Tensor, ...reps: number[]): Tensor {
  const r = reps.length === 1 && Array.isArray(reps[0]) ? (reps[0] as unknown as number[]) : reps;
  if (r.length < x.ndim) {
    throw new RangeError(`repeat: ${r.length} repeat counts given for a ${x.ndim}-d tensor; need at least ${x.ndim}`);
  }
  const shape = [...new Array<number>(r.length - x.ndim).fill(1), ...x.shape];
  const interleaved = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, i) => [r[i]!, s]);
  return reshape(
    expand(reshape(x, interleaved), expanded),
    shape.map((s, i) => s * r[i]!),
  );
}

/** Like repeat, but fewer reps than dims are padded with 1s at the front (torch.tile). */
export function tile(x: Tensor, ...reps: number[]): Tensor {
  const r = reps.length === 1 && Array.isArray(reps[0]) ? (reps[0] as unknown as number[]) : reps;
  return repeat(x, ...new Array<number>(Math.max(0, x.ndim - r.length)).fill(1), ...r);
}

/** broadcastTo's samples. */
export const broadcastToComposite = defineComposite<{ shape: number[] }>({
  name: "broadcastTo",
  call: ([x], { shape }) => broadcastTo(x!, shape),
  samples: [
    { inputs: [{ shape: [3, 1] }], attrs: { shape: [2, -1, 4] }, torch: "torch.broadcast_to(x0, (2, -1, 4))" },
    { inputs: [{ shape: [] }], attrs: { shape: [2, 0] }, torch: "torch.broadcast_to(x0, (2, 0))" },
  ],
});

/** tile's samples: fewer reps than dims (padded with 1s in front) and more (new leading dims). */
export const tileComposite = defineComposite<{ reps: number[] }>({
  name: "tile",
  call: ([x], { reps }) => tile(x!, ...reps),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { reps: [2] }, torch: "torch.tile(x0, (2,))" },
    { inputs: [{ shape: [2, 3] }], attrs: { reps: [2, 1, 2] }, torch: "torch.tile(x0, (2, 1, 2))" },
    { inputs: [{ shape: [1, 2] }], attrs: { reps: [3, 0] }, torch: "torch.tile(x0, (3, 0))" },
  ],
});

/** Reduces a gradient to `shape` by summing the dims broadcasting added or stretched. */
export function sumToShape(g: Tensor, shape: readonly number[], where = "backward"): Tensor {
  if (g.ndim === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0)
    throw new RangeError(`${where}: gradient of shape ${fmtShape(g.shape)} cannot be reduced to ${fmtShape(shape)}`);
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  let out = dims.length ? sum(g, dims, true) : g;
  if (lead > 0 || out.shape.some((s, i) => s !== shape[i - lead])) out = reshape(out, shape);
  if (out.shape.some((s, i) => s !== shape[i])) {
    throw new RangeError(
      `${where}: gradient of shape ${fmtShape(g.shape)} does not match input shape ${fmtShape(shape)}`,
    );
  }
  return out;
}

/** @internal dtype conversion for the engine. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : to(t, dtype);
}
