// Activations composed from primitives, so their gradients come from the parts. softplus is a
// primitive because its composed gradient is wrong at 0; softmax and logSoftmax are primitives
// (as in PyTorch) so that a classifier's loss is one fused kernel each way, not a dozen ops.

import { isGradEnabled } from "../graph/grad-mode.js";
import type { View } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isFloat } from "../core/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
import { normDim } from "../core/shape.js";
import { castRaw, zerosRaw } from "./unrecorded.js";
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

interface SoftmaxAttrs {
  dim: number;
}

/** t's kernel view with `dim` moved last, the layout the softmax kernels read rows in. */
function rowsAlong(t: Tensor, dim: number): View {
  const v = t._view();
  if (t.ndim === 0) return { ...v, shape: [1], strides: [1] };
  if (dim === t.ndim - 1) return v;
  const order = [...Array(t.ndim).keys()].filter((d) => d !== dim).concat(dim);
  return { ...v, shape: order.map((d) => v.shape[d]!), strides: order.map((d) => v.strides[d]!) };
}

/** softmax or log-softmax: one kernel pass per direction. */
function softmaxOp(log: boolean) {
  return defineOp<SoftmaxAttrs>({
    name: log ? "logSoftmax" : "softmax",
    // integer inputs give float32, as exp does
    forward: ([x], { dim }) => {
      const xf = isFloat(x!.dtype) ? x! : castRaw(x!, "float32");
      const out = zerosRaw(x!.shape, xf.dtype);
      if (out.numel() > 0) kernels().softmax(rowsAlong(xf, dim), log, rowsAlong(out, dim));
      return out;
    },
    save: { output: true },
    // log: dx = g − softmax·Σg; softmax: dx = y·(g − Σg·y), sums along dim. From the saved output y.
    backward: (g, { output: y, attrs: { dim } }) => {
      if (isGradEnabled()) {
        // createGraph: the same rule from differentiable ops, so it can be differentiated again
        return [log ? g.sub(y.exp().mul(g.sum(dim, true))) : y.mul(g.sub(g.mul(y).sum(dim, true)))];
      }
      const gy = g.dtype === y.dtype ? g : castRaw(g, y.dtype);
      const out = zerosRaw(y.shape, y.dtype);
      if (out.numel() > 0) kernels().softmaxBackward(rowsAlong(gy, dim), rowsAlong(y, dim), log, rowsAlong(out, dim));
      return [out];
    },
  });
}

const logSoftmaxOp = softmaxOp(true);
const softmaxPrimitive = softmaxOp(false);

/** log softmax along `dim`: x − log Σ e^x, shifted by the maximum so it is stable for any magnitude. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return logSoftmaxOp([x], { dim: normDim("logSoftmax", dim, x.shape) });
}

/** softmax along `dim`: e^x / Σ e^x, shifted by the maximum so it is stable for any magnitude. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxPrimitive([x], { dim: normDim("softmax", dim, x.shape) });
}
