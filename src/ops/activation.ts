// Activations composed from primitives, so their gradients come from the parts. softplus is a
// primitive because its composed gradient is wrong at 0; softmax and logSoftmax are primitives
// (as in PyTorch) so that a classifier's loss is one fused kernel each way, not a dozen ops, and
// GELU and SiLU so that a transformer's or a CNN's activation is one vectorised pass, not five.

import type { ActivationKind } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isFloat } from "../core/dtype.js";
import { normDim } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, div, gt, mul, sub } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { defineOp } from "./define.js";
import { dimText, type ExplainRule, genericRule } from "./explain-rule.js";
import { abs, erf, exp, expm1, log1p, neg, relu, sigmoid, tanh } from "./math.js";
import { broadcastView, castRaw, rowsAlong, zerosRaw } from "./unrecorded.js";
import { where } from "./where.js";

interface SoftplusAttrs {
  beta: number;
  threshold: number;
}

/** The softplus primitive: log(1 + e^(βx)) / β, x itself where βx > threshold. */
export const softplusOp = defineOp<SoftplusAttrs>({
  name: "softplus",
  forward: ([x], { beta, threshold }) => {
    const bx = mul(x!, beta);
    // log(1 + e^z) = relu(z) + log1p(e^-|z|): never overflows
    const soft = div(add(relu(bx), log1p(exp(neg(abs(bx))))), beta);
    return where(gt(bx, threshold), x!, soft);
  },
  save: { inputs: [0] },
  // d softplus = σ(βx) dx below the threshold, dx above it.
  // NOTE: a primitive: the composed form's relu and abs kinks give a gradient of 0 at x = 0, not ½.
  backward: (g, { inputs: [x], attrs: { beta, threshold } }) => {
    const bx = mul(x!, beta);
    return [where(gt(bx, threshold), g, mul(g, sigmoid(bx)))];
  },
  explain: genericRule("softplus"),
  // the threshold sits between the sample grid's values: softplus jumps a little there, as in PyTorch
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { beta: 1, threshold: 20 }, torch: "torch.nn.functional.softplus(x0)" },
    {
      inputs: [{ shape: [6] }],
      attrs: { beta: 2, threshold: 1.5 },
      torch: "torch.nn.functional.softplus(x0, beta=2, threshold=1.5)",
    },
  ],
});

/** softplus(x) = log(1 + e^(βx)) / β, linear above `threshold` as in PyTorch. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return softplusOp([x], { beta, threshold });
}

interface GeluAttrs {
  approximate: "none" | "tanh";
}

/** x as a float tensor (integers become float32, as the composed forms' erf and sigmoid make them). */
const floatOf = (x: Tensor) => (isFloat(x.dtype) ? x : castRaw(x, "float32"));

/** One pass of the fused activation `kind` over x into a fresh tensor. */
function activationRaw(kind: ActivationKind, x: Tensor): Tensor {
  const xf = floatOf(x);
  const out = zerosRaw(xf.shape, xf.dtype);
  if (out.numel() > 0) kernels().activation(kind, xf._view(), out.storage.handle);
  return out;
}

/** g · act'(x) in one pass: the fused backward. */
function activationGradRaw(kind: ActivationKind, g: Tensor, x: Tensor): Tensor {
  const xf = floatOf(x);
  const gf = g.dtype === xf.dtype ? g : castRaw(g, xf.dtype);
  const out = zerosRaw(xf.shape, xf.dtype);
  if (out.numel() > 0) kernels().activationBackward(kind, broadcastView(gf, xf.shape), xf._view(), out.storage.handle);
  return out;
}

const GELU_TANH_SCALE = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/** The GELU primitive: x·Φ(x) through erf, or its tanh approximation; one kernel pass each way. */
export const geluOp = defineOp<GeluAttrs>({
  name: "gelu",
  forward: ([x], { approximate }) => activationRaw(approximate === "tanh" ? "geluTanh" : "gelu", x!),
  save: { inputs: [0] },
  // d gelu = Φ(x) + x·φ(x); the tanh form: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
  backward: (g, { inputs: [x], attrs: { approximate } }) => {
    if (approximate === "tanh") {
      const u = mul(x!, x!);
      const t = tanh(mul(add(x!, mul(mul(x!, u), GELU_CUBIC)), GELU_TANH_SCALE));
      const dInner = mul(add(mul(u, 3 * GELU_CUBIC), 1), GELU_TANH_SCALE);
      const slope = mul(mul(mul(x!, sub(1, mul(t, t))), dInner), 0.5);
      return [mul(g, add(mul(add(t, 1), 0.5), slope))];
    }
    const cdf = mul(add(erf(mul(x!, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x!, x!), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(g, add(cdf, mul(x!, pdf)))];
  },
  fastBackward: (g, { inputs: [x], attrs: { approximate } }) => [
    activationGradRaw(approximate === "tanh" ? "geluTanh" : "gelu", g, x!),
  ],
  explain: genericRule("gelu"),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { approximate: "none" }, torch: "torch.nn.functional.gelu(x0)" },
    {
      inputs: [{ shape: [7] }],
      attrs: { approximate: "tanh" },
      torch: "torch.nn.functional.gelu(x0, approximate='tanh')",
    },
    {
      inputs: [{ shape: [5], values: [-6, -2.5, 0, 1.25, 5] }],
      attrs: { approximate: "none" },
      torch: "torch.nn.functional.gelu(x0)",
      note: "the tails, where Φ is nearly 0 or 1",
    },
  ],
});

