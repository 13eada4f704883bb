// MultiheadAttention, TransformerEncoderLayer and TransformerEncoder with PyTorch's parameter names
// (in_proj_weight, in_proj_bias, out_proj.*, self_attn.*, linear1, norm1, …), defaults and
// initialisation, so their state dicts load into torch and back.

import { creation, elementwise, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { multiHeadAttentionForward } from "../functional/attention.js";
import { ModuleList } from "../containers.js";
import * as init from "../init.js";
import { checkOptions } from "../../core/options.js";
import { Module, shapeError } from "../module.js";
import { Handoff, keepsNoTensors } from "../handoff.js";
import { Parameter } from "../parameter.js";
import { Dropout } from "./activation.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./norm.js";

/** Options of MultiheadAttention. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights (train mode). */
  dropout?: number;
  /** Learn the projections' biases (default true). */
  bias?: boolean;
  /** Size of keys (default embedDim); differing sizes use separate q/k/v projections. */
  kdim?: number;
  /** Size of values (default embedDim). */
  vdim?: number;
  /** Inputs and outputs are [N, L, E] instead of [L, N, E]. */
  batchFirst?: boolean;
}

/** Options of a MultiheadAttention call. */
export interface MultiheadCallOptions {
  /** Bool [N, S]: true marks padding keys to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Bool (true = masked) or additive float mask, [L, S] or [N·heads, L, S]. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
}

/** Attention with numHeads heads over embedDim features (torch.nn.MultiheadAttention). */
export class MultiheadAttention extends Module {
  /** Packed q, k, v projection [3E, E] (null when kdim/vdim differ from E). */
  in_proj_weight: Parameter | null;
  /** Separate projections when kdim/vdim differ from E. */
  q_proj_weight: Parameter | null;
  /** Key projection [E, kdim], or null when packed. */
  k_proj_weight: Parameter | null;
  /** Value projection [E, vdim], or null when packed. */
  v_proj_weight: Parameter | null;
  /** [3E] or null */
  in_proj_bias: Parameter | null;
  /** The output projection. */
  out_proj: Linear;
  /** Dropout on the attention weights (train mode). */
  readonly dropout: number;
  /** Whether inputs and outputs are [N, L, E] instead of [L, N, E]. */
  readonly batchFirst: boolean;
  /** Features per head: embedDim / numHeads. */
  readonly headDim: number;
  /** Size of keys. */
  readonly kdim: number;
  /** Size of values. */
  readonly vdim: number;

  /** numHeads must divide embedDim. */
  constructor(
    /** Size E of queries and outputs. */
    readonly embedDim: number,
    /** Heads the embedding is split into. */
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    checkOptions("MultiheadAttention", opts, ["dropout", "bias", "kdim", "vdim", "batchFirst"]);
    this.headDim = embedDim / numHeads;
    if (!Number.isInteger(this.headDim)) {
      throw new RangeError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    const packed = this.kdim === embedDim && this.vdim === embedDim;
    this.in_proj_weight = packed ? new Parameter(creation.zeros([3 * embedDim, embedDim])) : null;
    this.q_proj_weight = packed ? null : new Parameter(creation.zeros([embedDim, embedDim]));
    this.k_proj_weight = packed ? null : new Parameter(creation.zeros([embedDim, this.kdim]));
    this.v_proj_weight = packed ? null : new Parameter(creation.zeros([embedDim, this.vdim]));
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? new Parameter(creation.zeros([3 * embedDim])) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    this.resetParameters();
  }

  /** PyTorch's initialisation: xavier_uniform projections, zero biases. */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) {
      if (w) init.xavierUniform(w);
    }
    if (this.in_proj_bias) init.zeros(this.in_proj_bias);
    if (this.out_proj.bias) init.zeros(this.out_proj.bias);
  }

  /** The packed input projection (alias of in_proj_weight). */
  get inProjWeight(): Parameter | null {
    return this.in_proj_weight;
  }
  /** The packed input bias (alias of in_proj_bias). */
  get inProjBias(): Parameter | null {
    return this.in_proj_bias;
  }
  /** The output projection (alias of out_proj). */
  get outProj(): Linear {
    return this.out_proj;
  }

