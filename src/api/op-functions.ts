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

/**
 * The members `names` of an op module. Picked, not copied into an object literal, so each
 * member's type keeps its declaration, and with it the op's doc comment, for the Tensor methods
 * and the declarations the package ships.
 */
function pick<M, K extends keyof M>(module: M, ...names: K[]): Pick<M, K> {
  const picked = {} as Pick<M, K>;
  for (const name of names) picked[name] = module[name];
  return picked;
}

/** The intersection of the types in T. */
type Merged<T extends readonly unknown[]> = T extends readonly [infer Head, ...infer Rest]
  ? Head & Merged<Rest>
  : unknown;

/** The parts as one object, typed as their intersection (a spread would be typed as a fresh literal, without the docs). */
const merge = <T extends object[]>(...parts: T) => Object.assign({}, ...parts) as Merged<T>;

/** f(x, ...args), also the method x.f(...args). */
export const methodOps = merge(
  pick(whereOps, "clamp"),
  pick(lerpOps, "lerp"),
  pick(closeness, "isclose", "allclose", "nanToNum"),
  pick(activation, "softplus", "gelu", "silu", "leakyRelu", "elu", "softmax", "logSoftmax"),
  pick(broadcast, "sum", "broadcastTo"),
  pick(reduce, "mean", "prod", "amax", "amin", "argmax", "argmin", "logsumexp", "norm"),
  pick(extremum, "aminmax"),
  pick(logical, "any", "all", "countNonzero"),
  pick(nanReduce, "nansum", "nanmean"),
  pick(moments, "std"),
  pick(linalg, "matmul", "mm", "bmm", "dot", "outer", "addmm"),
  pick(
    view,
    "transpose",
    "unsqueeze",
    "squeeze",
    "flatten",
    "unflatten",
    "narrow",
    "select",
    "slice",
    "flip",
    "contiguous",
    "clone",
    "to",
  ),
  pick(indexOps, "gather", "scatterAdd", "indexSelect", "maskedFill", "split", "chunk", "pad"),
  pick(scatterOps, "scatter", "scatterReduce"),
  pick(indexDim, "indexAdd", "indexCopy", "indexFill"),
  pick(masked, "maskedSelect", "maskedScatter"),
  pick(takeOps, "take", "takeAlongDim"),
  pick(indexing, "index"),
  pick(indexPut, "indexPut"),
  pick(triangular, "tril", "triu"),
  pick(diagonals, "diagonal", "diagEmbed", "diag", "trace"),
  pick(rearrange, "roll", "fliplr", "flipud", "rot90", "movedim", "moveaxis", "swapaxes", "swapdims"),
  pick(replicate, "repeatInterleave", "unfold"),
  pick(cumulative, "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"),
  pick(sorting, "sort", "argsort", "msort", "topk"),
  pick(selection, "kthvalue", "mode"),
  pick(counting, "bincount", "histc"),
  {
    /**
     * Variance over `dim` (every dim by default), dividing by N − 1 unless `correction` says
     * otherwise: `x.var(1, { correction: 0, keepdim: true })`.
     */
    var: moments.variance,
  },
);

/** Functions whose method form differs (variadic sizes, another argument first) or that have none. */
export const functionOnlyOps = merge(
  pick(moments, "varMean", "stdMean"),
  pick(whereOps, "where"),
  pick(indexOps, "cat", "stack"),
  pick(view, "reshape", "view", "permute"),
  pick(broadcast, "expand", "repeat", "tile"),
  pick(replicate, "meshgrid"),
  pick(einsumOps, "einsum"),
  pick(search, "searchsorted"),
);
