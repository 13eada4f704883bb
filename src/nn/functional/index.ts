// cr.nn.functional: the stateless twins of the layers and losses, under PyTorch's names in camelCase.

import { elementwise, functions } from "../../api/functions.js";

/** The elementwise activations, as torch.nn.functional names them. */
export const { relu, sigmoid, tanh } = elementwise;
/** The composite activations and the (log-)softmax. */
export const { softmax, logSoftmax, gelu, silu, leakyRelu, elu, softplus } = functions;
export {
  linear,
  dropout,
  embedding,
  oneHot,
  pad,
  type DropoutOptions,
  type EmbeddingOptions,
  type PadMode,
} from "./basic.js";
export {
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  unfold,
  fold,
  type ConvOptions,
  type ConvTransposeOptions,
  type UnfoldOptions,
} from "./conv.js";
export {
  maxPool1d,
  maxPool2d,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  type MaxPoolOptions,
  type AvgPoolOptions,
  type AdaptiveSize,
} from "./pool.js";
export { batchNorm, layerNorm, groupNorm, normalize, type BatchNormOptions, type NormOptions } from "./norm.js";
export {
  mseLoss,
  l1Loss,
  huberLoss,
  smoothL1Loss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
  klDiv,
  logsigmoid,
  type Reduction,
  type ReductionOptions,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type NLLOptions,
  type CrossEntropyOptions,
  type KLDivOptions,
} from "./loss.js";
export {
  scaledDotProductAttention,
  multiHeadAttentionForward,
  type AttentionOptions,
  type MultiheadWeights,
  type MultiheadOptions,
} from "./attention.js";
export type { IntOrTuple } from "./args.js";
