// The chainrule side of every op name in test/fixtures/ops-golden.json: each entry takes the case's
// input tensors and options and returns what tools/gen_golden_ops.py's PyTorch twin returns.
// golden.test.ts fails on a case whose name is missing here.

import * as cr from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";
import { unaryOps } from "../../src/backend/kernels.js";

/** A case's options, as written by the generator. */
export type Kw = Readonly<Record<string, unknown>>;

/** One op under test: input tensors and options in, one tensor or a list out. */
export type GoldenOp = (xs: Tensor[], kw: Kw) => Tensor | Tensor[];

/** A JSON number, where the generator writes ±Infinity and NaN as strings. */
export function num(v: unknown): number {
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "nan") return NaN;
  return v as number;
}

const opt = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : num(v));
const dims = (v: unknown) => v as number | number[] | undefined;
const ints = (v: unknown) => v as number[];
const bool = (v: unknown) => v === true;
const x0 = (xs: Tensor[]) => xs[0]!;
/** The second operand: a tensor input or the case's plain-number `scalar`. */
const otherOf = (xs: Tensor[], kw: Kw): Tensor | number => xs[1] ?? num(kw.scalar);

type Binary = (a: Tensor | number, b: Tensor | number) => Tensor;
const binaries: Record<string, Binary> = {
  mul: cr.mul,
  div: cr.div,
  pow: cr.pow,
  maximum: cr.maximum,
  minimum: cr.minimum,
  atan2: cr.atan2,
  remainder: cr.remainder,
  eq: cr.eq,
  ne: cr.ne,
  lt: cr.lt,
  le: cr.le,
  gt: cr.gt,
  ge: cr.ge,
  logicalAnd: cr.logicalAnd,
  logicalOr: cr.logicalOr,
};

function binary(name: string, fn: Binary): GoldenOp {
  return (xs, kw) => {
    if (kw.scalar !== undefined) return bool(kw.left) ? fn(num(kw.scalar), x0(xs)) : fn(x0(xs), num(kw.scalar));
    if (name === "add" || name === "sub") return x0(xs)[name](xs[1]!, { alpha: opt(kw.alpha) });
    return fn(x0(xs), xs[1]!);
  };
}

/** Methods without arguments: every unary kernel has a same-named op, plus the composite silu. */
const unaries = [...unaryOps, "silu"] as const;

const F = cr.nn.functional;
/** Every conv/pool option chainrule takes; the generator writes them under these (camelCase) names. */
type NnOptions = cr.nn.functional.ConvOptions &
  cr.nn.functional.ConvTransposeOptions &
  Omit<cr.nn.functional.MaxPoolOptions, "returnIndices"> &
  cr.nn.functional.AvgPoolOptions;
/** The options object of a conv/pool call: the keywords but the sizes passed as arguments. */
const convOpts = ({ kernelSize: _k, outputSize: _o, ...kw }: Kw) => kw as NnOptions;
const tuple = (v: unknown) => v as number | number[];

