// Pooling layers over 1, 2 or 3 dims: MaxPool, AvgPool, AdaptiveAvgPool, AdaptiveMaxPool and
// MaxUnpool, thin wrappers over the functional forms that check their options when made and name
// the layer when the input has the wrong rank.

import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import type { ValuesIndices } from "../../tensor/values-indices.js";
import {
  type AdaptiveSize,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
} from "../functional/adaptive-pool.js";
import type { IntOrTuple } from "../functional/args.js";
import {
  type AvgPoolOptions,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  type MaxPoolOptions,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  maxPoolKeys,
} from "../functional/pool.js";
import { layoutOf } from "../functional/spatial-args.js";
import { maxUnpool1d, maxUnpool2d, maxUnpool3d, type MaxUnpoolOptions } from "../functional/unpool.js";
import { Module, shapeError } from "../module.js";
import { keepsNoTensors } from "../handoff.js";

const show = (v: IntOrTuple | null | undefined) => (typeof v === "number" ? String(v) : v ? fmtShape(v) : "null");

function checkRank(m: Module, x: Tensor, k: number): void {
  if (x.ndim !== k + 1 && x.ndim !== k + 2) shapeError(m, `input ${layoutOf(k)}`, x);
}

/** What a max pooling layer returns: (values, indices) when made with returnIndices, else the values. */
export type PoolResult<I extends boolean> = I extends true ? ValuesIndices<Tensor> : Tensor;

abstract class MaxPoolNd<I extends boolean> extends Module {
  /** The number of pooled dims. */
  protected abstract readonly k: 1 | 2 | 3;
  constructor(
    /** The window's size, per pooled dim. */
    readonly kernelSize: IntOrTuple,
    /** Stride, padding, dilation and ceilMode, and whether to return the indices too. */
    readonly opts: MaxPoolOptions & {
      /** Return the indices of the maxima too. */
      returnIndices?: I;
    } = {},
  ) {
    super();
    checkOptions(new.target.name, opts, maxPoolKeys);
  }
  /** x [N, C, …] or [C, …] → the window maxima (and their indices with returnIndices). */
  forward(x: Tensor): PoolResult<I> {
    checkRank(this, x, this.k);
    const fn = [maxPool1d, maxPool2d, maxPool3d][this.k - 1]!;
    return fn(x, this.kernelSize, this.opts) as PoolResult<I>;
  }
  override extraRepr(): string {
    const o = this.opts;
    const indices = o.returnIndices ? ", returnIndices=true" : "";
    return `kernelSize=${show(this.kernelSize)}, stride=${show(o.stride ?? this.kernelSize)}, padding=${show(o.padding ?? 0)}, dilation=${show(o.dilation ?? 1)}, ceilMode=${o.ceilMode ?? false}${indices}`;
  }
}

/** Max over windows of the last dim (torch.nn.MaxPool1d). */
export class MaxPool1d<I extends boolean = false> extends MaxPoolNd<I> {
  protected readonly k = 1;
}

/** Max over windows of the last two dims (torch.nn.MaxPool2d): `new MaxPool2d(2, { returnIndices: true })`. */
export class MaxPool2d<I extends boolean = false> extends MaxPoolNd<I> {
  protected readonly k = 2;
}

/** Max over windows of the last three dims (torch.nn.MaxPool3d). */
export class MaxPool3d<I extends boolean = false> extends MaxPoolNd<I> {
  protected readonly k = 3;
}

