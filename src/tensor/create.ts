// Creating tensors: from data, constants, ranges and the seeded random stream. Every result is a
// fresh leaf.

import { kernels } from "../backend/registry.js";
import { arrayType, checkDType, type DType, type TypedArray } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import { contiguousStrides, fmtShape, numelOf, type Shape } from "../core/shape.js";
import { defaultGenerator, type Generator } from "./random.js";
import { makeTensor, Storage, TensorBase as Tensor } from "./tensor.js";

/** Options accepted by creation functions. */
export interface TensorOptions {
  /** Element type (default float32, or what the data implies). */
  dtype?: DType;
  /** Record operations on the new tensor for gradients (floating-point only). */
  requiresGrad?: boolean;
}

/** Options of cr.tensor: a typed array needs its shape. */
export interface DataOptions extends TensorOptions {
  /** The shape of the typed array's elements (default: one dim). */
  shape?: readonly number[];
}

/**
 * A shape as PyTorch takes one: a list (`zeros([2, 3])`) or the sizes one by one (`zeros(2, 3)`),
 * the options object last either way.
 */
export type SizeArgs<O> = [shape: readonly number[], opts?: O] | number[] | [...sizes: number[], opts: O];

/** The shape and options of size arguments, the options checked against `keys`. */
function sizeArgs<O extends TensorOptions>(where: string, args: SizeArgs<O>, keys: readonly string[]): [number[], O] {
  const last = args[args.length - 1];
  const hasOpts = typeof last === "object" && last !== null && !Array.isArray(last);
  const rest = hasOpts ? args.slice(0, -1) : args;
  const [first] = rest;
  const sizes = rest.length === 1 && Array.isArray(first) ? first : rest;
  if (!sizes.every((n) => typeof n === "number")) {
    throw new TypeError(
      `${where}: expected a shape (a list, or sizes one by one) and an options object, got ${describe(args)}`,
    );
  }
  const opts = (hasOpts ? last : {}) as O;
  checkCreation(where, opts, keys);
  return [checkShape(where, sizes as number[]), opts];
}

const describe = (args: unknown[]) => JSON.stringify(args, (_, v: unknown) => (v instanceof Tensor ? "<tensor>" : v));

/** Checks a creation function's options: only `keys`, and a dtype chainrule has. */
function checkCreation(where: string, opts: TensorOptions, keys: readonly string[]): void {
  checkOptions(where, opts, keys);
  if (opts.dtype !== undefined) checkDType(opts.dtype, where);
}

const TENSOR_KEYS = ["dtype", "requiresGrad"];
const RANDOM_KEYS = [...TENSOR_KEYS, "generator"];

/** Nested arrays of numbers or booleans. */
export type NestedData = number | boolean | readonly NestedData[];

function leaf(data: ArrayLike<number>, shape: Shape, dtype: DType, requiresGrad = false): Tensor {
  const k = kernels();
  const t = makeTensor(
    new Storage(k, k.upload(dtype, data), dtype, data.length),
    [...shape],
    contiguousStrides(shape),
    0,
  );
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOfTyped(a: TypedArray): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "bool";
  return "float32";
}

/**
 * A tensor from data. Numbers give float32 (JavaScript cannot tell 1 from 1.0), booleans give
 * bool, typed arrays keep their type; `dtype` overrides.
 *
 * @example
 * const x = cr.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const i = cr.tensor([0, 2, 1], { dtype: "int32" });
 * const v = cr.tensor(new Float32Array(6), { shape: [2, 3] });
 */
