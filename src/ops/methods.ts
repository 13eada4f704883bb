// Method forms: x.op(...) for every op, attached to Tensor's prototype. Each method forwards to
// the function form, so the two can never disagree.

import { backward, type BackwardOptions } from "../autograd/backward.js";
import { unaryOps } from "../backend/kernels.js";
import { isGradEnabled, noGrad } from "../graph/grad-mode.js";
import type { DType } from "../core/dtype.js";
import { broadcastShapes } from "../core/shape.js";
import { type GradHook, type RemovableHandle, Tensor } from "../tensor/tensor.js";
import * as act from "./activation.js";
import * as ew from "./elementwise.js";
import * as idx from "./index-ops.js";
import { inplace, inplaceBinary, normal_, uniform_ } from "./inplace.js";
import * as la from "./linalg.js";
import type { Operand } from "./unrecorded.js";
import { fullRaw } from "./unrecorded.js";
import * as red from "./reduce.js";
import * as vw from "./view.js";
import { clamp, where } from "./where.js";

type DimArg = red.DimArg;

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(other: Operand, opts?: { alpha?: number }): Tensor;
    sub(other: Operand, opts?: { alpha?: number }): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    pow(exponent: Operand): Tensor;
    maximum(other: Operand): Tensor;
    minimum(other: Operand): Tensor;
    atan2(other: Operand): Tensor;
    remainder(other: Operand): Tensor;
    eq(other: Operand): Tensor;
    ne(other: Operand): Tensor;
    lt(other: Operand): Tensor;
    le(other: Operand): Tensor;
    gt(other: Operand): Tensor;
    ge(other: Operand): Tensor;
    logicalAnd(other: Operand): Tensor;
    logicalOr(other: Operand): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    reciprocal(): Tensor;
    erf(): Tensor;
    square(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    gelu(approximate?: "none" | "tanh"): Tensor;
    silu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    elu(alpha?: number): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    where(cond: Tensor, other: Operand): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    sum(dim?: DimArg, keepdim?: boolean): Tensor;
    mean(dim?: DimArg, keepdim?: boolean): Tensor;
    prod(dim?: DimArg, keepdim?: boolean): Tensor;
    max(dim?: number, keepdim?: boolean): Tensor;
    min(dim?: number, keepdim?: boolean): Tensor;
    amax(dim?: DimArg, keepdim?: boolean): Tensor;
    amin(dim?: DimArg, keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    var(dim?: DimArg, opts?: red.VarOptions): Tensor;
    std(dim?: DimArg, opts?: red.VarOptions): Tensor;
    logsumexp(dim?: DimArg, keepdim?: boolean): Tensor;
    norm(p?: number, dim?: DimArg, keepdim?: boolean): Tensor;
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    addmm(mat1: Tensor, mat2: Tensor, opts?: la.AddmmOptions): Tensor;
    bmm(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    view(...shape: number[] | [readonly number[]]): Tensor;
    transpose(d0: number, d1: number): Tensor;
    t(): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    expand(...shape: number[] | [readonly number[]]): Tensor;
    expandAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    viewAs(other: Tensor): Tensor;
    flatten(start?: number, end?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    maskedFill(mask: Tensor, value: Operand): Tensor;
    repeat(...reps: number[] | [readonly number[]]): Tensor;
    tile(...reps: number[] | [readonly number[]]): Tensor;
    flip(dims: number | readonly number[]): Tensor;
    pad(pads: readonly number[], value?: number): Tensor;
    split(size: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    contiguous(): Tensor;
    clone(): Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    add_(other: Operand, opts?: { alpha?: number }): Tensor;
    sub_(other: Operand, opts?: { alpha?: number }): Tensor;
    mul_(other: Operand): Tensor;
    div_(other: Operand): Tensor;
    pow_(other: Operand): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
    maskedFill_(mask: Tensor, value: Operand): Tensor;
    zero_(): Tensor;
    fill_(value: number): Tensor;
    copy_(src: Tensor): Tensor;
    uniform_(low?: number, high?: number): Tensor;
    normal_(mean?: number, std?: number): Tensor;
    backward(gradient?: Tensor, opts?: BackwardOptions): void;
    retainGrad(): void;
    readonly retainsGrad: boolean;
    registerHook(hook: GradHook): RemovableHandle;
  }
}

const P = Tensor.prototype;

/** Accepts both f(2, 3) and f([2, 3]). */
const dimsOf = (args: (number | readonly number[])[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);

const scaled = (other: Operand, alpha?: number): Operand =>
  alpha === undefined || alpha === 1 ? other : other instanceof Tensor ? other.mul(alpha) : Number(other) * alpha;

/**
 * `value` broadcast over x, replacing it. While recording it goes through where(true, value, x), so
 * the old values get a zero gradient and `value` its own (summed over broadcast dims), as in PyTorch.
 */
function overwrite(x: Tensor, value: Tensor): Tensor {
  if (!isGradEnabled() || !(x.requiresGrad || value.requiresGrad)) return value;
  return where(fullRaw([], 1, "bool"), value, x);
}

Object.assign(P, {
  add(this: Tensor, o: Operand, opts?: { alpha?: number }) {
    return ew.add(this, scaled(o, opts?.alpha));
  },
  sub(this: Tensor, o: Operand, opts?: { alpha?: number }) {
    return ew.sub(this, scaled(o, opts?.alpha));
  },
  mul(this: Tensor, o: Operand) {
    return ew.mul(this, o);
  },
  div(this: Tensor, o: Operand) {
    return ew.div(this, o);
  },
  pow(this: Tensor, o: Operand) {
    return ew.pow(this, o);
  },
  maximum(this: Tensor, o: Operand) {
    return ew.maximum(this, o);
  },
  minimum(this: Tensor, o: Operand) {
    return ew.minimum(this, o);
  },
  atan2(this: Tensor, o: Operand) {
    return ew.atan2(this, o);
  },
  remainder(this: Tensor, o: Operand) {
    return ew.remainder(this, o);
  },
  eq(this: Tensor, o: Operand) {
    return ew.eq(this, o);
  },
  ne(this: Tensor, o: Operand) {
    return ew.ne(this, o);
  },
  lt(this: Tensor, o: Operand) {
    return ew.lt(this, o);
  },
  le(this: Tensor, o: Operand) {
    return ew.le(this, o);
  },
  gt(this: Tensor, o: Operand) {
    return ew.gt(this, o);
  },
  ge(this: Tensor, o: Operand) {
    return ew.ge(this, o);
  },
  logicalAnd(this: Tensor, o: Operand) {
    return ew.logicalAnd(this, o);
  },
  logicalOr(this: Tensor, o: Operand) {
    return ew.logicalOr(this, o);
  },
  where(this: Tensor, cond: Tensor, other: Operand) {
    return where(cond, this, other);
  },
  clamp(this: Tensor, min?: number | null, max?: number | null) {
    return clamp(this, min, max);
  },
  softplus(this: Tensor, beta?: number, threshold?: number) {
    return act.softplus(this, beta, threshold);
  },
  gelu(this: Tensor, approximate?: "none" | "tanh") {
    return act.gelu(this, approximate);
  },
  leakyRelu(this: Tensor, slope?: number) {
    return act.leakyRelu(this, slope);
  },
  elu(this: Tensor, alpha?: number) {
    return act.elu(this, alpha);
  },
  silu(this: Tensor) {
    return act.silu(this);
  },
  softmax(this: Tensor, dim: number) {
    return act.softmax(this, dim);
  },
  logSoftmax(this: Tensor, dim: number) {
    return act.logSoftmax(this, dim);
  },
  sum(this: Tensor, dim?: DimArg, keepdim?: boolean) {
    return red.sum(this, dim, keepdim);
  },
  mean(this: Tensor, dim?: DimArg, keepdim?: boolean) {
    return red.mean(this, dim, keepdim);
  },
  prod(this: Tensor, dim?: DimArg, keepdim?: boolean) {
    return red.prod(this, dim, keepdim);
  },
  max(this: Tensor, dim?: number, keepdim?: boolean) {
    return red.max(this, dim, keepdim);
  },
  min(this: Tensor, dim?: number, keepdim?: boolean) {
    return red.min(this, dim, keepdim);
  },
  amax(this: Tensor, dim?: DimArg, keepdim?: boolean) {
    return red.amax(this, dim, keepdim);
  },
  amin(this: Tensor, dim?: DimArg, keepdim?: boolean) {
    return red.amin(this, dim, keepdim);
  },
  argmax(this: Tensor, dim?: number, keepdim?: boolean) {
    return red.argmax(this, dim, keepdim);
  },
  argmin(this: Tensor, dim?: number, keepdim?: boolean) {
    return red.argmin(this, dim, keepdim);
  },
  var(this: Tensor, dim?: DimArg, opts?: red.VarOptions) {
    return red.variance(this, dim, opts);
  },
  std(this: Tensor, dim?: DimArg, opts?: red.VarOptions) {
    return red.std(this, dim, opts);
  },
  logsumexp(this: Tensor, dim?: DimArg, keepdim?: boolean) {
    return red.logsumexp(this, dim, keepdim);
  },
  norm(this: Tensor, p?: number, dim?: DimArg, keepdim?: boolean) {
    return red.norm(this, p, dim, keepdim);
  },
  matmul(this: Tensor, o: Tensor) {
    return la.matmul(this, o);
  },
  mm(this: Tensor, o: Tensor) {
    return la.mm(this, o);
  },
  addmm(this: Tensor, m1: Tensor, m2: Tensor, opts?: la.AddmmOptions) {
    return la.addmm(this, m1, m2, opts);
  },
  bmm(this: Tensor, o: Tensor) {
    return la.bmm(this, o);
  },
  dot(this: Tensor, o: Tensor) {
    return la.dot(this, o);
  },
  outer(this: Tensor, o: Tensor) {
    return la.outer(this, o);
  },
  reshape(this: Tensor, ...s: (number | readonly number[])[]) {
    return vw.reshape(this, dimsOf(s));
  },
  view(this: Tensor, ...s: (number | readonly number[])[]) {
    return vw.view(this, dimsOf(s));
  },
  transpose(this: Tensor, d0: number, d1: number) {
    return vw.transpose(this, d0, d1);
  },
  t(this: Tensor) {
    if (this.ndim > 2)
      throw new RangeError(`t: expects a tensor with at most 2 dims, got shape [${this.shape.join(", ")}]`);
    return this.ndim < 2 ? this : vw.transpose(this, 0, 1);
  },
  permute(this: Tensor, ...d: (number | readonly number[])[]) {
    return vw.permute(this, ...dimsOf(d));
  },
  unsqueeze(this: Tensor, dim: number) {
    return vw.unsqueeze(this, dim);
  },
  squeeze(this: Tensor, dim?: number | readonly number[]) {
    return vw.squeeze(this, dim);
  },
  expand(this: Tensor, ...s: (number | readonly number[])[]) {
    return vw.expand(this, dimsOf(s));
  },
  expandAs(this: Tensor, o: Tensor) {
    return vw.expand(this, o.shape);
  },
  reshapeAs(this: Tensor, o: Tensor) {
    return vw.reshape(this, o.shape);
  },
  viewAs(this: Tensor, o: Tensor) {
    return vw.view(this, o.shape);
  },
  flatten(this: Tensor, start?: number, end?: number) {
    return vw.flatten(this, start, end);
  },
  unflatten(this: Tensor, dim: number, sizes: readonly number[]) {
    return vw.unflatten(this, dim, sizes);
  },
  narrow(this: Tensor, dim: number, start: number, length: number) {
    return vw.narrow(this, dim, start, length);
  },
  select(this: Tensor, dim: number, index: number) {
    return vw.select(this, dim, index);
  },
  slice(this: Tensor, dim: number, start?: number, end?: number, step?: number) {
    return vw.slice(this, dim, start, end, step);
  },
  indexSelect(this: Tensor, dim: number, index: Tensor) {
    return idx.indexSelect(this, dim, index);
  },
  gather(this: Tensor, dim: number, index: Tensor) {
    return idx.gather(this, dim, index);
  },
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor) {
    return idx.scatterAdd(this, dim, index, src);
  },
  maskedFill(this: Tensor, mask: Tensor, value: Operand) {
    return idx.maskedFill(this, mask, value);
  },
  repeat(this: Tensor, ...r: (number | readonly number[])[]) {
    return vw.repeat(this, ...dimsOf(r));
  },
  tile(this: Tensor, ...r: (number | readonly number[])[]) {
    return vw.tile(this, ...dimsOf(r));
  },
  flip(this: Tensor, dims: number | readonly number[]) {
    return vw.flip(this, dims);
  },
  pad(this: Tensor, pads: readonly number[], value?: number) {
    return idx.pad(this, pads, value);
  },
  split(this: Tensor, size: number | readonly number[], dim?: number) {
    return idx.split(this, size, dim);
  },
  chunk(this: Tensor, chunks: number, dim?: number) {
    return idx.chunk(this, chunks, dim);
  },
  contiguous(this: Tensor) {
    return vw.contiguous(this);
  },
  clone(this: Tensor) {
    return vw.clone(this);
  },
  to(this: Tensor, dtype: DType) {
    return vw.to(this, dtype);
  },
  float(this: Tensor) {
    return vw.to(this, "float32");
  },
  double(this: Tensor) {
    return vw.to(this, "float64");
  },
  int(this: Tensor) {
    return vw.to(this, "int32");
  },
  bool(this: Tensor) {
    return vw.to(this, "bool");
  },
  add_(this: Tensor, o: Operand, opts?: { alpha?: number }) {
    return inplaceBinary(this, "add", o, opts?.alpha) ?? inplace(this, "add_", (x) => x.add(o, opts));
  },
  sub_(this: Tensor, o: Operand, opts?: { alpha?: number }) {
    return inplaceBinary(this, "sub", o, opts?.alpha) ?? inplace(this, "sub_", (x) => x.sub(o, opts));
  },
  mul_(this: Tensor, o: Operand) {
    return inplaceBinary(this, "mul", o) ?? inplace(this, "mul_", (x) => x.mul(o));
  },
  div_(this: Tensor, o: Operand) {
    return inplaceBinary(this, "div", o) ?? inplace(this, "div_", (x) => x.div(o));
  },
  pow_(this: Tensor, o: Operand) {
    return inplace(this, "pow_", (x) => x.pow(o));
  },
  clamp_(this: Tensor, min?: number | null, max?: number | null) {
    return inplace(this, "clamp_", (x) => clamp(x, min, max));
  },
  maskedFill_(this: Tensor, mask: Tensor, value: Operand) {
    return inplace(this, "maskedFill_", (x) => idx.maskedFill(x, mask, value));
  },
  zero_(this: Tensor) {
    return inplace(this, "zero_", (x) => overwrite(x, fullRaw([], 0, this.dtype)));
  },
  fill_(this: Tensor, value: number) {
    return inplace(this, "fill_", (x) => overwrite(x, fullRaw([], value, this.dtype)));
  },
  copy_(this: Tensor, src: Tensor) {
    broadcastShapes("copy_", src.shape, this.shape);
    return inplace(this, "copy_", (x) => overwrite(x, src.dtype === this.dtype ? src : src.to(this.dtype)));
  },
  uniform_(this: Tensor, low?: number, high?: number) {
    return uniform_(this, low, high);
  },
  normal_(this: Tensor, mean?: number, std?: number) {
    return normal_(this, mean, std);
  },
  backward(this: Tensor, gradient?: Tensor, opts?: BackwardOptions) {
    backward(this, gradient, opts);
  },
  retainGrad(this: Tensor) {
    if (!this.requiresGrad)
      throw new Error("retainGrad: cannot retain the gradient of a tensor that does not require grad");
    if (this.isLeaf || this._retainsGrad) return;
    this._retainsGrad = true;
    // a weak link: retaining a gradient must not keep the tensor's graph alive
    const ref = new WeakRef(this);
    this.gradFn!.setRetainGradHook(this.outputNr, (g) => {
      const t = ref.deref();
      if (!t) return;
      // NOTE: a copy, not an alias: the same buffer may become a leaf's .grad and be accumulated into in place
      t.grad = t.grad ? noGrad(() => t.grad!.add(g)) : isGradEnabled() ? g : noGrad(() => g.detach().clone());
    });
  },
  registerHook(this: Tensor, hook: GradHook): RemovableHandle {
    if (!this.requiresGrad)
      throw new Error("registerHook: cannot register a hook on a tensor that does not require grad");
    if (this.isLeaf) {
      const hooks = (this._hooks ??= []);
      hooks.push(hook);
      return { remove: () => void hooks.splice(hooks.indexOf(hook) >>> 0, 1) };
    }
    const remove = this.gradFn!.addPreHook(this.outputNr, hook);
    return { remove: () => void remove() };
  },
});

Object.defineProperty(P, "retainsGrad", {
  get(this: Tensor) {
    return this._retainsGrad;
  },
});

// every unary kernel has a public op of the same name in elementwise.ts
for (const name of unaryOps) {
  const fn = ew[name];
  Object.defineProperty(P, name, {
    value: function (this: Tensor) {
      return fn(this);
    },
    writable: true,
    configurable: true,
  });
}
