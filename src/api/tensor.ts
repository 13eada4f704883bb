// Tensor: the class users see. It adds the op methods (`x.mul(y)`, `loss.backward()`) to
// TensorBase's data, each calling the op it names through an ordinary import; every tensor the
// lower layers make is one of these (installed below with useTensorClass, as PyTorch's core is
// handed the Python Tensor class at start-up). The elementwise methods are generated from the op
// table, so a new elementwise op is a method without an edit here.

import { backward, type BackwardOptions } from "../autograd/backward.js";
import type { DType } from "../core/dtype.js";
import { broadcastShapes } from "../core/shape.js";
import { isGradEnabled, noGrad } from "../graph/grad-mode.js";
import { type Node, nodeOf } from "../graph/node.js";
import { inplace, inplaceBinary, normal_, uniform_ } from "../ops/inplace.js";
import type { AddmmOptions } from "../ops/linalg.js";
import type { DimArg } from "../ops/broadcast.js";
import type { VarOptions } from "../ops/reduce.js";
import type { BinaryFunctionName, UnaryFunctionName } from "../ops/table.js";
import { fullRaw, type Operand } from "../ops/unrecorded.js";
import { type GradHook, type RemovableHandle, TensorBase, useTensorClass } from "../tensor/tensor.js";
import { logSoftmax, softmax, softplus, gelu, silu, leakyRelu, elu } from "../ops/activation.js";
import { add, div, mul, sub } from "../ops/arithmetic.js";
import { pow } from "../ops/binary-math.js";
import { expand, repeat, sum, tile } from "../ops/broadcast.js";
import { chunk, gather, indexSelect, maskedFill, pad, scatterAdd, split } from "../ops/index-ops.js";
import { addmm, bmm, dot, matmul, mm, outer } from "../ops/linalg.js";
import { amax, amin, argmax, argmin, logsumexp, max, mean, min, norm, prod, std, variance } from "../ops/reduce.js";
import { binaryFunctions, unaryFunctions } from "../ops/table.js";
import {
  clone,
  contiguous,
  flatten,
  flip,
  narrow,
  permute,
  reshape,
  select,
  slice,
  squeeze,
  to,
  transpose,
  unflatten,
  unsqueeze,
  view,
} from "../ops/view.js";
import { clamp, where } from "../ops/where.js";

/**
 * A tensor the lower layers made, typed as what it is: every tensor is made as this class (see
 * the header), and the ops below are typed with the data class they work on.
 */
const up = (t: TensorBase) => t as Tensor;

