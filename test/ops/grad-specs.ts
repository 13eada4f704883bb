// Property specs for gradient checks: each pairs a fast-check generator of op inputs with the op
// applied to float64 leaves. gradcheck.test.ts runs first- and second-order checks over all of them.

import fc from "fast-check";
import type { GradcheckOptions } from "../../src/api/gradcheck.js";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import {
  countOver,
  type Domain,
  distinctAbs,
  distinctPairArb,
  leaf,
  offGrid,
  pairArb,
  positive,
  real,
  reductionArb,
  small,
  type TData,
  tensorArb,
  valuesFor,
  withDimArb,
} from "./arbitraries.js";

/** What a spec hands to gradcheck: the leaves and the function of them. */
export interface Built {
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  opts?: GradcheckOptions;
}

/** A named property: a generator of cases and how to turn one into a gradcheck call. */
export interface Spec {
  name: string;
  arb: fc.Arbitrary<unknown>;
  build: (c: unknown) => Built;
}

/** Declares a spec; the generic keeps each generator and builder in step. */
export function spec<C>(name: string, arb: fc.Arbitrary<C>, build: (c: C) => Built): Spec {
  return { name, arb, build: build as (c: unknown) => Built };
}

/** A spec of one tensor through `f`. */
export const unary = (name: string, domain: Domain, f: (x: Tensor) => Tensor, opts?: GradcheckOptions) =>
  spec(name, tensorArb(domain), (d) => ({ inputs: [leaf(d)], fn: f, opts }));

const binary = (name: string, arb: fc.Arbitrary<[TData, TData]>, f: (a: Tensor, b: Tensor) => Tensor) =>
  spec(name, arb, ([a, b]) => ({ inputs: [leaf(a), leaf(b)], fn: f }));

type Dims = number | number[] | undefined;
const reduction = (name: string, domain: Domain, f: (x: Tensor, dim: Dims, keepdim: boolean) => Tensor) =>
  spec(name, reductionArb(domain), ({ x, dim, keepdim }) => ({
    inputs: [leaf(x)],
    fn: (t) => f(t, dim, keepdim),
  }));

const alongDim = (name: string, f: (x: Tensor, dim: number) => Tensor | Tensor[], domain: Domain = real) =>
  spec(name, withDimArb(domain), ({ x, dim }) => ({ inputs: [leaf(x)], fn: (t) => f(t, dim) }));

/** Elementwise functions of one tensor, on the domain where each is smooth. */
export const unarySpecs: Spec[] = [
  unary("neg", real, (x) => x.neg()),
  unary("exp", real, (x) => x.exp()),
  unary("log", positive, (x) => x.log()),
  unary("log1p", positive, (x) => x.log1p()),
  unary("expm1", real, (x) => x.expm1()),
  unary("sqrt", positive, (x) => x.sqrt()),
  unary("rsqrt", positive, (x) => x.rsqrt()),
  unary("abs", real, (x) => x.abs()),
  unary("sign", real, (x) => x.sign()),
  unary("sin", real, (x) => x.sin()),
  unary("cos", real, (x) => x.cos()),
  unary("tan", small, (x) => x.tan()),
  unary("tanh", real, (x) => x.tanh()),
  unary("sigmoid", real, (x) => x.sigmoid()),
  unary("relu", real, (x) => x.relu()),
  unary("reciprocal", real, (x) => x.reciprocal()),
  unary("erf", real, (x) => x.erf()),
  unary("square", real, (x) => x.square()),
  unary("floor", offGrid, (x) => x.floor()),
  unary("ceil", offGrid, (x) => x.ceil()),
  unary("round", offGrid, (x) => x.round()),
  unary("silu", real, (x) => x.silu()),
  unary("gelu", real, (x) => x.gelu()),
  unary("gelu tanh", real, (x) => x.gelu("tanh")),
  unary("leakyRelu", real, (x) => x.leakyRelu(0.2)),
  unary("elu", real, (x) => x.elu(0.7)),
  unary("softplus", real, (x) => x.softplus()),
  // βx = k/5 never meets the threshold 1.1, where softplus jumps
  unary("softplus beta threshold", real, (x) => cr.softplus(x, 2, 1.1)),
  // bounds sit between the grid's values, so no element lands on a kink
  unary("clamp", real, (x) => x.clamp(-0.55, 0.75)),
  unary("clamp min", real, (x) => x.clamp(0.25)),
  unary("clamp max", real, (x) => cr.clamp(x, null, -0.45)),
  unary("pow scalar exponent", real, (x) => x.pow(3)),
  unary("pow scalar base", real, (x) => cr.pow(1.7, x)),
  unary("add scalar", real, (x) => x.add(2.5)),
  unary("sub from scalar", real, (x) => cr.sub(1.5, x)),
  unary("div scalar by", real, (x) => cr.div(1.5, x)),
  // float32 rounding needs a wide step: the round trip is the identity up to 2^-24 relative
  unary("to float32 and back", real, (x) => x.to("float32").to("float64"), { eps: 1e-3 }),
];

