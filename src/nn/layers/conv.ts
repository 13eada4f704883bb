// Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d with PyTorch's weight layouts,
// options and default initialisation. Non-zero padding modes pad first, then convolve.

import { creation } from "../../api/functions.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";
import { type IntOrTuple, tupleOf } from "../functional/args.js";
import { pad } from "../functional/basic.js";
import {
  convPadding,
  conv1d,
  conv2d,
  conv3d,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
} from "../functional/conv.js";
import { layoutOf } from "../functional/spatial-args.js";
import { Module, shapeError } from "../module.js";
import { keepsNoTensors } from "../handoff.js";
import { Parameter } from "../parameter.js";
import { resetLinearLike } from "./linear.js";

/** Options of Conv1d/2d/3d. */
export interface ConvLayerOptions {
  /** Step between kernel positions, per spatial dim (default 1). */
  stride?: IntOrTuple;
  /** Padding on both sides of each spatial dim; 'valid' is 0, 'same' keeps the size (stride 1). Default 0. */
  padding?: IntOrTuple | "valid" | "same";
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How padding is filled: zeros, or reflect/replicate/circular copies of the input. */
  paddingMode?: "zeros" | "reflect" | "replicate" | "circular";
}

abstract class ConvBase extends Module {
  /** [out, in/groups, …kernel] for convolutions, [in, out/groups, …kernel] for transposed ones */
  weight!: Parameter;
  /** [out], or null */
  bias!: Parameter | null;
  /** The kernel's size, per spatial dim. */
  readonly kernelSize: number[];
  /** Step between kernel positions, per spatial dim. */
  readonly stride: number[];
  /** Spacing between kernel elements, per spatial dim. */
  readonly dilation: number[];
  /** Number of independent channel groups. */
  readonly groups: number;

  constructor(
    /** Channels of the input. */
    readonly inChannels: number,
    /** Channels of the output. */
    readonly outChannels: number,
    kernelSize: IntOrTuple,
    k: number,
    opts: { stride?: IntOrTuple; dilation?: IntOrTuple; groups?: number; bias?: boolean },
    transposed: boolean,
  ) {
    super();
    const name = this.constructor.name;
    this.kernelSize = tupleOf(name, "kernelSize", kernelSize, k);
    this.stride = tupleOf(name, "stride", opts.stride ?? 1, k);
    this.dilation = tupleOf(name, "dilation", opts.dilation ?? 1, k);
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new RangeError(
        `${name}: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`,
      );
    }
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = new Parameter(creation.zeros(shape));
    this.bias = (opts.bias ?? true) ? new Parameter(creation.zeros([outChannels])) : null;
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default (kaiming_uniform(a=√5), bias U(±1/√fan_in)). */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  /** Throws unless x is [N, C, …spatial] or [C, …spatial] with this layer's input channels. */
  protected checkInput(x: Tensor): void {
    const k = this.kernelSize.length;
    if ((x.ndim !== k + 2 && x.ndim !== k + 1) || x.shape[x.ndim - k - 1] !== this.inChannels) {
      shapeError(this, `input ${layoutOf(k, String(this.inChannels))}`, x);
    }
  }

  /** The settings every convolution shows in its repr. */
  protected baseRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}`, `kernelSize=${fmtShape(this.kernelSize)}`];
    if (this.stride.some((s) => s !== 1)) parts.push(`stride=${fmtShape(this.stride)}`);
    if (this.dilation.some((s) => s !== 1)) parts.push(`dilation=${fmtShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push("bias=false");
    return parts.join(", ");
  }
}

abstract class ConvNd extends ConvBase {
  /** Padding on both sides of each spatial dim, as given. */
  readonly padding: IntOrTuple | "valid" | "same";
  /** How padding is filled. */
  readonly paddingMode: NonNullable<ConvLayerOptions["paddingMode"]>;

  constructor(inC: number, outC: number, kernelSize: IntOrTuple, k: number, opts: ConvLayerOptions) {
    checkOptions(new.target.name, opts, ["stride", "padding", "dilation", "groups", "bias", "paddingMode"]);
    super(inC, outC, kernelSize, k, opts, false);
    this.padding = opts.padding ?? 0;
    this.paddingMode = opts.paddingMode ?? "zeros";
    // validates 'same' against the stride now rather than at the first call
    convPadding(this.constructor.name, this.padding, this.kernelSize, this.stride, this.dilation);
  }

  /** The forward, with `fn` the functional convolution of this layer's dims. */
  protected run(x: Tensor, fn: typeof conv2d): Tensor {
    this.checkInput(x);
    if (this.paddingMode !== "zeros" && x.ndim === this.kernelSize.length + 1) {
      // circular padding needs a batch dim: an unbatched input goes through as a batch of one
      return this.run(x.unsqueeze(0), fn).squeeze(0);
    }
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === "zeros") return fn(x, this.weight, this.bias, { ...opts, padding: this.padding });
    const pairs = convPadding(this.constructor.name, this.padding, this.kernelSize, this.stride, this.dilation);
    const padded = pad(x, [...pairs].reverse().flat(), this.paddingMode);
    return fn(padded, this.weight, this.bias, { ...opts, padding: 0 });
  }

  override extraRepr(): string {
    const p = this.padding;
    const shown = typeof p === "string" ? `'${p}'` : fmtShape(typeof p === "number" ? [p] : p);
    const mode = this.paddingMode === "zeros" ? "" : `, paddingMode='${this.paddingMode}'`;
    return `${this.baseRepr()}${p === 0 ? "" : `, padding=${shown}`}${mode}`;
  }
}

