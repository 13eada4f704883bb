// A composite: a public function written with recorded primitives, so its gradient is the chain
// of theirs and it needs no backward of its own (cumsum's reverse scan, sort's gather, a loss).
// It still joins the table's tests: its samples run through gradcheck and gradgradcheck, against
// PyTorch's goldens and on every backend, exactly as a primitive's do. A function that takes an
// options object names the keys it knows (and, unless its attributes are that object, how to call
// it with one), and the options test passes it a key the function does not know.

import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { Sample } from "./samples.js";

/** How the options test calls a function with a given options object. */
export interface OptionsProbe {
  /** The keys the function knows. */
  readonly keys: readonly string[];
  /**
   * Calls the function on the first sample's inputs with `options` as its options object. A
   * composite whose attributes are its options object leaves it out: its own `call` serves.
   */
  call?(inputs: Tensor[], options: Record<string, unknown>): unknown;
}

/** The declaration of a composite function: how to call it on a sample, and its samples. */
export interface CompositeDef<A> {
  /** The public name, as users call it (cumsum, nn.functional's crossEntropy). */
  readonly name: string;
  /** Calls the function on a sample's inputs and attributes; one tensor out. */
  call(inputs: Tensor[], attrs: A): Tensor;
  /** False for functions without a gradient (indices, counts, predicates). Default true. */
  readonly differentiable?: boolean;
  /**
   * False where the second derivative is not smooth at the samples or PyTorch has none (a
   * piecewise rule whose derivative is a step): gradgradcheck is skipped, gradcheck still runs.
   */
  readonly secondOrder?: boolean;
  /** For functions with an options object: the options test's way in. */
  readonly options?: OptionsProbe;
  readonly samples: readonly [Sample<A>, ...Sample<A>[]];
}

/** Declares a composite; returns the declaration for its module's table. */
export function defineComposite<A = undefined>(def: CompositeDef<A>): CompositeDef<A> {
  return def;
}
