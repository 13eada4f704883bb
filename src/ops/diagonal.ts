// Diagonals. `diagonal` is a view: one strided dim that steps along two dims at once (its stride
// is the sum of theirs). Its gradient writes a tensor into the diagonal of zeros, which is also
// diagEmbed; each primitive is the other's backward. diag and trace are composed from the two.

import { kernels } from "../backend/registry.js";
import { checkOptions } from "../core/options.js";
import { fmtShape, normDim } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { sum } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { defineOp, type Op } from "./define.js";
import { movesRule } from "./explain-rule.js";
import { viewOf, zerosRaw } from "./unrecorded.js";
import { clone } from "./view.js";

/** Which diagonal: `offset` above (> 0) or below (< 0) the main one, of the matrices over dims dim1 × dim2. */
export interface DiagonalOptions {
  /** Above the main diagonal when > 0, below when < 0 (default 0). */
  offset?: number;
  /** The matrices' row dim (default 0). */
  dim1?: number;
  /** The matrices' column dim (default 1). */
  dim2?: number;
}

interface DiagonalAttrs {
  offset: number;
  dim1: number;
  dim2: number;
  /** The shape of the tensor the diagonal is taken from. */
  inputShape: readonly number[];
}

/** The length of a diagonal: 0 when the offset runs past the matrix. */
function diagonalLength(n1: number, n2: number, offset: number): number {
  return Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
}

/** The diagonal of t as a view: dim1 and dim2 removed, the diagonal appended as the last dim. */
function diagonalView(t: Tensor, { offset, dim1, dim2 }: DiagonalAttrs): Tensor {
  const len = diagonalLength(t.shape[dim1]!, t.shape[dim2]!, offset);
  const rest = (xs: readonly number[]) => xs.filter((_, d) => d !== dim1 && d !== dim2);
  const [s1, s2] = [t.strides[dim1]!, t.strides[dim2]!];
  const start = len === 0 ? 0 : offset >= 0 ? offset * s2 : -offset * s1;
  return viewOf(t, [...rest(t.shape), len], [...rest(t.strides), s1 + s2], t.offset + start);
}

/** The diagonal primitive: a view of the elements t[…, i, …, i + offset, …]. */
export const diagonalOp: Op<DiagonalAttrs> = defineOp<DiagonalAttrs>({
  name: "diagonal",
  forward: ([x], attrs) => diagonalView(x!, attrs),
  backward: (g, { attrs }) => [diagonalBackwardOp([g], attrs)],
  explain: movesRule("diagonal"),
  options: {
    keys: ["offset", "dim1", "dim2"],
    call: (inputs, o) => diagonal(inputs[0]!, o as DiagonalOptions),
  },
  samples: [
    { inputs: [{ shape: [3, 4] }], attrs: { offset: 0, dim1: 0, dim2: 1, inputShape: [3, 4] }, torch: "x0.diagonal()" },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { offset: 1, dim1: 2, dim2: 0, inputShape: [2, 3, 4] },
      torch: "torch.diagonal(x0, 1, -1, 0)",
      note: "dim1 after dim2: the rows run along the last dim",
    },
    {
      inputs: [{ shape: [4, 3] }],
      attrs: { offset: -2, dim1: 0, dim2: 1, inputShape: [4, 3] },
      torch: "torch.diagonal(x0, -2)",
    },
    {
      inputs: [{ shape: [2, 3] }],
      attrs: { offset: 3, dim1: 0, dim2: 1, inputShape: [2, 3] },
      torch: "torch.diagonal(x0, 3)",
      note: "an offset past the matrix: an empty diagonal",
    },
    {
      inputs: [{ shape: [1, 3, 2] }],
      attrs: { offset: 1, dim1: 1, dim2: 0, inputShape: [1, 3, 2] },
      torch: "torch.diagonal(x0, 1, 1, 0)",
    },
  ],
});

/** The diagonal's gradient: g written into the diagonal of zeros of the input's shape. */
export const diagonalBackwardOp: Op<DiagonalAttrs> = defineOp<DiagonalAttrs>({
  name: "diagonalBackward",
  forward: ([g], attrs) => {
    const out = zerosRaw(attrs.inputShape, g!.dtype);
    if (g!.numel()) kernels().copy(g!._view(), diagonalView(out, attrs)._view());
    return out;
  },
  backward: (gg, { attrs }) => [diagonalOp([gg], attrs)],
  explain: movesRule("diagonalBackward"),
  samples: [
    {
      inputs: [{ shape: [3] }],
      attrs: { offset: 1, dim1: 0, dim2: 1, inputShape: [3, 5] },
      torch: "torch.diagonal_scatter(torch.zeros(3, 5, dtype=x0.dtype), x0, 1, 0, 1)",
    },
    {
      inputs: [{ shape: [4, 2] }],
      attrs: { offset: -1, dim1: 2, dim2: 0, inputShape: [2, 4, 3] },
      torch: "torch.diagonal_scatter(torch.zeros(2, 4, 3, dtype=x0.dtype), x0, -1, 2, 0)",
    },
  ],
});

function diagonalAttrs(op: string, shape: readonly number[], offset: number, dim1: number, dim2: number) {
  const d1 = normDim(op, dim1, shape);
  const d2 = normDim(op, dim2, shape);
  if (d1 === d2) {
    throw new RangeError(
      `${op}: dim1 and dim2 must be different dims, got ${dim1} and ${dim2} for shape ${fmtShape(shape)}`,
    );
  }
  if (!Number.isInteger(offset)) throw new RangeError(`${op}: offset must be an integer, got ${offset}`);
  return { offset, dim1: d1, dim2: d2, inputShape: shape };
}

