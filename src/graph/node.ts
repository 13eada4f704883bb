// Graph nodes. Every recorded op leaves one Node on its output(s): the backward rule, the
// tensors it saved (with their versions), and edges to the nodes of its inputs. Leaves that
// require grad are reached through an AccumulateGrad node, as in PyTorch.

import type { DType } from "../core/dtype.js";
import type { GradFn, GradHook, TensorBase } from "../tensor/tensor.js";
import { fmtShape } from "../core/shape.js";

/** Where a gradient goes: a node and which of its outputs it is the gradient of. */
export interface Edge {
  /** The node the gradient flows into. */
  node: Node;
  /** Which of that node's outputs it is the gradient of. */
  outputNr: number;
}

/** Shape and dtype of a tensor the node consumed or produced (for zero grads and reductions). */
export interface TensorMeta {
  shape: readonly number[];
  dtype: DType;
}

let anomalyMode = false;
let seqCounter = 0;

/** @internal switches anomaly mode (see autograd/anomaly.ts). */
export function setAnomalyMode(on: boolean): boolean {
  const prev = anomalyMode;
  anomalyMode = on;
  return prev;
}

/** True inside detectAnomaly. */
export function isAnomalyEnabled(): boolean {
  return anomalyMode;
}

/** A tensor saved for backward, with the version it had when saved. */
export class SavedTensor {
  private tensor: TensorBase | null;
  private readonly version: number;
  constructor(
    tensor: TensorBase,
    private readonly owner: Node,
    private readonly index: number,
    /** Made by the op for its backward alone (see OpDef.forward's keep): freed on release. */
    private readonly owned = false,
  ) {
    this.tensor = tensor;
    this.version = tensor._version;
    tensor.storage._saves++;
  }
  /** The saved tensor; throws if it was freed or modified in place since. */
  unpack(): TensorBase {
    const t = this.tensor;
    if (t === null) {
      throw new Error(
        `${this.owner.name}: trying to backward through the graph a second time (or to read saved tensors after they ` +
          `were freed). Saved tensors are freed after backward; pass { retainGraph: true } to the first backward.`,
      );
    }
    if (t._version !== this.version) {
      throw new Error(
        `${this.owner.name}: one of the tensors needed for gradient computation has been modified by an in-place ` +
          `operation: saved tensor ${this.index} of shape ${fmtShape(t.shape)} is at version ${t._version}; expected ` +
          `version ${this.version}. Use an out-of-place op, or .clone() before modifying it.`,
      );
    }
    return t;
  }
  /**
   * Drops the reference so the buffer can be collected, or frees it now where `freeOwned` (false
   * when an observer may have been handed it: then the collector frees it) and the node owns it
   * or this was the last hold on a storage only the graph could reach.
   */
  release(freeOwned: boolean): void {
    const t = this.tensor;
    if (!t) return;
    this.tensor = null;
    const s = t.storage;
    s._saves--;
    if (freeOwned && (this.owned || (s._graphOnly && s._saves === 0))) t.dispose();
  }
}

/**
 * What a node stands for: a declared op (its rule is chainrule's), a user-defined Function (its
 * backward is user code, which may keep what it is given), or a leaf's gradient sink.
 */
export type NodeKind = "op" | "function" | "leaf";

/** The backward function of a node: gradients of its outputs in, gradients of its inputs out. */
export type BackwardFn = (gradOutputs: TensorBase[]) => (TensorBase | null | undefined)[];