/** 1-D convolution over x [N, inChannels, L] (torch.nn.Conv1d). */
export class Conv1d extends ConvNd {
  /** weight [out, in/groups, k]. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, 1, opts);
  }
  /** [N, C, L] → [N, outChannels, L'] */
  forward(x: Tensor): Tensor {
    return this.run(x, conv1d);
  }
}

/** 2-D convolution over x [N, inChannels, H, W] (torch.nn.Conv2d). */
export class Conv2d extends ConvNd {
  /** weight [out, in/groups, kh, kw]. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, 2, opts);
  }
  /** [N, C, H, W] → [N, outChannels, H', W'] */
  forward(x: Tensor): Tensor {
    return this.run(x, conv2d);
  }
}

/** 3-D convolution over x [N, inChannels, D, H, W] (torch.nn.Conv3d). */
export class Conv3d extends ConvNd {
  /** weight [out, in/groups, kd, kh, kw]. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, 3, opts);
  }
  /** [N, C, D, H, W] → [N, outChannels, D', H', W'] */
  forward(x: Tensor): Tensor {
    return this.run(x, conv3d);
  }
}

/** Options of the transposed convolution layers. */
export interface ConvTransposeLayerOptions {
  /** The stride of the convolution this one transposes (default 1). */
  stride?: IntOrTuple;
  /** The padding of the convolution this one transposes: removed from each side of the output (default 0). */
  padding?: IntOrTuple;
  /** Added to one side of the output to pick among the sizes a strided conv maps to the same size (default 0). */
  outputPadding?: IntOrTuple;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
}

abstract class ConvTransposeNd extends ConvBase {
  /** Padding removed from each side of the output, per spatial dim. */
  readonly padding: number[];
  /** Added to one side of the output, per spatial dim. */
  readonly outputPadding: number[];

  constructor(inC: number, outC: number, kernelSize: IntOrTuple, k: number, opts: ConvTransposeLayerOptions) {
    checkOptions(new.target.name, opts, ["stride", "padding", "outputPadding", "groups", "bias", "dilation"]);
    super(inC, outC, kernelSize, k, opts, true);
    this.padding = tupleOf(this.constructor.name, "padding", opts.padding ?? 0, k);
    this.outputPadding = tupleOf(this.constructor.name, "outputPadding", opts.outputPadding ?? 0, k);
  }

  /**
   * The forward, with `fn` the functional transposed convolution of this layer's dims; `outputSize`
   * picks the output padding.
   */
  protected run(x: Tensor, fn: typeof convTranspose2d, outputSize?: readonly number[]): Tensor {
    this.checkInput(x);
    const k = this.kernelSize.length;
    let outputPadding = this.outputPadding;
    if (outputSize) {
      // pick the output padding that yields the requested size, one of the stride's many (PyTorch's _output_padding)
      if (outputSize.length !== k && outputSize.length !== x.ndim) {
        throw new RangeError(
          `${this.label()}: outputSize must have ${k} or ${x.ndim} entries, got ${fmtShape(outputSize)}`,
        );
      }
      const spatial = x.shape.slice(-k);
      const target = outputSize.slice(-k);
      outputPadding = spatial.map((s, i) => {
        const least =
          (s - 1) * this.stride[i]! - 2 * this.padding[i]! + this.dilation[i]! * (this.kernelSize[i]! - 1) + 1;
        if (!(target[i]! >= least && target[i]! < least + this.stride[i]!)) {
          throw new RangeError(
            `${this.label()}: requested an output size of ${fmtShape(target)}, but dim ${i} can only be ` +
              `${least} to ${least + this.stride[i]! - 1} for an input of ${fmtShape(x.shape)}`,
          );
        }
        return target[i]! - least;
      });
    }
    return fn(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    const extra = [
      this.padding.some((p) => p) ? `padding=${fmtShape(this.padding)}` : "",
      this.outputPadding.some((p) => p) ? `outputPadding=${fmtShape(this.outputPadding)}` : "",
    ].filter(Boolean);
    return [this.baseRepr(), ...extra].join(", ");
  }
}

/** 1-D transposed convolution (torch.nn.ConvTranspose1d). */
export class ConvTranspose1d extends ConvTransposeNd {
  /** weight [in, out/groups, k]. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, 1, opts);
  }
  /** [N, C, L] → [N, outChannels, L']; outputSize picks among the possible lengths. */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return this.run(x, convTranspose1d, outputSize);
  }
}

/** 2-D transposed convolution (torch.nn.ConvTranspose2d). */
export class ConvTranspose2d extends ConvTransposeNd {
  /** weight [in, out/groups, kh, kw]. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, 2, opts);
  }
  /** [N, C, H, W] → [N, outChannels, H', W']; outputSize picks among the possible sizes. */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return this.run(x, convTranspose2d, outputSize);
  }
}

/** 3-D transposed convolution (torch.nn.ConvTranspose3d). */
export class ConvTranspose3d extends ConvTransposeNd {
  /** weight [in, out/groups, kd, kh, kw]. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, 3, opts);
  }
  /** [N, C, D, H, W] → [N, outChannels, D', H', W']; outputSize picks among the possible sizes. */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return this.run(x, convTranspose3d, outputSize);
  }
}

keepsNoTensors(Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d);
