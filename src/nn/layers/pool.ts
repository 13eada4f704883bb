// Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, thin wrappers over the
// functional forms that name the layer when the input has the wrong rank.

import { fmtShape } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";
import type { IntOrTuple } from "../functional/args.js";
import {
  type AdaptiveSize,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  type AvgPoolOptions,
  avgPool1d,
  avgPool2d,
  type MaxPoolOptions,
  maxPool1d,
  maxPool2d,
} from "../functional/pool.js";
import { Module, shapeError } from "../module.js";

const show = (v: IntOrTuple | null | undefined) => (typeof v === "number" ? String(v) : v ? fmtShape(v) : "null");

function checkRank(m: Module, x: Tensor, k: number): void {
  if (x.ndim !== k + 1 && x.ndim !== k + 2)
    shapeError(m, k === 1 ? "input [N, C, L] or [C, L]" : "input [N, C, H, W] or [C, H, W]", x);
}

abstract class MaxPoolNd extends Module {
  constructor(
    readonly kernelSize: IntOrTuple,
    readonly opts: MaxPoolOptions = {},
  ) {
    super();
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(o.stride ?? this.kernelSize)}, padding=${show(o.padding ?? 0)}, dilation=${show(o.dilation ?? 1)}, ceilMode=${o.ceilMode ?? false}`;
  }
}

/** Max over windows of the last dim (torch.nn.MaxPool1d). */
export class MaxPool1d extends MaxPoolNd {
  /** [N, C, L] → [N, C, L'] */
  forward(x: Tensor): Tensor {
    checkRank(this, x, 1);
    return maxPool1d(x, this.kernelSize, this.opts);
  }
}

/** Max over windows of the last two dims (torch.nn.MaxPool2d). */
export class MaxPool2d extends MaxPoolNd {
  /** [N, C, H, W] → [N, C, H', W'] */
  forward(x: Tensor): Tensor {
    checkRank(this, x, 2);
    return maxPool2d(x, this.kernelSize, this.opts);
  }
}

abstract class AvgPoolNd extends Module {
  constructor(
    readonly kernelSize: IntOrTuple,
    readonly opts: AvgPoolOptions = {},
  ) {
    super();
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(o.stride ?? this.kernelSize)}, padding=${show(o.padding ?? 0)}`;
  }
}

/** Mean over windows of the last dim (torch.nn.AvgPool1d). */
export class AvgPool1d extends AvgPoolNd {
  /** [N, C, L] → [N, C, L'] */
  forward(x: Tensor): Tensor {
    checkRank(this, x, 1);
    return avgPool1d(x, this.kernelSize, this.opts);
  }
}

/** Mean over windows of the last two dims (torch.nn.AvgPool2d). */
export class AvgPool2d extends AvgPoolNd {
  /** [N, C, H, W] → [N, C, H', W'] */
  forward(x: Tensor): Tensor {
    checkRank(this, x, 2);
    return avgPool2d(x, this.kernelSize, this.opts);
  }
}

abstract class AdaptiveAvgPoolNd extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  override extraRepr(): string {
    return `outputSize=${typeof this.outputSize === "number" ? this.outputSize : `[${this.outputSize.join(", ")}]`}`;
  }
}

/** Averages the last dim into outputSize bins (torch.nn.AdaptiveAvgPool1d). */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  /** [N, C, L] → [N, C, outputSize] */
  forward(x: Tensor): Tensor {
    checkRank(this, x, 1);
    return adaptiveAvgPool1d(x, this.outputSize);
  }
}

/** Averages the last two dims into an outputSize grid (torch.nn.AdaptiveAvgPool2d). */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  /** [N, C, H, W] → [N, C, …outputSize] */
  forward(x: Tensor): Tensor {
    checkRank(this, x, 2);
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
