// Freeing activations when backward is done with them, as reference counting does in PyTorch,
// instead of whenever the collector next runs. An activation a Sequential hands from one built-in
// layer to the next, or one a transformer layer or multi-head attention makes inside, can be
// reached only through the graph once its last user has returned: no user code was given it. Its
// storage is then freed as soon as backward releases the last saved tensor holding it (at once
// where nothing saved it: in eval, under noGrad), and the pool gets the buffer back warm.
//
// A user's layer or function may keep what it is given or returns (an activation kept for a plot),
// and a hook or an observer (explain, a trace) may keep what it is shown: only the layers declared
// here take part, with all their submodules, and only while nothing is hooked or observing.

import { observers } from "../graph/observe.js";
import { Storage, TensorBase } from "../tensor/tensor.js";
import type { Module } from "./module.js";

const declared = new WeakSet<object>();

/** Declares built-in layers whose forward keeps no reference to a tensor it is given or makes. */
export function keepsNoTensors(...classes: { prototype: Module }[]): void {
  for (const c of classes) declared.add(c.prototype);
}

/** Whether any hook is registered on m. */
export const hooked = (m: Module) => m._forwardPreHooks.size + m._forwardHooks.size + m._backwardHooks.size > 0;

/** Whether m is a declared layer itself (not a subclass that may replace forward), unhooked, and so are all its submodules. */
function keepsNothing(m: Module): boolean {
  if (!declared.has(Object.getPrototypeOf(m) as object) || hooked(m)) return false;
  for (const c of m.children()) if (!keepsNothing(c)) return false;
  return true;
}

/**
 * Tracks one forward of built-in code (a Sequential, a transformer layer): `pass` runs each step
 * and frees what only the graph still reaches. A storage qualifies when it was made after the
 * last step that may keep tensors returned (so only declared layers and built-in code ever held
 * it), and its last user returned something else.
 */
export class Handoff {
  /** Storages with ids below this existed before the call or when a step that may keep tensors last returned. */
  private fresh = Storage.count;

  /**
   * Runs a step (by `run`): a layer, built-in code (true) or a user's function (false). Then x,
   * the step's input (a tensor, or whatever a layer handed on), is handed off if only the graph
   * can reach it: pass null where the input is used again later (and `release` it after its last
   * use). Returns the step's output.
   */
  pass<T>(by: Module | boolean, x: unknown, run: () => T): T {
    const out = run();
    const plain = observers.length === 0 && (typeof by === "boolean" ? by : keepsNothing(by));
    if (plain && x instanceof TensorBase) this.release(x, out);
    if (!plain) this.fresh = Storage.count;
    return out;
  }

  /** Frees x once no saved tensor holds it, if only the graph can reach it and `out` (what its last user returned) does not share it. */
  release(x: TensorBase, out: unknown): void {
    const s = x.storage;
    if (observers.length > 0 || s.id < this.fresh || !(out instanceof TensorBase) || out.storage === s) return;
    s._graphOnly = true;
    if (s._saves === 0) x.dispose();
  }
}