/** Accepts both f(2, 3) and f([2, 3]). */
const dimsOf = (args: (number | readonly number[])[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);

const scaled = (other: Operand, alpha?: number): Operand =>
  alpha === undefined || alpha === 1 ? other : other instanceof TensorBase ? mul(other, alpha) : Number(other) * alpha;

/** An n-dimensional array that records the operations applied to it. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the elementwise methods, see the end of the file
export class Tensor extends TensorBase {
  declare _base: Tensor | null;
  /** The graph node that produced this tensor; null on leaves. */
  declare gradFn: Node | null;

  /** Gradient accumulated by backward (leaves, or tensors that called retainGrad). */
  override get grad(): Tensor | null {
    return super.grad as Tensor | null;
  }
  override set grad(g: TensorBase | null) {
    super.grad = g;
  }
  /** A tensor sharing storage but cut from the graph. */
  override detach(): Tensor {
    return super.detach() as Tensor;
  }

  /** a + alpha·b */
  add(other: Operand, opts?: { alpha?: number }): Tensor {
    return up(add(this, scaled(other, opts?.alpha)));
  }
  /** a − alpha·b */
  sub(other: Operand, opts?: { alpha?: number }): Tensor {
    return up(sub(this, scaled(other, opts?.alpha)));
  }
  /** where(cond, this, other) */
  where(cond: TensorBase, other: Operand): Tensor {
    return up(where(cond, this, other));
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return up(clamp(this, min, max));
  }
  softplus(beta?: number, threshold?: number): Tensor {
    return up(softplus(this, beta, threshold));
  }
  gelu(approximate?: "none" | "tanh"): Tensor {
    return up(gelu(this, approximate));
  }
  silu(): Tensor {
    return up(silu(this));
  }
  leakyRelu(negativeSlope?: number): Tensor {
    return up(leakyRelu(this, negativeSlope));
  }
  elu(alpha?: number): Tensor {
    return up(elu(this, alpha));
  }
  softmax(dim: number): Tensor {
    return up(softmax(this, dim));
  }
  logSoftmax(dim: number): Tensor {
    return up(logSoftmax(this, dim));
  }
  sum(dim?: DimArg, keepdim?: boolean): Tensor {
    return up(sum(this, dim, keepdim));
  }
  mean(dim?: DimArg, keepdim?: boolean): Tensor {
    return up(mean(this, dim, keepdim));
  }
  prod(dim?: DimArg, keepdim?: boolean): Tensor {
    return up(prod(this, dim, keepdim));
  }
  max(dim?: number, keepdim?: boolean): Tensor {
    return up(max(this, dim, keepdim));
  }
  min(dim?: number, keepdim?: boolean): Tensor {
    return up(min(this, dim, keepdim));
  }
  amax(dim?: DimArg, keepdim?: boolean): Tensor {
    return up(amax(this, dim, keepdim));
  }
  amin(dim?: DimArg, keepdim?: boolean): Tensor {
    return up(amin(this, dim, keepdim));
  }
  argmax(dim?: number, keepdim?: boolean): Tensor {
    return up(argmax(this, dim, keepdim));
  }
  argmin(dim?: number, keepdim?: boolean): Tensor {
    return up(argmin(this, dim, keepdim));
  }
  var(dim?: DimArg, opts?: VarOptions): Tensor {
    return up(variance(this, dim, opts));
  }
  std(dim?: DimArg, opts?: VarOptions): Tensor {
    return up(std(this, dim, opts));
  }
  logsumexp(dim?: DimArg, keepdim?: boolean): Tensor {
    return up(logsumexp(this, dim, keepdim));
  }
  norm(p?: number, dim?: DimArg, keepdim?: boolean): Tensor {
    return up(norm(this, p, dim, keepdim));
  }
  matmul(other: TensorBase): Tensor {
    return up(matmul(this, other));
  }
  mm(other: TensorBase): Tensor {
    return up(mm(this, other));
  }
  addmm(mat1: TensorBase, mat2: TensorBase, opts?: AddmmOptions): Tensor {
    return up(addmm(this, mat1, mat2, opts));
  }
  bmm(other: TensorBase): Tensor {
    return up(bmm(this, other));
  }
  dot(other: TensorBase): Tensor {
    return up(dot(this, other));
  }
  outer(other: TensorBase): Tensor {
    return up(outer(this, other));
  }
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return up(reshape(this, dimsOf(shape)));
  }
  view(...shape: number[] | [readonly number[]]): Tensor {
    return up(view(this, dimsOf(shape)));
  }
  transpose(d0: number, d1: number): Tensor {
    return up(transpose(this, d0, d1));
  }
  /** The transpose of a matrix (vectors and scalars are returned as they are). */
  t(): Tensor {
    if (this.ndim > 2)
      throw new RangeError(`t: expects a tensor with at most 2 dims, got shape [${this.shape.join(", ")}]`);
    return this.ndim < 2 ? this : up(transpose(this, 0, 1));
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return up(permute(this, ...dimsOf(dims)));
  }
  unsqueeze(dim: number): Tensor {
    return up(unsqueeze(this, dim));
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return up(squeeze(this, dim));
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return up(expand(this, dimsOf(shape)));
  }
  expandAs(other: TensorBase): Tensor {
    return up(expand(this, other.shape));
  }
  reshapeAs(other: TensorBase): Tensor {
    return up(reshape(this, other.shape));
  }
  viewAs(other: TensorBase): Tensor {
    return up(view(this, other.shape));
  }
  flatten(start?: number, end?: number): Tensor {
    return up(flatten(this, start, end));
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return up(unflatten(this, dim, sizes));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return up(narrow(this, dim, start, length));
  }
  select(dim: number, index: number): Tensor {
    return up(select(this, dim, index));
  }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return up(slice(this, dim, start, end, step));
  }
  indexSelect(dim: number, index: TensorBase): Tensor {
    return up(indexSelect(this, dim, index));
  }
  gather(dim: number, index: TensorBase): Tensor {
    return up(gather(this, dim, index));
  }
  scatterAdd(dim: number, index: TensorBase, src: TensorBase): Tensor {
    return up(scatterAdd(this, dim, index, src));
  }
  maskedFill(mask: TensorBase, value: Operand): Tensor {
    return up(maskedFill(this, mask, value));
  }
  repeat(...reps: number[] | [readonly number[]]): Tensor {
    return up(repeat(this, ...dimsOf(reps)));
  }
  tile(...reps: number[] | [readonly number[]]): Tensor {
    return up(tile(this, ...dimsOf(reps)));
  }
  flip(dims: number | readonly number[]): Tensor {
    return up(flip(this, dims));
  }
  pad(pads: readonly number[], value?: number): Tensor {
    return up(pad(this, pads, value));
  }
  split(size: number | readonly number[], dim?: number): Tensor[] {
    return split(this, size, dim).map(up);
  }
  chunk(chunks: number, dim?: number): Tensor[] {
    return chunk(this, chunks, dim).map(up);
  }
  contiguous(): Tensor {
    return up(contiguous(this));
  }
  clone(): Tensor {
    return up(clone(this));
  }
  to(dtype: DType): Tensor {
    return up(to(this, dtype));
  }
  float(): Tensor {
    return up(to(this, "float32"));
  }
  double(): Tensor {
    return up(to(this, "float64"));
  }
  int(): Tensor {
    return up(to(this, "int32"));
  }
  bool(): Tensor {
    return up(to(this, "bool"));
  }

  /** this += alpha·other, in place. */
  add_(other: Operand, opts?: { alpha?: number }): this {
    return (inplaceBinary(this, "add", other, opts?.alpha) ??
      inplace(this, "add_", (x) => add(x, scaled(other, opts?.alpha)))) as this;
  }
  /** this −= alpha·other, in place. */
  sub_(other: Operand, opts?: { alpha?: number }): this {
    return (inplaceBinary(this, "sub", other, opts?.alpha) ??
      inplace(this, "sub_", (x) => sub(x, scaled(other, opts?.alpha)))) as this;
  }
  mul_(other: Operand): this {
    return (inplaceBinary(this, "mul", other) ?? inplace(this, "mul_", (x) => mul(x, other))) as this;
  }
  div_(other: Operand): this {
    return (inplaceBinary(this, "div", other) ?? inplace(this, "div_", (x) => div(x, other))) as this;
  }
  pow_(other: Operand): this {
    return inplace(this, "pow_", (x) => pow(x, other)) as this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    return inplace(this, "clamp_", (x) => clamp(x, min, max)) as this;
  }
  maskedFill_(mask: TensorBase, value: Operand): this {
    return inplace(this, "maskedFill_", (x) => maskedFill(x, mask, value)) as this;
  }
  zero_(): this {
    return inplace(this, "zero_", (x) => overwrite(x, fullRaw([], 0, this.dtype))) as this;
  }
  fill_(value: number): this {
    return inplace(this, "fill_", (x) => overwrite(x, fullRaw([], value, this.dtype))) as this;
  }
  copy_(src: TensorBase): this {
    broadcastShapes("copy_", src.shape, this.shape);
    return inplace(this, "copy_", (x) => overwrite(x, src.dtype === this.dtype ? src : to(src, this.dtype))) as this;
  }
  uniform_(low?: number, high?: number): this {
    return uniform_(this, low, high) as this;
  }
  normal_(mean?: number, std?: number): this {
    return normal_(this, mean, std) as this;
  }

  /** Computes the gradient of this tensor with respect to graph leaves, accumulating into their `.grad`. */
  backward(gradient?: TensorBase, opts?: BackwardOptions): void {
    backward(this, gradient, opts);
  }
  /** Keeps this non-leaf's gradient in `.grad` after backward. */
  retainGrad(): void {
    if (!this.requiresGrad)
      throw new Error("retainGrad: cannot retain the gradient of a tensor that does not require grad");
    if (this.isLeaf || this._retainsGrad) return;
    this._retainsGrad = true;
    // a weak link: retaining a gradient must not keep the tensor's graph alive
    const ref = new WeakRef(this);
    nodeOf(this)!.setRetainGradHook(this.outputNr, (g) => {
      const t = ref.deref();
      if (!t) return;
      // NOTE: a copy, not an alias: the same buffer may become a leaf's .grad and be accumulated into in place
      const had = t.grad;
      t.grad = had ? noGrad(() => add(had, g)) : isGradEnabled() ? g : noGrad(() => clone(g.detach()));
    });
  }
  /** True once retainGrad() was called on this non-leaf. */
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }
  /** Registers a hook on this tensor's gradient; it may return a replacement. */
  registerHook(hook: GradHook<Tensor>): RemovableHandle {
    if (!this.requiresGrad)
      throw new Error("registerHook: cannot register a hook on a tensor that does not require grad");
    const h = hook as unknown as GradHook;
    if (this.isLeaf) {
      const hooks = (this._hooks ??= []);
      hooks.push(h);
      return { remove: () => void hooks.splice(hooks.indexOf(h) >>> 0, 1) };
    }
    const remove = nodeOf(this)!.addPreHook(this.outputNr, h);
    return { remove: () => void remove() };
  }
}

/**
 * `value` broadcast over x, replacing it. While recording it goes through where(true, value, x), so
 * the old values get a zero gradient and `value` its own (summed over broadcast dims), as in PyTorch.
 */
function overwrite(x: TensorBase, value: TensorBase): TensorBase {
  if (!isGradEnabled() || !(x.requiresGrad || value.requiresGrad)) return value;
  return up(where(fullRaw([], 1, "bool"), value, x));
}

type UnaryMethods = { [K in UnaryFunctionName]: () => Tensor };
type BinaryMethods = { [K in Exclude<BinaryFunctionName, "add" | "sub">]: (other: Operand) => Tensor };
// The elementwise methods, one per table op: declared by these types, defined by the loops below.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- each is defined by the loops below
export interface Tensor extends UnaryMethods, BinaryMethods {}

for (const [name, fn] of Object.entries(unaryFunctions)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor) {
      return fn(this);
    },
    writable: true,
    configurable: true,
  });
}
for (const [name, fn] of Object.entries(binaryFunctions)) {
  if (name in Tensor.prototype) continue;
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, other: Operand) {
      return fn(this, other);
    },
    writable: true,
    configurable: true,
  });
}

useTensorClass(Tensor);
