// Rearrangements of a tensor's elements along its dims: rolls, flips and quarter turns (copies, as
// in PyTorch), and dim moves and swaps (views). All are composed of slice, cat, flip and permute,
// whose gradients move the gradient back.

import { fmtShape, normDim } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { defineComposite } from "./composite.js";
import { cat } from "./index-ops.js";
import { clone, flip, permute, reshape, slice, transpose } from "./view.js";

const listOf = (v: number | readonly number[]): readonly number[] => (typeof v === "number" ? [v] : v);

/**
 * Rolls elements along dims, those pushed off the end coming back at the start (torch.roll):
 * roll(x, 1, 0) moves row i to i + 1 and the last row first. Without dims, x is rolled as if
 * flattened.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const s = listOf(shifts);
  if (s.some((k) => !Number.isInteger(k))) throw new RangeError(`roll: shifts must be integers, got ${fmtShape(s)}`);
  if (dims === undefined) {
    if (s.length !== 1) {
      throw new RangeError(`roll: ${s.length} shifts given without dims; give one shift, or one dim per shift`);
    }
    return reshape(roll(reshape(x, [-1]), s, 0), x.shape);
  }
  const d = listOf(dims).map((k) => normDim("roll", k, x.shape));
  if (d.length !== s.length) {
    throw new RangeError(`roll: ${s.length} shifts and ${d.length} dims given; they must pair up one to one`);
  }
  let out = x;
  d.forEach((dim, i) => {
    const n = x.ndim === 0 ? 1 : x.shape[dim]!;
    const k = n === 0 ? 0 : ((s[i]! % n) + n) % n;
    if (k !== 0) out = cat([slice(out, dim, n - k), slice(out, dim, 0, n - k)], dim);
  });
  // NOTE: a copy even when nothing moved, as PyTorch's: writes to the result never reach x
  return out === x ? clone(x) : out;
}

/** Reverses the order of the columns (dim 1) of a tensor of at least 2 dims (torch.fliplr). */
export function fliplr(x: Tensor): Tensor {
  if (x.ndim < 2) throw new RangeError(`fliplr: expected a tensor of at least 2 dims, got shape ${fmtShape(x.shape)}`);
  return flip(x, 1);
}

/** Reverses the order of the rows (dim 0) of a tensor of at least 1 dim (torch.flipud). */
export function flipud(x: Tensor): Tensor {
  if (x.ndim < 1) throw new RangeError("flipud: expected a tensor of at least 1 dim, got a 0-d tensor");
  return flip(x, 0);
}

/**
 * Rotates by k quarter turns in the plane of `dims` (torch.rot90), from the first dim's
 * direction towards the second's; negative k turns the other way.
 */