  /**
   * Attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] ([N, L, E] … when
   * batchFirst; unbatched [L, E] … too). Returns [output like query, weights [N, L, S] or null].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadCallOptions = {}): [Tensor, Tensor | null] {
    checkOptions(`${this.label()}.forward`, opts, ["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights"]);
    const batched = query.ndim === 3;
    const layout = this.batchFirst ? "[N, L, " : "[L, N, ";
    if ((query.ndim !== 2 && query.ndim !== 3) || query.shape[query.ndim - 1] !== this.embedDim) {
      shapeError(this, `query ${layout}${this.embedDim}] or unbatched [L, ${this.embedDim}]`, query);
    }
    if (key.ndim !== query.ndim || key.shape[key.ndim - 1] !== this.kdim)
      shapeError(this, `key ${layout}${this.kdim}]`, key);
    if (value.ndim !== query.ndim || value.shape[value.ndim - 1] !== this.vdim) {
      shapeError(this, `value ${layout}${this.vdim}]`, value);
    }
    const seqFirst = (t: Tensor) => (!batched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
    const kpm = opts.keyPaddingMask && !batched ? opts.keyPaddingMask.unsqueeze(0) : opts.keyPaddingMask;
    const [out, weights] = multiHeadAttentionForward(
      seqFirst(query),
      seqFirst(key),
      seqFirst(value),
      this.numHeads,
      {
        inProjWeight: this.in_proj_weight,
        inProjBias: this.in_proj_bias,
        qProjWeight: this.q_proj_weight,
        kProjWeight: this.k_proj_weight,
        vProjWeight: this.v_proj_weight,
        outProjWeight: this.out_proj.weight,
        outProjBias: this.out_proj.bias,
      },
      {
        keyPaddingMask: kpm,
        attnMask: opts.attnMask,
        needWeights: opts.needWeights,
        averageAttnWeights: opts.averageAttnWeights,
        dropoutP: this.dropout,
        training: this.training,
      },
    );
    const result = !batched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
    return [result, weights && !batched ? weights.squeeze(0) : weights];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.batchFirst ? ", batchFirst=true" : ""}`;
  }
}

/** Options of TransformerEncoderLayer. */
export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** 'relu' (default), 'gelu', or a function. */
  activation?: "relu" | "gelu" | ((x: Tensor) => Tensor);
  /** The layer norms' eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs are [N, L, E] instead of [L, N, E]. */
  batchFirst?: boolean;
  /** Pre-norm (norm before attention and feed-forward) instead of post-norm. */
  normFirst?: boolean;
  /** Learn biases in the linear layers and layer norms (default true). */
  bias?: boolean;
}

/** Options of a TransformerEncoderLayer call. */
export interface EncoderCallOptions {
  /** Attention mask, bool (true = masked) or additive float, [L, L] or [N·heads, L, L]. */
  srcMask?: Tensor | null;
  /** Bool [N, L]: true marks padding positions to ignore. */
  srcKeyPaddingMask?: Tensor | null;
}

const encoderCallKeys = ["srcMask", "srcKeyPaddingMask"];

