// Custom autograd functions, as torch.autograd.Function: a static forward computed without
// recording, a static backward written with ops (so it too can be differentiated), and a ctx
// that saves tensors with version checks.

import { isFloat } from "../core/dtype.js";
import { Tensor } from "./tensor.js";

// NOTE: the graph layer hands back the tensors it holds as TensorBase; each one is a Tensor (every
// tensor is made as one, see tensor.ts), which a user's backward receives.
import { isGradEnabled, noGrad } from "../graph/grad-mode.js";
import { edgeOf, Node, type SavedTensor } from "../graph/node.js";

/** The context passed to forward and backward. Extra fields may be stored on it freely. */
export class FunctionCtx {
  /** For each forward argument: whether its gradient is needed. */
  needsInputGrad: boolean[] = [];
  /** @internal */
  _toSave: Tensor[] = [];
  /** @internal */
  _saved: SavedTensor[] | null = null;
  /** @internal */
  _nonDiff = new Set<Tensor>();
  [key: string]: unknown;

  /** Saves tensors for backward; they are checked against in-place modification. */
  saveForBackward(...tensors: Tensor[]): void {
    this._toSave = tensors;
  }
  /** The tensors saved in forward. */
  get savedTensors(): Tensor[] {
    return this._saved ? this._saved.map((s) => s.unpack() as Tensor) : this._toSave;
  }
  /** Marks outputs that have no gradient (e.g. indices). */
  markNonDifferentiable(...tensors: Tensor[]): void {
    for (const t of tensors) this._nonDiff.add(t);
  }
}

type Grads = Tensor | null | undefined | (Tensor | null | undefined)[];

/** Base class of custom functions: subclass with static forward and backward, call apply. */
export class Function {
  /** Computes the outputs; runs without recording. */
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor | Tensor[] {
    throw new Error(`${this.name}.forward must be overridden`);
  }
  /** Returns one gradient per forward argument (null for non-tensors or unneeded ones). */
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Grads {
    throw new Error(`${this.name}.backward must be overridden to differentiate through ${this.name}`);
  }
  /** Runs the function and records it in the graph. */
  static apply<T extends Tensor | Tensor[] = Tensor>(...args: unknown[]): T {
    const ctx = new FunctionCtx();
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const raw = noGrad(() => this.forward(ctx, ...args));
    const list = (Array.isArray(raw) ? raw : [raw]).map((o) => (args.includes(o) ? o.detach() : o));
    if (isGradEnabled() && ctx.needsInputGrad.some(Boolean)) {
      const tensorArgs = args.map((a) => (a instanceof Tensor ? a : null));
      const node = new Node(
        `${this.name}Backward`,
        "function",
        tensorArgs.map((t) => (t ? edgeOf(t) : null)),
        tensorArgs.map((t) => (t?.requiresGrad ? { shape: t.shape, dtype: t.dtype } : null)),
        list.map((o) => ({ shape: o.shape, dtype: o.dtype })),
        (grads) => {
          const r = this.backward(ctx, ...(grads as Tensor[]));
          const out = Array.isArray(r) ? r : [r];
          if (out.length !== args.length) {
            throw new Error(
              `${this.name}.backward returned ${out.length} gradients but forward took ${args.length} arguments`,
            );
          }
          return out;
        },
      );
      ctx._saved = node.save(ctx._toSave);
      list.forEach((o, i) => {
        if (!isFloat(o.dtype) || ctx._nonDiff.has(o)) return;
        o.gradFn = node;
        o.outputNr = i;
      });
    }
    return (Array.isArray(raw) ? list : list[0]) as T;
  }
}
