// Containers: Sequential, ModuleList and ModuleDict keep their submodules in an ordered map, so
// their state-dict keys are the item names ("0.weight", "head.bias") in insertion order. Identity,
// Flatten and Unflatten are the trivial shape modules.

import { fmtShape } from "../core/shape.js";
import type { Tensor } from "../api/tensor.js";
import { observers } from "../graph/observe.js";
import { Handoff, hooked, keepsNoTensors } from "./handoff.js";
import { ReLU } from "./layers/activation.js";
import { Module } from "./module.js";

/** Whether m has a fused ReLU form that stands for its forward (not for a forward a subclass replaced). */
function fusesRelu(m: Module): boolean {
  if (!m._forwardRelu) return false;
  let owner: object | null = Object.getPrototypeOf(m) as object;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, "_forwardRelu"))
    owner = Object.getPrototypeOf(owner) as object;
  return owner !== null && m.forward === (owner as Module).forward;
}

/** Shared storage of the containers: items by name, in insertion order. */
abstract class Container<M extends Module> extends Module {
  /** @internal */
  _items = new Map<string, M>();

  /** @internal the container's fields, then its items. */
  override _ownEntries(): [string, Module | Tensor][] {
    return [...super._ownEntries(), ...this._items];
  }

  override registerModule<T extends Module | null>(name: string, module: T): T {
    if (module) this._items.set(name, module as unknown as M);
    else this._items.delete(name);
    return module;
  }

  /** Number of items. */
  get length(): number {
    return this._items.size;
  }

  /** The items in order. */
  [Symbol.iterator](): IterableIterator<M> {
    return this._items.values();
  }
}

/** Index-addressed containers: items named "0", "1", …. */
abstract class IndexedContainer<M extends Module> extends Container<M> {
  /** The item at index i (negative counts from the end). */
  at(i: number): M {
    const n = this._items.size;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new RangeError(`${this.constructor.name}: index ${i} is out of range for ${n} items`);
    }
    return [...this._items.values()][j]!;
  }

  /** Adds a module at the end; returns this. */
  append(module: M): this {
    this._items.set(String(this._items.size), module);
    return this;
  }

  /** Adds several modules at the end; returns this. */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before index i, renumbering the rest. */
  insert(i: number, module: M): this {
    const list = [...this._items.values()];
    list.splice(i < 0 ? i + list.length : i, 0, module);
    this._items = new Map(list.map((m, k) => [String(k), m]));
    return this;
  }
}

/**
 * Modules applied in order, each to the previous one's output.
 *
 * @example
 * const model = new cr.nn.Sequential(new cr.nn.Linear(4, 16), new cr.nn.ReLU(), new cr.nn.Linear(16, 3));
 * const y = model.call(cr.randn(8, 4)); // [8, 3]
 */
export class Sequential extends IndexedContainer<Module> {
  /** new Sequential(a, b, c), or named items from a record: new Sequential({ fc: …, act: … }). */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && !(first instanceof Module)) {
      for (const [name, m] of Object.entries(first as Record<string, Module>)) this._items.set(name, m);
    } else {
      for (const m of modules as Module[]) this.append(m);
    }
  }

  /**
   * Passes x through every module in turn. A layer with a fused ReLU form (batch norm) followed by
   * a ReLU runs as that one op, one pass over the activation each way instead of two, when nothing
   * can see the output in between: neither module has hooks and no observer (explain, a trace)
   * watches the graph. The values and gradients are the same. An activation handed between two
   * built-in layers is freed once backward is done with it (see handoff.ts).
   */
  forward(x: Tensor): Tensor {
    let y: unknown = x;
    const handoff = new Handoff();
    // a layer with a fused ReLU form, held back until the next module shows whether it is a ReLU
    let held: Module | null = null;
    for (const m of this._items.values()) {
      if (held) {
        const pending = held;
        held = null;
        // a ReLU itself, not a subclass with a forward of its own
        if (Object.getPrototypeOf(m) === ReLU.prototype && !hooked(m)) {
          y = handoff.pass(pending, y, () => pending._run(pending._forwardRelu!, [y]));
          continue;
        }
        y = handoff.pass(pending, y, () => pending._call(y));
      }
      if (fusesRelu(m) && !hooked(m) && observers.length === 0) held = m;
      else y = handoff.pass(m, y, () => m._call(y));
    }
    const last = held;
    return (last ? handoff.pass(last, y, () => last._call(y)) : y) as Tensor;
  }
}

/** A list of submodules, registered so their parameters are found; iterate it in your own forward. */
export class ModuleList<M extends Module = Module> extends IndexedContainer<M> {
  /** A list holding `modules`. */
  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** Not callable: a ModuleList has no forward of its own. */
  forward(): never {
    throw new Error("ModuleList: has no forward; iterate over it and call its modules");
  }
}

/** Submodules by name, in insertion order. */
export class ModuleDict<M extends Module = Module> extends Container<M> {
  /** A dict holding the entries of `modules`. */
  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** The module under `key`. */
  get(key: string): M {
    const m = this._items.get(key);
    if (!m) throw new Error(`ModuleDict: no module under key '${key}' (keys: ${[...this._items.keys()].join(", ")})`);
    return m;
  }

  /** Stores `module` under `key`; returns this. */
  set(key: string, module: M): this {
    if (key.includes(".")) throw new Error(`ModuleDict: key '${key}' must not contain '.'`);
    this._items.set(key, module);
    return this;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this._items.has(key);
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: string): boolean {
    return this._items.delete(key);
  }

  /** The keys in order. */
  keys(): IterableIterator<string> {
    return this._items.keys();
  }

  /** The modules in order. */
  values(): IterableIterator<M> {
    return this._items.values();
  }

  /** [key, module] pairs in order. */
  entries(): IterableIterator<[string, M]> {
    return this._items.entries();
  }

  /** Not callable: a ModuleDict has no forward of its own. */
  forward(): never {
    throw new Error("ModuleDict: has no forward; look up its modules and call them");
  }
}

/** Returns its input unchanged. */
export class Identity extends Module {
  /** x itself. */
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens dims startDim..endDim into one (default: all but the batch dim). */
export class Flatten extends Module {
  /** Flattens startDim..endDim. */
  constructor(
    /** The first dim merged. */
    readonly startDim = 1,
    /** The last dim merged (negative counts from the end). */
    readonly endDim = -1,
  ) {
    super();
  }

  /** x with the dims merged. */
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Splits one dim into `sizes` (the inverse of Flatten). */
export class Unflatten extends Module {
  /** Splits `dim` into `sizes`. */
  constructor(
    /** The dim split. */
    readonly dim: number,
    /** The sizes it is split into (one may be -1). */
    readonly sizes: readonly number[],
  ) {
    super();
  }

  /** x with `dim` unflattened. */
  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.sizes);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${fmtShape(this.sizes)}`;
  }
}

keepsNoTensors(Sequential, ModuleList, ModuleDict, Identity, Flatten, Unflatten);
