// Max unpooling with PyTorch's signatures: the values of a max pooling written back, at the
// indices it returned, into zero planes of the size the pooling came from (or a given outputSize
// among those that pool to the same size). The work is ops/pool-indices.ts's maxUnpool.

import { nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { type IntOrTuple, tupleOf } from "./args.js";
import { maxPool1d, maxPool2d, maxPool3d, type MaxPoolFunction } from "./pool.js";
import { asCalledBy, asTensors, atLeast, expectSpatial, torchCall } from "./spatial-args.js";

/** Options of max unpooling (torch.nn.functional.max_unpool2d's keywords). */
export interface MaxUnpoolOptions {
  /** The pooling's stride (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** The pooling's padding. */
  padding?: IntOrTuple;
  /** The size to restore: k sizes, or the full k + 2 dims of the pooled input. */
  outputSize?: readonly number[] | null;
}

const unpoolKeys = ["stride", "padding", "outputSize"] as const;

/**
 * The output size: (S − 1)·stride − 2·padding + kernel per dim, or the given size when it is one
 * that pools back to S (strictly within a stride of that default, as PyTorch requires).
 */
function unpoolSize(
  op: string,
  size: number[],
  kernel: number[],
  stride: number[],
  padding: number[],
  given?: readonly number[] | null,
) {
  const k = kernel.length;
  const defaults = size.map((s, i) => (s - 1) * stride[i]! + kernel[i]! - 2 * padding[i]!);
  if (given === null || given === undefined) return defaults;
  const out = given.length === k + 2 ? given.slice(2) : [...given];
  if (out.length !== k) {
    throw new RangeError(`${op}: outputSize must have ${k} or ${k + 2} entries, got ${fmtShape(given)}`);
  }
  out.forEach((o, i) => {
    const [lo, hi] = [defaults[i]! - stride[i]!, defaults[i]! + stride[i]!];
    if (!(Number.isInteger(o) && o > lo && o < hi)) {
      throw new RangeError(
        `${op}: outputSize ${fmtShape(given)} is invalid: dim ${i} must be between ${lo} and ${hi}, exclusive`,
      );
    }
  });
  return out;
}

function maxUnpoolK(
  op: string,
  k: number,
  x: Tensor,
  indices: Tensor,
  kernelSize: IntOrTuple,
  opts: MaxUnpoolOptions,
): Tensor {
  checkOptions(op, opts, unpoolKeys);
  expectSpatial(op, x, k);
  if (indices.dtype !== "int32") {
    throw new TypeError(`${op}: indices must be int32 (as max pooling returns them), got ${indices.dtype}`);
  }
  const kernel = tupleOf(op, "kernelSize", kernelSize, k);
  atLeast(op, "kernelSize", kernel, 1);
  const stride = opts.stride === null || opts.stride === undefined ? kernel : tupleOf(op, "stride", opts.stride, k);
  atLeast(op, "stride", stride, 1);
  const padding = tupleOf(op, "padding", opts.padding ?? 0, k);
  atLeast(op, "padding", padding, 0);
  const size = unpoolSize(op, x.shape.slice(-k), kernel, stride, padding, opts.outputSize);
  if (size.some((s) => s < 1)) throw new RangeError(`${op}: the output size ${fmtShape(size)} is empty`);
  return asCalledBy(op, () => nnFunctions.maxUnpool(x, indices, size));
}

/** Max pooling's inverse over the last dim: zeros but for x at `indices` (as maxPool1d returns them). */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: IntOrTuple, opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolK("maxUnpool1d", 1, x, indices, kernelSize, opts);
}

/** Max pooling's inverse over the last two dims: `maxUnpool2d(...maxPool2d(x, 2, { returnIndices: true }), 2)`. */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: IntOrTuple, opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolK("maxUnpool2d", 2, x, indices, kernelSize, opts);
}

/** Max pooling's inverse over the last three dims. */
export function maxUnpool3d(x: Tensor, indices: Tensor, kernelSize: IntOrTuple, opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolK("maxUnpool3d", 3, x, indices, kernelSize, opts);
}

/** An unpooling sample: the pooling's kernel and options; the unpooling gets those and an outputSize. */
interface UnpoolAttrs {
  kernelSize: IntOrTuple;
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputSize?: number[];
}

type UnpoolFn = typeof maxUnpool2d;

/**
 * An unpooling's table entry. Each sample pools its input with returnIndices and unpools the
 * result, so the indices PyTorch and chainrule compute are compared through where the values land.
 */
function unpoolEntry(name: string, k: number, pool: MaxPoolFunction, fn: UnpoolFn, samples: [number[], UnpoolAttrs][]) {
  const [first, ...rest] = samples.map(([shape, { kernelSize, outputSize, ...opts }]) => ({
    inputs: [{ shape }],
    attrs: { kernelSize, outputSize, ...opts },
    torch: torchCall(
      `max_unpool${k}d`,
      [{ py: `*${torchCall(`max_pool${k}d`, ["x0", kernelSize], { ...opts, returnIndices: true })}` }, kernelSize],
      { ...opts, outputSize },
    ),
  }));
  return defineComposite<UnpoolAttrs>({
    name,
    call: (xs, { kernelSize, ...opts }) => {
      const { stride, padding } = opts;
      const [values, indices] = pool(asTensors(xs)[0]!, kernelSize, { stride, padding, returnIndices: true });
      return fn(values, indices, kernelSize, opts);
    },
    options: {
      keys: unpoolKeys,
      call: (xs, o) => {
        const [values, indices] = pool(asTensors(xs)[0]!, 2, { returnIndices: true });
        return fn(values, indices, 2, o);
      },
    },
    samples: [first!, ...rest],
  });
}

/** The unpoolings' table entries. */
export const unpoolComposites = [
  unpoolEntry("maxUnpool1d", 1, maxPool1d, maxUnpool1d, [
    [[2, 3, 8], { kernelSize: 2 }],
    [[2, 9], { kernelSize: 3, stride: 3, outputSize: [10] }],
  ]),
  unpoolEntry("maxUnpool2d", 2, maxPool2d, maxUnpool2d, [
    [[1, 2, 4, 6], { kernelSize: 2 }],
    [[2, 5, 5], { kernelSize: [2, 3], stride: [2, 3], padding: [1, 1], outputSize: [1, 2, 5, 5] }],
  ]),
  unpoolEntry("maxUnpool3d", 3, maxPool3d, maxUnpool3d, [
    [[1, 1, 2, 4, 6], { kernelSize: 2 }],
    [[1, 3, 4, 5], { kernelSize: [3, 2, 2], stride: [3, 2, 2], outputSize: [3, 4, 5] }],
  ]),
];
