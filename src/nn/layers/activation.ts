// Activation modules and Dropout: stateless wrappers so activations can sit in a Sequential.
// Dropout drops only in train mode, drawing its mask from the default generator.

import { elementwise, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { dropout } from "../functional/basic.js";
import { Module } from "../module.js";
import { keepsNoTensors } from "../handoff.js";

/** max(x, 0) (torch.nn.ReLU). */
export class ReLU extends Module {
  /** relu(x) */
  forward(x: Tensor): Tensor {
    return elementwise.relu(x);
  }
}

/** 1/(1 + e^−x) (torch.nn.Sigmoid). */
export class Sigmoid extends Module {
  /** sigmoid(x) */
  forward(x: Tensor): Tensor {
    return elementwise.sigmoid(x);
  }
}

/** tanh x (torch.nn.Tanh). */
export class Tanh extends Module {
  /** tanh(x) */
  forward(x: Tensor): Tensor {
    return elementwise.tanh(x);
  }
}

/** x·σ(x) (torch.nn.SiLU). */
export class SiLU extends Module {
  /** silu(x) */
  forward(x: Tensor): Tensor {
    return functions.silu(x);
  }
}

/** x·Φ(x), exact or with the tanh approximation (torch.nn.GELU). */
export class GELU extends Module {
  constructor(
    /** approximate: 'none' (erf) or 'tanh'. */
    readonly approximate: "none" | "tanh" = "none",
  ) {
    super();
  }
  /** gelu(x) */
  forward(x: Tensor): Tensor {
    return functions.gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x for x > 0, negativeSlope·x otherwise (torch.nn.LeakyReLU). */
export class LeakyReLU extends Module {
  constructor(
    /** Slope for negative inputs (default 0.01). */
    readonly negativeSlope = 0.01,
  ) {
    super();
  }
  /** leakyRelu(x) */
  forward(x: Tensor): Tensor {
    return functions.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x for x > 0, α(e^x − 1) otherwise (torch.nn.ELU). */
export class ELU extends Module {
  constructor(
    /** α (default 1). */
    readonly alpha = 1,
  ) {
    super();
  }
  /** elu(x) */
  forward(x: Tensor): Tensor {
    return functions.elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** log(1 + e^(βx))/β, linear above threshold (torch.nn.Softplus). */
export class Softplus extends Module {
  constructor(
    /** β (default 1). */
    readonly beta = 1,
    /** Above this βx the result is x itself (default 20). */
    readonly threshold = 20,
  ) {
    super();
  }
  /** softplus(x) */
  forward(x: Tensor): Tensor {
    return functions.softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** PyTorch's legacy choice when no dim is given: 0 for 0-, 1- and 3-d inputs, else 1. */
export const implicitDim = (x: Tensor) => (x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1);

/** softmax along dim (torch.nn.Softmax). */
export class Softmax extends Module {
  constructor(
    /** The dim that sums to 1 (give it; the legacy implicit choice is used otherwise). */
    readonly dim?: number,
  ) {
    super();
  }
  /** softmax(x, dim) */
  forward(x: Tensor): Tensor {
    return functions.softmax(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "null"}`;
  }
}

/** log softmax along dim (torch.nn.LogSoftmax). */
export class LogSoftmax extends Module {
  constructor(
    /** The normalised dim. */
    readonly dim?: number,
  ) {
    super();
  }
  /** logSoftmax(x, dim) */
  forward(x: Tensor): Tensor {
    return functions.logSoftmax(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "null"}`;
  }
}

/** Zeroes elements with probability p and scales the rest by 1/(1 − p) in train mode; identity in eval. */
export class Dropout extends Module {
  constructor(
    /** Drop probability p (default 0.5). */
    readonly p = 0.5,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: probability must be in [0, 1], got ${p}`);
  }
  /** dropout(x) in train mode, x in eval mode. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

keepsNoTensors(ReLU, Sigmoid, Tanh, SiLU, GELU, LeakyReLU, ELU, Softplus, Softmax, LogSoftmax, Dropout);
