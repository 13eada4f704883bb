// Linear and Embedding: a weight matrix applied by matmul or looked up by index, initialised as
// PyTorch does (Linear: kaiming_uniform(a=√5) weights, U(±1/√fan_in) bias; Embedding: N(0, 1)).

import { noGrad } from "../../graph/grad-mode.js";
import { creation } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { embedding, linear } from "../functional/basic.js";
import * as init from "../init.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { Module, shapeError } from "../module.js";
import { keepsNoTensors } from "../handoff.js";
import { Parameter } from "../parameter.js";

/** PyTorch's default for weights feeding a linear map: kaiming_uniform(a=√5), bias U(±1/√fan_in). */
export function resetLinearLike(
  weight: Tensor,
  bias: Tensor | null,
  fanIn = init.calculateFanInAndFanOut(weight)[0],
): void {
  init.kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias) {
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform(bias, -bound, bound);
  }
}

/**
 * y = x·Wᵀ + b over the last dim (torch.nn.Linear).
 *
 * @example
 * const fc = new cr.nn.Linear(4, 3);
 * const y = fc.call(cr.randn(8, 4)); // [8, 3]
 */
export class Linear extends Module {
  /** [outFeatures, inFeatures] */
  weight: Parameter;
  /** [outFeatures], or null when built with bias: false */
  bias: Parameter | null;

  /** A layer mapping inFeatures to outFeatures. */
  constructor(
    /** Size of each input's last dim. */
    readonly inFeatures: number,
    /** Size of each output's last dim. */
    readonly outFeatures: number,
    opts: { bias?: boolean } = {},
  ) {
    super();
    checkOptions("Linear", opts, ["bias"]);
    this.weight = new Parameter(creation.zeros([outFeatures, inFeatures]));
    this.bias = (opts.bias ?? true) ? new Parameter(creation.zeros([outFeatures])) : null;
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default initialisation. */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  /** x [..., inFeatures] → [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      shapeError(this, `input with last dim ${this.inFeatures}`, x);
    }
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Options of Embedding. */
export interface EmbeddingLayerOptions {
  /** This index's row starts at zero and receives no gradient. */
  paddingIdx?: number | null;
}

/** A lookup table of numEmbeddings vectors of size embeddingDim (torch.nn.Embedding). */
export class Embedding extends Module {
  /** [numEmbeddings, embeddingDim] */
  weight: Parameter;
  /** Index whose row gets no gradient, if any. */
  readonly paddingIdx: number | null;

  /** A table initialised from N(0, 1), the padding row (if any) zeroed. */
  constructor(
    /** Rows in the table: the indices run 0..numEmbeddings − 1. */
    readonly numEmbeddings: number,
    /** Size of each row. */
    readonly embeddingDim: number,
    opts: EmbeddingLayerOptions = {},
  ) {
    super();
    checkOptions("Embedding", opts, ["paddingIdx"]);
    const p = opts.paddingIdx ?? null;
    if (p !== null && (p >= numEmbeddings || p < -numEmbeddings)) {
      throw new RangeError(`Embedding: paddingIdx ${p} is out of range for ${numEmbeddings} embeddings`);
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + numEmbeddings : p;
    this.weight = new Parameter(creation.zeros([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }

  /** An embedding holding `embeddings` [V, D] (frozen by default). */
  static fromPretrained(embeddings: Tensor, opts: EmbeddingLayerOptions & { freeze?: boolean } = {}): Embedding {
    checkOptions("Embedding.fromPretrained", opts, ["paddingIdx", "freeze"]);
    if (embeddings.ndim !== 2) {
      throw new RangeError(
        `Embedding.fromPretrained: expected a 2-d [V, D] table, got shape ${fmtShape(embeddings.shape)}`,
      );
    }
    const [v, d] = embeddings.shape as [number, number];
    const e = new Embedding(v, d, { paddingIdx: opts.paddingIdx });
    e.to(embeddings.dtype);
    e.loadStateDict({ weight: embeddings });
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }

  /** Re-draws the table from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    init.normal(this.weight);
    const p = this.paddingIdx;
    if (p !== null) noGrad(() => init.zeros(this.weight.select(0, p)));
  }

  /** int32 indices [...] → [..., embeddingDim]. */
  forward(indices: Tensor): Tensor {
    if (indices.dtype !== "int32") {
      throw new TypeError(`${this.label()}: expected int32 indices, got ${indices.dtype}`);
    }
    const n = this.numEmbeddings;
    // NOTE: checked here, not left to the lookup, so the error names this table and the index
    if (indices.numel()) {
      const [lo, hi] = [indices.amin().item(), indices.amax().item()];
      if (lo < 0 || hi >= n) {
        throw new RangeError(
          `${this.label()}: index ${lo < 0 ? lo : hi} is out of range; indices must be in [0, ${n})`,
        );
      }
    }
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, paddingIdx=${this.paddingIdx}`}`;
  }
}

keepsNoTensors(Linear, Embedding);