/** Self-attention and a feed-forward block, each with a residual and layer norm (torch.nn.TransformerEncoderLayer). */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block. */
  self_attn: MultiheadAttention;
  /** The feed-forward block's first layer, dModel → dimFeedforward. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** The feed-forward block's second layer, dimFeedforward → dModel. */
  linear2: Linear;
  /** Whether the norms come before attention and feed-forward (pre-norm). */
  readonly normFirst: boolean;
  /** The norm of the attention block. */
  norm1: LayerNorm;
  /** The norm of the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout after attention. */
  dropout1: Dropout;
  /** Dropout after the feed-forward block. */
  dropout2: Dropout;
  /** The feed-forward block's activation. */
  readonly activation: (x: Tensor) => Tensor;
  /** Whether it is chainrule's ('relu' or 'gelu'), which keeps no tensor it sees. */
  private readonly builtInActivation: boolean;

  /** A layer of width dModel with nhead heads. */
  constructor(
    /** Width of the inputs and outputs. */
    readonly dModel: number,
    /** Attention heads. */
    readonly nhead: number,
    /** The options it was made with (clone makes a copy from them). */
    readonly opts: TransformerEncoderLayerOptions = {},
  ) {
    super();
    checkOptions("TransformerEncoderLayer", opts, [
      "dimFeedforward",
      "dropout",
      "activation",
      "layerNormEps",
      "batchFirst",
      "normFirst",
      "bias",
    ]);
    const p = opts.dropout ?? 0.1;
    const bias = opts.bias ?? true;
    const ff = opts.dimFeedforward ?? 2048;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: opts.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias });
    this.norm2 = new LayerNorm(dModel, { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    const act = opts.activation ?? "relu";
    this.builtInActivation = typeof act === "string";
    this.activation = act === "relu" ? elementwise.relu : act === "gelu" ? (x) => functions.gelu(x) : act;
  }

  /**
   * src [L, N, dModel] (or [N, L, dModel] when batchFirst) → the same shape. Each activation made
   * inside is freed once backward is done with it (see handoff.ts), as in a Sequential.
   */
  forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    checkOptions(`${this.label()}.forward`, opts, encoderCallKeys);
    const h = new Handoff();
    // each step names its input where that was the input's last use (null where it is used again)
    const attention = (x: Tensor, last: boolean) => {
      const y = h.pass(this.self_attn, last ? x : null, () => {
        const [out] = this.self_attn._call(x, x, x, {
          attnMask: opts.srcMask,
          keyPaddingMask: opts.srcKeyPaddingMask,
          needWeights: false,
        }) as [Tensor, null];
        return out;
      });
      return h.pass(this.dropout1, y, () => this.dropout1._call(y) as Tensor);
    };
    const feedForward = (x: Tensor, last: boolean) => {
      const a = h.pass(this.linear1, last ? x : null, () => this.linear1._call(x) as Tensor);
      const b = h.pass(this.builtInActivation, a, () => this.activation(a));
      const c = h.pass(this.dropout, b, () => this.dropout._call(b) as Tensor);
      const d = h.pass(this.linear2, c, () => this.linear2._call(c) as Tensor);
      return h.pass(this.dropout2, d, () => this.dropout2._call(d) as Tensor);
    };
    const norm = (m: LayerNorm, x: Tensor, last: boolean) => h.pass(m, last ? x : null, () => m._call(x) as Tensor);
    const add = (x: Tensor, y: Tensor) => h.pass(true, y, () => x.add(y));
    if (this.normFirst) {
      const x = add(src, attention(norm(this.norm1, src, false), true));
      const out = add(x, feedForward(norm(this.norm2, x, false), true));
      h.release(x, out);
      return out;
    }
    const x = norm(this.norm1, add(src, attention(src, false)), true);
    const sum = add(x, feedForward(x, false));
    h.release(x, sum);
    return norm(this.norm2, sum, true);
  }

  /** An independent copy with the same options and weights (what PyTorch's deepcopy gives TransformerEncoder). */
  clone(): TransformerEncoderLayer {
    const copy = new TransformerEncoderLayer(this.dModel, this.nhead, this.opts);
    copy.to(this.linear1.weight.dtype);
    copy.loadStateDict(this.stateDict());
    return copy.train(this.training);
  }
}

/** A stack of numLayers copies of an encoder layer, with an optional final norm (torch.nn.TransformerEncoder). */
export class TransformerEncoder extends Module {
  /** The encoder layers, in order. */
  layers: ModuleList<TransformerEncoderLayer>;
  /** The final norm, or null. */
  norm: Module | null;

  /** numLayers independent copies of `encoderLayer` (same initial weights, as PyTorch's deepcopy). */
  constructor(
    encoderLayer: TransformerEncoderLayer,
    /** How many layers. */
    readonly numLayers: number,
    opts: { norm?: Module | null } = {},
  ) {
    super();
    checkOptions("TransformerEncoder", opts, ["norm"]);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = opts.norm ?? null;
  }

  /** src through every layer, then the norm. */
  forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    checkOptions(`${this.label()}.forward`, opts, encoderCallKeys);
    const h = new Handoff();
    let x = src;
    for (const layer of this.layers) {
      const input = x;
      x = h.pass(layer, input, () => layer._call(input, opts) as Tensor);
    }
    const [last, norm] = [x, this.norm];
    return norm ? h.pass(norm, last, () => norm._call(last) as Tensor) : last;
  }
}

keepsNoTensors(MultiheadAttention, TransformerEncoderLayer, TransformerEncoder);
