// chainrule for browsers (the package's "browser" export): the whole API but the file system
// and the native addon, so a bundle for the web holds no Node built-in. save gives bytes and load
// reads bytes, a Blob or a fetch Response. src/index.ts, Node's entry, builds on this one.

export { Tensor } from "./api/tensor.js";
export { Storage, TensorBase, type GradHook, type RemovableHandle, type NestedArray } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./core/dtype.js";
export * from "./api/exports.gen.js";
export {
  type TensorOptions,
  type DataOptions,
  type RandomOptions,
  type NestedData,
  type SizeArgs,
} from "./tensor/create.js";
export { manualSeed, Generator } from "./tensor/random.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./graph/grad-mode.js";
/**
 * Gradients on demand beyond backward(): grad, gradcheck, custom Functions, anomaly detection, and
 * autograd.functional's Jacobians and Hessians.
 */
export * as autograd from "./api/autograd.js";
export { getBackend, setBackend, listBackends } from "./backend/registry.js";
export { setNumThreads, getNumThreads } from "./backend/threads.js";
export { initWasm, type WasmBuilds, type WasmSource } from "./backend/wasm/browser.js";
export { opTable } from "./ops/table.js";
export type { VarOptions } from "./ops/reduce-moments.js";
export type { AminmaxOptions } from "./ops/reduce-extremum.js";
export type { AddmmOptions } from "./ops/linalg.js";
export type { DimArg } from "./ops/broadcast.js";
export type { DiagonalOptions } from "./ops/diagonal.js";
export type { MeshgridArgs, MeshgridOptions, RepeatInterleaveOptions } from "./ops/replicate.js";
export type { DivOptions, RoundingMode } from "./ops/rounding-division.js";
export type { IsCloseOptions, NanToNumOptions } from "./ops/closeness.js";
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
/** Layers, losses and containers (torch.nn), with nn.functional, nn.init and nn.utils. */
export * as nn from "./nn/index.js";
/** Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) and optim.lrScheduler (torch.optim). */
export * as optim from "./optim/index.js";
/** Datasets and the DataLoader (torch.utils.data), and CSV and IDX parsing from bytes. */
export * as data from "./data/index.browser.js";
/** safetensors encoding and decoding: save gives bytes, load reads bytes, a Blob or a fetch Response. */
export * as io from "./io/index.browser.js";
export { save, load } from "./io/index.browser.js";
/**
 * Traces of forward and backward passes, explained: walkthroughs, graphs, gradient-flow diagnostics
 * and saliency maps.
 */
export * as explain from "./explain/index.js";
