// The op functions, typed with the Tensor users see. The layers below work with TensorBase, and
// every tensor they make is an instance of this layer's Tensor (tensor/tensor.ts's makeTensor), so
// the narrowing is a fact, stated here once for every function instead of at each call.

import * as conv from "../ops/conv.js";
import * as windows from "../ops/windows.js";
import * as inplace from "../ops/inplace.js";
import * as nll from "../ops/nll.js";
import * as pool from "../ops/pool.js";
import * as poolIndices from "../ops/pool-indices.js";
import { binaryFunctions, unaryFunctions } from "../ops/table.js";
import * as create from "../tensor/create.js";
import { max, min } from "../ops/reduce-extremum.js";
import { nonzero } from "../ops/masked.js";
import { median, nanmedian } from "../ops/selection.js";
import { unique } from "../ops/counting.js";
import { functionOnlyOps, methodOps } from "./op-functions.js";
// loaded for its effect too: it installs the class every tensor is made as
import {
  type ExtremumFunction,
  type Lift,
  type MedianFunction,
  type NonzeroFunction,
  Tensor,
  type UniqueFunction,
} from "./tensor.js";

export type { Lift, Narrowed } from "./tensor.js";

/** Every function of M, lifted. */
export type Lifted<M> = { [K in keyof M as M[K] extends (...args: never[]) => unknown ? K : never]: Lift<M[K]> };

const lift = <M extends object>(m: M) => m as unknown as Lifted<M>;

/** The class the functions' results have. */
export { Tensor };

/** The elementwise ops of the table: one function per kernel op. */
export const elementwise = lift({ ...unaryFunctions, ...binaryFunctions });

/** The other public op functions, each written where its op is declared. */
export const functions = {
  ...lift({ ...methodOps, ...functionOnlyOps }),
  // typed by hand: lifting an overloaded function keeps only its last signature
  max: max as unknown as ExtremumFunction,
  min: min as unknown as ExtremumFunction,
  nonzero: nonzero as unknown as NonzeroFunction,
  median: median as unknown as MedianFunction,
  nanmedian: nanmedian as unknown as MedianFunction,
  unique: unique as unknown as UniqueFunction,
};

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
  slidingWindows: windows.slidingWindows,
  foldWindows: windows.foldWindows,
  padSpatial: windows.padSpatial,
  maxPoolNd: pool.maxPoolNd,
  maxPoolWithIndices: poolIndices.maxPoolWithIndices,
  maxUnpool: poolIndices.maxUnpool,
  avgPoolNd: pool.avgPoolNd,
  adaptiveAvgPoolNd: pool.adaptiveAvgPoolNd,
  nll: nll.nll,
  targetWeights: nll.targetWeights,
  uniform_: inplace.uniform_,
  normal_: inplace.normal_,
});
