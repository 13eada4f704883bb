// Matrix products. One primitive, batched matmul with broadcast batch dims; the 1-D cases of
// torch.matmul and mm/bmm/dot/outer are shape wrappers around it.

import { kernels } from "../backend/registry.js";
import { broadcastShapes, fmtShape } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
import { broadcastView, castRaw, resultType, zerosRaw } from "./unrecorded.js";

const matmulOp = defineOp<undefined>({
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
});

/**
 * ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G (d(AB) = dA·B + A·dB); the engine sums broadcast batch dims.
 * NOTE: each product is skipped when its input needs no gradient (the first layer's input, say),
 * and is computed in its input's layout: for x @ W.t() the weight's gradient comes out as a
 * dense [out, in] buffer the leaf can keep, not a transposed view it would have to copy.
 */
function productGrads(g: Tensor, a: Tensor, b: Tensor, da: boolean, db: boolean): (Tensor | null)[] {
  return [
    da ? (isTransposed(a) ? b.matmul(g.transpose(-1, -2)).transpose(-1, -2) : g.matmul(b.transpose(-1, -2))) : null,
    db ? (isTransposed(b) ? g.transpose(-1, -2).matmul(a).transpose(-1, -2) : a.transpose(-1, -2).matmul(g)) : null,
  ];
}

// input + mat1 @ mat2 in one op, as torch.addmm: the sum is added into the product's own fresh
// buffer, so a linear layer makes one output (hot in cache from the product) instead of two
const addmmOp = defineOp<undefined>({
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
  if (a.ndim === 1 && b.ndim === 1) return matmulOp([a.unsqueeze(0), b.unsqueeze(1)], undefined).reshape([]);
  if (a.ndim === 1) return matmulOp([a.unsqueeze(0), b], undefined).squeeze(-2);
  if (b.ndim === 1) return matmulOp([a, b.unsqueeze(1)], undefined).squeeze(-1);
  return matmulOp([a, b], undefined);
}

/** Matrix product with torch.matmul's rules for 1-D and batched operands. */
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
  beta?: number;
  alpha?: number;
}

/**
 * input + mat1 @ mat2 for 2-d mat1 and mat2, with input broadcast to the product's shape (a bias
 * row, say), as torch.addmm; beta and alpha scale the two terms, and beta = 0 ignores input's
 * values (NaN included).
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddmmOptions = {}): Tensor {
  needFloatOrInt("addmm", mat1, mat2);
  if (input.dtype === "bool") throw new TypeError(`addmm: bool tensors are not supported (got input ${input.dtype})`);
  const { beta = 1, alpha = 1 } = opts;
  if (beta === 1 && alpha === 1) return addmmOp([input, mat1, mat2], undefined);
  addmmShape(input, mat1, mat2);
  // the scaled forms are rare: composed of the product and elementwise ops
  const scaled = alpha === 1 ? mat1.mm(mat2) : mat1.mm(mat2).mul(alpha);
  return beta === 0 ? scaled : scaled.add(beta === 1 ? input : input.mul(beta));
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
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}
