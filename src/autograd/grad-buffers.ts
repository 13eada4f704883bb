// Who holds each gradient buffer, so chainrule can reuse or free it when PyTorch's reference count
// would. In JS a dropped buffer waits for the collector, so a step's temporaries pile up in cold
// memory (tens of MB) before any comes back. Instead, a backward walk owns the gradients its rules
// make until it gives one to something outside it (a hook, a user-defined Function, autograd.grad's
// caller, a leaf's .grad): it sums into owned buffers in place, adopts one as a leaf's .grad
// without a copy, and frees each to the backend's pool, still hot, once no pending sum refers to it.
// A leaf's .grad made that way stays chainrule's alone until someone reads `.grad` (chainrule's own
// readers peek instead); until then zeroGrad frees it at once.

import type { Edge, Node } from "../graph/node.js";
import { add } from "../ops/arithmetic.js";
import { addInPlace, zeroInPlace } from "../ops/inplace.js";
import { clone } from "../ops/view.js";
import { makeTensor, Storage, type TensorBase } from "../tensor/tensor.js";

/** One gradient per output of a node; null where none arrived. */
export type Grads = (TensorBase | null)[];

/**
 * The gradients of one backward walk: the sum pending at each node (PyTorch's input buffers) and
 * which buffers are the walk's own. The engine sends gradients, takes a node's sums, and frees what
 * a node is done with; everything else here is bookkeeping. NOTE: called with grad mode on only
 * under createGraph, where sums and leaf accumulation are recorded and nothing is done in place.
 */
export class GradBuffers {
  /** Storages with ids from here on were made during this walk. */
  private readonly firstNew = Storage.count;
  /** Storages given to something outside the walk, or freed already: never summed into or freed by it. */
  private readonly handedOut = new Set<Storage>();
  /** How many pending sums refer to each storage. */
  private readonly refs = new Map<Storage, number>();
  /** The sums waiting at each node, one per output. */
  private readonly pending = new Map<Node, Grads>();
  /** Sums replaced in their slot since the last free (see `sendOne`). */
  private readonly replaced: TensorBase[] = [];

  /**
   * `freesBuffers`: off when the walk records a graph (whose nodes save gradients) or is observed
   * (an observer may keep any gradient), where only the collector may free them.
   */
  constructor(private readonly freesBuffers: boolean) {}

  /** Adds each gradient into the sum pending at its edge's slot (the notes' "copy gate adds"). */
  send(edges: readonly (Edge | null)[], grads: readonly (TensorBase | null)[]): void {
    // NOTE: all are held until all are sent, so no slot is summed into in place while its buffer
    // is still to be sent on
    for (const g of grads) if (g) this.hold(g);
    for (let i = 0; i < grads.length; i++) {
      const e = edges[i];
      const g = grads[i];
      if (e && g) this.sendOne(e, g);
    }
    for (const g of grads) if (g) this.drop(g);
  }

  /** The gradients summed at `node`, which leave their slots; undefined when none reached it. */
  take(node: Node): Grads | undefined {
    const sums = this.pending.get(node);
    if (!sums) return undefined;
    this.pending.delete(node);
    for (const g of sums) if (g) this.drop(g);
    return sums;
  }

  /** Marks g as given to code outside the walk, which may keep it. */
  handOut(g: TensorBase): void {
    this.handedOut.add(g.storage);
  }

  /**
   * Accumulates g into a leaf's .grad: recorded under createGraph; otherwise the first gradient
   * becomes .grad as it is when the walk owns it (else a copy), and later ones are added in place.
   */
  accumulate(leaf: TensorBase, g: TensorBase, createGraph: boolean): void {
    const had = leaf._grad;
    if (createGraph) {
      leaf.grad = had ? add(had, g) : g;
    } else if (!had) {
      const adopted = this.canAdopt(g);
      leaf._grad = adopted ? makeTensor(g.storage, g.shape, g.strides, 0) : clone(g.detach());
      // an observed walk frees nothing, so an observer may still hold the adopted buffer
      leaf._gradUnshared = !adopted || this.freesBuffers;
      this.handOut(leaf._grad);
    } else if (had.requiresGrad) {
      leaf.grad = add(had, g);
    } else {
      addInPlace(had, g);
    }
  }

