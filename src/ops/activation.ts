// Activations and softmax composed from primitives, so their gradients come from the parts;
// softplus alone is a primitive, because its composed gradient is wrong at 0.

import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
import { normDim } from "../tensor/shape.js";
import { logsumexp } from "./reduce.js";
import { where } from "./where.js";

interface SoftplusAttrs {
  beta: number;
  threshold: number;
}

const softplusOp = defineOp<SoftplusAttrs>({
  name: "softplus",
  forward: ([x], { beta, threshold }) => {
    const bx = x!.mul(beta);
    // log(1 + e^z) = relu(z) + log1p(e^-|z|): never overflows
    const soft = bx.relu().add(bx.abs().neg().exp().log1p()).div(beta);
    return where(bx.gt(threshold), x!, soft);
  },
  save: { inputs: [0] },
  // d softplus = σ(βx) dx below the threshold, dx above it.
  // NOTE: a primitive: the composed form's relu and abs kinks give a gradient of 0 at x = 0, not ½.
  backward: (g, { inputs: [x], attrs: { beta, threshold } }) => {
    const bx = x!.mul(beta);
    return [where(bx.gt(threshold), g, g.mul(bx.sigmoid()))];
  },
});

/** softplus(x) = log(1 + e^(βx)) / β, linear above `threshold` as in PyTorch. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return softplusOp([x], { beta, threshold });
}

/** GELU: x·Φ(x) exactly (erf), or with the tanh approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate === "tanh") {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(inner.tanh().add(1)).mul(0.5);
  }
  return x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5);
}

/** SiLU (swish): x·σ(x). */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/** x for x > 0, slope·x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(negativeSlope));
}

/** x for x > 0, α(e^x − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, x.expm1().mul(alpha));
}

/** log softmax along `dim`: x − logsumexp(x), stable for any magnitude. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normDim("logSoftmax", dim, x.shape);
  return x.sub(logsumexp(x, d, true));
}

/** softmax along `dim`, as exp(logSoftmax): stable for any magnitude. */
export function softmax(x: Tensor, dim: number): Tensor {
  return logSoftmax(x, normDim("softmax", dim, x.shape)).exp();
}
