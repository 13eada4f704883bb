// Clearing leaves' gradients, shared by Module.zeroGrad and Optimizer.zeroGrad.

import { noGrad } from "../graph/grad-mode.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Sets each tensor's `.grad` to null (setToNone), or zeroes it in place. A gradient buffer no one
 * else can hold (see Tensor._gradUnseen) goes back to the backend's pool at once: in JS a dropped
 * buffer would wait for the collector, and each backward would write its weight gradients into
 * memory long out of cache.
 */
export function zeroGrads(params: Iterable<Tensor>, setToNone: boolean): void {
  for (const p of params) {
    const g = p._grad;
    if (!g) continue;
    if (setToNone) {
      if (p._gradUnseen) g.dispose();
      p.grad = null;
    } else {
      const grad = g.gradFn ? g.detach() : g;
      noGrad(() => grad.zero_());
      p._grad = grad;
    }
  }
}
