// Reductions. The forward permutes the reduced dims to the back (a view) and calls one kernel;
// the backward broadcasts the gradient back over them.

import type { ReduceOp } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { type DType, isFloat } from "../core/dtype.js";
import { fmtShape, normDims, numelOf } from "../core/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
import { viewOf, zerosRaw } from "./unrecorded.js";
import { where } from "./where.js";

/** Which dims a reduction removes. */
export interface ReduceAttrs {
  dims: number[];
  keepdim: boolean;
}

/** A dim argument as users pass it. */
export type DimArg = number | readonly number[] | undefined;

/** Shape of the result with reduced dims kept as 1. */
export function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

/** Runs a reduction kernel over `dims` of x. */
export function reduceRaw(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const perm = [...kept, ...dims];
  const permuted = viewOf(
    x,
    perm.map((d) => x.shape[d]!),
    perm.map((d) => x.strides[d]!),
    x.offset,
  );
  const outShape = keepdim ? keptShape(x.shape, dims) : kept.map((d) => x.shape[d]!);
  if (numelOf(dims.map((d) => x.shape[d]!)) === 0 && op !== "sum" && op !== "prod" && numelOf(outShape) > 0) {
    throw new RangeError(`${op}: cannot reduce over a zero-size dimension of a tensor of shape ${fmtShape(x.shape)}`);
  }
  const out = zerosRaw(outShape, outDtype);
  kernels().reduce(op, permuted._view(), dims.length, out.storage.handle, outDtype);
  return out;
}

/** Sum's dtype: ints and bools sum to int32 (PyTorch: int64). */
const sumType = (d: DType): DType => (isFloat(d) ? d : "int32");

/** Gradient of a reduction broadcast back to the input's shape. */
function spread(g: Tensor, x: { shape: readonly number[] }, { dims, keepdim }: ReduceAttrs): Tensor {
  const k = keepdim ? g : g.reshape(keptShape(x.shape, dims));
  return k.expand(x.shape);
}

const sumOp = defineOp<ReduceAttrs & { shape: readonly number[] }>({
  name: "sum",
  forward: ([x], { dims, keepdim }) => reduceRaw("sum", x!, dims, keepdim, sumType(x!.dtype)),
  // sum is an add gate: every input element gets the upstream gradient. It saves nothing: only the
  // input's shape is needed, so sum((x+1)) can be differentiated after x+1 was freed or changed
  backward: (g, { attrs }) => [spread(g, attrs, attrs)],
});

const prodOp = defineOp<ReduceAttrs>({
  name: "prod",
  forward: ([x], { dims, keepdim }) => reduceRaw("prod", x!, dims, keepdim, sumType(x!.dtype)),
  save: { inputs: [0], output: true },
  // d(Πx)/dx_i = Π_{j≠i} x_j. NOTE: out/x fails at zeros, so the product of the others is
  // computed with zeros replaced by 1 and used where x_i is the only zero.
  backward: (g, { inputs: [x], output, attrs }) => {
    const { dims } = attrs;
    const keep = (t: Tensor) => (attrs.keepdim ? t : t.reshape(keptShape(x!.shape, dims)));
    const isZero = x!.eq(0);
    const zeros = isZero.sum(dims, true);
    const safe = where(isZero, 1, x!);
    const others = where(
      zeros.eq(0),
      keep(output).div(safe),
      where(zeros.eq(1).logicalAnd(isZero), safe.prod(dims, true), 0),
    );
    return [keep(g).mul(others)];
  },
});

function extremum(name: "amax" | "amin", kernel: ReduceOp) {
  return defineOp<ReduceAttrs>({
    name,
    forward: ([x], { dims, keepdim }) => reduceRaw(kernel, x!, dims, keepdim, x!.dtype),
    save: { inputs: [0], output: true },
    // max routes: the gradient goes to the winners, split evenly among ties
    backward: (g, { inputs: [x], output, attrs }) => {
      const keep = (t: Tensor) => (attrs.keepdim ? t : t.reshape(keptShape(x!.shape, attrs.dims)));
      const hit = x!.eq(keep(output));
      return [keep(g).mul(hit).div(hit.sum(attrs.dims, true))];
    },
  });
}
const amaxOp = extremum("amax", "max");
const aminOp = extremum("amin", "min");

function argOp(name: "argmax" | "argmin", kernel: ReduceOp) {
  return defineOp<{ dim: number | undefined; keepdim: boolean }>({
    name,
    forward: ([x], { dim, keepdim }) => {
      if (dim === undefined) return reduceRaw(kernel, x!.reshape([-1]), [0], false, "int32");
      return reduceRaw(kernel, x!, [dim], keepdim, "int32");
    },
  });
}
const argmaxOp = argOp("argmax", "argmax");
const argminOp = argOp("argmin", "argmin");

function attrs(op: string, x: Tensor, dim: DimArg, keepdim: boolean): ReduceAttrs {
  const dims = normDims(op, dim, x.shape);
  // NOTE: a 0-d tensor accepts dim 0 or -1, as in PyTorch, and has nothing to reduce over
  return { dims: x.ndim === 0 ? [] : dims, keepdim };
}

