// Convolutions with PyTorch's signatures: conv1d/conv2d, their transposes, unfold (im2col) and
// fold (col2im). Arguments are checked here and the work is ops/conv.ts's: windows view, one
// im2col copy, one matmul.

import { nnFunctions } from "../../api/functions.js";
import { fmtShape, numelOf } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";
import { expectRank, type IntOrTuple, tupleOf, withBatch } from "./args.js";

/** Options of conv1d/conv2d (torch.nn.functional.conv2d's keywords). */
export interface ConvOptions {
  stride?: IntOrTuple;
  /** Zeros added on both sides of each spatial dim; 'valid' is 0, 'same' keeps the size (stride 1). */
  padding?: IntOrTuple | "valid" | "same";
  dilation?: IntOrTuple;
  groups?: number;
}

/** [before, after] zero padding per spatial dim, resolving 'same' and 'valid'. */
export function convPadding(
  op: string,
  padding: ConvOptions["padding"],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): [number, number][] {
  const k = kernel.length;
  if (padding === "valid" || padding === undefined) return kernel.map(() => [0, 0]);
  if (padding === "same") {
    if (stride.some((s) => s !== 1))
      throw new RangeError(`${op}: padding='same' needs stride 1, got ${fmtShape(stride)}`);
    // an even total splits with the extra zero at the end, as PyTorch does
    return kernel.map((kk, i) => {
      const total = dilation[i]! * (kk - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  const p = tupleOf(op, "padding", padding, k);
  if (p.some((v) => v < 0)) throw new RangeError(`${op}: padding must be non-negative, got ${fmtShape(p)}`);
  return p.map((v) => [v, v]);
}

function convK(
  op: string,
  k: number,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvOptions,
): Tensor {
  const layout = k === 1 ? "[N, C, L] or [C, L]" : "[N, C, H, W] or [C, H, W]";
  expectRank(op, x, [k + 2, k + 1], layout);
  if (w.ndim !== k + 2)
    throw new RangeError(`${op}: weight must be ${k + 2}-d [out, in/groups, …kernel], got ${fmtShape(w.shape)}`);
  const groups = opts.groups ?? 1;
  const inC = x.shape[x.ndim - k - 1]!;
  if (!Number.isInteger(groups) || groups < 1 || inC !== w.shape[1]! * groups || w.shape[0]! % groups !== 0) {
    throw new RangeError(
      `${op}: input of shape ${fmtShape(x.shape)} has ${inC} channels, but weight ${fmtShape(w.shape)} with ` +
        `groups=${groups} expects ${w.shape[1]! * groups} (and out channels divisible by groups)`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== w.shape[0])) {
    throw new RangeError(`${op}: bias must have shape [${w.shape[0]}], got ${fmtShape(bias.shape)}`);
  }
  const kernel = w.shape.slice(2);
  const stride = tupleOf(op, "stride", opts.stride ?? 1, k);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, k);
  const padding = convPadding(op, opts.padding, kernel, stride, dilation);
  return withBatch(x, k + 2, (xb) => nnFunctions.convNd(xb, w, bias ?? null, { stride, padding, dilation, groups }));
}

/** 1-D convolution of x [N, C, L] with weight [O, C/groups, K]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convK("conv1d", 1, x, weight, bias, opts);
}

/** 2-D convolution of x [N, C, H, W] with weight [O, C/groups, KH, KW]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convK("conv2d", 2, x, weight, bias, opts);
}

/** Options of the transposed convolutions. */
export interface ConvTransposeOptions {
  stride?: IntOrTuple;
  /** Removed from both sides of the full output. */
  padding?: IntOrTuple;
  /** Added to one side of the output to pick among the sizes a strided conv maps to the same size. */
  outputPadding?: IntOrTuple;
  groups?: number;
  dilation?: IntOrTuple;
}

function convTransposeK(
  op: string,
  k: number,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvTransposeOptions,
): Tensor {
  expectRank(op, x, [k + 2, k + 1], k === 1 ? "[N, C, L] or [C, L]" : "[N, C, H, W] or [C, H, W]");
  if (w.ndim !== k + 2)
    throw new RangeError(`${op}: weight must be ${k + 2}-d [in, out/groups, …kernel], got ${fmtShape(w.shape)}`);
  const groups = opts.groups ?? 1;
  const inC = x.shape[x.ndim - k - 1]!;
  if (!Number.isInteger(groups) || groups < 1 || inC !== w.shape[0] || inC % groups !== 0) {
    throw new RangeError(
      `${op}: input of shape ${fmtShape(x.shape)} has ${inC} channels, but weight ${fmtShape(w.shape)} expects ` +
        `${w.shape[0]} (divisible by groups=${groups})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== w.shape[1]! * groups)) {
    throw new RangeError(`${op}: bias must have shape [${w.shape[1]! * groups}], got ${fmtShape(bias.shape)}`);
  }
  const stride = tupleOf(op, "stride", opts.stride ?? 1, k);
  const padding = tupleOf(op, "padding", opts.padding ?? 0, k);
  const outputPadding = tupleOf(op, "outputPadding", opts.outputPadding ?? 0, k);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, k);
  outputPadding.forEach((p, i) => {
    if (p < 0 || (p >= stride[i]! && p >= dilation[i]!)) {
      throw new RangeError(
        `${op}: outputPadding ${p} must be smaller than either stride ${stride[i]} or dilation ${dilation[i]}`,
      );
    }
  });
  return withBatch(x, k + 2, (xb) =>
    nnFunctions.convTransposeNd(xb, w, bias ?? null, { stride, padding, outputPadding, dilation, groups }),
  );
}

/** 1-D transposed convolution of x [N, Cin, L] with weight [Cin, Cout/groups, K]. */
export function convTranspose1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return convTransposeK("convTranspose1d", 1, x, weight, bias, opts);
}

/** 2-D transposed convolution of x [N, Cin, H, W] with weight [Cin, Cout/groups, KH, KW]. */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return convTransposeK("convTranspose2d", 2, x, weight, bias, opts);
}

/** Options of unfold and fold. */
export interface UnfoldOptions {
  dilation?: IntOrTuple;
  padding?: IntOrTuple;
  stride?: IntOrTuple;
}

/** im2col: the sliding blocks of x [N, C, H, W] as columns [N, C·KH·KW, L] (torch.nn.functional.unfold). */
export function unfold(x: Tensor, kernelSize: IntOrTuple, opts: UnfoldOptions = {}): Tensor {
  expectRank("unfold", x, [4], "[N, C, H, W]");
  const kernel = tupleOf("unfold", "kernelSize", kernelSize, 2);
  const pads = tupleOf("unfold", "padding", opts.padding ?? 0, 2);
  const cols = nnFunctions.slidingWindows(
    nnFunctions.padSpatial(
      x,
      pads.map((p) => [p, p] as const),
    ),
    kernel,
    tupleOf("unfold", "stride", opts.stride ?? 1, 2),
    tupleOf("unfold", "dilation", opts.dilation ?? 1, 2),
  );
  const [n, c] = x.shape as [number, number];
  return cols.reshape([n, c * numelOf(kernel), -1]);
}

/** col2im: sums columns [N, C·KH·KW, L] into an image [N, C, H, W] (torch.nn.functional.fold). */
export function fold(cols: Tensor, outputSize: IntOrTuple, kernelSize: IntOrTuple, opts: UnfoldOptions = {}): Tensor {
  expectRank("fold", cols, [3], "[N, C·KH·KW, L]");
  const size = tupleOf("fold", "outputSize", outputSize, 2);
  const kernel = tupleOf("fold", "kernelSize", kernelSize, 2);
  const pads = tupleOf("fold", "padding", opts.padding ?? 0, 2);
  const stride = tupleOf("fold", "stride", opts.stride ?? 1, 2);
  const dilation = tupleOf("fold", "dilation", opts.dilation ?? 1, 2);
  const full = size.map((s, i) => s + 2 * pads[i]!);
  const counts = full.map((s, i) => Math.floor((s - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1);
  const [n, ck, l] = cols.shape as [number, number, number];
  if (ck % numelOf(kernel) !== 0 || l !== numelOf(counts)) {
    throw new RangeError(
      `fold: input ${fmtShape(cols.shape)} does not match kernel ${fmtShape(kernel)} and ${fmtShape(counts)} blocks ` +
        `(expected [N, C·${numelOf(kernel)}, ${numelOf(counts)}])`,
    );
  }
  let out = nnFunctions.foldWindows(
    cols.reshape([n, ck / numelOf(kernel), ...kernel, ...counts]),
    full,
    kernel,
    stride,
    dilation,
  );
  pads.forEach((p, i) => {
    if (p > 0) out = out.slice(2 + i, p, p + size[i]!);
  });
  return out;
}
