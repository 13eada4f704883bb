// Which gradient buffers a backward walk owns, and when it may reuse or free them. PyTorch frees a
// gradient the moment its last reference goes; in JS a dropped buffer waits for the collector, so
// a step's temporaries pile up (cold memory, tens of MB) before any comes back. The walk knows its
// own gradients exactly: it made them, counts how many pending slots refer to each storage, and
// frees one as soon as no slot does and nothing outside (a leaf's .grad, a hook, a user-defined
// Function, autograd.grad's results) was given it. Freed buffers return to the backend's pool hot.

import { Storage, type Tensor } from "../tensor/tensor.js";

export class GradLifetimes {
  /** Storages with ids from here on were made by this walk's backward rules. */
  private readonly firstNew = Storage.count;
  /** Storages given to something outside the walk: never reused or freed by it. */
  private readonly handedOut = new Set<Storage>();
  /** How many pending gradient slots refer to each storage. */
  private readonly pending = new Map<Storage, number>();

  /**
   * `reclaim`: free dead buffers (off when the walk records a graph, whose nodes save gradients,
   * when observers may keep them, or when the backend has nothing to free with).
   */
  constructor(readonly reclaimOn: boolean) {}

  /** A pending slot now refers to t. */
  hold(t: Tensor): void {
    if (this.reclaimOn) this.pending.set(t.storage, (this.pending.get(t.storage) ?? 0) + 1);
  }

  /** A pending slot no longer refers to t. */
  drop(t: Tensor): void {
    if (!this.reclaimOn) return;
    const n = (this.pending.get(t.storage) ?? 0) - 1;
    if (n > 0) this.pending.set(t.storage, n);
    else this.pending.delete(t.storage);
  }

  /** Marks t's buffer as held outside the walk. */
  handOut(t: Tensor): void {
    this.handedOut.add(t.storage);
  }

  /** Made by this walk and never handed out. */
  private owns(t: Tensor): boolean {
    return t.storage.id >= this.firstNew && !this.handedOut.has(t.storage);
  }

  /**
   * True when `grad` can become a leaf's `.grad` as it is: a dense buffer this walk made and has
   * not given to anyone. NOTE: add's rule hands one tensor to both inputs, and seeds or hook
   * results may be held by the user, so anything else is copied first.
   */
  canAdopt(grad: Tensor): boolean {
    return this.owns(grad) && grad.offset === 0 && grad.storage.size === grad.numel() && grad.isContiguous();
  }

  /** True when `sum` may be accumulated into in place: owned, dense, and referred to by its one slot only. */
  canAccumulateInto(sum: Tensor, g: Tensor): boolean {
    return (
      this.reclaimOn &&
      this.owns(sum) &&
      this.pending.get(sum.storage) === 1 &&
      sum.storage !== g.storage &&
      sum.dtype === g.dtype &&
      sum.isContiguous() &&
      g.ndim <= sum.ndim &&
      g.shape.every((s, i) => s === 1 || s === sum.shape[sum.ndim - g.ndim + i])
    );
  }

  /** Frees t's buffer if the walk made it and nothing refers to it any more. */
  reclaim(t: Tensor | null | undefined): void {
    if (t && this.reclaimOn && this.owns(t) && !this.pending.has(t.storage)) {
      t.dispose();
      // freed once: a second reference in the same batch must not free it again
      this.handedOut.add(t.storage);
    }
  }
}
