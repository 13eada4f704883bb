// Tensor: the class users see. It adds the op methods (`x.mul(y)`, `loss.backward()`) to
// TensorBase's data, each calling the op it names through an ordinary import; every tensor the
// lower layers make is one of these (installed below with useTensorClass, as PyTorch's core is
// handed the Python Tensor class at start-up). Most methods are made from the op functions (the
// elementwise ones of the op table, and op-functions.ts's methodOps): the class body holds only
// the methods whose form differs from their function's.

import { backward, type BackwardOptions } from "../autograd/backward.js";
import { broadcastShapes } from "../core/shape.js";
import { isGradEnabled, noGrad } from "../graph/grad-mode.js";
import { type Node, nodeOf } from "../graph/node.js";
import { add, div, mul, sub } from "../ops/arithmetic.js";
import { pow } from "../ops/binary-math.js";
import type { DivOptions } from "../ops/rounding-division.js";
import { expand, repeat, tile } from "../ops/broadcast.js";
import { maskedFill } from "../ops/index-ops.js";
import type { IndexItem } from "../ops/index-parse.js";
import { indexPut_, type IndexPutOptions } from "../ops/index-put.js";
import { nonzero, type NonzeroOptions } from "../ops/masked.js";
import { median, nanmedian } from "../ops/selection.js";
import { unique, type UniqueOptions } from "../ops/counting.js";
import { extremum } from "../ops/reduce-extremum.js";
import { inplace, inplaceBinary, normal_, uniform_ } from "../ops/inplace.js";
import { binaryFunctions, unaryFunctions } from "../ops/table.js";
import { fullRaw, type Operand } from "../ops/unrecorded.js";
import { clone, permute, reshape, to, transpose, view } from "../ops/view.js";
import { clamp, where } from "../ops/where.js";
import { type GradHook, type RemovableHandle, TensorBase, useTensorClass } from "../tensor/tensor.js";
import type { MinMax } from "../tensor/min-max.js";
import type { ValuesIndices } from "../tensor/values-indices.js";
import { methodOps } from "./op-functions.js";

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

/** T with TensorBase narrowed to Tensor, in results and in arrays and records of results. */
export type Narrowed<T> = T extends TensorBase
  ? Tensor
  : T extends ValuesIndices
    ? ValuesIndices<Tensor>
    : T extends MinMax
      ? MinMax<Tensor>
      : T extends readonly unknown[]
        ? { [K in keyof T]: Narrowed<T[K]> }
        : T extends (...args: never[]) => unknown
          ? T
          : T extends object
            ? { [K in keyof T]: Narrowed<T[K]> }
            : T;

/** max and min's three forms as functions (cr.max), typed with the Tensor users see. */
export interface ExtremumFunction {
  (x: TensorBase): Tensor;
  (x: TensorBase, dim: number, keepdim?: boolean): ValuesIndices<Tensor>;
  (x: TensorBase, other: TensorBase): Tensor;
}

/** nonzero's two forms: an int32 [n, ndim] tensor, or with asTuple one index tensor per dim. */
export interface NonzeroFunction {
  (x: TensorBase, opts: { asTuple: true }): Tensor[];
  (x: TensorBase, opts?: NonzeroOptions): Tensor;
}

/** median's and nanmedian's two forms: over every element (a tensor), or along a dim (values, indices). */
export interface MedianFunction {
  (x: TensorBase): Tensor;
  (x: TensorBase, dim: number, keepdim?: boolean): ValuesIndices<Tensor>;
}

/** unique's options asking for neither the inverse nor the counts: the result is one tensor. */
type UniqueAlone = UniqueOptions & { returnInverse?: false; returnCounts?: false };
/** unique's options asking for both: (output, inverse, counts). */
type UniqueBoth = UniqueOptions & { returnInverse: true; returnCounts: true };
/** unique's options asking for one of them: (output, inverse) or (output, counts). */
type UniqueOne = UniqueOptions &
  ({ returnInverse: true; returnCounts?: false } | { returnCounts: true; returnInverse?: false });

