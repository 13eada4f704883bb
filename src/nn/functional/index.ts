// cr.nn.functional: the stateless twins of the layers and losses, under PyTorch's names in camelCase.

// the activations and the (log-)softmax, as torch.nn.functional names them: the package's own op functions
export {
  relu,
  sigmoid,
  tanh,
  softmax,
  logSoftmax,
  gelu,
  silu,
  leakyRelu,
  elu,
  softplus,
} from "../../api/exports.gen.js";
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
  conv3d,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  type ConvOptions,
  type ConvTransposeOptions,
} from "./conv.js";
export { unfold, fold, type UnfoldOptions } from "./fold.js";
export { pixelShuffle, pixelUnshuffle } from "./pixel-shuffle.js";
export { interpolate, type InterpolateMode, type InterpolateOptions } from "./resample.js";
export {
  maxPool1d,
  maxPool2d,
  maxPool3d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  type MaxPoolOptions,
  type MaxPoolFunction,
  type AvgPoolOptions,
} from "./pool.js";
export {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  type AdaptiveSize,
  type AdaptiveMaxPoolOptions,
  type AdaptiveMaxPoolFunction,
} from "./adaptive-pool.js";
export { maxUnpool1d, maxUnpool2d, maxUnpool3d, type MaxUnpoolOptions } from "./unpool.js";
export {
  batchNorm,
  layerNorm,
  groupNorm,
  normalize,
  type BatchNormOptions,
  type NormOptions,
  type NormalizeOptions,
} from "./norm.js";
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
  type Reduction,
  type ReductionOptions,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type NLLOptions,
  type CrossEntropyOptions,
  type KLDivOptions,
} from "./loss.js";
export {
  hardtanh,
  relu6,
  hardswish,
  hardsigmoid,
  hardshrink,
  softshrink,
  prelu,
  rrelu,
  type HardtanhOptions,
  type ShrinkOptions,
  type RReLUOptions,
} from "./activation.js";
export { celu, selu, mish, softsign, softmin, tanhshrink, logsigmoid, glu } from "./activation-smooth.js";
export {
  cosineSimilarity,
  pairwiseDistance,
  cdist,
  type CosineSimilarityOptions,
  type PairwiseDistanceOptions,
  type CdistOptions,
  type CdistComputeMode,
} from "./distance.js";
export {
  cosineEmbeddingLoss,
  marginRankingLoss,
  tripletMarginLoss,
  multiLabelSoftMarginLoss,
  type MarginOptions,
  type TripletMarginOptions,
  type MultiLabelSoftMarginOptions,
} from "./loss-margin.js";
export { poissonNllLoss, gaussianNllLoss, type PoissonNLLOptions, type GaussianNLLOptions } from "./loss-likelihood.js";
export { ctcLoss, type CTCLossOptions, type Lengths } from "./loss-ctc.js";
export {
  scaledDotProductAttention,
  multiHeadAttentionForward,
  type AttentionOptions,
  type MultiheadWeights,
  type MultiheadOptions,
} from "./attention.js";
export type { IntOrTuple } from "./args.js";
