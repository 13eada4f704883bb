// The notes' 3-4-2 worked example: its input, target and parameters, shared by the
// tests that follow the notes by hand and through autograd.

import * as cr from "../../src/index.js";

/** float64 options: the notes' figures are checked to their printed 6 digits. */
export const f64 = { dtype: "float64" as const };

/** The notes' parameters as leaves requiring grad. */
export function params() {
  const opts = { ...f64, requiresGrad: true };
  return {
    W1: cr.tensor(
      [
        [0.2, -0.3, 0.5],
        [0.7, 0.1, -0.2],
        [-0.5, 0.4, 0.3],
        [0.1, -0.4, 0.2],
      ],
      opts,
    ),
    b1: cr.tensor([0.1, -0.2, 0.05, 0.0], opts),
    W2: cr.tensor(
      [
        [0.3, -0.6, 0.2, 0.1],
        [-0.2, 0.1, 0.4, -0.5],
      ],
      opts,
    ),
    b2: cr.tensor([0.05, -0.1], opts),
  };
}
