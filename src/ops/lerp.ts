// Linear interpolation, torch.lerp: input + weight·(end − input), composed, so its gradients (for
// input, end and a tensor weight) are the chain of the ops it is written with.

import { isFloat } from "../core/dtype.js";
import { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, lt, mul, sub } from "./arithmetic.js";
import { defineComposite } from "./composite.js";
import { abs } from "./math.js";
import type { Operand } from "./unrecorded.js";
import { where } from "./where.js";

/** Refuses what torch.lerp refuses: int inputs, and tensors of another float dtype than input's. */
function checkDtypes(input: Tensor, end: Operand, weight: Operand): void {
  if (!isFloat(input.dtype)) {
    throw new TypeError(`lerp: input must be a float tensor, got ${input.dtype} (convert it with .float())`);
  }
  for (const [name, t] of [
    ["end", end],
    ["weight", weight],
  ] as const) {
    if (t instanceof Tensor && t.dtype !== input.dtype) {
      throw new TypeError(
        `lerp: ${name} is ${t.dtype} but input is ${input.dtype}; lerp takes one float dtype (convert with .to("${input.dtype}"))`,
      );
    }
  }
}

/**
 * input + weight·(end − input), broadcasting all three; weight is a number or a tensor:
 * `cr.lerp(a, b, 0.25)`. Computed as PyTorch does, from the nearer end when |weight| ≥ 0.5
 * (end − (end − input)·(1 − weight)), so weight 1 gives end exactly.
 */
export function lerp(input: Tensor, end: Operand, weight: Operand): Tensor {
  checkDtypes(input, end, weight);
  const span = sub(end, input);
  if (!(weight instanceof Tensor)) {
    const w = Number(weight);
    return Math.abs(w) < 0.5 ? add(input, mul(span, w)) : sub(end, mul(span, 1 - w));
  }
  return where(lt(abs(weight), 0.5), add(input, mul(weight, span)), sub(end, mul(span, sub(1, weight))));
}

/** lerp's samples: number weights on both sides of ½ and outside [0, 1], tensor weights broadcasting. */
export const lerpComposite = defineComposite<{ weight?: number }>({
  name: "lerp",
  call: ([input, end, weight], attrs) => lerp(input!, end!, attrs.weight ?? weight!),
  samples: [
    { inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], attrs: { weight: 0.25 }, torch: "torch.lerp(x0, x1, 0.25)" },
    { inputs: [{ shape: [2, 3] }, { shape: [3] }], attrs: { weight: 0.75 }, torch: "torch.lerp(x0, x1, 0.75)" },
    { inputs: [{ shape: [4] }, { shape: [4] }], attrs: { weight: -0.6 }, torch: "torch.lerp(x0, x1, -0.6)" },
    { inputs: [{ shape: [4] }, { shape: [4] }], attrs: { weight: 1.5 }, torch: "torch.lerp(x0, x1, 1.5)" },
    {
      inputs: [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 3], values: [0.1, 0.7, -0.3, 1.2, 0.45, -0.8] }],
      attrs: {},
      torch: "torch.lerp(x0, x1, x2)",
      note: "a weight tensor on both sides of ½",
    },
    {
      inputs: [{ shape: [3] }, { shape: [2, 3] }, { shape: [2, 1], values: [0.2, 0.9] }],
      attrs: {},
      torch: "torch.lerp(x0, x1, x2)",
      note: "all three broadcast",
    },
  ],
});
