// chainrule: the public surface. This file only re-exports.

import "./backend/native/index.js";

export { Tensor } from "./api/tensor.js";
export { Storage, TensorBase, type GradHook, type RemovableHandle, type NestedArray } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./core/dtype.js";
export * from "./api/exports.gen.js";
export { type TensorOptions, type DataOptions, type RandomOptions, type NestedData } from "./tensor/create.js";
export { manualSeed, Generator } from "./tensor/random.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./graph/grad-mode.js";
export * as autograd from "./api/autograd.js";
export { getBackend, setBackend, listBackends } from "./backend/registry.js";
export { setNumThreads, getNumThreads } from "./backend/threads.js";
export { opTable } from "./ops/table.js";
export type { VarOptions } from "./ops/reduce-moments.js";
export type { AminmaxOptions } from "./ops/reduce-extremum.js";
export type { AddmmOptions } from "./ops/linalg.js";
export type { DimArg } from "./ops/broadcast.js";
export type { DiagonalOptions } from "./ops/diagonal.js";
export type { MeshgridOptions, RepeatInterleaveOptions } from "./ops/replicate.js";
export type { ValuesIndices } from "./tensor/values-indices.js";
export type { IndexItem, NestedIndex, SliceSpec } from "./ops/index-parse.js";
export type { IndexPutOptions } from "./ops/index-put.js";
export type { IndexAddOptions } from "./ops/index-dim.js";
export type { NonzeroOptions } from "./ops/masked.js";
export type { ScatterOptions, ScatterReduceOptions, ScatterReduction } from "./ops/scatter.js";
export type { MinMax } from "./tensor/min-max.js";
export type { CumulativeOptions } from "./ops/cumulative.js";
export type { DimOrOptions, SortOptions, TopkOptions } from "./ops/sort.js";
export type { BincountOptions, HistcOptions, UniqueOptions, UniqueTuple } from "./ops/counting.js";
export type { SearchsortedOptions } from "./ops/searchsorted.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";

export * as io from "./io/index.js";
export { save, load } from "./io/index.js";
export * as explain from "./explain/index.js";
