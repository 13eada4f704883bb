// Convolutions with PyTorch's signatures over 1, 2 or 3 spatial dims, and their transposes.
// Arguments are checked here and the work is ops/conv.ts's: windows view, one im2col copy, one
// matmul (a matmul and a fold for the transposes).

import { nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { type IntOrTuple, tupleOf, withBatch } from "./args.js";
import { asCalledBy, asTensors, atLeast, expectSpatial, torchCall } from "./spatial-args.js";

/** Options of conv1d/2d/3d (torch.nn.functional.conv2d's keywords). */
export interface ConvOptions {
  /** Step between kernel positions, per spatial dim (default 1). */
  stride?: IntOrTuple;
  /** Zeros added on both sides of each spatial dim; 'valid' is 0, 'same' keeps the size (stride 1). */
  padding?: IntOrTuple | "valid" | "same";
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
}

const convKeys = ["stride", "padding", "dilation", "groups"] as const;

/** [before, after] zero padding per spatial dim, resolving 'same' and 'valid'. */
export function convPadding(
  op: string,
  padding: ConvOptions["padding"],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): [number, number][] {
  if (padding === "valid" || padding === undefined) return kernel.map(() => [0, 0]);
  if (padding === "same") {
    if (stride.some((s) => s !== 1))
      throw new RangeError(`${op}: padding='same' needs stride 1, got ${fmtShape(stride)}`);
    // an odd total splits with the extra zero at the end, as PyTorch does
    return kernel.map((kk, i) => {
      const total = dilation[i]! * (kk - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  if (typeof padding === "string") {
    throw new RangeError(`${op}: padding must be 'valid', 'same' or sizes, got '${String(padding)}'`);
  }
  const p = tupleOf(op, "padding", padding, kernel.length);
  atLeast(op, "padding", p, 0);
  return p.map((v) => [v, v]);
}

/** Checks the groups against x's channels and the weight's first two dims. */
function checkGroups(op: string, groups: number, inC: number, x: Tensor, w: Tensor, transposed: boolean): void {
  const [w0, w1] = [w.shape[0]!, w.shape[1]!];
  const ok = transposed ? inC === w0 && inC % groups === 0 : inC === w1 * groups && w0 % groups === 0;
  if (!Number.isInteger(groups) || groups < 1 || !ok) {
    const expects = transposed
      ? `expects ${w0} (divisible by groups=${groups})`
      : `with groups=${groups} expects ${w1 * groups} (and out channels divisible by groups)`;
    throw new RangeError(
      `${op}: input of shape ${fmtShape(x.shape)} has ${inC} channels, but weight ${fmtShape(w.shape)} ${expects}`,
    );
  }
}

/** Checks the shapes of a (transposed) convolution's operands; returns the groups. */
function checkOperands(
  op: string,
  k: number,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null | undefined,
  transposed: boolean,
) {
  expectSpatial(op, x, k);
  if (w.ndim !== k + 2) {
    const dims = transposed ? "[in, out/groups, …kernel]" : "[out, in/groups, …kernel]";
    throw new RangeError(`${op}: weight must be ${k + 2}-d ${dims}, got ${fmtShape(w.shape)}`);
  }
  return (groups: number) => {
    checkGroups(op, groups, x.shape[x.ndim - k - 1]!, x, w, transposed);
    const outC = transposed ? w.shape[1]! * groups : w.shape[0]!;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== outC)) {
      throw new RangeError(`${op}: bias must have shape [${outC}], got ${fmtShape(bias.shape)}`);
    }
  };
}

function convK(op: string, k: number, x: Tensor, w: Tensor, bias: Tensor | null | undefined, opts: ConvOptions) {
  checkOptions(op, opts, convKeys);
  const groups = opts.groups ?? 1;
  checkOperands(op, k, x, w, bias, false)(groups);
  const kernel = w.shape.slice(2);
  const stride = tupleOf(op, "stride", opts.stride ?? 1, k);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, k);
  atLeast(op, "stride", stride, 1);
  atLeast(op, "dilation", dilation, 1);
  const padding = convPadding(op, opts.padding, kernel, stride, dilation);
  const run = (xb: Tensor) => nnFunctions.convNd(xb, w, bias ?? null, { stride, padding, dilation, groups });
  return asCalledBy(op, () => withBatch(x, k + 2, run));
}

/** 1-D convolution of x [N, C, L] (or [C, L]) with weight [O, C/groups, K]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convK("conv1d", 1, x, weight, bias, opts);
}

/** 2-D convolution of x [N, C, H, W] with weight [O, C/groups, KH, KW]: `conv2d(x, w, b, { padding: 1 })`. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convK("conv2d", 2, x, weight, bias, opts);
}

/** 3-D convolution of x [N, C, D, H, W] with weight [O, C/groups, KD, KH, KW]. */
export function conv3d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convK("conv3d", 3, x, weight, bias, opts);
}

/** Options of the transposed convolutions (torch.nn.functional.conv_transpose2d's keywords). */
export interface ConvTransposeOptions {
  /** The stride of the convolution this one transposes (default 1). */
  stride?: IntOrTuple;
  /** Removed from both sides of the full output. */
  padding?: IntOrTuple;
  /** Added to one side of the output to pick among the sizes a strided conv maps to the same size. */
  outputPadding?: IntOrTuple;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
}

const convTransposeKeys = ["stride", "padding", "outputPadding", "groups", "dilation"] as const;

function convTransposeK(
  op: string,
  k: number,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvTransposeOptions,
): Tensor {
  checkOptions(op, opts, convTransposeKeys);
  const groups = opts.groups ?? 1;
  checkOperands(op, k, x, w, bias, true)(groups);
  const stride = tupleOf(op, "stride", opts.stride ?? 1, k);
  const padding = tupleOf(op, "padding", opts.padding ?? 0, k);
  const outputPadding = tupleOf(op, "outputPadding", opts.outputPadding ?? 0, k);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, k);
  atLeast(op, "stride", stride, 1);
  atLeast(op, "dilation", dilation, 1);
  atLeast(op, "padding", padding, 0);
  outputPadding.forEach((p, i) => {
    if (p < 0 || (p >= stride[i]! && p >= dilation[i]!)) {
      throw new RangeError(
        `${op}: outputPadding ${p} must be smaller than either stride ${stride[i]} or dilation ${dilation[i]}`,
      );
    }
  });
  const size = x.shape.slice(-k);
  const out = size.map(
    (s, i) => (s - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (w.shape[2 + i]! - 1) + outputPadding[i]! + 1,
  );
  if (out.some((o) => o < 1)) {
    throw new RangeError(`${op}: input ${fmtShape(x.shape)} gives an empty output ${fmtShape(out)}`);
  }
  const all = { stride, padding, outputPadding, dilation, groups };
  return asCalledBy(op, () => withBatch(x, k + 2, (xb) => nnFunctions.convTransposeNd(xb, w, bias ?? null, all)));
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

/** 3-D transposed convolution of x [N, Cin, D, H, W] with weight [Cin, Cout/groups, KD, KH, KW]. */
export function convTranspose3d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return convTransposeK("convTranspose3d", 3, x, weight, bias, opts);
}

/** The options of every convolution's samples: conv's (with 'same' padding) or the transposes'. */
type ConvSampleOptions = Omit<ConvTransposeOptions, "padding"> & ConvOptions;

type ConvFn = (x: Tensor, w: Tensor, b?: Tensor | null, opts?: ConvSampleOptions) => Tensor;

/**
 * A convolution's table entry, its samples as [x shape, weight shape, bias?, options]; the
 * options probe calls it on the first sample.
 */
function convEntry(
  name: string,
  torchName: string,
  fn: ConvFn,
  keys: readonly string[],
  samples: [number[], number[], boolean, ConvSampleOptions?][],
) {
  const transposed = torchName.includes("transpose");
  const [first, ...rest] = samples.map(([x, w, bias, opts = {}]) => ({
    inputs: [
      { shape: x },
      { shape: w },
      ...(bias ? [{ shape: [transposed ? w[1]! * (opts.groups ?? 1) : w[0]!] }] : []),
    ],
    attrs: opts,
    torch: torchCall(torchName, ["x0", "x1", bias ? "x2" : null], opts),
  }));
  return defineComposite<ConvSampleOptions>({
    name,
    call: (xs, opts) => {
      const [x, w, b] = asTensors(xs);
      return fn(x!, w!, b ?? null, opts);
    },
    options: { keys },
    samples: [first!, ...rest],
  });
}

/** The convolutions' table entries. */
export const convComposites = [
  convEntry("conv1d", "conv1d", conv1d, convKeys, [
    [[2, 4, 7], [6, 2, 3], true, { stride: 2, padding: 1, groups: 2 }],
    [[1, 2, 6], [3, 2, 4], false, { padding: "same", dilation: 2 }],
    [[2, 5], [3, 2, 2], true, { padding: "valid", stride: [1] }],
  ]),
  convEntry("conv2d", "conv2d", conv2d, convKeys, [
    [[1, 2, 5, 5], [3, 2, 3, 3], true, { padding: 1 }],
    [[1, 4, 5, 6], [4, 2, 2, 3], false, { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 }],
    [[1, 1, 5, 4], [2, 1, 2, 3], true, { padding: "same" }],
    [[2, 4, 4], [2, 2, 2, 2], false, { stride: 2 }],
  ]),
  convEntry("conv3d", "conv3d", conv3d, convKeys, [
    [[1, 2, 3, 4, 4], [2, 2, 2, 2, 2], true],
    [
      [1, 2, 4, 3, 5],
      [4, 1, 2, 1, 3],
      false,
      { stride: [2, 1, 2], padding: [1, 0, 1], dilation: [1, 1, 2], groups: 2 },
    ],
    [[1, 1, 3, 3, 4], [1, 1, 2, 2, 3], true, { padding: "same", dilation: [1, 2, 1] }],
    [[1, 3, 3, 3], [2, 1, 2, 2, 2], false, { stride: 2 }],
  ]),
  convEntry("convTranspose1d", "conv_transpose1d", convTranspose1d as ConvFn, convTransposeKeys, [
    [[1, 2, 4], [2, 3, 3], true, { stride: 2, padding: 1, outputPadding: 1 }],
    [[2, 4, 3], [4, 1, 2], false, { groups: 2, dilation: 2, stride: 3, outputPadding: 2 }],
    [[2, 3], [2, 2, 2], true],
  ]),
  convEntry("convTranspose2d", "conv_transpose2d", convTranspose2d as ConvFn, convTransposeKeys, [
    [[1, 2, 3, 3], [2, 3, 3, 3], true, { stride: 2, padding: 1, outputPadding: 1 }],
    [
      [1, 4, 2, 3],
      [4, 1, 2, 2],
      false,
      { groups: 2, stride: [2, 1], dilation: [1, 2], padding: [0, 1], outputPadding: [1, 0] },
    ],
    [[2, 2, 3], [2, 2, 2, 2], true, { stride: 2 }],
  ]),
  convEntry("convTranspose3d", "conv_transpose3d", convTranspose3d as ConvFn, convTransposeKeys, [
    [[1, 2, 2, 2, 3], [2, 2, 2, 2, 2], true, { stride: 2, padding: 1, outputPadding: 1 }],
    [
      [1, 2, 2, 3, 2],
      [2, 1, 2, 1, 2],
      false,
      { groups: 2, stride: [1, 2, 2], dilation: [2, 1, 1], outputPadding: [0, 1, 0] },
    ],
    [[2, 2, 2, 2], [2, 1, 1, 2, 2], true],
  ]),
];