/**
 * The diagonal over dims dim1 × dim2 (default 0, 1) as a view sharing x's storage, those dims
 * removed and the diagonal appended last (torch.diagonal): diagonal(x, { offset: 1, dim1: -2, dim2: -1 }).
 */
export function diagonal(x: Tensor, opts: DiagonalOptions = {}): Tensor {
  checkOptions("diagonal", opts, ["offset", "dim1", "dim2"]);
  if (x.ndim < 2)
    throw new RangeError(`diagonal: expected a tensor of at least 2 dims, got shape ${fmtShape(x.shape)}`);
  return diagonalOp([x], diagonalAttrs("diagonal", x.shape, opts.offset ?? 0, opts.dim1 ?? 0, opts.dim2 ?? 1));
}

/**
 * A tensor whose diagonals over dims dim1 × dim2 (default -2, -1) hold x's last dim, zeros
 * elsewhere (torch.diag_embed): diagEmbed(v) of v [B, n] is a batch of diagonal matrices [B, n, n].
 */
export function diagEmbed(x: Tensor, opts: DiagonalOptions = {}): Tensor {
  checkOptions("diagEmbed", opts, ["offset", "dim1", "dim2"]);
  if (x.ndim < 1) throw new RangeError("diagEmbed: expected a tensor of at least 1 dim, got a 0-d tensor");
  const offset = opts.offset ?? 0;
  const nd = x.ndim + 1;
  const d1 = normDim("diagEmbed", opts.dim1 ?? -2, nd);
  const d2 = normDim("diagEmbed", opts.dim2 ?? -1, nd);
  const n = x.shape[x.ndim - 1]! + Math.abs(offset);
  const lead = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let d = 0, k = 0; d < nd; d++) shape.push(d === d1 || d === d2 ? n : lead[k++]!);
  return diagonalBackwardOp([x], diagonalAttrs("diagEmbed", shape, offset, d1, d2));
}

/** A 1-D x as a matrix with x on its `diagonal`-th diagonal; of a matrix, that diagonal as a new 1-D tensor (torch.diag). */
export function diag(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim === 1) return diagEmbed(x, { offset: diagonal, dim1: 0, dim2: 1 });
  if (x.ndim === 2) return clone(diagonalOp([x], diagonalAttrs("diag", x.shape, diagonal, 0, 1)));
  throw new RangeError(`diag: expected a 1-D or 2-D tensor, got shape ${fmtShape(x.shape)}`);
}

/** The sum of a matrix's main diagonal (torch.trace). */
export function trace(x: Tensor): Tensor {
  if (x.ndim !== 2) throw new RangeError(`trace: expected a matrix (2-D tensor), got shape ${fmtShape(x.shape)}`);
  return sum(diagonalOp([x], diagonalAttrs("trace", x.shape, 0, 0, 1)));
}

/** diagEmbed's samples. */
export const diagEmbedComposite = defineComposite<DiagonalOptions>({
  name: "diagEmbed",
  call: ([x], o) => diagEmbed(x!, o),
  options: { keys: ["offset", "dim1", "dim2"] },
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: {}, torch: "torch.diag_embed(x0)" },
    { inputs: [{ shape: [2, 3] }], attrs: { offset: 1, dim1: 0, dim2: 2 }, torch: "torch.diag_embed(x0, 1, 0, 2)" },
    {
      inputs: [{ shape: [3, 2] }],
      attrs: { offset: -2, dim1: -1, dim2: 0 },
      torch: "torch.diag_embed(x0, -2, -1, 0)",
    },
    { inputs: [{ shape: [1] }], attrs: {}, torch: "torch.diag_embed(x0)" },
  ],
});

/** diag's samples: both directions, offsets above and below. */
export const diagComposite = defineComposite<{ diagonal: number }>({
  name: "diag",
  call: ([x], { diagonal }) => diag(x!, diagonal),
  samples: [
    { inputs: [{ shape: [3] }], attrs: { diagonal: 0 }, torch: "torch.diag(x0)" },
    { inputs: [{ shape: [3] }], attrs: { diagonal: -2 }, torch: "torch.diag(x0, -2)" },
    { inputs: [{ shape: [3, 4] }], attrs: { diagonal: 1 }, torch: "torch.diag(x0, 1)" },
    { inputs: [{ shape: [4, 3] }], attrs: { diagonal: -3 }, torch: "torch.diag(x0, -3)" },
    { inputs: [{ shape: [2, 3] }], attrs: { diagonal: 3 }, torch: "torch.diag(x0, 3)", note: "empty" },
  ],
});

/** trace's samples. */
export const traceComposite = defineComposite({
  name: "trace",
  call: ([x]) => trace(x!),
  samples: [
    { inputs: [{ shape: [3, 3] }], attrs: undefined, torch: "torch.trace(x0)" },
    { inputs: [{ shape: [2, 4] }], attrs: undefined, torch: "torch.trace(x0)" },
    {
      inputs: [{ shape: [3, 2], dtype: "int32", values: [1, 2, 3, 4, 5, 6] }],
      attrs: undefined,
      torch: "torch.trace(x0)",
    },
  ],
});
