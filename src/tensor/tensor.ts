// TensorBase: a strided view (shape, strides, offset) onto a backend buffer, plus its place in the
// autograd graph. This is the data every layer shares; the class users see, with the op methods
// (`x.mul(y)`, `loss.backward()`), extends it from above the ops and the engine (api/tensor.ts).
// As PyTorch's C++ core makes every tensor an instance of the Python `torch.Tensor` it is given at
// start-up, the layers below make tensors through `makeTensor`, with the class the API installs.

import type { Kernels, View } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { allocArray, isFloat, type DType, type TypedArray } from "../core/dtype.js";
import { contiguousStrides, isContiguous, numelOf, type Shape } from "../core/shape.js";
import { formatTensor } from "./format.js";

/**
 * A backend buffer shared by a tensor and all its views. Its version counter is shared too: an
 * in-place write through any view bumps it, which is how saved tensors detect modification.
 */
export class Storage {
  /** Storages made so far; ids tell the engine which buffers were made during a backward walk. */
  static count = 0;
  /** Creation order of this storage. */
  readonly id = Storage.count++;
  /** Bumped by every in-place write, through any view; saved tensors compare it to detect modification. */
  version = 0;
  /** @internal how many saved tensors (graph/node.ts) hold a view of this storage now. */
  _saves = 0;
  /**
   * @internal set when nothing but the graph can reach the storage any more (an activation inside
   * built-in layers: nn/handoff.ts): the last saved tensor released frees it.
   */
  _graphOnly = false;
  constructor(
    /** The backend whose buffer this is. */
    public backend: Kernels,
    /** The backend's buffer handle. */
    public handle: unknown,
    /** Element type. */
    readonly dtype: DType,
    /** Number of elements. */
    readonly size: number,
  ) {}
}

/** A tensor hook: may return a replacement gradient. */
export type GradHook<T extends TensorBase = TensorBase> = (grad: T) => T | void | undefined;

/** What a tensor knows of the graph node that produced it (graph/node.ts's Node). */
export interface GradFn {
  /** PyTorch-style name, e.g. 'MulBackward'. */
  readonly name: string;
  /** The (node, outputNr) pairs of the node's inputs, as PyTorch's next_functions. */
  readonly nextFunctions: [GradFn | null, number][];
}

/** Handle returned by hook registration. */
export interface RemovableHandle {
  /** Unregisters the hook. */
  remove(): void;
}

/** An n-dimensional array that records the operations applied to it: its data and graph links. */
export class TensorBase {
  /** Gradient accumulated by backward (leaves, or tensors that called retainGrad). */
  get grad(): TensorBase | null {
    this._gradUnshared = false;
    return this._grad;
  }
  /** Replaces the gradient; null clears it. */
  set grad(g: TensorBase | null) {
    this._grad = g;
    this._gradUnshared = false;
  }
  /** @internal the gradient itself; chainrule's own reads that keep no reference go through peekGrad. */
  _grad: TensorBase | null = null;
  /**
   * @internal true while nothing outside chainrule can hold `_grad`'s buffer: backward made it for
   * this tensor and no one has read `.grad` since. zeroGrad then frees it at once, as PyTorch's
   * reference count would (autograd/grad-buffers.ts owns this policy).
   */
  _gradUnshared = false;
  /** The node that produced this tensor; null on leaves. */
  gradFn: GradFn | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputNr = 0;
  /** Optional label, used by explain/ and graph export (e.g. a parameter's module path). */
  name?: string;
  /** @internal the tensor whose storage this view shares, if any. */
  _base: TensorBase | null = null;
  /** @internal leaf flag set by the user. */
  _requiresGrad = false;
  /** @internal hooks run on the gradient of a leaf before it is accumulated. */
  _hooks: GradHook[] | null = null;
  /** @internal the leaf's AccumulateGrad node, created on first use. */
  _accumulator: GradFn | null = null;
  /** @internal true once retainGrad() was called on a non-leaf. */
  _retainsGrad = false;

