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
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type ConvLayerOptions,
  type ConvTransposeLayerOptions,
} from "./layers/conv.js";
export {
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  AvgPool1d,
  AvgPool2d,
  AvgPool3d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  type PoolResult,
  type MaxUnpoolLayerOptions,
} from "./layers/pool.js";
export { Upsample, PixelShuffle, PixelUnshuffle, type UpsampleOptions } from "./layers/resample.js";
export {
  BatchNorm1d,
  BatchNorm2d,
  BatchNorm3d,
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
  PoissonNLLLoss,
  GaussianNLLLoss,
  MultiLabelSoftMarginLoss,
  CTCLoss,
  type LossOptions,
  type ClassLossOptions,
} from "./layers/loss.js";
export { CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss } from "./layers/loss-margin.js";
export { CosineSimilarity, PairwiseDistance } from "./layers/distance.js";
export {
  Hardtanh,
  ReLU6,
  Hardswish,
  Hardsigmoid,
  Hardshrink,
  Softshrink,
  PReLU,
  RReLU,
} from "./layers/activation-piecewise.js";
export { CELU, SELU, Mish, Softsign, Tanhshrink, LogSigmoid, Softmin, GLU } from "./layers/activation-smooth.js";
/**
 * The stateless functions behind the layers and losses (torch.nn.functional):
 * `cr.nn.functional.crossEntropy(logits, y)`.
 */
export * as functional from "./functional/index.js";
/** Weight initialisers that fill a tensor in place (torch.nn.init): `cr.nn.init.kaimingUniform(layer.weight)`. */
export * as init from "./init.js";
/** Gradient clipping and parameter vectors (torch.nn.utils). */
export * as utils from "./utils.js";
