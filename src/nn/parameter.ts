// Parameter: a leaf tensor a Module registers as learnable. It shares storage with the tensor it
// wraps and requires grad by default; modules find parameters by `instanceof Parameter`.

import { isFloat } from "../core/dtype.js";
import { Tensor } from "../api/tensor.js";

/** A learnable tensor held by a module (torch.nn.Parameter). */
export class Parameter extends Tensor {
  /** Wraps `data` (sharing its storage) as a leaf that requires grad unless told otherwise. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    if (requiresGrad && isFloat(data.dtype)) this.requiresGrad = true;
  }

  /** Like PyTorch's repr: the tensor prefixed with "Parameter containing:". */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/**
 * @internal Swaps new data into `target` keeping its identity (torch's `param.data = t`), so
 * optimisers and hooks that hold the tensor see the change.
 */
export function setData(target: Tensor, data: Tensor): void {
  Object.assign(target, { storage: data.storage, shape: data.shape, strides: data.strides, offset: data.offset });
}