/** The SiLU primitive: x·σ(x) in one kernel pass each way. */
export const siluOp = defineOp<Record<string, never>>({
  name: "silu",
  forward: ([x]) => activationRaw("silu", x!),
  save: { inputs: [0] },
  // d silu = σ(x)(1 + x(1 − σ(x)))
  backward: (g, { inputs: [x] }) => {
    const s = sigmoid(x!);
    return [mul(g, mul(s, add(mul(x!, sub(1, s)), 1)))];
  },
  fastBackward: (g, { inputs: [x] }) => [activationGradRaw("silu", g, x!)],
  explain: genericRule("silu"),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: {}, torch: "torch.nn.functional.silu(x0)" },
    { inputs: [{ shape: [3, 1, 2] }], attrs: {}, torch: "torch.nn.functional.silu(x0)" },
  ],
});

/** GELU: x·Φ(x) exactly (erf), or with the tanh approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate !== "none" && approximate !== "tanh")
    throw new RangeError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  return geluOp([x], { approximate });
}

/** SiLU (swish): x·σ(x). */
export function silu(x: Tensor): Tensor {
  return siluOp([x], {});
}

/** x for x > 0, slope·x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** x for x > 0, α(e^x − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(gt(x, 0), x, mul(expm1(x), alpha));
}

interface SoftmaxAttrs {
  dim: number;
}

const softmaxExplain: ExplainRule = {
  text: (a, at) => `softmax(${a[0]}${dimText(at)})`,
  tex: (a) => `\\operatorname{softmax}(${a[0]})`,
  rule: "∂softmax: each output depends on every input of its row; dx = y·(G − Σ G·y) along the dim",
  ruleTex: "\\frac{\\partial L}{\\partial x} = y \\odot \\big(G - \\textstyle\\sum_j G_j\\, y_j\\big)",
};

const logSoftmaxExplain: ExplainRule = {
  text: (a, at) => `logSoftmax(${a[0]}${dimText(at)})`,
  tex: (a) => `\\log\\operatorname{softmax}(${a[0]})`,
  rule: "∂ log softmax: dx = G − softmax(x)·Σ G along the dim (softmax(x) = e^y, from the saved output y)",
  ruleTex: "\\frac{\\partial L}{\\partial x} = G - e^{y} \\textstyle\\sum_j G_j",
};

/** The softmax or log-softmax primitive: one kernel pass per direction. */
function softmaxPrimitive(log: boolean) {
  const torch = log ? "torch.log_softmax" : "torch.softmax";
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
    backward: (g, { output: y, attrs: { dim } }) => [
      log ? sub(g, mul(exp(y), sum(g, dim, true))) : mul(y, sub(g, sum(mul(g, y), dim, true))),
    ],
    // the same rule as one kernel pass over the rows
    fastBackward: (g, { output: y, attrs: { dim } }) => {
      const gy = g.dtype === y.dtype ? g : castRaw(g, y.dtype);
      const out = zerosRaw(y.shape, y.dtype);
      if (out.numel() > 0) kernels().softmaxBackward(rowsAlong(gy, dim), rowsAlong(y, dim), log, rowsAlong(out, dim));
      return [out];
    },
    explain: log ? logSoftmaxExplain : softmaxExplain,
    samples: [
      { inputs: [{ shape: [2, 3] }], attrs: { dim: 1 }, torch: `${torch}(x0, 1)` },
      { inputs: [{ shape: [3, 2, 2] }], attrs: { dim: 0 }, torch: `${torch}(x0, 0)` },
    ],
  });
}

/** The log-softmax primitive. */
export const logSoftmaxOp = softmaxPrimitive(true);
/** The softmax primitive. */
export const softmaxOp = softmaxPrimitive(false);

/** log softmax along `dim`: x − log Σ e^x, shifted by the maximum so it is stable for any magnitude. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return logSoftmaxOp([x], { dim: normDim("logSoftmax", dim, x.shape) });
}

/**
 * softmax along `dim`: e^x / Σ e^x, shifted by the maximum so it is stable for any magnitude.
 *
 * @example
 * const p = cr.softmax(cr.tensor([[1, 2, 3]]), -1); // each row sums to 1
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxOp([x], { dim: normDim("softmax", dim, x.shape) });
}
