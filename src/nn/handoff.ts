// The activations a Sequential hands from one built-in layer to the next. Once the next layer has
// returned, nothing but the graph can reach such a tensor: no user code was given it. Its storage
// is then freed as soon as the last saved tensor holding it is released by backward (at once where
// nothing saved it: in eval, under noGrad), as reference counting frees it in PyTorch, instead of
// whenever the collector next runs. The pool gets the buffer back warm, for the next step.
//
// A user's layer may keep what it is given or returns (an activation kept for a plot), and a hook
// or an observer (explain, a trace) may keep what it is shown: only the layers declared here take
// part, with all their submodules, and only while nothing is hooked or observing.

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
 * Tracks one Sequential call: `pass` runs each layer and frees what only the graph still reaches.
 * A storage qualifies when it was made after the last layer that may keep tensors returned (so
 * only declared layers ever held it), and the layer it was handed to returned something else.
 */
export class Handoff {
  /** Storages with ids below this existed before the call or when a layer that may keep tensors last returned. */
  private fresh = Storage.count;

  /** Runs `layer` on x (by `run`), then hands x off if only the graph can reach it; returns the output. */
  pass(layer: Module, x: unknown, run: () => unknown): unknown {
    const out = run();
    const plain = observers.length === 0 && keepsNothing(layer);
    if (plain && x instanceof TensorBase && out instanceof TensorBase) {
      const s = x.storage;
      if (s.id >= this.fresh && out.storage !== s) {
        s._graphOnly = true;
        if (s._saves === 0) x.dispose();
      }
    }
    if (!plain) this.fresh = Storage.count;
    return out;
  }
}
