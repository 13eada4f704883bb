// The op table: every primitive chainrule records, by name, each declared once where its module
// defines it. Everything that lists ops is made from this table: the elementwise functions and
// Tensor methods (api/), the native addon's op list and the samples the PyTorch golden generator
// reads (tools/gen-ops.ts), explain's rules, and the generic tests (gradcheck, goldens, backend
// conformance, fast paths against reference rules), which run every entry's samples.

import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { addmmOp, matmulOp } from "./linalg.js";
import { attentionOp } from "./attention.js";
import * as arithmetic from "./arithmetic.js";
import * as binaryMath from "./binary-math.js";
import { broadcastToComposite, expandOp, sumOp, tileComposite } from "./broadcast.js";
import { convOp } from "./conv.js";
import { bincountComposite, histcComposite, uniqueComposite } from "./counting.js";
import { cummaxComposite, cumminComposite, cumprodOp, cumsumOp, logcumsumexpOp } from "./cumulative.js";
import type { CompositeDef } from "./composite.js";
import type { Op } from "./define.js";
import { diagComposite, diagEmbedComposite, diagonalBackwardOp, diagonalOp, traceComposite } from "./diagonal.js";
import { einsumComposite } from "./einsum.js";
import { geluOp, logSoftmaxOp, siluOp, softmaxOp, softplusOp } from "./activation.js";
import { catOp, gatherOp, padOp, scatterAddOp } from "./index-ops.js";
import { iscloseComposite, nanToNumComposite } from "./closeness.js";
import { lerpComposite } from "./lerp.js";
import { indexAddComposite, indexCopyComposite, indexFillComposite } from "./index-dim.js";
import { indexPutComposite } from "./index-put.js";
import { indexComposite } from "./indexing.js";
import { maskedScatterComposite, maskedSelectComposite, nonzeroComposite } from "./masked.js";
import { scatterOp, scatterReduceOp } from "./scatter.js";
import { takeAlongDimComposite, takeComposite } from "./take.js";
import * as math from "./math.js";
import * as trig from "./trig.js";
import { nllOp } from "./nll.js";
import { batchNormOp, layerNormOp } from "./normalization.js";
import { binaryCrossEntropyOp } from "./binary-cross-entropy.js";
import { maxPoolOp } from "./pool.js";
import { maxPoolIndicesOp, maxUnpoolOp } from "./pool-indices.js";
import { amaxOp, aminOp, argmaxOp, argminOp, normOp, prodOp } from "./reduce.js";
import { aminmaxComposite, maxComposite, minComposite } from "./reduce-extremum.js";
import { allComposite, anyComposite, countNonzeroComposite } from "./reduce-logical.js";
import { stdComposite, stdMeanComposite, varComposite, varMeanComposite } from "./reduce-moments.js";
import { nanmeanComposite, nansumComposite } from "./reduce-nan.js";
import {
  fliplrComposite,
  flipudComposite,
  movedimComposite,
  rollComposite,
  rot90Composite,
  swapaxesComposite,
} from "./rearrange.js";
import { gruCellOp, lstmCellOp } from "./recurrent.js";
import { recurrenceOp } from "./recurrent-layer.js";
import { reluBackward } from "./relu-backward.js";
import { searchsortedComposite } from "./searchsorted.js";
import { kthvalueComposite, medianComposite, modeComposite, nanmedianComposite } from "./selection.js";
import { argsortComposite, msortComposite, sortComposite, topkComposite } from "./sort.js";
import { meshgridComposite, repeatInterleaveComposite, unfoldComposite } from "./replicate.js";
import { trilComposite, triuComposite } from "./triangular.js";
import {
  cloneOp,
  contiguousOp,
  flipOp,
  permuteOp,
  sliceBackwardOp,
  sliceOp,
  toOp,
  unflattenComposite,
  viewOp,
} from "./view.js";
import { clampOp, whereOp } from "./where.js";
import { foldOp, windowsOp } from "./windows.js";