/** Elementwise functions of two broadcasting tensors. */
export const binarySpecs: Spec[] = [
  binary("add", pairArb(), (a, b) => a.add(b)),
  binary("add alpha", pairArb(), (a, b) => a.add(b, { alpha: 2 })),
  binary("sub", pairArb(), (a, b) => cr.sub(a, b)),
  binary("mul", pairArb(), (a, b) => a.mul(b)),
  binary("div", pairArb(), (a, b) => a.div(b)),
  binary("pow", pairArb(positive, real), (a, b) => a.pow(b)),
  binary("maximum", distinctPairArb(), (a, b) => a.maximum(b)),
  binary("minimum", distinctPairArb(), (a, b) => cr.minimum(a, b)),
  binary("atan2", pairArb(), (a, b) => a.atan2(b)),
  // a = k/10 + 0.03 over b = |k'|/10 + 0.2 is never within 0.01 of an integer: floor(a/b) is locally constant
  binary("remainder", pairArb(offGrid, positive), (a, b) => a.remainder(b)),
  spec(
    "where",
    pairArb().chain(([a, b]) =>
      fc
        .array(fc.boolean(), { minLength: a.values.length, maxLength: a.values.length })
        .map((c) => ({ a, b, cond: c })),
    ),
    ({ a, b, cond }) => {
      const mask = cr.tensor(Uint8Array.from(cond, Number), { shape: a.shape, dtype: "bool" });
      return { inputs: [leaf(a), leaf(b)], fn: (x, y) => cr.where(mask, x!, y!) };
    },
  ),
];

/** Reductions, with negative, multiple and omitted dims and keepdim on and off. */
export const reductionSpecs: Spec[] = [
  reduction("sum", real, (x, d, k) => x.sum(d, k)),
  reduction("mean", real, (x, d, k) => x.mean(d, k)),
  reduction("prod", real, (x, d, k) => x.prod(d, k)),
  reduction("amax", real, (x, d, k) => x.amax(d, k)),
  reduction("amin", real, (x, d, k) => cr.amin(x, d, k)),
  reduction("logsumexp", real, (x, d, k) => x.logsumexp(d, k)),
  reduction("norm p=2", real, (x, d, k) => x.norm(2, d, k)),
  reduction("norm p=1", real, (x, d, k) => x.norm(1, d, k)),
  reduction("norm p=3", real, (x, d, k) => cr.norm(x, 3, d, k)),
  reduction("norm p=inf", distinctAbs, (x, d, k) => x.norm(Infinity, d, k)),
  ...(["var", "std"] as const).map((op) =>
    spec(
      op,
      reductionArb()
        .chain((r) => fc.record({ r: fc.constant(r), correction: fc.constantFrom(0, 1, 2) }))
        .filter(({ r, correction }) => countOver(r.x.shape, r.dim) > Math.max(correction, op === "std" ? 1 : 0)),
      ({ r: { x, dim, keepdim }, correction }) => ({
        inputs: [leaf(x)],
        fn: (t) => t[op](dim, { correction, keepdim }),
      }),
    ),
  ),
  unary("max all", real, (x) => x.max()),
  unary("min all", real, (x) => cr.min(x)),
  ...(["max", "min"] as const).map((op) =>
    spec(
      op + " dim keepdim",
      withDimArb().chain((c) => fc.record({ c: fc.constant(c), keepdim: fc.boolean() })),
      ({ c, keepdim }) => ({
        inputs: [leaf(c.x)],
        fn: (t) => t[op](c.dim, keepdim).values,
      }),
    ),
  ),
  alongDim("softmax", (x, d) => x.softmax(d)),
  alongDim("logSoftmax", (x, d) => cr.logSoftmax(x, d)),
];

