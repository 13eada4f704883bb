// The piecewise activations of torch.nn.functional beyond relu, composed from recorded ops: each is
// a `where` over its pieces, so at a kink the gradient is the piece PyTorch's backward takes there
// (hardtanh's is 0 at its bounds, hardswish's x/3 + ½ on [−3, 3] bounds included), and NaN passes
// through as it does in PyTorch. Also prelu's learnable slope and rrelu's random one.

import { creation, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import type { Generator } from "../../tensor/random.js";

const { where } = functions;
const F = "torch.nn.functional";

/** x limited to [min, max], with gradient 0 at the bounds themselves (PyTorch's hardtanh backward). */
function hardClamp(x: Tensor, min: number, max: number): Tensor {
  return where(x.le(min), min, where(x.ge(max), max, x));
}

/** Options of hardtanh. */
export interface HardtanhOptions {
  /** The lower bound (default -1). */
  minVal?: number;
  /** The upper bound (default 1). */
  maxVal?: number;
}

/** hardtanh(x) = x clamped to [minVal, maxVal] (default [−1, 1]); its gradient is 0 at the bounds. */
export function hardtanh(x: Tensor, opts: HardtanhOptions = {}): Tensor {
  checkOptions("hardtanh", opts, ["minVal", "maxVal"]);
  const { minVal = -1, maxVal = 1 } = opts;
  if (!(minVal <= maxVal)) throw new RangeError(`hardtanh: maxVal (${maxVal}) must not be below minVal (${minVal})`);
  return hardClamp(x, minVal, maxVal);
}

/** relu6(x) = min(max(x, 0), 6); its gradient is 0 at 0 and at 6. */
export function relu6(x: Tensor): Tensor {
  return hardClamp(x, 0, 6);
}

/** hardswish(x) = x·relu6(x + 3)/6; on [−3, 3] (bounds included) its gradient is x/3 + ½. */
export function hardswish(x: Tensor): Tensor {
  return where(x.lt(-3), 0, where(x.le(3), x.mul(x.add(3)).div(6), x));
}

/** 1/6 rounded to float32: the slope PyTorch's hardsigmoid backward multiplies by. */
const SIXTH_F32 = Math.fround(1 / 6);

/** hardsigmoid(x) = relu6(x + 3)/6; its gradient is 1/6 strictly inside (−3, 3), 0 elsewhere. */
export function hardsigmoid(x: Tensor): Tensor {
  // NOTE: the second term is 0 in value; its gradient makes the slope PyTorch's float32 1/6
  const inside = x
    .add(3)
    .div(6)
    .add(x.sub(x.detach()).mul(SIXTH_F32 - 1 / 6));
  return where(x.le(-3), 0, where(x.ge(3), 1, inside));
}

/** Options of hardshrink and softshrink. */
export interface ShrinkOptions {
  /** The half-width λ of the band that maps to 0 (default 0.5). */
  lambd?: number;
}

/** hardshrink(x) = 0 on [−λ, λ], x elsewhere. */
export function hardshrink(x: Tensor, opts: ShrinkOptions = {}): Tensor {
  checkOptions("hardshrink", opts, ["lambd"]);
  const lambd = opts.lambd ?? 0.5;
  return where(x.ge(-lambd).logicalAnd(x.le(lambd)), 0, x);
}

/** softshrink(x) = x − λ above λ, x + λ below −λ, 0 between. */
export function softshrink(x: Tensor, opts: ShrinkOptions = {}): Tensor {
  checkOptions("softshrink", opts, ["lambd"]);
  const lambd = opts.lambd ?? 0.5;
  if (!(lambd >= 0)) throw new RangeError(`softshrink: lambd must be at least 0, got ${lambd}`);
  return where(x.gt(lambd), x.sub(lambd), where(x.lt(-lambd), x.add(lambd), 0));
}

/**
 * prelu(x) = x for x > 0, w·x otherwise, with one learnable slope w for all channels or one per
 * channel (dim 1) of x.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  if (weight.ndim > 1) throw new RangeError(`prelu: weight must be 0-d or 1-d, got ${fmtShape(weight.shape)}`);
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  const n = weight.numel();
  if (n !== 1 && n !== channels) {
    throw new RangeError(
      `prelu: weight ${fmtShape(weight.shape)} must hold 1 slope or one per channel (${channels} for input ${fmtShape(x.shape)})`,
    );
  }
  const w = n === 1 ? weight.reshape([]) : weight.reshape([channels, ...x.shape.slice(2).map(() => 1)]);
  return where(x.gt(0), x, x.mul(w));
}

/** Options of rrelu. */
export interface RReLUOptions {
  /** Lower bound of the random slope (default 1/8). */
  lower?: number;
  /** Upper bound of the random slope (default 1/3). */
  upper?: number;
  /** Draw a slope per element (train mode); otherwise use (lower + upper)/2. Default false. */
  training?: boolean;
  /** Draw the slopes from this generator instead of the default one. */
  generator?: Generator;
}

/**
 * Randomized leaky ReLU: x for x > 0, a·x otherwise, with a drawn uniformly from [lower, upper]
 * per element when training and (lower + upper)/2 when not.
 */
export function rrelu(x: Tensor, opts: RReLUOptions = {}): Tensor {
  checkOptions("rrelu", opts, ["lower", "upper", "training", "generator"]);
  const { lower = 1 / 8, upper = 1 / 3, training = false } = opts;
  if (!(lower <= upper)) throw new RangeError(`rrelu: lower (${lower}) must not be above upper (${upper})`);
  if (!training) return x.leakyRelu((lower + upper) / 2);
  const slope = creation
    .rand(x.shape, { dtype: x.dtype, generator: opts.generator })
    .mul(upper - lower)
    .add(lower);
  // as in PyTorch, 0 takes the random slope
  return where(x.le(0), x.mul(slope), x);
}

// Samples keep off the kinks, where finite differences cannot check a one-sided gradient; the test
// file holds the gradients at the kinks against PyTorch's.
const acrossKinks = [-3.5, -2.5, -0.4, 0.7, 2.9, 3.2, 4.1, -1.1];

/** The piecewise activations' table entries. */
export const piecewiseActivationComposites = [
  defineComposite<HardtanhOptions>({
    name: "hardtanh",
    call: ([x], a) => hardtanh(x as Tensor, a),
    options: { keys: ["minVal", "maxVal"] },
    samples: [
      { inputs: [{ shape: [2, 3], domain: "offGrid" }], attrs: {}, torch: `${F}.hardtanh(x0)` },
      { inputs: [{ shape: [8] }], attrs: { minVal: -0.55, maxVal: 0.75 }, torch: `${F}.hardtanh(x0, -0.55, 0.75)` },
    ],
  }),
  defineComposite({
    name: "relu6",
    call: ([x]) => relu6(x as Tensor),
    samples: [
      {
        inputs: [{ shape: [2, 3], values: [-1.5, 2.5, 5.5, 6.5, 0.3, 7.25] }],
        attrs: undefined,
        torch: `${F}.relu6(x0)`,
      },
    ],
  }),
  defineComposite({
    name: "hardswish",
    call: ([x]) => hardswish(x as Tensor),
    samples: [{ inputs: [{ shape: [8], values: acrossKinks }], attrs: undefined, torch: `${F}.hardswish(x0)` }],
  }),
  defineComposite({
    name: "hardsigmoid",
    call: ([x]) => hardsigmoid(x as Tensor),
    samples: [{ inputs: [{ shape: [2, 4], values: acrossKinks }], attrs: undefined, torch: `${F}.hardsigmoid(x0)` }],
  }),
  defineComposite<ShrinkOptions>({
    name: "hardshrink",
    call: ([x], a) => hardshrink(x as Tensor, a),
    options: { keys: ["lambd"] },
    samples: [
      { inputs: [{ shape: [2, 3], domain: "offGrid" }], attrs: {}, torch: `${F}.hardshrink(x0)` },
      { inputs: [{ shape: [8] }], attrs: { lambd: 1.25 }, torch: `${F}.hardshrink(x0, 1.25)` },
    ],
  }),
  defineComposite<ShrinkOptions>({
    name: "softshrink",
    call: ([x], a) => softshrink(x as Tensor, a),
    options: { keys: ["lambd"] },
    samples: [
      { inputs: [{ shape: [2, 3], domain: "offGrid" }], attrs: {}, torch: `${F}.softshrink(x0)` },
      { inputs: [{ shape: [8] }], attrs: { lambd: 1.25 }, torch: `${F}.softshrink(x0, 1.25)` },
    ],
  }),
  defineComposite({
    name: "prelu",
    call: ([x, w]) => prelu(x as Tensor, w as Tensor),
    samples: [
      {
        inputs: [{ shape: [2, 3, 2] }, { shape: [3], domain: "positive" }],
        attrs: undefined,
        torch: `${F}.prelu(x0, x1)`,
      },
      { inputs: [{ shape: [5] }, { shape: [1] }], attrs: undefined, torch: `${F}.prelu(x0, x1)` },
    ],
  }),
  defineComposite<RReLUOptions>({
    name: "rrelu",
    call: ([x], a) => rrelu(x as Tensor, a),
    options: { keys: ["lower", "upper", "training", "generator"] },
    samples: [
      { inputs: [{ shape: [2, 3] }], attrs: {}, torch: `${F}.rrelu(x0)` },
      { inputs: [{ shape: [6] }], attrs: { lower: 0.1, upper: 0.5 }, torch: `${F}.rrelu(x0, 0.1, 0.5)` },
    ],
  }),
];