/** Sum over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return sumOp([x], { ...attrs("sum", x, dim, keepdim), shape: x.shape });
}
/** Product over `dim`. */
export function prod(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return prodOp([x], attrs("prod", x, dim, keepdim));
}
/** Mean over `dim` (ints are averaged as float32). */
export function mean(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const a = attrs("mean", x, dim, keepdim);
  const n = numelOf(a.dims.map((d) => x.shape[d]!));
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  return sumOp([xf], { ...a, shape: xf.shape }).div(n);
}
/** Largest values over `dim`, gradient split among ties (torch.amax). */
export function amax(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return amaxOp([x], attrs("amax", x, dim, keepdim));
}
/** Smallest values over `dim` (torch.amin). */
export function amin(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return aminOp([x], attrs("amin", x, dim, keepdim));
}
/** Index of the largest value along `dim`, or in the flattened tensor. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argmaxOp([x], { dim: dim === undefined ? undefined : attrs("argmax", x, dim, keepdim).dims[0], keepdim });
}
/** Index of the smallest value along `dim`, or in the flattened tensor. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argminOp([x], { dim: dim === undefined ? undefined : attrs("argmin", x, dim, keepdim).dims[0], keepdim });
}
/**
 * max() over all elements (gradient split among ties), or max(dim): the values at argmax, so the
 * gradient routes to the index PyTorch's max(dim) returns.
 */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined || x.ndim === 0) return amax(x, dim, keepdim);
  const d = attrs("max", x, dim, keepdim).dims[0]!;
  const v = x.gather(d, argmax(x, d, true));
  return keepdim ? v : v.squeeze(d);
}
/** min() over all elements, or min(dim) routed to argmin. */
export function min(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined || x.ndim === 0) return amin(x, dim, keepdim);
  const d = attrs("min", x, dim, keepdim).dims[0]!;
  const v = x.gather(d, argmin(x, d, true));
  return keepdim ? v : v.squeeze(d);
}

/** Options of var and std. */
export interface VarOptions {
  /** Bessel's correction: divide by N - correction (default 1, unbiased). */
  correction?: number;
  keepdim?: boolean;
}
/** Variance over `dim`. */
export function variance(x: Tensor, dim?: DimArg, opts: VarOptions = {}): Tensor {
  const a = attrs("var", x, dim, true);
  const n = numelOf(a.dims.map((d) => x.shape[d]!));
  const centred = x.sub(x.mean(a.dims, true));
  return centred
    .mul(centred)
    .sum(a.dims, opts.keepdim ?? false)
    .div(Math.max(n - (opts.correction ?? 1), 0));
}
/** Standard deviation over `dim`. */
export function std(x: Tensor, dim?: DimArg, opts: VarOptions = {}): Tensor {
  return variance(x, dim, opts).sqrt();
}
/** log Σ exp(x) over `dim`, computed stably by shifting by the (detached) max. */
export function logsumexp(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const { dims } = attrs("logsumexp", x, dim, keepdim);
  const m0 = amax(x.detach(), dims, true);
  // NOTE: an all -inf slice has max -inf; shift by 0 there so we return -inf, not NaN
  const m = where(m0.isfinite(), m0, 0);
  const out = x.sub(m).exp().sum(dims, true).log().add(m);
  return keepdim ? out : out.squeeze(dims);
}

interface NormAttrs extends ReduceAttrs {
  p: number;
}

const normOp = defineOp<NormAttrs>({
  name: "norm",
  forward: ([x], { p, dims, keepdim }) => {
    const a = x!.abs();
    if (p === Infinity) return a.amax(dims, keepdim);
    if (p === 1) return a.sum(dims, keepdim);
    return a
      .pow(p)
      .sum(dims, keepdim)
      .pow(1 / p);
  },
  save: { inputs: [0], output: true },
  // d‖x‖_p = x |x|^(p-2) / ‖x‖^(p-1) dx; NOTE: 0 where the norm is 0 (PyTorch's subgradient)
  backward: (g, { inputs: [x], output, attrs: { p, dims, keepdim } }) => {
    const keep = (t: Tensor) => (keepdim ? t : t.reshape(keptShape(x!.shape, dims)));
    const n = keep(output);
    const gk = keep(g);
    if (p === 1) return [gk.mul(x!.sign())];
    if (p === Infinity) {
      const hit = x!.abs().eq(n);
      return [gk.mul(x!.sign()).mul(hit).div(hit.sum(dims, true))];
    }
    const safe = where(n.eq(0), 1, n);
    const scale = p === 2 ? x!.div(safe) : x!.mul(x!.abs().pow(p - 2)).div(safe.pow(p - 1));
    return [gk.mul(where(n.eq(0), 0, scale))];
  },
});

/** The p-norm over `dim` (p = 2 by default; Infinity for the max norm). */
export function norm(x: Tensor, p = 2, dim?: DimArg, keepdim = false): Tensor {
  if (!(p > 0)) throw new RangeError(`norm: p must be positive, got ${p}`);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  return normOp([xf], { p, ...attrs("norm", x, dim, keepdim) });
}

/** Reduces a gradient to `shape` by summing the dims broadcasting added or stretched. */
export function sumToShape(g: Tensor, shape: readonly number[], where = "backward"): Tensor {
  if (g.ndim === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0)
    throw new RangeError(`${where}: gradient of shape ${fmtShape(g.shape)} cannot be reduced to ${fmtShape(shape)}`);
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  let out = dims.length ? g.sum(dims, true) : g;
  if (lead > 0 || out.shape.some((s, i) => s !== shape[i - lead])) out = out.reshape(shape);
  if (out.shape.some((s, i) => s !== shape[i])) {
    throw new RangeError(
      `${where}: gradient of shape ${fmtShape(g.shape)} does not match input shape ${fmtShape(shape)}`,
    );
  }
  return out;
}

/** @internal dtype conversion for the engine. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : t.to(dtype);
}
