// Kernel calls that record nothing: the building blocks op forwards use (fresh buffers, views,
// casts, one kernel into a new tensor). defineOp records the forwards built from these.

import type { BinaryOp, UnaryOp, View } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { type DType, isFloat, promoteTypes, promoteWithScalar } from "../core/dtype.js";
import { broadcastShapes, contiguousStrides, numelOf, sameShape, type Shape } from "../core/shape.js";
import { makeTensor, Storage, TensorBase as Tensor } from "../tensor/tensor.js";

/** A contiguous tensor over a fresh backend handle. */
export function wrap(handle: unknown, dtype: DType, shape: Shape): Tensor {
  const st = new Storage(kernels(), handle, dtype, numelOf(shape));
  return makeTensor(st, [...shape], contiguousStrides(shape), 0);
}

/** A zero-filled contiguous tensor. */
export function zerosRaw(shape: Shape, dtype: DType): Tensor {
  return wrap(kernels().alloc(dtype, numelOf(shape)), dtype, shape);
}

/** A contiguous tensor filled with `value`. */
export function fullRaw(shape: Shape, value: number, dtype: DType): Tensor {
  const t = zerosRaw(shape, dtype);
  // a bool tensor holds 0 or 1 whatever truthy value fills it (fill_(2) gives True, as in PyTorch)
  if (value !== 0) kernels().fill(t.storage.handle, dtype, 0, t.numel(), dtype === "bool" ? 1 : value);
  return t;
}

/** A view of `t` with new geometry, sharing storage. */
export function viewOf(t: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const v = makeTensor(t.storage, [...shape], [...strides], offset);
  v._base = t._base ?? t;
  return v;
}

/** `t` converted to `dtype` (t itself when it already has it). */
export function castRaw(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = zerosRaw(t.shape, dtype);
  kernels().copy(t._view(), out._view());
  return out;
}

/** A dense copy of t. */
export function cloneRaw(t: Tensor): Tensor {
  const out = zerosRaw(t.shape, t.dtype);
  kernels().copy(t._view(), out._view());
  return out;
}

/** The kernel view of `t` broadcast to `shape` (size-1 and missing dims get stride 0). */
export function broadcastView(t: Tensor, shape: Shape): View {
  const v = t._view();
  if (sameShape(t.shape, shape)) return v;
  const lead = shape.length - t.ndim;
  const strides = shape.map((_, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : t.strides[i - lead]!));
  return { ...v, shape, strides };
}

/** t's kernel view with `dim` moved last, the layout row kernels (softmax, scan, sort) read; a 0-d t is one row of one. */
export function rowsAlong(t: Tensor, dim: number): View {
  const v = t._view();
  if (t.ndim === 0) return { ...v, shape: [1], strides: [1] };
  if (dim === t.ndim - 1) return v;
  const order = [...Array(t.ndim).keys()].filter((d) => d !== dim).concat(dim);
  return { ...v, shape: order.map((d) => v.shape[d]!), strides: order.map((d) => v.strides[d]!) };
}

/** Anything an op accepts as an operand. */
export type Operand = Tensor | number | boolean;

/**
 * The dtype of an elementwise result (PyTorch's result_type): tensors with dims promote
 * normally; 0-d tensors and plain numbers only lift the category (bool < int < float), never
 * the width, so `float32 * float64-scalar` stays float32.
 */
export function resultType(operands: Operand[]): DType {
  // the common cases first: two tensors of one dtype, or a float tensor and a number
  if (operands.length === 2) {
    const [a, b] = operands;
    if (a instanceof Tensor) {
      if (b instanceof Tensor ? a.dtype === b.dtype : typeof b === "number" && isFloat(a.dtype)) return a.dtype;
    }
  }
  const tensors = operands.filter((o): o is Tensor => o instanceof Tensor);
  const dimmed = tensors.filter((t) => t.ndim > 0);
  const primary = dimmed.length ? dimmed : tensors;
  let dt: DType = primary.length ? primary.map((t) => t.dtype).reduce(promoteTypes) : "float32";
  for (const t of tensors) if (t.ndim === 0 && dimmed.length) dt = liftCategory(dt, t.dtype);
  const scalars = operands.filter((o): o is number | boolean => !(o instanceof Tensor));
  if (!tensors.length) return scalars.every((o) => typeof o === "boolean") ? "bool" : "float32";
  for (const o of scalars) dt = promoteWithScalar(dt, o);
  return dt;
}

function liftCategory(dt: DType, other: DType): DType {
  const cat = (d: DType) => (d === "bool" ? 0 : d === "int32" ? 1 : 2);
  if (cat(other) <= cat(dt)) return dt;
  // a 0-d tensor of a higher category brings its own dtype: int32 [n] + float64 0-d is float64
  return other;
}

/** A 0-d tensor holding `value`. */
export function scalarRaw(value: number | boolean, dtype: DType): Tensor {
  return wrap(kernels().upload(dtype, [Number(value)]), dtype, []);
}

/** Turns an operand into a tensor of `dtype` (numbers become 0-d tensors). */
export function asTensor(o: Operand, dtype: DType): Tensor {
  return o instanceof Tensor ? o : scalarRaw(o, dtype);
}

/** Runs a unary kernel into a fresh contiguous tensor. */
export function unaryRaw(op: UnaryOp, x: Tensor, outDtype: DType, inDtype: DType = x.dtype): Tensor {
  const xin = castRaw(x, inDtype);
  const out = zerosRaw(x.shape, outDtype);
  kernels().unary(op, xin._view(), out.storage.handle, outDtype);
  return out;
}

/** Runs a binary kernel with broadcasting into a fresh tensor; inputs are cast to `inDtype`. */
export function binaryRaw(name: string, op: BinaryOp, a: Tensor, b: Tensor, inDtype: DType, outDtype: DType): Tensor {
  const shape =
    b.ndim === 0 || sameShape(a.shape, b.shape)
      ? a.shape
      : a.ndim === 0
        ? b.shape
        : broadcastShapes(name, a.shape, b.shape);
  const out = zerosRaw(shape, outDtype);
  const [ac, bc] = [castRaw(a, inDtype), castRaw(b, inDtype)];
  kernels().binary(op, broadcastView(ac, shape), broadcastView(bc, shape), out.storage.handle, outDtype);
  return out;
}
