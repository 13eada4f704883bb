// Modules of the piecewise activations: stateless wrappers over their functional forms, except
// PReLU (a learnable slope per channel, or one for all) and RReLU (a random slope in train mode,
// drawn from the default generator; the mean slope in eval mode).

import { creation } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import {
  hardshrink,
  hardsigmoid,
  hardswish,
  hardtanh,
  prelu,
  relu6,
  rrelu,
  softshrink,
} from "../functional/activation.js";
import { Module } from "../module.js";
import { keepsNoTensors } from "../handoff.js";
import { Parameter } from "../parameter.js";

/** x clamped to [minVal, maxVal] (torch.nn.Hardtanh). */
export class Hardtanh extends Module {
  constructor(
    /** The lower bound (default −1). */
    readonly minVal = -1,
    /** The upper bound (default 1). */
    readonly maxVal = 1,
  ) {
    super();
    if (!(maxVal > minVal)) throw new RangeError(`Hardtanh: maxVal (${maxVal}) must be above minVal (${minVal})`);
  }
  /** hardtanh(x) */
  forward(x: Tensor): Tensor {
    return hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal });
  }
  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/** min(max(x, 0), 6) (torch.nn.ReLU6). */
export class ReLU6 extends Module {
  /** relu6(x) */
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** x·relu6(x + 3)/6 (torch.nn.Hardswish). */
export class Hardswish extends Module {
  /** hardswish(x) */
  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

/** relu6(x + 3)/6 (torch.nn.Hardsigmoid). */
export class Hardsigmoid extends Module {
  /** hardsigmoid(x) */
  forward(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
}

/** 0 on [−λ, λ], x elsewhere (torch.nn.Hardshrink). */
export class Hardshrink extends Module {
  constructor(
    /** λ (default 0.5). */
    readonly lambd = 0.5,
  ) {
    super();
  }
  /** hardshrink(x) */
  forward(x: Tensor): Tensor {
    return hardshrink(x, { lambd: this.lambd });
  }
  override extraRepr(): string {
    return `${this.lambd}`;
  }
}

/** x − λ above λ, x + λ below −λ, 0 between (torch.nn.Softshrink). */
export class Softshrink extends Module {
  constructor(
    /** λ (default 0.5). */
    readonly lambd = 0.5,
  ) {
    super();
    if (!(lambd >= 0)) throw new RangeError(`Softshrink: lambd must be at least 0, got ${lambd}`);
  }
  /** softshrink(x) */
  forward(x: Tensor): Tensor {
    return softshrink(x, { lambd: this.lambd });
  }
  override extraRepr(): string {
    return `${this.lambd}`;
  }
}

/** x for x > 0, a·x otherwise, with a learnable slope a per channel or one for all (torch.nn.PReLU). */
export class PReLU extends Module {
  /** The slopes [numParameters]. */
  weight: Parameter;
  constructor(
    /** The number of slopes: 1, or the input's channel count (dim 1). */
    readonly numParameters = 1,
    /** Each slope's starting value (default 0.25). */
    readonly init = 0.25,
  ) {
    super();
    if (!(Number.isInteger(numParameters) && numParameters >= 1)) {
      throw new RangeError(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    }
    this.weight = new Parameter(creation.full([numParameters], init));
  }
  /** prelu(x, weight) */
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `numParameters=${this.numParameters}`;
  }
}

/** Leaky ReLU with a random slope in [lower, upper] per element in train mode, their mean in eval (torch.nn.RReLU). */
export class RReLU extends Module {
  constructor(
    /** The slope's lower bound (default 1/8). */
    readonly lower = 1 / 8,
    /** The slope's upper bound (default 1/3). */
    readonly upper = 1 / 3,
  ) {
    super();
    if (!(lower <= upper)) throw new RangeError(`RReLU: lower (${lower}) must not be above upper (${upper})`);
  }
  /** rrelu(x), random in train mode. */
  forward(x: Tensor): Tensor {
    return rrelu(x, { lower: this.lower, upper: this.upper, training: this.training });
  }
  override extraRepr(): string {
    return `lower=${this.lower}, upper=${this.upper}`;
  }
}

keepsNoTensors(Hardtanh, ReLU6, Hardswish, Hardsigmoid, Hardshrink, Softshrink, PReLU, RReLU);