/** Every op name of the golden file, mapped to chainrule. */
export const goldenOps: Record<string, GoldenOp> = {
  ...Object.fromEntries(unaries.map((n) => [n, (xs: Tensor[]) => x0(xs)[n]()])),
  ...Object.fromEntries(Object.entries(binaries).map(([n, fn]) => [n, binary(n, fn)])),
  add: binary("add", cr.add),
  sub: binary("sub", cr.sub),
  softplus: (xs, kw) => x0(xs).softplus(opt(kw.beta), opt(kw.threshold)),
  gelu: (xs, kw) => x0(xs).gelu(kw.approximate as "none" | "tanh" | undefined),
  leakyRelu: (xs, kw) => x0(xs).leakyRelu(opt(kw.slope)),
  elu: (xs, kw) => x0(xs).elu(opt(kw.alpha)),
  clamp: (xs, kw) => x0(xs).clamp(opt(kw.min), opt(kw.max)),
  where: (xs, kw) => cr.where(x0(xs), xs[1] ?? num(kw.a), xs[2] ?? num(kw.b)),
  sum: (xs, kw) => x0(xs).sum(dims(kw.dim), bool(kw.keepdim)),
  mean: (xs, kw) => x0(xs).mean(dims(kw.dim), bool(kw.keepdim)),
  prod: (xs, kw) => x0(xs).prod(dims(kw.dim), bool(kw.keepdim)),
  amax: (xs, kw) => x0(xs).amax(dims(kw.dim), bool(kw.keepdim)),
  amin: (xs, kw) => x0(xs).amin(dims(kw.dim), bool(kw.keepdim)),
  max: (xs, kw) => (kw.dim === undefined ? x0(xs).max() : x0(xs).max(num(kw.dim), bool(kw.keepdim)).values),
  min: (xs, kw) => (kw.dim === undefined ? x0(xs).min() : x0(xs).min(num(kw.dim), bool(kw.keepdim)).values),
  argmax: (xs, kw) => x0(xs).argmax(opt(kw.dim), bool(kw.keepdim)),
  argmin: (xs, kw) => x0(xs).argmin(opt(kw.dim), bool(kw.keepdim)),
  var: (xs, kw) => x0(xs).var(dims(kw.dim), { correction: opt(kw.correction), keepdim: bool(kw.keepdim) }),
  std: (xs, kw) => cr.std(x0(xs), dims(kw.dim), { correction: opt(kw.correction), keepdim: bool(kw.keepdim) }),
  logsumexp: (xs, kw) => x0(xs).logsumexp(dims(kw.dim), bool(kw.keepdim)),
  norm: (xs, kw) => x0(xs).norm(opt(kw.p), dims(kw.dim), bool(kw.keepdim)),
  softmax: (xs, kw) => x0(xs).softmax(num(kw.dim)),
  logSoftmax: (xs, kw) => cr.logSoftmax(x0(xs), num(kw.dim)),
  matmul: (xs) => x0(xs).matmul(xs[1]!),
  mm: (xs) => cr.mm(x0(xs), xs[1]!),
  addmm: (xs, kw) =>
    x0(xs).addmm(xs[1]!, kw.transposed ? xs[2]!.t() : xs[2]!, { beta: opt(kw.beta), alpha: opt(kw.alpha) }),
  bmm: (xs) => x0(xs).bmm(xs[1]!),
  dot: (xs) => cr.dot(x0(xs), xs[1]!),
  outer: (xs) => x0(xs).outer(xs[1]!),
  reshape: (xs, kw) => x0(xs).reshape(ints(kw.shape)),
  reshapeT: (xs, kw) => x0(xs).transpose(0, 1).reshape(ints(kw.shape)),
  view: (xs, kw) => x0(xs).view(...ints(kw.shape)),
  transpose: (xs, kw) => x0(xs).transpose(num(kw.d0), num(kw.d1)),
  t: (xs) => x0(xs).t(),
  permute: (xs, kw) => x0(xs).permute(...ints(kw.dims)),
  unsqueeze: (xs, kw) => x0(xs).unsqueeze(num(kw.dim)),
  squeeze: (xs, kw) => x0(xs).squeeze(opt(kw.dim)),
  expand: (xs, kw) => x0(xs).expand(ints(kw.shape)),
  flatten: (xs, kw) => x0(xs).flatten(opt(kw.start), opt(kw.end)),
  unflatten: (xs, kw) => x0(xs).unflatten(num(kw.dim), ints(kw.sizes)),
  narrow: (xs, kw) => x0(xs).narrow(num(kw.dim), num(kw.start), num(kw.length)),
  select: (xs, kw) => x0(xs).select(num(kw.dim), num(kw.index)),
  slice: (xs, kw) => x0(xs).slice(num(kw.dim), opt(kw.start), opt(kw.end), opt(kw.step)),
  indexSelect: (xs, kw) => x0(xs).indexSelect(num(kw.dim), xs[1]!),
  gather: (xs, kw) => x0(xs).gather(num(kw.dim), xs[1]!),
  nllLoss: (xs, kw) =>
    F.nllLoss(x0(xs), xs[1]!, {
      weight: xs[2],
      ignoreIndex: opt(kw.ignoreIndex),
      reduction: kw.reduction as "mean" | "sum" | "none" | undefined,
    }),
  scatterAdd: (xs, kw) => x0(xs).scatterAdd(num(kw.dim), xs[1]!, xs[2]!),
  maskedFill: (xs, kw) => x0(xs).maskedFill(xs[1]!, num(kw.value)),
  repeat: (xs, kw) => x0(xs).repeat(ints(kw.reps)),
  tile: (xs, kw) => x0(xs).tile(...ints(kw.reps)),
  flip: (xs, kw) => x0(xs).flip(ints(kw.dims)),
  pad: (xs, kw) => cr.pad(x0(xs), ints(kw.pads), opt(kw.value)),
  cat: (xs, kw) => cr.cat(xs, opt(kw.dim)),
  stack: (xs, kw) => cr.stack(xs, opt(kw.dim)),
  split: (xs, kw) => cr.split(x0(xs), kw.size as number | number[], opt(kw.dim)),
  chunk: (xs, kw) => x0(xs).chunk(num(kw.chunks), opt(kw.dim)),
  contiguous: (xs) => x0(xs).transpose(0, 1).contiguous(),
  clone: (xs) => x0(xs).clone(),
  to: (xs, kw) => x0(xs).to(kw.dtype as DType),
  conv1d: (xs, kw) => F.conv1d(x0(xs), xs[1]!, xs[2], convOpts(kw)),
  conv2d: (xs, kw) => F.conv2d(x0(xs), xs[1]!, xs[2], convOpts(kw)),
  convTranspose1d: (xs, kw) => F.convTranspose1d(x0(xs), xs[1]!, xs[2], convOpts(kw)),
  convTranspose2d: (xs, kw) => F.convTranspose2d(x0(xs), xs[1]!, xs[2], convOpts(kw)),
  unfold: (xs, kw) => F.unfold(x0(xs), tuple(kw.kernelSize), convOpts(kw)),
  fold: (xs, kw) => F.fold(x0(xs), tuple(kw.outputSize), tuple(kw.kernelSize), convOpts(kw)),
  maxPool1d: (xs, kw) => F.maxPool1d(x0(xs), tuple(kw.kernelSize), convOpts(kw)),
  maxPool2d: (xs, kw) => F.maxPool2d(x0(xs), tuple(kw.kernelSize), convOpts(kw)),
  avgPool2d: (xs, kw) => F.avgPool2d(x0(xs), tuple(kw.kernelSize), convOpts(kw)),
  adaptiveAvgPool2d: (xs, kw) => F.adaptiveAvgPool2d(x0(xs), tuple(kw.outputSize)),
  add_: (xs, kw) =>
    x0(xs)
      .clone()
      .add_(otherOf(xs, kw), { alpha: opt(kw.alpha) }),
  sub_: (xs, kw) =>
    x0(xs)
      .clone()
      .sub_(otherOf(xs, kw), { alpha: opt(kw.alpha) }),
  mul_: (xs, kw) => x0(xs).clone().mul_(otherOf(xs, kw)),
  div_: (xs, kw) => x0(xs).clone().div_(otherOf(xs, kw)),
  pow_: (xs, kw) => x0(xs).clone().pow_(otherOf(xs, kw)),
  clamp_: (xs, kw) => x0(xs).clone().clamp_(opt(kw.min), opt(kw.max)),
  maskedFill_: (xs, kw) => x0(xs).clone().maskedFill_(xs[1]!, num(kw.value)),
  zero_: (xs) => x0(xs).clone().zero_(),
  fill_: (xs, kw) => x0(xs).clone().fill_(num(kw.value)),
  copy_: (xs) => x0(xs).clone().copy_(xs[1]!),
};
