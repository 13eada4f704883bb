// relu's backward as its own kernel op (PyTorch's threshold_backward), not a public function: g
// where relu's output y is positive, else 0, in one pass and without a mask tensor.

import { defineBinary } from "./elementwise-def.js";
import { genericRule } from "./explain-rule.js";

/**
 * g where y > 0, else 0 (the same as where(y > 0, g, 0)). Linear in g, so its own gradient passes
 * the same way; y, a step function of x there, gets none.
 */
export const reluBackward = defineBinary("reluBackward", {
  dtype: "arith",
  save: [1],
  backward: (gg, { inputs: [, y] }) => [reluBackward(gg, y!), null],
  explain: genericRule("reluBackward"),
  torch: "torch.ops.aten.threshold_backward(x0, x1, 0)",
  constantInput: 1,
});
