// Sub-pixel rearrangement (torch.nn.functional.pixel_shuffle / pixel_unshuffle): channels of an
// image traded for resolution and back, each a reshape, a permute and a reshape.

import type { Tensor } from "../../api/tensor.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { asTensors, torchCall } from "./spatial-args.js";

function checkFactor(op: string, name: string, x: Tensor, r: number): void {
  if (x.ndim < 3) {
    throw new RangeError(`${op}: expected an input of at least 3 dims [..., C, H, W], got shape ${fmtShape(x.shape)}`);
  }
  if (!Number.isInteger(r) || r < 1) throw new RangeError(`${op}: ${name} must be a positive integer, got ${r}`);
}

/** [..., C·r², H, W] → [..., C, H·r, W·r]: each group of r² channels becomes an r × r block of pixels. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const r = upscaleFactor;
  checkFactor("pixelShuffle", "upscaleFactor", x, r);
  const [c, h, w] = x.shape.slice(-3) as [number, number, number];
  if (c % (r * r) !== 0) {
    throw new RangeError(
      `pixelShuffle: the channel dim of input ${fmtShape(x.shape)} must be divisible by upscaleFactor² = ${r * r}`,
    );
  }
  const lead = x.shape.slice(0, -3);
  const n = lead.length;
  return x
    .reshape([...lead, c / (r * r), r, r, h, w])
    .permute([...lead.map((_, i) => i), n, n + 3, n + 1, n + 4, n + 2])
    .reshape([...lead, c / (r * r), h * r, w * r]);
}

/** [..., C, H·r, W·r] → [..., C·r², H, W]: pixelShuffle's inverse. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const r = downscaleFactor;
  checkFactor("pixelUnshuffle", "downscaleFactor", x, r);
  const [c, h, w] = x.shape.slice(-3) as [number, number, number];
  if (h % r !== 0 || w % r !== 0) {
    throw new RangeError(
      `pixelUnshuffle: the height and width of input ${fmtShape(x.shape)} must be divisible by downscaleFactor ${r}`,
    );
  }
  const lead = x.shape.slice(0, -3);
  const n = lead.length;
  return x
    .reshape([...lead, c, h / r, r, w / r, r])
    .permute([...lead.map((_, i) => i), n, n + 2, n + 4, n + 1, n + 3])
    .reshape([...lead, c * r * r, h / r, w / r]);
}

/** The table entries of pixelShuffle and pixelUnshuffle: samples as [input shape, factor]. */
export const pixelShuffleComposites = (
  [
    [
      "pixelShuffle",
      "pixel_shuffle",
      pixelShuffle,
      [
        [[1, 8, 2, 3], 2],
        [[2, 1, 9, 2, 1], 3],
        [[4, 2, 2], 1],
      ],
    ],
    [
      "pixelUnshuffle",
      "pixel_unshuffle",
      pixelUnshuffle,
      [
        [[1, 2, 4, 6], 2],
        [[2, 1, 1, 6, 3], 3],
      ],
    ],
  ] as const
).map(([name, torchName, fn, samples]) => {
  const [first, ...rest] = samples.map(([shape, r]) => ({
    inputs: [{ shape }],
    attrs: r,
    torch: torchCall(torchName, ["x0", r]),
  }));
  return defineComposite<number>({ name, call: (xs, r) => fn(asTensors(xs)[0]!, r), samples: [first!, ...rest] });
});