  /**
   * Frees those of `grads` (what a node took in and made), and of the sums replaced meanwhile, that
   * the walk owns and no pending sum refers to.
   */
  free(grads: readonly (TensorBase | null | undefined)[]): void {
    if (!this.freesBuffers) return;
    for (const g of grads) if (g) this.freeIfDead(g);
    // NOTE: emptied only when it has entries: emptying an array is a slow runtime call
    if (this.replaced.length) for (const g of this.replaced.splice(0)) this.freeIfDead(g);
  }

  /** Adds g into the sum at e's slot: in place when the walk owns that sum alone, else into a new sum. */
  private sendOne(e: Edge, g: TensorBase): void {
    let sums = this.pending.get(e.node);
    if (!sums) this.pending.set(e.node, (sums = new Array<TensorBase | null>(e.node.outputMeta.length).fill(null)));
    const prev = sums[e.outputNr];
    if (!prev) {
      sums[e.outputNr] = g;
      this.hold(g);
    } else if (this.canAddInto(prev, g)) {
      addInPlace(prev, g);
    } else {
      const sum = add(prev, g);
      sums[e.outputNr] = sum;
      this.hold(sum);
      this.drop(prev);
      // it may be among the gradients still being sent: freed once the sender is done
      if (this.freesBuffers) this.replaced.push(prev);
    }
  }

  /** A pending sum now refers to t. */
  private hold(t: TensorBase): void {
    if (this.freesBuffers) this.refs.set(t.storage, (this.refs.get(t.storage) ?? 0) + 1);
  }

  /** A pending sum no longer refers to t. */
  private drop(t: TensorBase): void {
    if (!this.freesBuffers) return;
    const n = (this.refs.get(t.storage) ?? 0) - 1;
    if (n > 0) this.refs.set(t.storage, n);
    else this.refs.delete(t.storage);
  }

  /** Made by this walk and never handed out. */
  private owns(t: TensorBase): boolean {
    return t.storage.id >= this.firstNew && !this.handedOut.has(t.storage);
  }

  /**
   * True when `g` can become a leaf's .grad as it is: a dense buffer the walk owns. NOTE: add's rule
   * hands one tensor to both inputs, and seeds or hook results may be held by the user, so anything
   * else is copied first.
   */
  private canAdopt(g: TensorBase): boolean {
    return this.owns(g) && g.offset === 0 && g.storage.size === g.numel() && g.isContiguous();
  }

  /** True when g may be added into `sum` in place: owned, dense, held by its slot alone, g broadcasting into it. */
  private canAddInto(sum: TensorBase, g: TensorBase): boolean {
    return (
      this.freesBuffers &&
      this.owns(sum) &&
      this.refs.get(sum.storage) === 1 &&
      sum.storage !== g.storage &&
      sum.dtype === g.dtype &&
      sum.isContiguous() &&
      g.ndim <= sum.ndim &&
      g.shape.every((s, i) => s === 1 || s === sum.shape[sum.ndim - g.ndim + i])
    );
  }

  /** Frees t's buffer if the walk owns it and no pending sum refers to it. */
  private freeIfDead(t: TensorBase): void {
    if (this.owns(t) && !this.refs.has(t.storage)) {
      t.dispose();
      // freed once: a second reference in the same batch must not free it again
      this.handedOut.add(t.storage);
    }
  }
}

/**
 * A tensor's gradient, read without counting as a holder: for chainrule's own readers that keep no
 * reference to it once they return (built-in optimizers' updates, gradient clipping), so zeroGrad
 * may still free its buffer. Everyone else reads `.grad`, which marks it as held.
 */
export function peekGrad(t: TensorBase): TensorBase | null {
  return t._grad;
}

/**
 * Sets each tensor's .grad to null (setToNone), or zeroes it in place; shared by Module.zeroGrad
 * and Optimizer.zeroGrad. A gradient nothing outside chainrule can hold goes back to the backend's
 * pool at once, so the next backward writes into memory still in cache.
 */
export function zeroGrads(params: Iterable<TensorBase>, setToNone: boolean): void {
  for (const p of params) {
    const g = p._grad;
    if (!g) continue;
    if (setToNone) {
      if (p._gradUnshared) g.dispose();
      p.grad = null;
    } else {
      const grad = g.gradFn ? g.detach() : g;
      zeroInPlace(grad);
      p._grad = grad;
    }
  }
}
