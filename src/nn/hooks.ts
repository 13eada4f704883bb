// Full backward hooks (torch's register_full_backward_hook): identity autograd functions wrap a
// module call's tensor inputs and outputs. The outputs' node sees the gradients of the outputs
// first; the inputs' node then sees the gradients of the inputs and hands both to the hooks.

import { Function as AutogradFunction, type FunctionCtx } from "../api/function.js";
import { Tensor } from "../api/tensor.js";

/** Gradients of a module's tensor inputs (null where none flowed). */
export type GradList = (Tensor | null)[];

type OnGrads = (grads: Tensor[]) => Tensor[] | void;

/** The identity, whose backward reports the gradients of all its outputs together. */
class BackwardHookFunction extends AutogradFunction {
  static override forward(ctx: FunctionCtx, onGrads: unknown, ...xs: unknown[]): Tensor[] {
    ctx.onGrads = onGrads;
    return xs as Tensor[];
  }
  static override backward(ctx: FunctionCtx, ...grads: Tensor[]): (Tensor | null)[] {
    const replaced = (ctx.onGrads as OnGrads)(grads);
    return [null, ...(replaced ?? grads)];
  }
}

/** Runs `fire` once per backward with the gradients of a call's inputs and outputs. */
export class BackwardHookCall {
  private gradOutputs: GradList = [];
  private inputSlots: number[] = [];
  private inputCount = 0;

  constructor(private readonly fire: (gradInput: GradList, gradOutput: GradList) => GradList) {}

  /** Replaces the tensor inputs that require grad by identity copies whose gradients are reported. */
  wrapInputs(args: unknown[]): unknown[] {
    const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
    this.inputCount = tensors.length;
    this.inputSlots = tensors.flatMap((t, i) => (t.requiresGrad ? [i] : []));
    if (!this.inputSlots.length) return args;
    const wrapped = BackwardHookFunction.apply<Tensor[]>(
      ((grads: Tensor[]) => this.onInputGrads(grads)) as OnGrads,
      ...this.inputSlots.map((i) => tensors[i]!),
    );
    let t = -1;
    let w = 0;
    return args.map((a) => {
      if (!(a instanceof Tensor)) return a;
      t++;
      return this.inputSlots.includes(t) ? wrapped[w++]! : a;
    });
  }

  /** Replaces the output tensors (also inside nested arrays) by identity copies that report their gradients. */
  wrapOutputs(out: unknown): unknown {
    const leaves: Tensor[] = [];
    const collect = (o: unknown): void => {
      if (o instanceof Tensor && o.requiresGrad) leaves.push(o);
      else if (Array.isArray(o)) o.forEach(collect);
    };
    collect(out);
    if (!leaves.length) return out;
    const wrapped = BackwardHookFunction.apply<Tensor[]>(
      ((grads: Tensor[]) => this.onOutputGrads(grads)) as OnGrads,
      ...leaves,
    );
    const swap = (o: unknown): unknown => {
      if (o instanceof Tensor && o.requiresGrad) return wrapped[leaves.indexOf(o)];
      return Array.isArray(o) ? o.map(swap) : o;
    };
    return swap(out);
  }

  private onOutputGrads(grads: Tensor[]): void {
    this.gradOutputs = grads;
    // no input needs a gradient, so no input node will run: report now, as PyTorch does
    if (!this.inputSlots.length) this.fire(new Array<Tensor | null>(this.inputCount).fill(null), grads);
  }

  private onInputGrads(grads: Tensor[]): Tensor[] {
    const gradInput: GradList = new Array<Tensor | null>(this.inputCount).fill(null);
    this.inputSlots.forEach((slot, i) => (gradInput[slot] = grads[i]!));
    const result = this.fire(gradInput, this.gradOutputs);
    return this.inputSlots.map((slot, i) => result[slot] ?? grads[i]!);
  }
}