/** A node of the backward graph. */
export class Node implements GradFn {
  /** Creation order; the engine runs ready nodes latest-first, as PyTorch does. */
  readonly seq = seqCounter++;
  /** Saved tensors, unpacked on use by the backward rule. */
  saved: SavedTensor[] | null = null;
  /** Hooks on the gradient of each output, run before this node's backward (tensor hooks); null until one is added. */
  preHooks: Map<number, GradHook[]> | null = null;
  /** What retainGrad installs per output; runs after every pre-hook, so .grad shows their result. */
  retainGradHooks: Map<number, GradHook> | null = null;
  /** Where the forward op was called, recorded in anomaly mode. */
  readonly stack?: string;
  /** The op that recorded this node (for explain/ and graph export). */
  op?: string;
  /** @internal the engine's bookkeeping: which walk last counted this node, and its pending inputs. */
  _walk = 0;
  /** @internal */
  _deps = 0;

  constructor(
    /** PyTorch-style name, e.g. 'MulBackward'. */
    readonly name: string,
    /** What the node stands for; the engine tells leaves and user code apart by it. */
    readonly kind: NodeKind,
    /** One edge per input; null where the input needs no gradient. */
    readonly next: (Edge | null)[],
    /** Shapes and dtypes of the inputs, to reduce broadcast gradients and cast back. */
    readonly inputMeta: (TensorMeta | null)[],
    /** Shapes and dtypes of the outputs, to build zero gradients for unused outputs. */
    readonly outputMeta: TensorMeta[],
    /** The backward rule: the gradients of the outputs in, those of the inputs out. */
    readonly backward: BackwardFn,
  ) {
    if (anomalyMode) this.stack = new Error().stack?.split("\n").slice(3).join("\n");
  }

  /** The (node, outputNr) pairs of this node's inputs, as PyTorch's next_functions. */
  get nextFunctions(): [Node | null, number][] {
    return this.next.map((e) => (e ? [e.node, e.outputNr] : [null, 0]));
  }

  /** Saves tensors for backward and returns accessors for them; `owned` ones are freed on release. */
  save(tensors: TensorBase[], owned = false): SavedTensor[] {
    const saved = (this.saved ??= []);
    const out = tensors.map((t, i) => new SavedTensor(t, this, saved.length + i, owned));
    saved.push(...out);
    return out;
  }

  /** Frees saved tensors after a backward without retainGraph (see SavedTensor.release). */
  release(freeOwned: boolean): void {
    if (this.saved) for (const s of this.saved) s.release(freeOwned);
  }

  /** Sets the retainGrad hook of output `outputNr` (at most one, run after the other hooks, as PyTorch 2). */
  setRetainGradHook(outputNr: number, hook: GradHook): void {
    (this.retainGradHooks ??= new Map()).set(outputNr, hook);
  }

  /** Registers a hook on the gradient of output `outputNr`. */
  addPreHook(outputNr: number, hook: GradHook): () => void {
    const hooks = (this.preHooks ??= new Map());
    const list = hooks.get(outputNr) ?? [];
    list.push(hook);
    hooks.set(outputNr, list);
    return () => list.splice(list.indexOf(hook) >>> 0, 1);
  }
}

/** The sink of a leaf tensor: accumulates incoming gradients into `variable.grad`. */
export class AccumulateGrad extends Node {
  constructor(
    /** The leaf whose `.grad` this node accumulates into. */
    readonly variable: TensorBase,
  ) {
    super("AccumulateGrad", "leaf", [], [], [{ shape: variable.shape, dtype: variable.dtype }], () => []);
  }
}

/** The AccumulateGrad node of a leaf, created once and cached on it. */
export function accumulatorOf(leaf: TensorBase): AccumulateGrad {
  return (leaf._accumulator ??= new AccumulateGrad(leaf)) as AccumulateGrad;
}

/** The node that produced `t` (a tensor's gradFn is always one of this file's nodes). */
export function nodeOf(t: TensorBase): Node | null {
  return t.gradFn as Node | null;
}

/** The edge a gradient for `t` flows along, or null when t needs none. */
export function edgeOf(t: TensorBase): Edge | null {
  const node = nodeOf(t);
  if (node) return { node, outputNr: t.outputNr };
  if (t.requiresGrad) return { node: accumulatorOf(t), outputNr: 0 };
  return null;
}
