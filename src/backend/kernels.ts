// The kernel interface: everything a backend must do, and nothing about gradients. A backend
// owns its memory; tensors hold an opaque `Handle` it gave out. Ops describe inputs as strided
// views (broadcasting = stride 0), and outputs are always fresh contiguous buffers unless a
// kernel says otherwise.

import type { DType, TypedArray } from "../core/dtype.js";
import type { Shape } from "../core/shape.js";
import { type BinaryOp, binaryLoops, type UnaryOp, unaryLoops } from "./js/elementwise.js";

/** A backend's buffer; its contents are only reachable through the backend. */
export type Handle = unknown;

/** Window geometry of pooling over the last kernel.length dims. */
export interface PoolGeometry {
  kernel: readonly number[];
  stride: readonly number[];
  dilation: readonly number[];
}

/** A strided window onto a buffer. */
export interface View {
  readonly handle: Handle;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** The hyperparameters of one Adam update (see Kernels.adamStep). */
export interface AdamHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: p ← p·(1 − lr·weightDecay) first; otherwise weightDecay·p is added to the gradient. */
  readonly decoupled: boolean;
  readonly maximize: boolean;
  /** 1 − β₁ᵗ and √(1 − β₂ᵗ) at this step. */
  readonly biasCorrection1: number;
  readonly biasCorrection2Sqrt: number;
}

/** Name of a unary elementwise kernel: the keys of the reference backend's loops. */
export type { UnaryOp, BinaryOp };

/** The unary elementwise kernels, in the reference backend's order. */
export const unaryOps = Object.keys(unaryLoops) as readonly UnaryOp[];

/** The binary elementwise kernels, in the reference backend's order. */
export const binaryOps = Object.keys(binaryLoops) as readonly BinaryOp[];

/** The fused activations: x·Φ(x) (erf), its tanh approximation, x·σ(x); the order is the addon's codes. */
export const activationKinds = ["gelu", "geluTanh", "silu"] as const;
/** Name of a fused activation. */
export type ActivationKind = (typeof activationKinds)[number];

/** Reductions over trailing dimensions. */
export const reduceOps = ["sum", "prod", "max", "min", "argmax", "argmin"] as const;
/** Name of a reduction kernel. */
export type ReduceOp = (typeof reduceOps)[number];

/** How scatterReduce combines what is at a position with what index sends there. */
export const scatterReduceOps = ["assign", "sum", "prod", "amax", "amin"] as const;
/** Name of a scatterReduce mode. */
export type ScatterReduce = (typeof scatterReduceOps)[number];

/** Inclusive scans along the last dim (cumsum, cumprod, cummax, cummin, logcumsumexp). */
export const scanOps = ["sum", "prod", "max", "min", "logsumexp"] as const;
/** Name of a scan kernel. */
export type ScanOp = (typeof scanOps)[number];

/**
 * The operands of fused attention, views of one batch shape (broadcast ones have stride 0):
 * q [...B, L, E], k [...B, S, E], v [...B, S, Ev], an additive mask [...B, L, S] or null; out
 * [...B, L, Ev] and lse [...B, L] are fresh. `causal` masks key j > query i (top-left aligned).
 */
export interface AttentionViews {
  readonly q: View;
  readonly k: View;
  readonly v: View;
  readonly mask: View | null;
  readonly out: View;
  readonly lse: View;
  readonly scale: number;
  readonly causal: boolean;
}

/** The backward's operands: the forward's, the output's gradient gOut, and fresh gq, gk, gv of q's, k's, v's shapes. */
export interface AttentionBackwardViews extends AttentionViews {
  readonly gOut: View;
  readonly gq: View;
  readonly gk: View;
  readonly gv: View;
}

