// Resampling layers: Upsample (interpolate with its settings fixed at construction) and the
// sub-pixel rearrangements PixelShuffle and PixelUnshuffle.

import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { pixelShuffle, pixelUnshuffle } from "../functional/pixel-shuffle.js";
import { type InterpolateOptions, interpolate } from "../functional/resample.js";
import { Module } from "../module.js";
import { keepsNoTensors } from "../handoff.js";

/** Options of Upsample (torch.nn.Upsample's keywords); give size or scaleFactor. */
export type UpsampleOptions = Omit<InterpolateOptions, "antialias">;

/** Resamples the spatial dims of [N, C, ...S] (torch.nn.Upsample): `new Upsample({ scaleFactor: 2, mode: "bilinear" })`. */
export class Upsample extends Module {
  constructor(
    /** The output size or scale factor, and the interpolation mode. */
    readonly opts: UpsampleOptions = {},
  ) {
    super();
    checkOptions("Upsample", opts, ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"]);
  }
  /** [N, C, ...S] → [N, C, ...S'] */
  forward(x: Tensor): Tensor {
    return interpolate(x, this.opts);
  }
  override extraRepr(): string {
    const o = this.opts;
    const shown = (v: unknown) => JSON.stringify(v ?? null);
    const corners = o.alignCorners === undefined || o.alignCorners === null ? "" : `, alignCorners=${o.alignCorners}`;
    const by =
      o.size !== undefined && o.size !== null ? `size=${shown(o.size)}` : `scaleFactor=${shown(o.scaleFactor)}`;
    return `${by}, mode='${o.mode ?? "nearest"}'${corners}`;
  }
}

/** [..., C·r², H, W] → [..., C, H·r, W·r] (torch.nn.PixelShuffle). */
export class PixelShuffle extends Module {
  constructor(
    /** The factor r each spatial dim grows by. */
    readonly upscaleFactor: number,
  ) {
    super();
  }
  /** pixelShuffle(x, upscaleFactor) */
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
}

/** [..., C, H·r, W·r] → [..., C·r², H, W] (torch.nn.PixelUnshuffle). */
export class PixelUnshuffle extends Module {
  constructor(
    /** The factor r each spatial dim shrinks by. */
    readonly downscaleFactor: number,
  ) {
    super();
  }
  /** pixelUnshuffle(x, downscaleFactor) */
  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
}

keepsNoTensors(Upsample, PixelShuffle, PixelUnshuffle);