/** unique's forms: the sorted unique values, or PyTorch's tuple when the inverse or counts are asked for. */
export interface UniqueFunction {
  (x: TensorBase, opts?: UniqueAlone): Tensor;
  (x: TensorBase, opts: UniqueBoth): readonly [output: Tensor, inverse: Tensor, counts: Tensor];
  (x: TensorBase, opts: UniqueOne): readonly [output: Tensor, inverseOrCounts: Tensor];
  (x: TensorBase, opts: UniqueOptions): Tensor | readonly Tensor[];
}

/** A function whose tensor results are the Tensor users see. */
export type Lift<F> = F extends (...args: infer A) => infer R ? (...args: A) => Narrowed<R> : never;

/** The method form of each function of M: f(x, ...args) as x.f(...args). */
type MethodsOf<M> = {
  [K in keyof M]: M[K] extends (self: never, ...args: infer A) => infer R ? (...args: A) => Narrowed<R> : never;
};

/**
 * An n-dimensional array that records the operations applied to it, so `backward()` can compute
 * gradients. Made by the creation functions (cr.tensor, cr.zeros, cr.randn, …); every op is both
 * a function (`cr.mul(x, y)`) and a method (`x.mul(y)`).
 *
 * @example
 * const x = cr.tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad is [2, 4, 6]
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the methods made from op functions, see the end of the file
export class Tensor extends TensorBase {
  /** @internal the tensor whose storage this view shares, if any. */
  declare _base: Tensor | null;
  /** The graph node that produced this tensor; null on leaves. */
  declare gradFn: Node | null;

  /** Gradient accumulated by backward (leaves, or tensors that called retainGrad). */
  override get grad(): Tensor | null {
    return super.grad as Tensor | null;
  }
  /** Replaces the gradient; null clears it. */
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
  /**
   * The largest element; along a dim, its values and int32 indices (`const [v, i] = x.max(1)`);
   * against a tensor, the elementwise maximum.
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices<Tensor>;
  max(other: TensorBase): Tensor;
  max(arg?: number | TensorBase, keepdim?: boolean): Tensor | ValuesIndices<Tensor> {
    return extremum("max", this, arg, keepdim) as Tensor | ValuesIndices<Tensor>;
  }
  /** The smallest element; along a dim its values and int32 indices; or minimum(this, other). */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices<Tensor>;
  min(other: TensorBase): Tensor;
  min(arg?: number | TensorBase, keepdim?: boolean): Tensor | ValuesIndices<Tensor> {
    return extremum("min", this, arg, keepdim) as Tensor | ValuesIndices<Tensor>;
  }
  /** this / other, its quotient rounded with `roundingMode` "trunc" or "floor" (see cr.div). */
  div(other: Operand, opts?: DivOptions): Tensor {
    return up(div(this, other, opts));
  }
  /** where(cond, this, other) */
  where(cond: TensorBase, other: Operand): Tensor {
    return up(where(cond, this, other));
  }
  /** This tensor in a new shape, one dim may be -1: a view when the layout allows, else a copy (`x.reshape(2, -1)`). */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return up(reshape(this, dimsOf(shape)));
  }
  /** A view in a new shape, one dim may be -1; fails where the layout does not allow it (then use reshape). */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return up(view(this, dimsOf(shape)));
  }
  /** The transpose of a matrix (vectors and scalars are returned as they are). */
  t(): Tensor {
    if (this.ndim > 2)
      throw new RangeError(`t: expects a tensor with at most 2 dims, got shape [${this.shape.join(", ")}]`);
    return this.ndim < 2 ? this : up(transpose(this, 0, 1));
  }
  /** The dims reversed, as a view (PyTorch's `x.T`): a matrix's transpose. */
  get T(): Tensor {
    return this.ndim < 2 ? this : up(permute(this, ...this.shape.map((_, d) => this.ndim - 1 - d)));
  }
  /** The last two dims swapped, as a view (PyTorch's `x.mT`): a batch of matrices transposed. */
  get mT(): Tensor {
    if (this.ndim < 2)
      throw new RangeError(`mT: expects a tensor with at least 2 dims, got shape [${this.shape.join(", ")}]`);
    return up(transpose(this, -2, -1));
  }
  /** Reorders the dims, as a view: `x.permute(2, 0, 1)` makes [C, H, W] of [H, W, C]. */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return up(permute(this, ...dimsOf(dims)));
  }
  /** A broadcast view to a larger shape (-1 keeps a dim); no data is copied. */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return up(expand(this, dimsOf(shape)));
  }
  /** `expand` to other's shape. */
  expandAs(other: TensorBase): Tensor {
    return up(expand(this, other.shape));
  }
  /** `reshape` to other's shape. */
  reshapeAs(other: TensorBase): Tensor {
    return up(reshape(this, other.shape));
  }
  /** `view` in other's shape. */
  viewAs(other: TensorBase): Tensor {
    return up(view(this, other.shape));
  }
  /** Repeats the tensor along each dim: `x.repeat(2, 1)` stacks two copies along dim 0. */
  repeat(...reps: number[] | [readonly number[]]): Tensor {
    return up(repeat(this, ...dimsOf(reps)));
  }
  /** Like repeat, but fewer reps than dims are padded with 1s at the front. */
  tile(...reps: number[] | [readonly number[]]): Tensor {
    return up(tile(this, ...dimsOf(reps)));
  }
  /** A float32 copy (this tensor itself when it is float32). */
  float(): Tensor {
    return up(to(this, "float32"));
  }
  /** A float64 copy (this tensor itself when it is float64). */
  double(): Tensor {
    return up(to(this, "float64"));
  }
  /** An int32 copy, truncated toward 0 (this tensor itself when it is int32). */
  int(): Tensor {
    return up(to(this, "int32"));
  }
  /** A bool copy: true where non-zero (this tensor itself when it is bool). */
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
  /** this *= other, in place. */
  mul_(other: Operand): this {
    return (inplaceBinary(this, "mul", other) ?? inplace(this, "mul_", (x) => mul(x, other))) as this;
  }
  /** this /= other, in place; with a `roundingMode`, the rounded quotient (ints may stay int). */
  div_(other: Operand, opts?: DivOptions): this {
    if (opts) return inplace(this, "div_", (x) => div(x, other, opts)) as this;
    return (inplaceBinary(this, "div", other) ?? inplace(this, "div_", (x) => div(x, other))) as this;
  }
  /** this = this ** other, in place. */
  pow_(other: Operand): this {
    return inplace(this, "pow_", (x) => pow(x, other)) as this;
  }
  /** Clamps into [min, max] in place; null or undefined leaves that side open. */
  clamp_(min?: number | null, max?: number | null): this {
    return inplace(this, "clamp_", (x) => clamp(x, min, max)) as this;
  }
  /** Writes value where mask is true, in place. */
  maskedFill_(mask: TensorBase, value: Operand): this {
    return inplace(this, "maskedFill_", (x) => maskedFill(x, mask, value)) as this;
  }
  /** this[items] = value, in place (`+=` with accumulate): `x.indexPut_([mask], 0)` is x[mask] = 0. */
  indexPut_(items: readonly IndexItem[], value: TensorBase | number, opts?: IndexPutOptions): this {
    return indexPut_(this, items, value, opts) as this;
  }
  /** The lower median of every element, or along dim its values and int32 indices (`const [v, i] = x.median(1)`). */
  median(): Tensor;
  median(dim: number, keepdim?: boolean): ValuesIndices<Tensor>;
  median(dim?: number, keepdim?: boolean): Tensor | ValuesIndices<Tensor> {
    return (dim === undefined ? median(this) : median(this, dim, keepdim)) as Tensor | ValuesIndices<Tensor>;
  }
  /** median ignoring NaNs. */
  nanmedian(): Tensor;
  nanmedian(dim: number, keepdim?: boolean): ValuesIndices<Tensor>;
  nanmedian(dim?: number, keepdim?: boolean): Tensor | ValuesIndices<Tensor> {
    return (dim === undefined ? nanmedian(this) : nanmedian(this, dim, keepdim)) as Tensor | ValuesIndices<Tensor>;
  }
  /** The sorted unique elements (or slices along `dim`); with returnInverse/returnCounts, PyTorch's tuple. */
  unique(opts?: UniqueAlone): Tensor;
  unique(opts: UniqueBoth): readonly [output: Tensor, inverse: Tensor, counts: Tensor];
  unique(opts: UniqueOne): readonly [output: Tensor, inverseOrCounts: Tensor];
  unique(opts?: UniqueOptions): Tensor | readonly Tensor[];
  unique(opts?: UniqueOptions): Tensor | readonly Tensor[] {
    return unique(this, opts ?? {}) as Tensor | readonly Tensor[];
  }
  /** The indices of the non-zero elements: int32 [n, ndim], or with asTuple one tensor per dim. */
  nonzero(opts: { asTuple: true }): Tensor[];
  nonzero(opts?: NonzeroOptions): Tensor;
  nonzero(opts?: NonzeroOptions): Tensor | Tensor[] {
    return nonzero(this, opts) as Tensor | Tensor[];
  }
  /** Fills with zeros, in place. */
  zero_(): this {
    return inplace(this, "zero_", (x) => overwrite(x, fullRaw([], 0, this.dtype))) as this;
  }
  /** Fills with `value`, in place. */
  fill_(value: number): this {
    return inplace(this, "fill_", (x) => overwrite(x, fullRaw([], value, this.dtype))) as this;
  }
  /** Copies src's values in (broadcast, converted to this dtype), in place. */
  copy_(src: TensorBase): this {
    broadcastShapes("copy_", src.shape, this.shape);
    return inplace(this, "copy_", (x) => overwrite(x, src.dtype === this.dtype ? src : to(src, this.dtype))) as this;
  }
  /** Fills with uniform samples from [low, high), default [0, 1), in place. */
  uniform_(low?: number, high?: number): this {
    return uniform_(this, low, high) as this;
  }
  /** Fills with normal samples of mean and std, default N(0, 1), in place. */
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

