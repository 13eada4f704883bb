// The smooth activations of torch.nn.functional beyond the core ones, composed from recorded ops in
// stable forms: logsigmoid through log1p(e^−|x|), mish through softplus, celu and selu through
// expm1. Each is declared with its samples for the table's tests.

import { functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape, normDim } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import type { Sample } from "../../ops/samples.js";

const { where } = functions;
const F = "torch.nn.functional";

/** A sample of one [2, 3] input from the real domain, called as torch.nn.functional.`torch`(x0). */
const realSample = (torch: string): Sample<undefined> => ({
  inputs: [{ shape: [2, 3] }],
  attrs: undefined,
  torch: `${F}.${torch}(x0)`,
});

/** celu(x) = x for x > 0, α(e^(x/α) − 1) otherwise. */
export function celu(x: Tensor, opts: { alpha?: number } = {}): Tensor {
  checkOptions("celu", opts, ["alpha"]);
  const alpha = opts.alpha ?? 1;
  if (alpha === 0) throw new RangeError("celu: alpha cannot be 0");
  return where(x.gt(0), x, x.div(alpha).expm1().mul(alpha));
}

const celuEntry = defineComposite<{ alpha?: number }>({
  name: "celu",
  call: ([x], a) => celu(x as Tensor, a),
  options: { keys: ["alpha"], call: ([x], o) => celu(x as Tensor, o) },
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: {}, torch: `${F}.celu(x0)` },
    { inputs: [{ shape: [6] }], attrs: { alpha: 2 }, torch: `${F}.celu(x0, alpha=2.0)` },
  ],
});

/** SELU's constants (PyTorch's 1.6732632423543772848… and 1.0507009873554804934…, to double precision). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** selu(x) = scale·x for x > 0, scale·α(e^x − 1) otherwise (α ≈ 1.6733, scale ≈ 1.0507). */
export function selu(x: Tensor): Tensor {
  return where(x.gt(0), x.mul(SELU_SCALE), x.expm1().mul(SELU_SCALE * SELU_ALPHA));
}

/** mish(x) = x·tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return x.mul(x.softplus().tanh());
}

/** softsign(x) = x/(1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return x.div(x.abs().add(1));
}

/** tanhshrink(x) = x − tanh(x). */
export function tanhshrink(x: Tensor): Tensor {
  return x.sub(x.tanh());
}

/** log σ(x) = min(x, 0) − log(1 + e^−|x|): finite for any x, and its gradient at 0 is ½ (minimum splits the tie). */
export function logsigmoid(x: Tensor): Tensor {
  return x.minimum(0).sub(x.abs().neg().exp().log1p());
}

// far from 0 on both sides: mish passes softplus's linear threshold, logsigmoid saturates
const wide = [-800, -30, -5, 0.5, 1.5, 25, 700, -0.2];

const unaryEntries = [
  defineComposite({ name: "selu", call: ([x]) => selu(x as Tensor), samples: [realSample("selu")] }),
  defineComposite({
    name: "mish",
    call: ([x]) => mish(x as Tensor),
    samples: [
      realSample("mish"),
      { inputs: [{ shape: [7], values: wide.slice(1) }], attrs: undefined, torch: `${F}.mish(x0)` },
    ],
  }),
  defineComposite({ name: "softsign", call: ([x]) => softsign(x as Tensor), samples: [realSample("softsign")] }),
  defineComposite({ name: "tanhshrink", call: ([x]) => tanhshrink(x as Tensor), samples: [realSample("tanhshrink")] }),
  defineComposite({
    name: "logsigmoid",
    call: ([x]) => logsigmoid(x as Tensor),
    samples: [
      realSample("logsigmoid"),
      { inputs: [{ shape: [8], values: wide }], attrs: undefined, torch: `${F}.logsigmoid(x0)` },
    ],
  }),
];

/** softmin along dim: softmax(−x). */
export function softmin(x: Tensor, dim: number): Tensor {
  return x.neg().softmax(dim);
}

const softminEntry = defineComposite<{ dim: number }>({
  name: "softmin",
  call: ([x], { dim }) => softmin(x as Tensor, dim),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { dim: 1 }, torch: `${F}.softmin(x0, 1)` },
    { inputs: [{ shape: [3, 2, 2] }], attrs: { dim: -3 }, torch: `${F}.softmin(x0, -3)` },
  ],
});

/** glu(x) = a·σ(b), where a and b are the two halves of x along dim (default the last). */
export function glu(x: Tensor, dim = -1): Tensor {
  if (x.ndim === 0) throw new RangeError("glu: a 0-d input has no dim to halve");
  const d = normDim("glu", dim, x.shape);
  const n = x.shape[d]!;
  if (n % 2 !== 0) {
    throw new RangeError(`glu: halving dim ${dim} needs an even size, but input ${fmtShape(x.shape)} has ${n} there`);
  }
  const [a, b] = x.chunk(2, d) as [Tensor, Tensor];
  return a.mul(b.sigmoid());
}

const gluEntry = defineComposite<{ dim?: number }>({
  name: "glu",
  call: ([x], { dim }) => glu(x as Tensor, dim),
  samples: [
    { inputs: [{ shape: [2, 4] }], attrs: {}, torch: `${F}.glu(x0)` },
    { inputs: [{ shape: [4, 3] }], attrs: { dim: 0 }, torch: `${F}.glu(x0, 0)` },
    { inputs: [{ shape: [2, 2, 3] }], attrs: { dim: -2 }, torch: `${F}.glu(x0, -2)` },
  ],
});

/** The smooth activations' table entries. */
export const smoothActivationComposites = [celuEntry, ...unaryEntries, softminEntry, gluEntry];
