// The user-facing entry points of the engine: tensor.backward() and autograd.grad().

import { checkOptions } from "../core/options.js";
import { fmtShape, sameShape } from "../core/shape.js";
import type { TensorBase } from "../tensor/tensor.js";
import { fullRaw } from "../ops/unrecorded.js";
import { captureFor, type RunOptions, runBackward } from "./engine.js";

function seedFor(t: TensorBase, given: TensorBase | undefined, op: string, i = 0): TensorBase {
  if (given === undefined) {
    if (t.numel() !== 1) {
      throw new Error(
        `${op}: output ${i} has shape ${fmtShape(t.shape)}; a gradient can only be created implicitly for a ` +
          `one-element output. Pass a gradient of the same shape.`,
      );
    }
    return fullRaw(t.shape, 1, t.dtype);
  }
  if (!sameShape(given.shape, t.shape)) {
    throw new RangeError(
      `${op}: gradient of shape ${fmtShape(given.shape)} does not match output ${i} of shape ${fmtShape(t.shape)}`,
    );
  }
  return given;
}

/** Options of backward(). */
export type BackwardOptions = RunOptions;

/** Computes the gradient of `t` with respect to graph leaves, accumulating into their `.grad`. */
export function backward(t: TensorBase, gradient?: TensorBase, opts: BackwardOptions = {}): void {
  checkOptions("backward", opts, ["retainGraph", "createGraph"]);
  if (!t.requiresGrad) {
    throw new Error(
      `backward: this tensor (shape ${fmtShape(t.shape)}, dtype ${t.dtype}) does not require grad and has no gradFn`,
    );
  }
  runBackward([t], [seedFor(t, gradient, "backward")], opts);
}

/** Options of autograd.grad(). */
export interface GradOptions extends RunOptions {
  /** The gradient of each output (default: ones, for one-element outputs only). */
  gradOutputs?: TensorBase | (TensorBase | undefined)[];
  /** Give null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned (leaves' .grad is untouched).
 *
 * @example
 * const x = cr.tensor([3], { requiresGrad: true });
 * const [dy] = cr.autograd.grad(x.pow(3), x, { createGraph: true }); // 3x² = 27
 * const [d2y] = cr.autograd.grad(dy!, x); // 6x = 18
 */
export function grad(
  outputs: TensorBase | TensorBase[],
  inputs: TensorBase | TensorBase[],
  opts: GradOptions = {},
): (TensorBase | null)[] {
  checkOptions("autograd.grad", opts, ["gradOutputs", "retainGraph", "createGraph", "allowUnused"]);
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const given =
    opts.gradOutputs === undefined ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  const seeds = outs.map((o, i) => seedFor(o, given[i], "grad", i));
  const capture = captureFor(ins);
  runBackward(outs, seeds, opts, capture);
  if (!opts.allowUnused) {
    const unused = capture.results.findIndex((r) => r === null);
    if (unused >= 0) {
      throw new Error(
        `grad: input ${unused} was not used in computing the outputs; pass { allowUnused: true } to get null for it`,
      );
    }
  }
  return capture.results;
}
