// The triangles of the matrices in the last two dims: tril keeps what lies on or below a
// diagonal, triu what lies on or above it. Each is a maskedFill with a constant mask, so the
// gradient is routed by the same mask (where's rule) and batches share one mask by broadcasting.

import { kernels } from "../backend/registry.js";
import { fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { defineComposite } from "./composite.js";
import { maskedFill } from "./index-ops.js";
import { wrap } from "./unrecorded.js";

/** A bool [rows, cols] mask, true at (i, j) where `zeroed(j - i)`. */
function offsetMask(rows: number, cols: number, zeroed: (k: number) => boolean): Tensor {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = zeroed(j - i) ? 1 : 0;
  return wrap(kernels().upload("bool", data), "bool", [rows, cols]);
}

function triangle(op: string, x: Tensor, diagonal: number, zeroed: (k: number) => boolean): Tensor {
  if (x.ndim < 2) throw new RangeError(`${op}: expected a tensor of at least 2 dims, got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new RangeError(`${op}: diagonal must be an integer, got ${diagonal}`);
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  return maskedFill(x, offsetMask(rows, cols, zeroed), 0);
}

/**
 * The lower triangle of the matrices in the last two dims: x[…, i, j] where j − i ≤ diagonal,
 * zero elsewhere (torch.tril); diagonal > 0 keeps that many diagonals above the main one.
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle("tril", x, diagonal, (k) => k > diagonal);
}

/** The upper triangle: x[…, i, j] where j − i ≥ diagonal, zero elsewhere (torch.triu). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle("triu", x, diagonal, (k) => k < diagonal);
}

const triangleSamples = (fn: string) =>
  [
    { inputs: [{ shape: [3, 4] }], attrs: { diagonal: 0 }, torch: `torch.${fn}(x0)` },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { diagonal: 1 }, torch: `torch.${fn}(x0, 1)`, note: "batched" },
    { inputs: [{ shape: [4, 3] }], attrs: { diagonal: -2 }, torch: `torch.${fn}(x0, -2)` },
    { inputs: [{ shape: [2, 3] }], attrs: { diagonal: 5 }, torch: `torch.${fn}(x0, 5)`, note: "past the matrix" },
    { inputs: [{ shape: [3, 1, 0] }], attrs: { diagonal: 0 }, torch: `torch.${fn}(x0)`, note: "empty" },
    {
      inputs: [{ shape: [3, 3], dtype: "int32" as const, values: [1, 2, 3, 4, 5, 6, 7, 8, 9] }],
      attrs: { diagonal: 0 },
      torch: `torch.${fn}(x0)`,
    },
  ] as const;

/** tril's samples. */
export const trilComposite = defineComposite<{ diagonal: number }>({
  name: "tril",
  call: ([x], { diagonal }) => tril(x!, diagonal),
  samples: triangleSamples("tril"),
});

/** triu's samples. */
export const triuComposite = defineComposite<{ diagonal: number }>({
  name: "triu",
  call: ([x], { diagonal }) => triu(x!, diagonal),
  samples: triangleSamples("triu"),
});