/** The kernels every backend implements; the reference backend is typed `satisfies Kernels`. */
export interface Kernels {
  readonly name: string;
  /** A zero-filled buffer of `size` elements. */
  alloc(dtype: DType, size: number): Handle;
  /** A buffer holding a copy of `data` converted to `dtype`. */
  upload(dtype: DType, data: ArrayLike<number>): Handle;
  /** A copy of the whole buffer as a typed array of `dtype`. */
  readSync(handle: Handle, dtype: DType): TypedArray;
  /** Asynchronous read; the only form a GPU backend must offer. */
  read(handle: Handle, dtype: DType): Promise<TypedArray>;
  /** Fills `n` elements starting at `offset` with `value`. */
  fill(handle: Handle, dtype: DType, offset: number, n: number, value: number): void;
  /** Copies `src` into `dst` element by element (same shape), converting dtype as needed. */
  copy(src: View, dst: View): void;
  /** out[i] = op(x[i]) with `out` contiguous of x's shape. */
  unary(op: UnaryOp, x: View, out: Handle, outDtype: DType): void;
  /** out[i] = op(a[i], b[i]); a and b are already broadcast to the same shape. */
  binary(op: BinaryOp, a: View, b: View, out: Handle, outDtype: DType): void;
  /**
   * out[i] += alpha · x[i], in place, over views of one shape and dtype (x may broadcast). out may
   * name one element several times, as a grid's overlapping windows do: every contribution adds.
   * The optimizers' update without the temporary alpha · x would need, and a fold in one call.
   */
  axpy(alpha: number, x: View, out: View): void;
  /** out[i] = cond[i] ? a[i] : b[i], all three broadcast to one shape. */
  where(cond: View, a: View, b: View, out: Handle, outDtype: DType): void;
  /** Reduces the last `nReduce` dims of x into contiguous `out` (argmax/argmin: int32 flat index over those dims). */
  reduce(op: ReduceOp, x: View, nReduce: number, out: Handle, outDtype: DType): void;
  /**
   * Softmax of x along its last dim into `out` (a view of x's shape over a fresh buffer), or with
   * `log` its logarithm. Each row is shifted by its maximum first, so no exp overflows; a NaN
   * anywhere in a row makes the whole row NaN.
   */
  softmax(x: View, log: boolean, out: View): void;
  /**
   * The gradient of a (log-)softmax along the last dim, from its output y and the output's
   * gradient g (same shape): g − e^y·Σg with `log`, else y·(g − Σg·y), sums along each row.
   */
  softmaxBackward(g: View, y: View, log: boolean, out: View): void;
  /**
   * out = a fused activation of x (GELU through erf, GELU's tanh approximation, or SiLU), one pass
   * with `out` a contiguous float buffer of x's shape and dtype.
   */
  activation(kind: ActivationKind, x: View, out: Handle): void;
  /** out = g · the activation's derivative at x (g and x of one shape and float dtype), `out` contiguous. */
  activationBackward(kind: ActivationKind, g: View, x: View, out: Handle): void;
  /**
   * The inclusive scan `op` of x along its last dim into `out` (a view of x's shape and dtype over
   * a fresh buffer), accumulated in double. max and min also write `indices` (int32, x's shape):
   * where each running extreme was taken, the later position on ties; a NaN wins and stays.
   */
  scan(op: ScanOp, x: View, out: View, indices: View | null): void;
  /**
   * x sorted stably along its last dim into `values` (x's dtype) and `indices` (int32, where each
   * value came from), views of x's shape over fresh buffers. NaN sorts above every number.
   */
  sort(x: View, descending: boolean, values: View, indices: View): void;
  /** Batched matrix product: a [...B, M, K] @ b [...B, K, N] -> contiguous out [...B, M, N]. */
  matmul(a: View, b: View, out: Handle, dtype: DType): void;
  /** out[..i..] = x[.. index[..i..] along dim ..]; out has index's shape. */
  gather(x: View, dim: number, index: View, out: Handle): void;
  /** dst (contiguous, shape dstShape)[.. index along dim ..] += src[..]. */
  scatterAdd(dst: Handle, dstShape: Shape, dim: number, index: View, src: View): void;
  /**
   * dst (contiguous, of dstShape and src's dtype)[.. index along dim ..] = reduce(that, src[..]),
   * in index order ("assign": the last write wins). Without includeSelf a position src reaches
   * starts from the first value it gets. amax/amin propagate NaN; int32 sum and prod wrap.
   */
  scatterReduce(
    dst: Handle,
    dstShape: Shape,
    dim: number,
    index: View,
    src: View,
    reduce: ScatterReduce,
    includeSelf: boolean,
  ): void;
  /**
   * Max pooling over x's last k = kernel.length dims: `values` (x's dtype) and `positions` (int32,
   * each window's first maximum as a flat index into its k-dim plane) are contiguous
   * [...lead, ...windows], with ⌊(S − d(K−1) − 1)/s⌋ + 1 windows per dim. A NaN wins over numbers.
   */
  maxPool(x: View, geometry: PoolGeometry, values: Handle, positions: Handle): void;
  /**
   * The Adam (AdamW with `decoupled`) update of one parameter in place: p, the gradient g, the
   * moments m and v, and vmax under AMSGrad, all dense views of one shape and float dtype.
   */
  adamStep(p: View, g: View, m: View, v: View, vmax: View | null, hyper: AdamHyper): void;
  /**
   * Optional (a backend without it runs convolution as im2col and a matmul): the stride-1 2-D
   * convolution out [N, O, Ho, Wo] (contiguous, x's float dtype) = x [N, C, H, W] ⋆ w [O, C/groups,
   * KH, KW] + bias [O], zero padding [top, bottom, left, right] (a negative one crops), dilation
   * [dh, dw], computed directly from x with no im2col matrix.
   */
  convDirect?(
    x: View,
    w: View,
    bias: View | null,
    padding: readonly number[],
    dilation: readonly number[],
    groups: number,
    out: Handle,
  ): void;
  /**
   * Optional, beside convDirect: out [O, C/groups, KH, KW] (contiguous) = the weight gradient of
   * that convolution for the contiguous gradient g [N, O, Ho, Wo] of its output; with `bias` [O]
   * (x's dtype) also the bias's gradient, Σ g over N, Ho and Wo, from the same reads of g.
   */
  convWeightGrad?(
    x: View,
    g: View,
    kernel: readonly number[],
    padding: readonly number[],
    dilation: readonly number[],
    groups: number,
    out: Handle,
    bias?: View | null,
  ): void;
  /**
   * Batch statistics of x [N, C, S] per channel, accumulated in double: stats [3, C] (float64)
   * = mean, biased variance, 1/√(variance + eps).
   */
  batchNormStats(x: View, eps: number, stats: View): void;
  /**
   * out (x's shape [N, C, S]) = (x − mean)·invstd·weight + bias per channel, one pass, or with
   * `relu` its ReLU; stats [2, C] holds mean and invstd (any float dtype); no weight is 1, no bias 0.
   */
  batchNormForward(x: View, stats: View, weight: View | null, bias: View | null, out: View, relu: boolean): void;
  /**
   * Training's forward: batchNormStats into stats [3, C], then batchNormForward with its mean and
   * invstd, the same values; a backend may run both a channel at a time, while it is in cache.
   */
  batchNormTrain(
    x: View,
    eps: number,
    stats: View,
    weight: View | null,
    bias: View | null,
    out: View,
    relu: boolean,
  ): void;
  /**
   * Batch norm's gradient from g ([N, C, S]): dwb [2, C] = Σ g·x̂, Σ g per channel; dx = w·invstd·(g
   * − mean g − x̂·mean g·x̂) with `training` (batch statistics), else w·invstd·g. With `relu` (a
   * batch norm fused with a ReLU, with this `bias`), g counts only where the forward's output was
   * > 0: batchNormForward's own x·scale + shift, summed again from x the way it summed them, so the
   * mask is exactly its output's. Null outputs are skipped.
   */
  batchNormBackward(
    g: View,
    x: View,
    stats: View,
    weight: View | null,
    training: boolean,
    dx: View | null,
    dwb: View | null,
    relu: boolean,
    bias: View | null,
  ): void;
  /**
   * Layer norm of each row of x [R, D]: out = (x − mean)·rstd·weight + bias, with stats [2, R]
   * (float64) = each row's mean and rstd = 1/√(biased variance + eps).
   */
  layerNormForward(x: View, eps: number, weight: View | null, bias: View | null, out: View, stats: View): void;
  /**
   * Layer norm's gradient from g ([R, D]): dx = rstd·(gw − mean gw − x̂·mean gw·x̂) per row with
   * gw = g·weight, and dwb [2, D] = Σ g·x̂, Σ g over the rows. Null outputs are skipped.
   */
  layerNormBackward(g: View, x: View, stats: View, weight: View | null, dx: View | null, dwb: View | null): void;
  /**
   * Fused attention: out = softmax(q·kᵀ·scale + mask)·v and lse = each query row's log Σ e^score,
   * without the [L, S] scores in memory. A row whose every key is masked gives NaN (as the
   * composed softmax), one with no keys zeros.
   */
  attention(a: AttentionViews): void;
  /** The gradients gq, gk, gv of fused attention from gOut, the probabilities recomputed from lse. */
  attentionBackward(a: AttentionBackwardViews): void;
  /**
   * LSTM cell's pointwise part over 2-D views: gates [N, 4H] (i f g o pre-activations) and c [N, H]
   * give c' = σ(f)·c + σ(i)·tanh(g) and h' = σ(o)·tanh(c'); acts [N, 5H] gets σ(i), σ(f), tanh(g),
   * σ(o), tanh(c') for the backward. NOTE: for all four cell kernels, an output may be a view
   * into part of a fresh buffer, and what it does not cover is left unspecified: a recurrence
   * writes its buffers step by step, every part before anything reads it.
   */
  lstmCell(gates: View, c: View, h: View, cNew: View, acts: View): void;
  /** The LSTM cell's gradients dGates [N, 4H] and dc [N, H] from its acts, c and the gradients gh, gc of h', c'. */
  lstmCellBackward(acts: View, c: View, gh: View, gc: View, dGates: View, dc: View): void;
  /**
   * GRU cell's pointwise part: gi, gh [N, 3H] (r z n) and h [N, H] give r = σ(gi_r + gh_r),
   * z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h' = n + z·(h − n); acts [N, 4H] gets r, z, n, gh_n.
   */
  gruCell(gi: View, gh: View, h: View, hNew: View, acts: View): void;
  /** The GRU cell's gradients dGi, dGh [N, 3H] and dh [N, H] (direct path) from its acts, h and g of h'. */
  gruCellBackward(acts: View, h: View, g: View, dGi: View, dGh: View, dh: View): void;
}
