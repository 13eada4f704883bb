// chainrule: the public surface. This file only re-exports.

import "./ops/methods.js";
import "./backend/native/index.js";

export { Tensor, Storage, type GradHook, type RemovableHandle, type NestedArray } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./core/dtype.js";
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  randperm,
  type TensorOptions,
  type DataOptions,
  type RandomOptions,
  type NestedData,
} from "./tensor/create.js";
export { manualSeed, Generator } from "./tensor/random.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./graph/grad-mode.js";
export * as autograd from "./autograd/index.js";
export { getBackend, setBackend, listBackends } from "./backend/registry.js";
export { setNumThreads, getNumThreads } from "./backend/threads.js";
export { opRegistry } from "./ops/define.js";
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  atan2,
  remainder,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalNot,
  neg,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  rsqrt,
  abs,
  sign,
  sin,
  cos,
  tan,
  tanh,
  sigmoid,
  relu,
  reciprocal,
  erf,
  square,
  floor,
  ceil,
  round,
  isnan,
  isfinite,
} from "./ops/elementwise.js";
export { where, clamp } from "./ops/where.js";
export { softplus, gelu, silu, leakyRelu, elu, softmax, logSoftmax } from "./ops/activation.js";
export {
  sum,
  mean,
  prod,
  max,
  min,
  amax,
  amin,
  argmax,
  argmin,
  variance as var,
  std,
  logsumexp,
  norm,
  type VarOptions,
} from "./ops/reduce.js";
export { matmul, mm, bmm, dot, outer, addmm, type AddmmOptions } from "./ops/linalg.js";
export {
  reshape,
  view,
  transpose,
  permute,
  unsqueeze,
  squeeze,
  expand,
  flatten,
  unflatten,
  narrow,
  select,
  slice,
  repeat,
  tile,
  flip,
  contiguous,
  clone,
  to,
} from "./ops/view.js";
export { gather, scatterAdd, indexSelect, maskedFill, cat, stack, split, chunk, pad } from "./ops/index-ops.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";

export * as io from "./io/index.js";
export { save, load } from "./io/index.js";
export * as explain from "./explain/index.js";