/** A size or a rank of the product specs: 1 to 3. */
const oneToThree = fc.integer({ min: 1, max: 3 });

/** matmul over ranks 1-3 with broadcast batch dims, and its 2-d/3-d/1-d relatives. */
export const linalgSpecs: Spec[] = [
  spec(
    "matmul",
    fc
      .record({
        ra: oneToThree,
        rb: oneToThree,
        m: oneToThree,
        k: oneToThree,
        n: oneToThree,
        batch: fc.integer({ min: 1, max: 2 }),
        oneB: fc.boolean(),
      })
      .chain(({ ra, rb, m, k, n, batch, oneB }) => {
        const sa = [[k], [m, k], [batch, m, k]][ra - 1]!;
        const sb = [[k], [k, n], [oneB ? 1 : batch, k, n]][rb - 1]!;
        return valuesFor([sa, sb]);
      }),
    ([a, b]) => ({ inputs: [leaf(a!), leaf(b!)], fn: (x, y) => x!.matmul(y!) }),
  ),
  product(
    "mm",
    3,
    ([m, k, n]) => [
      [m!, k!],
      [k!, n!],
    ],
    (x, y) => x.mm(y),
  ),
  product(
    "bmm",
    4,
    ([b, m, k, n]) => [
      [b!, m!, k!],
      [b!, k!, n!],
    ],
    (x, y) => cr.bmm(x, y),
  ),
  product(
    "dot",
    1,
    ([n]) => [[n!], [n!]],
    (x, y) => x.dot(y),
  ),
  spec(
    "addmm",
    fc
      .record({
        m: oneToThree,
        k: oneToThree,
        n: oneToThree,
        // the input: a bias row, a column, a full matrix or a scalar
        form: fc.constantFrom("row", "column", "full", "scalar"),
        transposed: fc.boolean(),
      })
      .chain(({ m, k, n, form, transposed }) => {
        const input = { row: [n], column: [m, 1], full: [m, n], scalar: [] }[form];
        // mat2 as a linear layer passes it: a weight's transpose
        return valuesFor([input, [m, k], transposed ? [n, k] : [k, n]]).map((vs) => ({ vs, transposed }));
      }),
    ({ vs: [i, a, b], transposed }) => ({
      inputs: [leaf(i!), leaf(a!), leaf(b!)],
      fn: (x, y, z) => cr.addmm(x!, y!, transposed ? z!.t() : z!),
    }),
  ),
  product(
    "outer",
    2,
    ([m, n]) => [[m!], [n!]],
    (x, y) => cr.outer(x, y),
  ),
];

/** A product of two tensors whose shapes are built from `n` random sizes (1…3). */
function product(name: string, n: number, shapes: (s: number[]) => number[][], f: (a: Tensor, b: Tensor) => Tensor) {
  const sizes = fc.array(oneToThree, { minLength: n, maxLength: n });
  return spec(
    name,
    sizes.chain((s) => valuesFor(shapes(s))),
    ([a, b]) => ({
      inputs: [leaf(a!), leaf(b!)],
      fn: (x, y) => f(x!, y!),
    }),
  );
}