abstract class AvgPoolNd extends Module {
  /** The number of pooled dims. */
  protected abstract readonly k: 1 | 2 | 3;
  constructor(
    /** The window's size, per pooled dim. */
    readonly kernelSize: IntOrTuple,
    /** Stride, padding, ceilMode and the divisor's options. */
    readonly opts: AvgPoolOptions = {},
  ) {
    super();
    const keys = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"];
    // AvgPool1d takes no divisorOverride, as in PyTorch
    const oneD = new.target === AvgPool1d || new.target.prototype instanceof AvgPool1d;
    checkOptions(new.target.name, opts, oneD ? keys.slice(0, 4) : keys);
  }
  /** x [N, C, …] or [C, …] → the window means. */
  forward(x: Tensor): Tensor {
    checkRank(this, x, this.k);
    return [avgPool1d, avgPool2d, avgPool3d][this.k - 1]!(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(o.stride ?? this.kernelSize)}, padding=${show(o.padding ?? 0)}`;
  }
}

/** Mean over windows of the last dim (torch.nn.AvgPool1d). */
export class AvgPool1d extends AvgPoolNd {
  protected readonly k = 1;
  constructor(kernelSize: IntOrTuple, opts: Omit<AvgPoolOptions, "divisorOverride"> = {}) {
    super(kernelSize, opts);
  }
}

/** Mean over windows of the last two dims (torch.nn.AvgPool2d). */
export class AvgPool2d extends AvgPoolNd {
  protected readonly k = 2;
}

/** Mean over windows of the last three dims (torch.nn.AvgPool3d). */
export class AvgPool3d extends AvgPoolNd {
  protected readonly k = 3;
}

const showSize = (s: AdaptiveSize) => (typeof s === "number" ? String(s) : `[${s.join(", ")}]`);

abstract class AdaptiveAvgPoolNd extends Module {
  /** The number of pooled dims. */
  protected abstract readonly k: 1 | 2 | 3;
  constructor(
    /** The output's size, per pooled dim (null keeps the input's). */
    readonly outputSize: AdaptiveSize,
  ) {
    super();
  }
  /** x [N, C, …] or [C, …] → the bin means, of outputSize. */
  forward(x: Tensor): Tensor {
    checkRank(this, x, this.k);
    return [adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d][this.k - 1]!(x, this.outputSize);
  }
  override extraRepr(): string {
    return `outputSize=${showSize(this.outputSize)}`;
  }
}

/** Averages the last dim into outputSize bins (torch.nn.AdaptiveAvgPool1d). */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  protected readonly k = 1;
}

/** Averages the last two dims into an outputSize grid (torch.nn.AdaptiveAvgPool2d). */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  protected readonly k = 2;
}

/** Averages the last three dims into an outputSize grid (torch.nn.AdaptiveAvgPool3d). */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  protected readonly k = 3;
}

abstract class AdaptiveMaxPoolNd<I extends boolean> extends Module {
  /** The number of pooled dims. */
  protected abstract readonly k: 1 | 2 | 3;
  constructor(
    /** The output's size, per pooled dim (null keeps the input's). */
    readonly outputSize: AdaptiveSize,
    /** Whether to return the indices too. */
    readonly opts: {
      /** Return the indices of the maxima too. */
      returnIndices?: I;
    } = {},
  ) {
    super();
    checkOptions(new.target.name, opts, ["returnIndices"]);
  }
  /** x [N, C, …] or [C, …] → the bin maxima (and their indices with returnIndices). */
  forward(x: Tensor): PoolResult<I> {
    checkRank(this, x, this.k);
    const fn = [adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d][this.k - 1]!;
    return fn(x, this.outputSize, this.opts) as PoolResult<I>;
  }
  override extraRepr(): string {
    return `outputSize=${showSize(this.outputSize)}${this.opts.returnIndices ? ", returnIndices=true" : ""}`;
  }
}

/** The maximum of each of outputSize bins of the last dim (torch.nn.AdaptiveMaxPool1d). */
export class AdaptiveMaxPool1d<I extends boolean = false> extends AdaptiveMaxPoolNd<I> {
  protected readonly k = 1;
}

/** The maximum of each bin of an outputSize grid over the last two dims (torch.nn.AdaptiveMaxPool2d). */
export class AdaptiveMaxPool2d<I extends boolean = false> extends AdaptiveMaxPoolNd<I> {
  protected readonly k = 2;
}

/** The maximum of each bin of an outputSize grid over the last three dims (torch.nn.AdaptiveMaxPool3d). */
export class AdaptiveMaxPool3d<I extends boolean = false> extends AdaptiveMaxPoolNd<I> {
  protected readonly k = 3;
}

/** Options of the max unpooling layers: the pooling's stride and padding. */
export type MaxUnpoolLayerOptions = Omit<MaxUnpoolOptions, "outputSize">;

abstract class MaxUnpoolNd extends Module {
  /** The number of unpooled dims. */
  protected abstract readonly k: 1 | 2 | 3;
  constructor(
    /** The window's size of the pooling this one inverts. */
    readonly kernelSize: IntOrTuple,
    /** The stride and padding of the pooling this one inverts. */
    readonly opts: MaxUnpoolLayerOptions = {},
  ) {
    super();
    checkOptions(new.target.name, opts, ["stride", "padding"]);
  }
  /** x and its pooling's indices → zeros but for x at the indices; outputSize picks among the possible sizes. */
  forward(x: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    checkRank(this, x, this.k);
    const fn = [maxUnpool1d, maxUnpool2d, maxUnpool3d][this.k - 1]!;
    return fn(x, indices, this.kernelSize, { ...this.opts, outputSize });
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(o.stride ?? this.kernelSize)}, padding=${show(o.padding ?? 0)}`;
  }
}

/** Max pooling's inverse over the last dim (torch.nn.MaxUnpool1d). */
export class MaxUnpool1d extends MaxUnpoolNd {
  protected readonly k = 1;
}

/** Max pooling's inverse over the last two dims (torch.nn.MaxUnpool2d): `unpool.call(...pool.call(x), size)`. */
export class MaxUnpool2d extends MaxUnpoolNd {
  protected readonly k = 2;
}

/** Max pooling's inverse over the last three dims (torch.nn.MaxUnpool3d). */
export class MaxUnpool3d extends MaxUnpoolNd {
  protected readonly k = 3;
}

keepsNoTensors(
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  AvgPool1d,
  AvgPool2d,
  AvgPool3d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
);