/** T when its keys are exactly K: a missing entry or one with an unknown name fails to compile. */
type Exactly<K extends PropertyKey, T> = [Exclude<keyof T, K>, Exclude<K, keyof T>] extends [never, never]
  ? T
  : { missing: Exclude<K, keyof T>; unknown: Exclude<keyof T, K> };

/** The public elementwise functions of one tensor: one per unary kernel. */
export const unaryFunctions: Exactly<UnaryOp, typeof math & typeof trig> = { ...math, ...trig };

// NOTE: typed as the modules, not as the spread's fresh literal: the shipped declarations would
// print that literal without the functions' doc comments
/** The public elementwise functions of two tensors (every binary kernel but relu's backward). */
export const binaryFunctions: typeof arithmetic & typeof binaryMath = { ...arithmetic, ...binaryMath };

const binaryKernelOps: Exactly<BinaryOp, typeof binaryFunctions & { reluBackward: typeof reluBackward }> = {
  ...binaryFunctions,
  reluBackward,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries differ in their attributes
export type AnyOp = Op<any>;

const entries: AnyOp[] = [
  ...Object.values(unaryFunctions).map((f) => f.op),
  ...Object.values(binaryKernelOps).map((f) => f.op),
  whereOp,
  clampOp,
  sumOp,
  expandOp,
  prodOp,
  amaxOp,
  aminOp,
  argmaxOp,
  argminOp,
  normOp,
  matmulOp,
  addmmOp,
  viewOp,
  permuteOp,
  sliceOp,
  sliceBackwardOp,
  contiguousOp,
  cloneOp,
  toOp,
  flipOp,
  diagonalOp,
  diagonalBackwardOp,
  gatherOp,
  scatterAddOp,
  scatterOp,
  scatterReduceOp,
  catOp,
  padOp,
  softplusOp,
  geluOp,
  siluOp,
  softmaxOp,
  logSoftmaxOp,
  windowsOp,
  foldOp,
  convOp,
  batchNormOp,
  layerNormOp,
  maxPoolOp,
  maxPoolIndicesOp,
  maxUnpoolOp,
  nllOp,
  binaryCrossEntropyOp,
  cumsumOp,
  cumprodOp,
  logcumsumexpOp,
  attentionOp,
  lstmCellOp,
  gruCellOp,
  recurrenceOp,
];

/** Every primitive, by name: call it with (inputs, attrs); its declaration is `.def`. */
export const opTable: Readonly<Record<string, AnyOp>> = Object.fromEntries(entries.map((op) => [op.def.name, op]));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- composites differ in their attributes
export type AnyComposite = CompositeDef<any>;

const composites: AnyComposite[] = [
  lerpComposite,
  iscloseComposite,
  nanToNumComposite,
  maxComposite,
  minComposite,
  aminmaxComposite,
  anyComposite,
  allComposite,
  countNonzeroComposite,
  varComposite,
  stdComposite,
  varMeanComposite,
  stdMeanComposite,
  nansumComposite,
  nanmeanComposite,
  trilComposite,
  triuComposite,
  diagEmbedComposite,
  diagComposite,
  traceComposite,
  rollComposite,
  fliplrComposite,
  flipudComposite,
  rot90Composite,
  movedimComposite,
  swapaxesComposite,
  repeatInterleaveComposite,
  meshgridComposite,
  unfoldComposite,
  broadcastToComposite,
  tileComposite,
  unflattenComposite,
  einsumComposite,
  indexAddComposite,
  indexCopyComposite,
  indexFillComposite,
  nonzeroComposite,
  maskedSelectComposite,
  maskedScatterComposite,
  takeComposite,
  takeAlongDimComposite,
  indexComposite,
  indexPutComposite,
  cummaxComposite,
  cumminComposite,
  sortComposite,
  argsortComposite,
  msortComposite,
  topkComposite,
  kthvalueComposite,
  medianComposite,
  nanmedianComposite,
  modeComposite,
  uniqueComposite,
  bincountComposite,
  histcComposite,
  searchsortedComposite,
];

/** The public functions written with the primitives above, by name, with their samples. */
export const compositeTable: Readonly<Record<string, AnyComposite>> = Object.fromEntries(
  composites.map((c) => [c.name, c]),
);