export function tensor(data: NestedData | TypedArray | Tensor, opts: DataOptions = {}): Tensor {
  checkCreation("tensor", opts, [...TENSOR_KEYS, "shape"]);
  if (data instanceof Tensor) return leaf(data.dataSync(), data.shape, opts.dtype ?? data.dtype, opts.requiresGrad);
  if (ArrayBuffer.isView(data)) {
    const shape = opts.shape ?? [data.length];
    if (numelOf(shape) !== data.length) {
      throw new RangeError(
        `tensor: shape ${fmtShape(shape)} holds ${numelOf(shape)} elements but the array has ${data.length}`,
      );
    }
    return leaf(data, shape, checkDType(opts.dtype ?? dtypeOfTyped(data), "tensor"), opts.requiresGrad);
  }
  const shape: number[] = [];
  for (let d: NestedData = data; Array.isArray(d); d = (d as NestedData[])[0]!) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  const flat: number[] = [];
  // bool only when every element is a boolean: [true, 2] is numbers, as torch.tensor([True, 2])
  let sawNumber = false;
  const walk = (d: NestedData, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(d)) throw new RangeError(`tensor: ragged nested array at ${path || "top"}: expected a number`);
      if (typeof d === "number") sawNumber = true;
      else if (typeof d !== "boolean")
        throw new TypeError(`tensor: expected numbers or booleans, got ${typeof d} at ${path}`);
      flat.push(Number(d));
      return;
    }
    if (!Array.isArray(d) || d.length !== shape[depth]) {
      throw new RangeError(
        `tensor: ragged nested array at ${path || "top"}: expected a list of length ${shape[depth]}, got ${Array.isArray(d) ? `length ${d.length}` : typeof d}`,
      );
    }
    (d as NestedData[]).forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, "");
  const dtype = checkDType(opts.dtype ?? (sawNumber || flat.length === 0 ? "float32" : "bool"), "tensor");
  return leaf(flat, shape, dtype, opts.requiresGrad);
}

function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new RangeError(`${op}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return filled("full", shape, value, opts);
}

function filled(where: string, shape: readonly number[], value: number, opts: TensorOptions): Tensor {
  checkCreation(where, opts, TENSOR_KEYS);
  const s = checkShape(where, shape);
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const n = numelOf(s);
  const data = new (arrayType(dtype))(n);
  if (value !== 0) data.fill(Number(value));
  return leaf(data, s, dtype, opts.requiresGrad);
}
/**
 * Zeros: `zeros([2, 3])` or `zeros(2, 3)`, options last.
 *
 * @example
 * const w = cr.zeros([2, 3], { dtype: "float64", requiresGrad: true });
 */
export function zeros(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = sizeArgs("zeros", args, TENSOR_KEYS);
  return filled("zeros", shape, 0, opts);
}
/** Ones: `ones([2, 3])` or `ones(2, 3)`, options last. */
export function ones(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = sizeArgs("ones", args, TENSOR_KEYS);
  return filled("ones", shape, 1, opts);
}
/** Zeros with t's shape and dtype. */
export const zerosLike = (t: Tensor, opts: TensorOptions = {}) =>
  filled("zerosLike", t.shape, 0, { dtype: t.dtype, ...checked("zerosLike", opts) });
/** Ones with t's shape and dtype. */
export const onesLike = (t: Tensor, opts: TensorOptions = {}) =>
  filled("onesLike", t.shape, 1, { dtype: t.dtype, ...checked("onesLike", opts) });
/** `value` with t's shape and dtype. */
export const fullLike = (t: Tensor, value: number, opts: TensorOptions = {}) =>
  filled("fullLike", t.shape, value, { dtype: t.dtype, ...checked("fullLike", opts) });

function checked(where: string, opts: TensorOptions): TensorOptions {
  checkCreation(where, opts, TENSOR_KEYS);
  return opts;
}

/**
 * start, start+step, … < end (one argument means 0 … end). Integral arguments give int32.
 *
 * @example
 * cr.arange(5); // int32 [0, 1, 2, 3, 4]
 * cr.arange(0, 1, 0.25); // float32 [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  checkCreation("arange", opts, TENSOR_KEYS);
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step))
    throw new RangeError(`arange: step must be non-zero and finite, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = Array.from({ length: n }, (_, i) => start + i * step);
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? "int32" : "float32");
  return leaf(data, [n], dtype, opts.requiresGrad);
}

