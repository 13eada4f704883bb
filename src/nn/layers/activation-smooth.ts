// Modules of the smooth activations and GLU: stateless wrappers over their functional forms, so
// they can sit in a Sequential.

import type { Tensor } from "../../api/tensor.js";
import { celu, glu, logsigmoid, mish, selu, softmin, softsign, tanhshrink } from "../functional/activation-smooth.js";
import { Module } from "../module.js";
import { keepsNoTensors } from "../handoff.js";
import { implicitDim } from "./activation.js";

/** x for x > 0, α(e^(x/α) − 1) otherwise (torch.nn.CELU). */
export class CELU extends Module {
  constructor(
    /** α (default 1). */
    readonly alpha = 1,
  ) {
    super();
    if (alpha === 0) throw new RangeError("CELU: alpha cannot be 0");
  }
  /** celu(x) */
  forward(x: Tensor): Tensor {
    return celu(x, { alpha: this.alpha });
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Scaled ELU with PyTorch's self-normalising constants (torch.nn.SELU). */
export class SELU extends Module {
  /** selu(x) */
  forward(x: Tensor): Tensor {
    return selu(x);
  }
}

/** x·tanh(softplus(x)) (torch.nn.Mish). */
export class Mish extends Module {
  /** mish(x) */
  forward(x: Tensor): Tensor {
    return mish(x);
  }
}

/** x/(1 + |x|) (torch.nn.Softsign). */
export class Softsign extends Module {
  /** softsign(x) */
  forward(x: Tensor): Tensor {
    return softsign(x);
  }
}

/** x − tanh x (torch.nn.Tanhshrink). */
export class Tanhshrink extends Module {
  /** tanhshrink(x) */
  forward(x: Tensor): Tensor {
    return tanhshrink(x);
  }
}

/** log σ(x), stable for any x (torch.nn.LogSigmoid). */
export class LogSigmoid extends Module {
  /** logsigmoid(x) */
  forward(x: Tensor): Tensor {
    return logsigmoid(x);
  }
}

/** softmax(−x) along dim (torch.nn.Softmin). */
export class Softmin extends Module {
  constructor(
    /** The dim that sums to 1 (give it; PyTorch's legacy implicit choice is used otherwise). */
    readonly dim?: number,
  ) {
    super();
  }
  /** softmin(x, dim) */
  forward(x: Tensor): Tensor {
    return softmin(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "null"}`;
  }
}

/** a·σ(b) over the halves a, b of x along dim (torch.nn.GLU). */
export class GLU extends Module {
  constructor(
    /** The dim to halve (default −1). */
    readonly dim = -1,
  ) {
    super();
  }
  /** glu(x, dim) */
  forward(x: Tensor): Tensor {
    return glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

keepsNoTensors(CELU, SELU, Mish, Softsign, Tanhshrink, LogSigmoid, Softmin, GLU);
