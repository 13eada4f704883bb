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

/** Name of a unary elementwise kernel: the keys of the reference backend's loops. */
export type { UnaryOp, BinaryOp };

/** The unary elementwise kernels, in the reference backend's order. */
export const unaryOps = Object.keys(unaryLoops) as readonly UnaryOp[];

/** The binary elementwise kernels, in the reference backend's order. */
export const binaryOps = Object.keys(binaryLoops) as readonly BinaryOp[];

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
   * that convolution for the contiguous gradient g [N, O, Ho, Wo] of its output.
   */
  convWeightGrad?(
    x: View,
    g: View,
    kernel: readonly number[],
    padding: readonly number[],
    dilation: readonly number[],
    groups: number,
    out: Handle,
  ): void;
}
