// Binary cross-entropy on probabilities as one primitive, for PyTorch's values and gradients at the
// ends: the forward clamps each log at −100, so probabilities exactly 0 or 1 give a finite loss, and
// the backward divides by max(x(1 − x), 1e-12), where the composed form's gradient is 0·∞ = NaN.

import { checkOptions } from "../core/options.js";
import { broadcastShapes, fmtShape, sameShape } from "../core/shape.js";
import { isGradEnabled } from "../graph/grad-mode.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { div, mul, sub } from "./arithmetic.js";
import { expand, sum } from "./broadcast.js";
import { defineOp } from "./define.js";
import { callRule } from "./explain-rule.js";
import { log } from "./math.js";
import { amax, amin, mean } from "./reduce.js";
import { clamp } from "./where.js";

type Reduction = "mean" | "sum" | "none";

interface BceAttrs {
  reduction: Reduction;
}

/** PyTorch's floor on x(1 − x) in the gradient: 1e-12 as a float32. */
const EPSILON = Math.fround(1e-12);

const torchBce = "torch.nn.functional.binary_cross_entropy";
const probs = [0.1, 0.85, 0.4, 0.65, 0.3, 0.9];
const targets = [0, 1, 0.3, 0.8, 1, 0];

/** The binaryCrossEntropy primitive over probabilities x, targets y and an optional weight (broadcast to x). */
export const binaryCrossEntropyOp = defineOp<BceAttrs>({
  name: "binaryCrossEntropy",
  forward: ([x, y, w], { reduction }) => {
    // (y − 1)·max(log(1 − x), −100) − y·max(log x, −100), as PyTorch writes it
    const terms = sub(mul(sub(y!, 1), clamp(log(sub(1, x!)), -100)), mul(y!, clamp(log(x!), -100)));
    const loss = w ? mul(terms, w) : terms;
    return reduction === "none" ? loss : reduction === "sum" ? sum(loss) : mean(loss);
  },
  // every input given: the weight is optional
  save: { inputs: (needs) => needs.map((_, i) => i) },
  // ∂/∂x = w·(x − y)/max(x(1 − x), 1e-12); ∂/∂y = w·(log(1 − x) − log x), unclamped as in PyTorch
  backward: (g, { inputs: [x, y, w], attrs: { reduction }, needsInputGrad }) => {
    const each = reduction === "none" ? g : expand(reduction === "mean" ? div(g, x!.numel()) : g, x!.shape);
    const gw = w ? mul(each, w) : each;
    const gx = mul(gw, div(sub(x!, y!), clamp(mul(x!, sub(1, x!)), EPSILON)));
    const gy = needsInputGrad[1] ? mul(gw, sub(log(sub(1, x!)), log(x!))) : null;
    return [gx, gy, null];
  },
  explain: callRule(
    "binaryCrossEntropy",
    2,
    "∂/∂x = (x − y)/max(x(1 − x), 1e-12), ∂/∂y = log(1 − x) − log x, times the weight",
    "\\frac{\\partial L}{\\partial x} = \\frac{x - y}{\\max(x(1 - x), 10^{-12})},\\; \\frac{\\partial L}{\\partial y} = \\log\\frac{1 - x}{x}",
  ),
  samples: [
    {
      inputs: [
        { shape: [2, 3], values: probs },
        { shape: [2, 3], values: targets },
      ],
      attrs: { reduction: "mean" },
      torch: `${torchBce}(x0, x1)`,
    },
    {
      inputs: [
        { shape: [2, 3], values: probs },
        { shape: [2, 3], values: targets },
        { shape: [3], domain: "positive", grad: false },
      ],
      attrs: { reduction: "sum" },
      torch: `${torchBce}(x0, x1, weight=x2, reduction='sum')`,
      note: "a weight broadcast along the rows",
    },
    {
      inputs: [
        { shape: [4], values: probs.slice(2) },
        { shape: [4], values: targets.slice(2) },
      ],
      attrs: { reduction: "none" },
      torch: `${torchBce}(x0, x1, reduction='none')`,
    },
    {
      inputs: [
        { shape: [6], values: [0, 1, 0, 1, 0.5, 0.25], grad: false },
        { shape: [6], values: [0, 1, 1, 0, 0.3, 1], grad: false },
      ],
      attrs: { reduction: "none" },
      torch: `${torchBce}(x0, x1, reduction='none')`,
      note: "probabilities exactly 0 and 1: the clamped logs give 0 or 100 (gradients: test/nn/activations-losses.test.ts)",
    },
  ],
  options: {
    keys: ["weight", "reduction"],
    call: ([x, y], o) => binaryCrossEntropy(x!, y!, o),
  },
});

/** Options of binaryCrossEntropy. */
export interface BinaryCrossEntropyOptions {
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * −(y·log x + (1 − y)·log(1 − x)) on probabilities x in [0, 1], each log clamped at −100 as in
 * PyTorch, so a probability of exactly 0 or 1 gives a finite loss and gradient.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BinaryCrossEntropyOptions = {}): Tensor {
  checkOptions("binaryCrossEntropy", opts, ["weight", "reduction"]);
  const { weight, reduction = "mean" } = opts;
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new RangeError(`binaryCrossEntropy: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `binaryCrossEntropy: target shape ${fmtShape(target.shape)} must match input shape ${fmtShape(input.shape)}`,
    );
  }
  if (weight) {
    const shape = broadcastShapes("binaryCrossEntropy (weight)", input.shape, weight.shape);
    if (!sameShape(shape, input.shape)) {
      throw new RangeError(
        `binaryCrossEntropy: weight ${fmtShape(weight.shape)} must broadcast to the input's shape ${fmtShape(input.shape)}`,
      );
    }
    if (weight.requiresGrad && isGradEnabled()) {
      throw new Error(
        "binaryCrossEntropy: the gradient with respect to the weight is not implemented (nor is it in PyTorch); " +
          "pass weight.detach()",
      );
    }
  }
  if (input.numel() > 0) {
    const lo = amin(input).item();
    const hi = amax(input).item();
    if (!(lo >= 0 && hi <= 1)) {
      throw new RangeError(
        `binaryCrossEntropy: every input must be a probability in [0, 1], got values in [${lo}, ${hi}]`,
      );
    }
  }
  return binaryCrossEntropyOp(weight ? [input, target, weight] : [input, target], { reduction });
}
