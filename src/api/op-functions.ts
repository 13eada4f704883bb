// The public op functions beyond the elementwise ones, each written beside its op in src/ops/.
// Those in `methodOps` take the tensor they act on first and are its methods too (x.sum(1) is
// sum(x, 1)); api/tensor.ts makes the methods from this object, api/functions.ts the exports.

import * as activation from "../ops/activation.js";
import * as broadcast from "../ops/broadcast.js";
import * as indexOps from "../ops/index-ops.js";
import * as linalg from "../ops/linalg.js";
import * as reduce from "../ops/reduce.js";
import * as view from "../ops/view.js";
import * as whereOps from "../ops/where.js";

/** f(x, ...args), also the method x.f(...args). */
export const methodOps = {
  clamp: whereOps.clamp,
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
};

/** Functions whose method form differs (variadic sizes, another argument first) or that have none. */
export const functionOnlyOps = {
  where: whereOps.where,
  cat: indexOps.cat,
  stack: indexOps.stack,
  reshape: view.reshape,
  view: view.view,
  permute: view.permute,
  expand: broadcast.expand,
  repeat: broadcast.repeat,
  tile: broadcast.tile,
};
