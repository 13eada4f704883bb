// cr.nn.utils: gradient clipping and flattening parameters to one vector and back, as
// torch.nn.utils does. Clipping runs under noGrad and scales gradients in place.

import { checkOptions } from "../core/options.js";
import { noGrad } from "../graph/grad-mode.js";
import { creation, functions } from "../api/functions.js";
import { fmtShape } from "../core/shape.js";
import { Tensor } from "../api/tensor.js";
import { peekGrad } from "../autograd/grad-buffers.js";

/** One tensor or several. */
export type Tensors = Tensor | Iterable<Tensor>;

const listOf = (ps: Tensors): Tensor[] => (ps instanceof Tensor ? [ps] : [...ps]);

/**
 * Scales the gradients so their joint p-norm is at most maxNorm (by maxNorm / (norm + 1e-6) when
 * above); returns the norm before clipping as a 0-d tensor.
 */
export function clipGradNorm(
  parameters: Tensors,
  maxNorm: number,
  normType = 2,
  opts: { errorIfNonfinite?: boolean } = {},
): Tensor {
  checkOptions("clipGradNorm", opts, ["errorIfNonfinite"]);
  // scaling in place keeps no reference, so zeroGrad may still recycle these buffers
  const grads = listOf(parameters).flatMap((p) => peekGrad(p) ?? []) as Tensor[];
  if (!grads.length) return creation.tensor(0);
  return noGrad(() => {
    const norms = grads.map((g) => g.norm(normType));
    const total = normType === Infinity ? functions.stack(norms).amax() : functions.stack(norms).norm(normType);
    const value = total.item();
    if (opts.errorIfNonfinite && !Number.isFinite(value)) {
      throw new Error(
        `clipGradNorm: the total norm of order ${normType} of the gradients is ${value}; ` +
          `pass errorIfNonfinite: false to clip anyway`,
      );
    }
    const coef = Math.min(maxNorm / (value + 1e-6), 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient element into [−clipValue, clipValue] in place. */
export function clipGradValue(parameters: Tensors, clipValue: number): void {
  noGrad(() => {
    for (const p of listOf(parameters)) (peekGrad(p) as Tensor | null)?.clamp_(-clipValue, clipValue);
  });
}

/** The parameters flattened and concatenated into one vector (differentiable). */
export function parametersToVector(parameters: Tensors): Tensor {
  return functions.cat(listOf(parameters).map((p) => p.reshape([-1])));
}

/** Copies consecutive slices of `vec` into the parameters, in place. */
export function vectorToParameters(vec: Tensor, parameters: Tensors): void {
  const ps = listOf(parameters);
  const total = ps.reduce((n, p) => n + p.numel(), 0);
  if (vec.ndim !== 1 || vec.numel() !== total) {
    throw new RangeError(
      `vectorToParameters: expected a vector of ${total} elements, got shape ${fmtShape(vec.shape)}`,
    );
  }
  noGrad(() => {
    let at = 0;
    for (const p of ps) {
      p.copy_(vec.slice(0, at, at + p.numel()).reshape(p.shape));
      at += p.numel();
    }
  });
}