export function rot90(x: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  if (dims.length !== 2) throw new RangeError(`rot90: dims must name 2 dims, got ${fmtShape(dims)}`);
  if (x.ndim < 2) throw new RangeError(`rot90: expected a tensor of at least 2 dims, got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(k)) throw new RangeError(`rot90: k must be an integer, got ${k}`);
  const [a, b] = dims.map((d) => normDim("rot90", d, x.shape)) as [number, number];
  if (a === b)
    throw new RangeError(`rot90: the two dims must differ, got ${fmtShape(dims)} for shape ${fmtShape(x.shape)}`);
  switch (((k % 4) + 4) % 4) {
    case 1:
      return transpose(flip(x, b), a, b);
    case 2:
      return flip(x, [a, b]);
    case 3:
      return transpose(flip(x, a), a, b);
    default:
      return clone(x);
  }
}

/**
 * Moves dims `source` to positions `destination`, the other dims keeping their order (a view,
 * torch.movedim): movedim(x, 0, -1) of [2, 3, 4] is [3, 4, 2].
 */
export function movedim(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  return moveDims("movedim", x, source, destination);
}

/** movedim's NumPy name (torch.moveaxis). */
export function moveaxis(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  return moveDims("moveaxis", x, source, destination);
}

function moveDims(
  op: string,
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  const src = listOf(source).map((d) => normDim(op, d, x.shape));
  const dst = listOf(destination).map((d) => normDim(op, d, x.shape));
  if (src.length !== dst.length) {
    throw new RangeError(
      `${op}: source ${fmtShape(listOf(source))} and destination ${fmtShape(listOf(destination))} must name as many dims`,
    );
  }
  for (const [what, list, given] of [
    ["source", src, source],
    ["destination", dst, destination],
  ] as const) {
    if (new Set(list).size !== list.length)
      throw new RangeError(`${op}: ${what} ${fmtShape(listOf(given))} repeats a dim`);
  }
  if (x.ndim === 0) return x;
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((d, i) => (order[dst[i]!] = d));
  const rest = order.map((_, d) => d).filter((d) => !src.includes(d));
  for (let i = 0, k = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[k++]!;
  return permute(x, ...order);
}

/** Swaps two dims, a view (torch.swapaxes, NumPy's name for transpose). */
export function swapaxes(x: Tensor, axis0: number, axis1: number): Tensor {
  return transpose(x, normDim("swapaxes", axis0, x.shape), normDim("swapaxes", axis1, x.shape));
}

/** Swaps two dims, a view (torch.swapdims, transpose by another name). */
export function swapdims(x: Tensor, dim0: number, dim1: number): Tensor {
  return transpose(x, normDim("swapdims", dim0, x.shape), normDim("swapdims", dim1, x.shape));
}

/** roll's samples. */
export const rollComposite = defineComposite<{ shifts: number | number[]; dims?: number | number[] }>({
  name: "roll",
  call: ([x], { shifts, dims }) => roll(x!, shifts, dims),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { shifts: 1 }, torch: "torch.roll(x0, 1)", note: "flattened" },
    { inputs: [{ shape: [2, 3] }], attrs: { shifts: [1, -1], dims: [0, 1] }, torch: "torch.roll(x0, (1, -1), (0, 1))" },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { shifts: 7, dims: -1 }, torch: "torch.roll(x0, 7, -1)" },
    { inputs: [{ shape: [2, 3] }], attrs: { shifts: [2, 3], dims: [1, 1] }, torch: "torch.roll(x0, (2, 3), (1, 1))" },
    { inputs: [{ shape: [3, 1] }], attrs: { shifts: [-4, 1], dims: [0, 1] }, torch: "torch.roll(x0, (-4, 1), (0, 1))" },
    { inputs: [{ shape: [0, 3] }], attrs: { shifts: 1, dims: 0 }, torch: "torch.roll(x0, 1, 0)", note: "empty" },
  ],
});

/** fliplr's samples. */
export const fliplrComposite = defineComposite({
  name: "fliplr",
  call: ([x]) => fliplr(x!),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: undefined, torch: "torch.fliplr(x0)" },
    { inputs: [{ shape: [2, 3, 2] }], attrs: undefined, torch: "torch.fliplr(x0)" },
  ],
});

/** flipud's samples. */
export const flipudComposite = defineComposite({
  name: "flipud",
  call: ([x]) => flipud(x!),
  samples: [
    { inputs: [{ shape: [3] }], attrs: undefined, torch: "torch.flipud(x0)" },
    { inputs: [{ shape: [3, 2] }], attrs: undefined, torch: "torch.flipud(x0)" },
  ],
});

/** rot90's samples: every k modulo 4, negative k and dims, dims in either order. */
export const rot90Composite = defineComposite<{ k: number; dims?: number[] }>({
  name: "rot90",
  call: ([x], { k, dims }) => rot90(x!, k, dims),
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { k: 1 }, torch: "torch.rot90(x0)" },
    { inputs: [{ shape: [2, 3] }], attrs: { k: 2 }, torch: "torch.rot90(x0, 2)" },
    { inputs: [{ shape: [2, 3] }], attrs: { k: -1 }, torch: "torch.rot90(x0, -1)" },
    { inputs: [{ shape: [2, 3] }], attrs: { k: 4 }, torch: "torch.rot90(x0, 4)" },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { k: 1, dims: [2, 0] }, torch: "torch.rot90(x0, 1, [-1, 0])" },
    { inputs: [{ shape: [2, 1, 4] }], attrs: { k: 3, dims: [1, 2] }, torch: "torch.rot90(x0, 3, [1, 2])" },
  ],
});

/** movedim's samples. */
export const movedimComposite = defineComposite<{ source: number | number[]; destination: number | number[] }>({
  name: "movedim",
  call: ([x], { source, destination }) => movedim(x!, source, destination),
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], attrs: { source: 0, destination: -1 }, torch: "torch.movedim(x0, 0, -1)" },
    {
      inputs: [{ shape: [2, 3, 4, 5] }],
      attrs: { source: [0, 1], destination: [-1, 0] },
      torch: "torch.movedim(x0, (0, 1), (-1, 0))",
    },
    { inputs: [{ shape: [2, 1, 3] }], attrs: { source: [2], destination: [1] }, torch: "torch.moveaxis(x0, 2, 1)" },
  ],
});

/** swapaxes's samples. */
export const swapaxesComposite = defineComposite<{ dims: [number, number] }>({
  name: "swapaxes",
  call: ([x], { dims }) => swapaxes(x!, ...dims),
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], attrs: { dims: [0, -1] }, torch: "torch.swapaxes(x0, 0, -1)" },
    { inputs: [{ shape: [2, 3] }], attrs: { dims: [1, 1] }, torch: "torch.swapdims(x0, 1, 1)" },
  ],
});
