// Matrix products. One primitive, batched matmul with broadcast batch dims; the 1-D cases of
// torch.matmul and mm/bmm/dot/outer are shape wrappers around it.

import { checkOptions } from "../core/options.js";
import { kernels } from "../backend/registry.js";
import { broadcastShapes, fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, mul } from "./arithmetic.js";
import { defineOp } from "./define.js";
import { infix } from "./explain-rule.js";
import { broadcastView, castRaw, resultType, zerosRaw } from "./unrecorded.js";
import { reshape, squeeze, transpose, unsqueeze } from "./view.js";

/** The matrix product primitive: [..., M, K] @ [..., K, N] with broadcast batch dims. */
export const matmulOp = defineOp<undefined>({
  name: "matmul",
  gradName: "MmBackward",
  forward: ([a, b]) => {
    const [M, K] = a!.shape.slice(-2) as [number, number];
    const [K2, N] = b!.shape.slice(-2) as [number, number];
    if (K !== K2) {
      throw new RangeError(
        `matmul: inner dimensions do not match: ${fmtShape(a!.shape)} @ ${fmtShape(b!.shape)} (${K} != ${K2})`,
      );
    }
    const batch = broadcastShapes("matmul (batch dims)", a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    const dt = resultType([a!, b!]);
    const out = zerosRaw([...batch, M, N], dt);
    const av = broadcastView(castRaw(a!, dt), [...batch, M, K]);
    const bv = broadcastView(castRaw(b!, dt), [...batch, K, N]);
    if (out.numel() > 0) kernels().matmul(av, bv, out.storage.handle, dt);
    return out;
  },
  save: { inputs: [0, 1] },
  backward: (g, { inputs: [a, b], needsInputGrad: [da, db] }) => productGrads(g, a!, b!, da!, db!),
  explain: {
    ...infix("@", ""),
    rule: "∂(A·B)/∂A: G·Bᵀ, ∂(A·B)/∂B: Aᵀ·G",
    ruleTex: "\\frac{\\partial L}{\\partial A} = G\\,B^\\top,\\; \\frac{\\partial L}{\\partial B} = A^\\top G",
    gate: "mul",
  },
  samples: [
    { inputs: [{ shape: [2, 3] }, { shape: [3, 4] }], attrs: undefined, torch: "torch.matmul(x0, x1)" },
    {
      inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }],
      attrs: undefined,
      torch: "torch.matmul(x0, x1)",
      note: "broadcast batch dims: the engine sums the second input's gradient over them",
    },
  ],
});

/**
 * ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G (d(AB) = dA·B + A·dB); the engine sums broadcast batch dims.
 * NOTE: each product is skipped when its input needs no gradient (the first layer's input, say),
 * and is computed in its input's layout: for x @ W.t() the weight's gradient comes out as a
 * dense [out, in] buffer the leaf can keep, not a transposed view it would have to copy.
 */
function productGrads(g: Tensor, a: Tensor, b: Tensor, da: boolean, db: boolean): (Tensor | null)[] {
  const t = (x: Tensor) => transpose(x, -1, -2);
  return [
    da ? (isTransposed(a) ? t(matmul(b, t(g))) : matmul(g, t(b))) : null,
    db ? (isTransposed(b) ? t(matmul(t(g), a)) : matmul(t(a), g)) : null,
  ];
}

// input + mat1 @ mat2 in one op, as torch.addmm: the sum is added into the product's own fresh
// buffer, so a linear layer makes one output (hot in cache from the product) instead of two
/** The fused linear primitive: input + mat1 @ mat2, input broadcast to the product's shape. */
export const addmmOp = defineOp<undefined>({
  name: "addmm",
  gradName: "AddmmBackward",
  forward: ([input, a, b]) => {
    const [M, K, N] = addmmShape(input!, a!, b!);
    const dt = resultType([input!, a!, b!]);
    const out = zerosRaw([M, N], dt);
    if (out.numel() === 0) return out;
    const k = kernels();
    k.matmul(broadcastView(castRaw(a!, dt), [M, K]), broadcastView(castRaw(b!, dt), [K, N]), out.storage.handle, dt);
    k.axpy(1, broadcastView(castRaw(input!, dt), [M, N]), broadcastView(out, [M, N]));
    return out;
  },
  save: { inputs: (needs) => (needs[1] || needs[2] ? [1, 2] : []) },
  backward: (g, { inputs: [, a, b], needsInputGrad: [di, da, db] }) => [
    di ? g : null,
    ...(da || db ? productGrads(g, a!, b!, da!, db!) : [null, null]),
  ],
  explain: {
    text: (a) => `${a[0]} + ${a[1]} @ ${a[2]}`,
    tex: (a) => `${a[0]} + ${a[1]}\\,${a[2]}`,
    rule: "∂(C + A·B): G to C (summed over the rows it was broadcast to), G·Bᵀ to A, Aᵀ·G to B",
    ruleTex:
      "\\frac{\\partial L}{\\partial C} = \\textstyle\\sum G,\\; \\frac{\\partial L}{\\partial A} = G\\,B^\\top,\\; \\frac{\\partial L}{\\partial B} = A^\\top G",
  },
  samples: [
    {
      inputs: [{ shape: [4] }, { shape: [3, 5] }, { shape: [5, 4] }],
      attrs: undefined,
      torch: "torch.addmm(x0, x1, x2)",
    },
    {
      inputs: [{ shape: [3, 1] }, { shape: [3, 2] }, { shape: [2, 4] }],
      attrs: undefined,
      torch: "torch.addmm(x0, x1, x2)",
    },
  ],
  options: { keys: ["beta", "alpha"], call: ([input, a, b], o) => addmm(input!, a!, b!, o) },
});

