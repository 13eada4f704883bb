// cr.nn: modules, layers, losses, and the functional, init and utils namespaces.

export {
  Module,
  shapeError,
  type StateDict,
  type ForwardHook,
  type ForwardPreHook,
  type BackwardHook,
  type LoadOptions,
  type LoadResult,
} from "./module.js";
export { Parameter } from "./parameter.js";
export { Sequential, ModuleList, ModuleDict, Identity, Flatten, Unflatten } from "./containers.js";
export { Linear, Embedding, type EmbeddingLayerOptions } from "./layers/linear.js";
export {
  Conv1d,
  Conv2d,
  ConvTranspose1d,
  ConvTranspose2d,
  type ConvLayerOptions,
  type ConvTransposeLayerOptions,
} from "./layers/conv.js";
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d } from "./layers/pool.js";
export {
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  GroupNorm,
  type BatchNormOptions,
  type LayerNormOptions,
} from "./layers/norm.js";
export {
  ReLU,
  Sigmoid,
  Tanh,
  SiLU,
  GELU,
  LeakyReLU,
  ELU,
  Softplus,
  Softmax,
  LogSoftmax,
  Dropout,
} from "./layers/activation.js";
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions } from "./layers/rnn.js";
export {
  MultiheadAttention,
  TransformerEncoderLayer,
  TransformerEncoder,
  type MultiheadAttentionOptions,
  type MultiheadCallOptions,
  type TransformerEncoderLayerOptions,
  type EncoderCallOptions,
} from "./layers/transformer.js";
export {
  MSELoss,
  L1Loss,
  HuberLoss,
  SmoothL1Loss,
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  NLLLoss,
  KLDivLoss,
  type LossOptions,
  type ClassLossOptions,
} from "./layers/loss.js";
export * as functional from "./functional/index.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
