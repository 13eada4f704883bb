// Matrix products. One primitive, batched matmul with broadcast batch dims; the 1-D cases of
// torch.matmul and mm/bmm/dot/outer are shape wrappers around it.

import { kernels } from "../backend/registry.js";
import { broadcastShapes, fmtShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
import { broadcastView, castRaw, resultType, zerosRaw } from "./raw.js";

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
  // d(AB) = dA·B + A·dB, so ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G; the engine sums broadcast batch dims
  // NOTE: each product is skipped when its input needs no gradient (the first layer's input, say),
  // and is computed in its input's layout: for x @ W.t() the weight's gradient comes out as a
  // dense [out, in] buffer the leaf can keep, not a transposed view it would have to copy
  backward: (g, { inputs: [a, b], needsInputGrad: [da, db] }) => [
    da ? (isTransposed(a!) ? b!.matmul(g.transpose(-1, -2)).transpose(-1, -2) : g.matmul(b!.transpose(-1, -2))) : null,
    db ? (isTransposed(b!) ? g.transpose(-1, -2).matmul(a!).transpose(-1, -2) : a!.transpose(-1, -2).matmul(g)) : null,
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