/** True for a matrix stored column-major: the transpose of a dense one (as W.t() in linear). */
function isTransposed(t: Tensor): boolean {
  if (t.ndim !== 2) return false;
  const [r, c] = t.shape as [number, number];
  return r > 1 && c > 1 && t.strides[0] === 1 && t.strides[1] === r;
}

function needFloatOrInt(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype === "bool" || b.dtype === "bool") {
    throw new TypeError(`${op}: bool tensors are not supported (got ${a.dtype} and ${b.dtype})`);
  }
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `${op}: both arguments need at least 1 dim, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
}

/** torch.matmul's rules for 1-D and batched operands; errors are raised in the name of `op`. */
function product(op: string, a: Tensor, b: Tensor): Tensor {
  needFloatOrInt(op, a, b);
  const k = a.shape.at(-1)!;
  const k2 = b.ndim === 1 ? b.shape[0]! : b.shape.at(-2)!;
  if (k !== k2) {
    throw new RangeError(
      `${op}: inner dimensions do not match: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k} != ${k2})`,
    );
  }
  if (a.ndim > 2 || b.ndim > 2) {
    const batchOf = (t: Tensor) => (t.ndim > 2 ? t.shape.slice(0, -2) : []);
    broadcastShapes(() => `${op}: batch dims of ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`, batchOf(a), batchOf(b));
  }
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmulOp([unsqueeze(a, 0), unsqueeze(b, 1)], undefined), []);
  if (a.ndim === 1) return squeeze(matmulOp([unsqueeze(a, 0), b], undefined), -2);
  if (b.ndim === 1) return squeeze(matmulOp([a, unsqueeze(b, 1)], undefined), -1);
  return matmulOp([a, b], undefined);
}

/**
 * Matrix product with torch.matmul's rules for 1-D and batched operands.
 *
 * @example
 * const y = cr.matmul(cr.randn(8, 4, 3), cr.randn(3, 5)); // [8, 4, 5]
 * const z = y.matmul(cr.randn(5)); // [8, 4]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return product("matmul", a, b);
}

function requireDims(op: string, a: Tensor, b: Tensor, nd: number): void {
  if (a.ndim !== nd || b.ndim !== nd) {
    throw new RangeError(
      `${op}: expects two ${nd}-d tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
}

/** Product of two matrices. */
export function mm(a: Tensor, b: Tensor): Tensor {
  requireDims("mm", a, b, 2);
  return product("mm", a, b);
}

/** Options of addmm: the result is beta·input + alpha·(mat1 @ mat2). */
export interface AddmmOptions {
  /** Scale of input (default 1). */
  beta?: number;
  /** Scale of mat1 @ mat2 (default 1). */
  alpha?: number;
}

/**
 * input + mat1 @ mat2 for 2-d mat1 and mat2, with input broadcast to the product's shape (a bias
 * row, say), as torch.addmm; beta and alpha scale the two terms, and beta = 0 ignores input's
 * values (NaN included).
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddmmOptions = {}): Tensor {
  checkOptions("addmm", opts, ["beta", "alpha"]);
  needFloatOrInt("addmm", mat1, mat2);
  if (input.dtype === "bool") throw new TypeError(`addmm: bool tensors are not supported (got input ${input.dtype})`);
  const { beta = 1, alpha = 1 } = opts;
  if (beta === 1 && alpha === 1) return addmmOp([input, mat1, mat2], undefined);
  addmmShape(input, mat1, mat2);
  // the scaled forms are rare: composed of the product and elementwise ops
  const scaled = alpha === 1 ? mm(mat1, mat2) : mul(mm(mat1, mat2), alpha);
  return beta === 0 ? scaled : add(scaled, beta === 1 ? input : mul(input, beta));
}

/** [M, K, N] of addmm's operands, or a RangeError naming what does not fit. */
function addmmShape(input: Tensor, a: Tensor, b: Tensor): [number, number, number] {
  requireDims("addmm", a, b, 2);
  const [M, K] = a.shape as [number, number];
  const [K2, N] = b.shape as [number, number];
  if (K !== K2) {
    throw new RangeError(
      `addmm: inner dimensions do not match: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${K} != ${K2})`,
    );
  }
  const target = [M, N];
  const fits = input.ndim <= 2 && input.shape.every((s, i) => s === 1 || s === target[2 - input.ndim + i]);
  if (!fits) {
    throw new RangeError(
      `addmm: input of shape ${fmtShape(input.shape)} does not broadcast to the product's shape [${M}, ${N}]`,
    );
  }
  return [M, K, N];
}

/** Batched product of [B, n, m] and [B, m, p] (batch sizes must match). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  requireDims("bmm", a, b, 3);
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(`bmm: batch sizes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return product("bmm", a, b);
}

/** Inner product of two vectors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  requireDims("dot", a, b, 1);
  return product("dot", a, b);
}

/** Outer product of two vectors: out[i, j] = a[i]·b[j]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  requireDims("outer", a, b, 1);
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}
