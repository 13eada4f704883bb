// The public op functions beyond the elementwise ones, each written beside its op in src/ops/.
// Those in `methodOps` take the tensor they act on first and are its methods too (x.sum(1) is
// sum(x, 1)); api/tensor.ts makes the methods from this object, api/functions.ts the exports.

import * as activation from "../ops/activation.js";
import * as broadcast from "../ops/broadcast.js";
import * as closeness from "../ops/closeness.js";
import * as counting from "../ops/counting.js";
import * as cumulative from "../ops/cumulative.js";
import * as diagonals from "../ops/diagonal.js";
import * as einsumOps from "../ops/einsum.js";
import * as indexOps from "../ops/index-ops.js";
import * as indexDim from "../ops/index-dim.js";
import * as indexPut from "../ops/index-put.js";
import * as indexing from "../ops/indexing.js";
import * as linalg from "../ops/linalg.js";
import * as lerpOps from "../ops/lerp.js";
import * as masked from "../ops/masked.js";
import * as rearrange from "../ops/rearrange.js";
import * as reduce from "../ops/reduce.js";
import * as extremum from "../ops/reduce-extremum.js";
import * as logical from "../ops/reduce-logical.js";
import * as moments from "../ops/reduce-moments.js";
import * as nanReduce from "../ops/reduce-nan.js";
import * as replicate from "../ops/replicate.js";
import * as scatterOps from "../ops/scatter.js";
import * as search from "../ops/searchsorted.js";
import * as selection from "../ops/selection.js";
import * as sorting from "../ops/sort.js";
import * as takeOps from "../ops/take.js";
import * as triangular from "../ops/triangular.js";
import * as view from "../ops/view.js";
import * as whereOps from "../ops/where.js";

/** f(x, ...args), also the method x.f(...args). */
export const methodOps = {
  clamp: whereOps.clamp,
  lerp: lerpOps.lerp,
  isclose: closeness.isclose,
  allclose: closeness.allclose,
  nanToNum: closeness.nanToNum,
  softplus: activation.softplus,
  gelu: activation.gelu,
  silu: activation.silu,
  leakyRelu: activation.leakyRelu,
  elu: activation.elu,
  softmax: activation.softmax,
  logSoftmax: activation.logSoftmax,
  sum: broadcast.sum,
  mean: reduce.mean,
  prod: reduce.prod,
  amax: reduce.amax,
  amin: reduce.amin,
  argmax: reduce.argmax,
  argmin: reduce.argmin,
  aminmax: extremum.aminmax,
  any: logical.any,
  all: logical.all,
  countNonzero: logical.countNonzero,
  nansum: nanReduce.nansum,
  nanmean: nanReduce.nanmean,
  var: moments.variance,
  std: moments.std,
  logsumexp: reduce.logsumexp,
  norm: reduce.norm,
  matmul: linalg.matmul,
  mm: linalg.mm,
  bmm: linalg.bmm,
  dot: linalg.dot,
  outer: linalg.outer,
  addmm: linalg.addmm,
  transpose: view.transpose,
  unsqueeze: view.unsqueeze,
  squeeze: view.squeeze,
  flatten: view.flatten,
  unflatten: view.unflatten,
  narrow: view.narrow,
  select: view.select,
  slice: view.slice,
  flip: view.flip,
  contiguous: view.contiguous,
  clone: view.clone,
  to: view.to,
  gather: indexOps.gather,
  scatterAdd: indexOps.scatterAdd,
  indexSelect: indexOps.indexSelect,
  maskedFill: indexOps.maskedFill,
  split: indexOps.split,
  chunk: indexOps.chunk,
  pad: indexOps.pad,
  scatter: scatterOps.scatter,
  scatterReduce: scatterOps.scatterReduce,
  indexAdd: indexDim.indexAdd,
  indexCopy: indexDim.indexCopy,
  indexFill: indexDim.indexFill,
  maskedSelect: masked.maskedSelect,
  maskedScatter: masked.maskedScatter,
  take: takeOps.take,
  takeAlongDim: takeOps.takeAlongDim,
  index: indexing.index,
  indexPut: indexPut.indexPut,
  tril: triangular.tril,
  triu: triangular.triu,
  diagonal: diagonals.diagonal,
  diagEmbed: diagonals.diagEmbed,
  diag: diagonals.diag,
  trace: diagonals.trace,
  roll: rearrange.roll,
  fliplr: rearrange.fliplr,
  flipud: rearrange.flipud,
  rot90: rearrange.rot90,
  movedim: rearrange.movedim,
  moveaxis: rearrange.moveaxis,
  swapaxes: rearrange.swapaxes,
  swapdims: rearrange.swapdims,
  repeatInterleave: replicate.repeatInterleave,
  unfold: replicate.unfold,
  broadcastTo: broadcast.broadcastTo,
  cumsum: cumulative.cumsum,
  cumprod: cumulative.cumprod,
  cummax: cumulative.cummax,
  cummin: cumulative.cummin,
  logcumsumexp: cumulative.logcumsumexp,
  sort: sorting.sort,
  argsort: sorting.argsort,
  msort: sorting.msort,
  topk: sorting.topk,
  kthvalue: selection.kthvalue,
  mode: selection.mode,
  bincount: counting.bincount,
  histc: counting.histc,
};

/** Functions whose method form differs (variadic sizes, another argument first) or that have none. */
export const functionOnlyOps = {
  varMean: moments.varMean,
  stdMean: moments.stdMean,
  where: whereOps.where,
  cat: indexOps.cat,
  stack: indexOps.stack,
  reshape: view.reshape,
  view: view.view,
  permute: view.permute,
  expand: broadcast.expand,
  repeat: broadcast.repeat,
  tile: broadcast.tile,
  meshgrid: replicate.meshgrid,
  einsum: einsumOps.einsum,
  searchsorted: search.searchsorted,
};
