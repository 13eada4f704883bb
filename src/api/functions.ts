// The op functions, typed with the Tensor users see. The layers below work with TensorBase, and
// every tensor they make is an instance of this layer's Tensor (tensor/tensor.ts's makeTensor), so
// the narrowing is a fact, stated here once for every function instead of at each call.

import type { TensorBase } from "../tensor/tensor.js";
import * as activation from "../ops/activation.js";
import * as broadcast from "../ops/broadcast.js";
import * as indexOps from "../ops/index-ops.js";
import * as linalg from "../ops/linalg.js";
import * as reduce from "../ops/reduce.js";
import { binaryFunctions, unaryFunctions } from "../ops/table.js";
import * as view from "../ops/view.js";
import * as whereOps from "../ops/where.js";
import * as conv from "../ops/conv.js";
import * as inplace from "../ops/inplace.js";
import * as nll from "../ops/nll.js";
import * as pool from "../ops/pool.js";
import * as create from "../tensor/create.js";
// loaded for its effect too: it installs the class every tensor is made as
import { Tensor } from "./tensor.js";

/** T with TensorBase narrowed to Tensor, in results and in arrays and records of results. */
export type Narrowed<T> = T extends TensorBase
  ? Tensor
  : T extends readonly (infer E)[]
    ? Narrowed<E>[]
    : T extends (...args: never[]) => unknown
      ? T
      : T extends object
        ? { [K in keyof T]: Narrowed<T[K]> }
        : T;

/** A function whose tensor results are the Tensor users see. */
export type Lift<F> = F extends (...args: infer A) => infer R ? (...args: A) => Narrowed<R> : never;

/** Every function of M, lifted. */
export type Lifted<M> = { [K in keyof M as M[K] extends (...args: never[]) => unknown ? K : never]: Lift<M[K]> };

const lift = <M extends object>(m: M) => m as unknown as Lifted<M>;

/** The class the functions' results have. */
export { Tensor };

/** The elementwise ops of the table: one function per kernel op. */
export const elementwise = lift({ ...unaryFunctions, ...binaryFunctions });

/** The other public op functions, each written where its op is declared. */
export const functions = lift({
  where: whereOps.where,
  clamp: whereOps.clamp,
  softplus: activation.softplus,
  gelu: activation.gelu,
  silu: activation.silu,
  leakyRelu: activation.leakyRelu,
  elu: activation.elu,
  softmax: activation.softmax,
  logSoftmax: activation.logSoftmax,
  sum: broadcast.sum,
  expand: broadcast.expand,
  mean: reduce.mean,
  prod: reduce.prod,
  max: reduce.max,
  min: reduce.min,
  amax: reduce.amax,
  amin: reduce.amin,
  argmax: reduce.argmax,
  argmin: reduce.argmin,
  var: reduce.variance,
  std: reduce.std,
  logsumexp: reduce.logsumexp,
  norm: reduce.norm,
  matmul: linalg.matmul,
  mm: linalg.mm,
  bmm: linalg.bmm,
  dot: linalg.dot,
  outer: linalg.outer,
  addmm: linalg.addmm,
  reshape: view.reshape,
  view: view.view,
  transpose: view.transpose,
  permute: view.permute,
  unsqueeze: view.unsqueeze,
  squeeze: view.squeeze,
  flatten: view.flatten,
  unflatten: view.unflatten,
  narrow: view.narrow,
  select: view.select,
  slice: view.slice,
  repeat: broadcast.repeat,
  tile: broadcast.tile,
  flip: view.flip,
  contiguous: view.contiguous,
  clone: view.clone,
  to: view.to,
  gather: indexOps.gather,
  scatterAdd: indexOps.scatterAdd,
  indexSelect: indexOps.indexSelect,
  maskedFill: indexOps.maskedFill,
  cat: indexOps.cat,
  stack: indexOps.stack,
  split: indexOps.split,
  chunk: indexOps.chunk,
  pad: indexOps.pad,
});

/** The creation functions, lifted the same way. */
export const creation = lift({
  tensor: create.tensor,
  zeros: create.zeros,
  ones: create.ones,
  full: create.full,
  zerosLike: create.zerosLike,
  onesLike: create.onesLike,
  fullLike: create.fullLike,
  arange: create.arange,
  linspace: create.linspace,
  eye: create.eye,
  rand: create.rand,
  randn: create.randn,
  randint: create.randint,
  randperm: create.randperm,
});

/** The ops behind nn's layers and initialisers, lifted the same way. */
export const nnFunctions = lift({
  convNd: conv.convNd,
  convTransposeNd: conv.convTransposeNd,
  slidingWindows: conv.slidingWindows,
  foldWindows: conv.foldWindows,
  padSpatial: conv.padSpatial,
  maxPoolNd: pool.maxPoolNd,
  avgPoolNd: pool.avgPoolNd,
  adaptiveAvgPoolNd: pool.adaptiveAvgPoolNd,
  nll: nll.nll,
  targetWeights: nll.targetWeights,
  uniform_: inplace.uniform_,
  normal_: inplace.normal_,
});