// mapped over `keyof` so each method keeps its function's declaration and doc comment
type UnaryMethods = { [K in keyof typeof unaryFunctions]: () => Tensor };
type BinaryMethods = {
  [K in keyof typeof binaryFunctions as Exclude<K, "add" | "sub" | "div">]: (other: Operand) => Tensor;
};
// The methods made from the op functions: declared by these types, defined by the loop below.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the class
export interface Tensor extends UnaryMethods, BinaryMethods, MethodsOf<typeof methodOps> {}

/** Defines `name` on the prototype unless the class has its own form of it (add and sub take an alpha, div options). */
function defineMethod(name: string, method: (this: Tensor, ...args: never[]) => unknown): void {
  if (Object.hasOwn(Tensor.prototype, name)) return;
  // NOTE: an op named like a data member (numel, detach, item…) would hide it from the lower layers' reads
  if (name in Tensor.prototype) throw new Error(`Tensor.${name}: an op function has the name of a tensor member`);
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}

// NOTE: a fixed arity for the elementwise methods, the hottest: no rest array per call
for (const [name, fn] of Object.entries(unaryFunctions))
  defineMethod(name, function (this: Tensor) {
    return fn(this);
  });
for (const [name, fn] of Object.entries(binaryFunctions))
  defineMethod(name, function (this: Tensor, other: Operand) {
    return fn(this, other);
  });
for (const [name, fn] of Object.entries(methodOps as Record<string, (self: TensorBase, ...args: never[]) => unknown>))
  defineMethod(name, function (this: Tensor, ...args: never[]) {
    return fn(this, ...args);
  });

useTensorClass(Tensor);
