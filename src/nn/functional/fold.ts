// im2col and col2im with PyTorch's signatures: unfold copies the sliding blocks of an image into
// columns, fold sums columns back onto an image. Both are ops/windows.ts's windows view and fold
// over the zero-padded image, each the other's gradient.

import { nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape, numelOf } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { expectRank, type IntOrTuple, tupleOf, withBatch } from "./args.js";
import { asTensors, atLeast, torchCall } from "./spatial-args.js";

/** Options of unfold and fold. */
export interface UnfoldOptions {
  /** Spacing between the elements of a block (default 1). */
  dilation?: IntOrTuple;
  /** Zeros added on both sides of each spatial dim (default 0). */
  padding?: IntOrTuple;
  /** Step between blocks (default 1). */
  stride?: IntOrTuple;
}

const unfoldKeys = ["dilation", "padding", "stride"] as const;

// NOTE: Tensor.unfold (sliding windows of one dim) has the name "unfold" in the op table; im2col is
// nn.functional's, and its errors and table entry say so.
const UNFOLD = "nn.functional.unfold";

/** The block geometry of unfold/fold over an image of `size`, checked as PyTorch checks it. */
function blocks(op: string, size: readonly number[], kernelSize: IntOrTuple, opts: UnfoldOptions) {
  checkOptions(op, opts, unfoldKeys);
  const kernel = tupleOf(op, "kernelSize", kernelSize, 2);
  const padding = tupleOf(op, "padding", opts.padding ?? 0, 2);
  const stride = tupleOf(op, "stride", opts.stride ?? 1, 2);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, 2);
  atLeast(op, "kernelSize", kernel, 1);
  atLeast(op, "stride", stride, 1);
  atLeast(op, "dilation", dilation, 1);
  atLeast(op, "padding", padding, 0);
  const full = size.map((s, i) => s + 2 * padding[i]!);
  const counts = full.map((s, i) => Math.floor((s - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1);
  if (counts.some((c) => c < 1)) {
    throw new RangeError(
      `${op}: kernel ${fmtShape(kernel)} (dilation ${fmtShape(dilation)}, padding ${fmtShape(padding)}) leaves ` +
        `${fmtShape(counts)} blocks in a ${fmtShape(size)} image; each must be at least one`,
    );
  }
  return { kernel, padding, stride, dilation, full, counts };
}

/**
 * im2col: the sliding blocks of x [N, C, H, W] (or [C, H, W]) as columns [N, C·KH·KW, L], L the
 * number of blocks (torch.nn.functional.unfold).
 */
export function unfold(x: Tensor, kernelSize: IntOrTuple, opts: UnfoldOptions = {}): Tensor {
  expectRank(UNFOLD, x, [3, 4], "[N, C, H, W] or [C, H, W]");
  const b = blocks(UNFOLD, x.shape.slice(-2), kernelSize, opts);
  return withBatch(x, 4, (xb) => {
    const padded = nnFunctions.padSpatial(
      xb,
      b.padding.map((p) => [p, p] as const),
    );
    const cols = nnFunctions.slidingWindows(padded, b.kernel, b.stride, b.dilation);
    return cols.reshape([xb.shape[0]!, xb.shape[1]! * numelOf(b.kernel), -1]);
  });
}

/** col2im: sums columns [N, C·KH·KW, L] (or [C·KH·KW, L]) into an image [N, C, H, W] (torch.nn.functional.fold). */
export function fold(cols: Tensor, outputSize: IntOrTuple, kernelSize: IntOrTuple, opts: UnfoldOptions = {}): Tensor {
  expectRank("fold", cols, [2, 3], "[N, C·KH·KW, L] or [C·KH·KW, L]");
  const size = tupleOf("fold", "outputSize", outputSize, 2);
  const b = blocks("fold", size, kernelSize, opts);
  const [ck, l] = cols.shape.slice(-2) as [number, number];
  const taps = numelOf(b.kernel);
  if (ck % taps !== 0 || l !== numelOf(b.counts)) {
    throw new RangeError(
      `fold: input ${fmtShape(cols.shape)} does not match kernel ${fmtShape(b.kernel)} and ${fmtShape(b.counts)} ` +
        `blocks (expected [N, C·${taps}, ${numelOf(b.counts)}])`,
    );
  }
  return withBatch(cols, 3, (cb) => {
    const windows = cb.reshape([cb.shape[0]!, ck / taps, ...b.kernel, ...b.counts]);
    let out = nnFunctions.foldWindows(windows, b.full, b.kernel, b.stride, b.dilation);
    b.padding.forEach((p, i) => {
      if (p > 0) out = out.slice(2 + i, p, p + size[i]!);
    });
    return out;
  });
}

/** An unfold or fold sample: the kernel, the output size (fold's) and the options. */
interface FoldAttrs {
  kernelSize: IntOrTuple;
  outputSize?: IntOrTuple;
  opts: UnfoldOptions;
}

const unfoldSample = (shape: number[], kernelSize: IntOrTuple, opts: UnfoldOptions = {}) => ({
  inputs: [{ shape }],
  attrs: { kernelSize, opts },
  torch: torchCall("unfold", ["x0", kernelSize], opts),
});

const foldSample = (shape: number[], outputSize: IntOrTuple, kernelSize: IntOrTuple, opts: UnfoldOptions = {}) => ({
  inputs: [{ shape }],
  attrs: { kernelSize, outputSize, opts },
  torch: torchCall("fold", ["x0", outputSize, kernelSize], opts),
});

/** The table entries of unfold and fold. */
export const foldComposites = [
  defineComposite<FoldAttrs>({
    name: UNFOLD,
    call: (xs, a) => unfold(asTensors(xs)[0]!, a.kernelSize, a.opts),
    options: { keys: unfoldKeys, call: (xs, o) => unfold(asTensors(xs)[0]!, 2, o) },
    samples: [
      unfoldSample([1, 2, 4, 5], 2),
      unfoldSample([2, 2, 5, 6], [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2] }),
      unfoldSample([2, 4, 4], 3, { stride: 2, padding: [1, 0], dilation: 1 }),
    ],
  }),
  defineComposite<FoldAttrs>({
    name: "fold",
    call: (xs, a) => fold(asTensors(xs)[0]!, a.outputSize!, a.kernelSize, a.opts),
    options: { keys: unfoldKeys, call: (xs, o) => fold(asTensors(xs)[0]!, [3, 4], 2, o) },
    samples: [
      foldSample([1, 8, 6], [3, 4], 2),
      foldSample([2, 6, 18], [5, 6], [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2] }),
      foldSample([9, 2], 4, 3, { stride: 2, padding: [1, 0], dilation: 1 }),
    ],
  }),
];