/**
 * n evenly spaced points from a to b inclusive: `cr.linspace(0, 1, 5)`. With an int dtype the
 * points are PyTorch's: a and b are truncated to integers first, and each point, computed in
 * float64 from the nearer end, is truncated toward 0 (`cr.linspace(0, 10, 4, { dtype: "int32" })`
 * is [0, 3, 6, 10]).
 */
export function linspace(a: number, b: number, n: number, opts: TensorOptions = {}): Tensor {
  checkCreation("linspace", opts, TENSOR_KEYS);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`linspace: n must be a non-negative integer, got ${n}`);
  const dtype = checkDType(opts.dtype ?? "float32", "linspace");
  if (dtype === "bool") throw new TypeError("linspace: a bool dtype is not supported (PyTorch has none either)");
  // NOTE: PyTorch 1.13's vectorized CPU loop departs from this rule for longer int results (from 16
  // points for int32 with AVX2), differently per instruction set; this is its scalar rule
  const [start, end] = dtype === "int32" ? [Math.trunc(a), Math.trunc(b)] : [a, b];
  const step = n > 1 ? (end - start) / (n - 1) : 0;
  // fill from both ends as PyTorch does, so the last point is exactly b
  const half = Math.floor(n / 2);
  const point = (i: number) => (i < half || n === 1 ? start + i * step : end - (n - 1 - i) * step);
  const data = Array.from({ length: n }, (_, i) => (dtype === "int32" ? Math.trunc(point(i)) : point(i)));
  return leaf(data, [n], dtype, opts.requiresGrad);
}

/** The n×m identity (m = n by default). */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  checkCreation("eye", opts, TENSOR_KEYS);
  checkShape("eye", [n, m]);
  const data = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return leaf(data, [n, m], opts.dtype ?? "float32", opts.requiresGrad);
}

/** Options of random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** The random generator to draw from (default: the global one, seeded by manualSeed). */
  generator?: Generator;
}

function drawn(shape: readonly number[], opts: RandomOptions, draw: (g: Generator) => number, op: string): Tensor {
  const s = checkShape(op, shape);
  const g = opts.generator ?? defaultGenerator;
  const data = new Float64Array(numelOf(s));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return leaf(data, s, opts.dtype ?? "float32", opts.requiresGrad);
}

/** The largest float32 below 1. */
const F32_BELOW_ONE = 1 - 2 ** -24;

/** Uniform samples from [0, 1): `rand([2, 3])` or `rand(2, 3)`, options last. */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = sizeArgs("rand", args, RANDOM_KEYS);
  // NOTE: a double within 2^-25 of 1 rounds up to 1 when stored as float32; cap it so the
  // float32 samples stay below 1 too
  const cap = (opts.dtype ?? "float32") === "float32" ? F32_BELOW_ONE : 1;
  return drawn(shape, opts, (g) => Math.min(g.uniform(), cap), "rand");
}
/**
 * Standard normal samples: `randn([2, 3])` or `randn(2, 3)`, options last.
 *
 * @example
 * cr.manualSeed(0);
 * const x = cr.randn(4, 3);
 */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = sizeArgs("randn", args, RANDOM_KEYS);
  return drawn(shape, opts, (g) => g.normal(), "randn");
}
/** Uniform integers in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkCreation("randint", opts, RANDOM_KEYS);
  if (!(high > low)) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  return drawn(shape, { dtype: "int32", ...opts }, (g) => g.int(low, high), "randint");
}
/** A random permutation of 0 … n-1 (Fisher–Yates). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkCreation("randperm", opts, RANDOM_KEYS);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const g = opts.generator ?? defaultGenerator;
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.int(0, i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return leaf(p, [n], opts.dtype ?? "int32", opts.requiresGrad);
}
