// backward() and autograd.grad() as users call them: the engine's entry points, with gradients typed
// as the Tensor users get (every tensor is one; see api/tensor.ts).

import { grad as engineGrad } from "../autograd/backward.js";
import type { Lift } from "./tensor.js";

export { backward, type BackwardOptions, type GradOptions } from "../autograd/backward.js";

/** Gradients of `outputs` with respect to `inputs`, returned (leaves' .grad is untouched). */
export const grad = engineGrad as Lift<typeof engineGrad>;