  /** @internal use cr.tensor() and friends. */
  constructor(
    /** The buffer this tensor views, shared with its other views. */
    public storage: Storage,
    /** Size of each dim. */
    readonly shape: readonly number[],
    /** Elements to step in the storage per index of each dim. */
    readonly strides: readonly number[],
    /** Position of the first element in the storage. */
    readonly offset: number,
  ) {}

  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  numel(): number {
    return numelOf(this.shape);
  }
  /** Size of one dim, or the whole shape. */
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[dim < 0 ? dim + this.ndim : dim]!;
  }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** Whether gradients flow to (or through) this tensor. */
  get requiresGrad(): boolean {
    return this.gradFn !== null || this._requiresGrad;
  }
  /** Marks a leaf as needing gradients (floating-point leaves only). */
  set requiresGrad(on: boolean) {
    if (!this.isLeaf) {
      throw new Error(
        `requiresGrad: you can only change requiresGrad of leaf tensors; this one was produced by ${this.gradFn!.name}. ` +
          `Use .detach() to get a leaf.`,
      );
    }
    if (on && !isFloat(this.dtype)) {
      throw new TypeError(`requiresGrad: only floating-point tensors can require gradients, got dtype ${this.dtype}`);
    }
    this._requiresGrad = on;
  }
  /** Sets requiresGrad in place and returns this tensor. */
  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }
  /** @internal the shared version counter of the storage. */
  get _version(): number {
    return this.storage.version;
  }
  /** True when the elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  /** @internal the kernel-level view of this tensor, moved to the active backend if needed. */
  _view(): View {
    const k = kernels();
    if (this.storage.backend !== k) {
      const data = this.storage.backend.readSync(this.storage.handle, this.dtype);
      this.storage.backend = k;
      this.storage.handle = k.upload(this.dtype, data);
    }
    return {
      handle: this.storage.handle,
      dtype: this.dtype,
      shape: this.shape,
      strides: this.strides,
      offset: this.offset,
    };
  }
  /** @internal this tensor's elements, densely packed, as a fresh handle on the active backend. */
  _dense(): unknown {
    const k = kernels();
    const out = k.alloc(this.dtype, this.numel());
    k.copy(this._view(), {
      handle: out,
      dtype: this.dtype,
      shape: this.shape,
      strides: contiguousStrides(this.shape),
      offset: 0,
    });
    return out;
  }
  /** A copy of the elements as a typed array in row-major order. */
  dataSync(): TypedArray {
    const st = this.storage;
    if (this.isContiguous() && this.offset === 0 && st.size === this.numel())
      return st.backend.readSync(st.handle, this.dtype);
    const n = this.numel();
    if (n === 0) return allocArray(this.dtype, 0);
    return kernels().readSync(this._dense(), this.dtype);
  }
  /** The elements, read asynchronously (the form every backend supports). */
  async data(): Promise<TypedArray> {
    if (this.isContiguous() && this.offset === 0 && this.storage.size === this.numel()) {
      return this.storage.backend.read(this.storage.handle, this.dtype);
    }
    return kernels().read(this._dense(), this.dtype);
  }
  /** The elements as nested arrays (booleans for bool tensors). */
  toArray(): NestedArray {
    const flat = Array.from(this.dataSync(), (v) => (this.dtype === "bool" ? v !== 0 : v));
    return nest(flat, this.shape) as NestedArray;
  }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(
        `item: only one-element tensors can be converted to a number, got shape [${this.shape.join(", ")}]`,
      );
    }
    return this.dataSync()[0]!;
  }
  /** Pretty print, like PyTorch's repr. */
  toString(): string {
    return formatTensor(this);
  }
  /** A tensor sharing storage but cut from the graph. */
  detach(): TensorBase {
    const t = makeTensor(this.storage, this.shape, this.strides, this.offset);
    t._base = this._base ?? this;
    return t;
  }
  /** Frees the backend buffer early (optional: unreachable tensors are collected anyway). */
  dispose(): void {
    const free = (this.storage.backend as Kernels & { free?: (h: unknown) => void }).free;
    free?.(this.storage.handle);
  }
}

type TensorClass = new (
  storage: Storage,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
) => TensorBase;

let tensorClass: TensorClass = TensorBase;

/** @internal a new tensor over `storage`, of the class the API installed (see the file's header). */
export function makeTensor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number) {
  return new tensorClass(storage, shape, strides, offset);
}

/** @internal installs the class every tensor is made as; api/tensor.ts calls it once, when loaded. */
export function useTensorClass(cls: TensorClass): void {
  tensorClass = cls;
}

/** Nested arrays of numbers (or booleans), as `toArray()` returns. */
export type NestedArray = number | boolean | NestedArray[];

function nest(flat: (number | boolean)[], shape: Shape): NestedArray {
  if (shape.length === 0) return flat[0]!;
  const step = numelOf(shape.slice(1));
  const out: NestedArray[] = [];
  for (let i = 0; i < shape[0]!; i++) out.push(nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)));
  return out;
}
