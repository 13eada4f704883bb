// Property specs for shape, indexing, joining and in-place ops: random geometry (negative dims,
// steps, repeated indices, broadcast sources) over float64 leaves, for gradcheck.test.ts.

import fc from "fast-check";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { dimArb, leaf, pairArb, positive, real, shapeArb, type TData, tensorArb, valuesFor } from "./arbitraries.js";
import { type Spec, spec, unary } from "./grad-specs.js";

/** A tensor of at least `minDims` dims with one dim `d` (normalised to 0…ndim-1 in `at`) and extras. */
function withDim<E>(minDims: number, extra: (shape: number[], at: number) => fc.Arbitrary<E>) {
  return tensorArb(real, minDims).chain((x) =>
    dimArb(x.shape.length).chain((dim) => {
      const at = dim < 0 ? dim + x.shape.length : dim;
      return extra(x.shape, at).map((e) => ({ x, dim, e }));
    }),
  );
}

/** Indices in [0, size) of the given shape, as an int32 tensor's data. */
const indexArb = (shape: number[], size: number) =>
  fc
    .array(fc.integer({ min: 0, max: size - 1 }), {
      minLength: shape.reduce((a, b) => a * b, 1),
      maxLength: shape.reduce((a, b) => a * b, 1),
    })
    .map((v) => cr.tensor(Int32Array.from(v), { shape, dtype: "int32" }));

/** An index shape no larger than x's in every dim but `at`, where it is 1…3. */
const indexShapeArb = (shape: number[], at: number) =>
  fc.tuple(...shape.map((s, d) => fc.integer({ min: 1, max: d === at ? 3 : s }))).map((t) => [...t]);

const one = (name: string, arb: fc.Arbitrary<TData>, f: (x: Tensor) => Tensor | Tensor[]) =>
  spec(name, arb, (x) => ({ inputs: [leaf(x)], fn: f }));

/** Views and copies that rearrange one tensor. */
export const viewSpecs: Spec[] = [
  spec(
    "reshape",
    tensorArb().chain((x) => fc.record({ x: fc.constant(x), kind: fc.constantFrom("flat", "reverse", "padded") })),
    ({ x, kind }) => {
      const to = kind === "flat" ? [-1] : kind === "reverse" ? [...x.shape].reverse() : [1, ...x.shape, 1];
      return { inputs: [leaf(x)], fn: (t) => t.reshape(to) };
    },
  ),
  one("reshape of a transposed view", tensorArb(real, 2), (t) => t.transpose(0, -1).reshape([-1])),
  one("view", tensorArb(), (t) => t.view(-1)),
  spec(
    "transpose",
    withDim(1, (s) => dimArb(s.length)),
    ({ x, dim, e }) => ({
      inputs: [leaf(x)],
      fn: (t) => t.transpose(dim, e),
    }),
  ),
  spec(
    "permute",
    tensorArb().chain((x) => {
      const all = x.shape.map((_, d) => d);
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).map((p) => ({ x, p }));
    }),
    ({ x, p }) => ({ inputs: [leaf(x)], fn: (t) => t.permute(...p) }),
  ),
  spec(
    "unsqueeze",
    tensorArb().chain((x) => fc.integer({ min: -x.shape.length - 1, max: x.shape.length }).map((d) => ({ x, d }))),
    ({ x, d }) => ({ inputs: [leaf(x)], fn: (t) => t.unsqueeze(d) }),
  ),
  one("squeeze", tensorArb(), (t) => t.squeeze()),
  spec(
    "squeeze dim",
    withDim(1, () => fc.constant(0)),
    ({ x, dim }) => ({
      inputs: [leaf(x)],
      fn: (t) => t.squeeze(dim),
    }),
  ),
  spec(
    "expand",
    shapeArb(0, 3, 4)
      .chain((s) => fc.tuple(valuesFor([s]), fc.tuple(...s.map((d) => fc.integer({ min: d, max: d === 1 ? 3 : d })))))
      .map(([[x], to]) => ({ x: x!, to: [2, ...to] })),
    ({ x, to }) => ({ inputs: [leaf(x)], fn: (t) => t.expand(to) }),
  ),
  spec(
    "flatten",
    withDim(1, (s, at) => fc.integer({ min: at, max: s.length - 1 })),
    ({ x, dim, e }) => ({ inputs: [leaf(x)], fn: (t) => t.flatten(dim, e) }),
  ),
  spec(
    "narrow",
    withDim(1, (s, at) =>
      fc
        .integer({ min: 0, max: s[at]! - 1 })
        .chain((start) => fc.tuple(fc.constant(start), fc.integer({ min: 0, max: s[at]! - start }))),
    ),
    ({ x, dim, e: [start, length] }) => ({ inputs: [leaf(x)], fn: (t) => t.narrow(dim, start, length) }),
  ),
  spec(
    "select",
    withDim(1, (s, at) => fc.integer({ min: -s[at]!, max: s[at]! - 1 })),
    ({ x, dim, e }) => ({ inputs: [leaf(x)], fn: (t) => t.select(dim, e) }),
  ),
  spec(
    "slice",
    withDim(1, (s, at) =>
      fc.tuple(
        fc.integer({ min: -s[at]!, max: s[at]! }),
        fc.option(fc.integer({ min: -s[at]!, max: s[at]! }), { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
      ),
    ),
    ({ x, dim, e: [start, end, step] }) => ({ inputs: [leaf(x)], fn: (t) => t.slice(dim, start, end, step) }),
  ),
  spec(
    "flip",
    tensorArb(real, 1).chain((x) => fc.subarray(x.shape.map((_, d) => -1 - d)).map((dims) => ({ x, dims }))),
    ({ x, dims }) => ({ inputs: [leaf(x)], fn: (t) => t.flip(dims) }),
  ),
  spec(
    "repeat",
    tensorArb().chain((x) =>
      fc
        .array(fc.integer({ min: 1, max: 2 }), { minLength: x.shape.length, maxLength: x.shape.length + 1 })
        .map((reps) => ({ x, reps })),
    ),
    ({ x, reps }) => ({ inputs: [leaf(x)], fn: (t) => t.repeat(reps) }),
  ),
  spec(
    "tile",
    tensorArb().chain((x) => fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }).map((reps) => ({ x, reps }))),
    ({ x, reps }) => ({ inputs: [leaf(x)], fn: (t) => t.tile(reps) }),
  ),
  spec(
    "pad",
    tensorArb(real, 1).chain((x) =>
      fc
        .array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: Math.min(2, x.shape.length) })
        .map((p) => ({ x, pads: p.flatMap((v, i) => [v, (v + i) % 2]) })),
    ),
    ({ x, pads }) => ({ inputs: [leaf(x)], fn: (t) => t.pad(pads, 0.5) }),
  ),
  one("contiguous", tensorArb(real, 2), (t) => t.transpose(0, -1).contiguous()),
  one("clone", tensorArb(), (t) => t.clone()),
  one("split", tensorArb(real, 1), (t) => t.split(2, -1)),
  spec(
    "chunk",
    withDim(1, () => fc.integer({ min: 1, max: 3 })),
    ({ x, dim, e }) => ({
      inputs: [leaf(x)],
      fn: (t) => t.chunk(e, dim),
    }),
  ),
];

/** gather, scatterAdd, indexSelect, maskedFill, cat and stack. */
export const indexSpecs: Spec[] = [
  spec(
    "gather",
    withDim(1, (s, at) => indexShapeArb(s, at).chain((is) => indexArb(is, s[at]!))),
    ({ x, dim, e: index }) => ({ inputs: [leaf(x)], fn: (t) => t.gather(dim, index) }),
  ),
  spec(
    "scatterAdd",
    withDim(1, (s, at) =>
      indexShapeArb(s, at).chain((is) =>
        fc.tuple(
          indexArb(is, s[at]!),
          valuesFor([is]).map(([v]) => v!),
        ),
      ),
    ),
    ({ x, dim, e: [index, src] }) => ({
      inputs: [leaf(x), leaf(src)],
      fn: (t, u) => t.scatterAdd(dim, index, u!),
    }),
  ),
  spec(
    "indexSelect",
    withDim(1, (s, at) => fc.integer({ min: 1, max: 4 }).chain((n) => indexArb([n], s[at]!))),
    ({ x, dim, e: index }) => ({ inputs: [leaf(x)], fn: (t) => t.indexSelect(dim, index) }),
  ),
  spec(
    "maskedFill",
    tensorArb().chain((x) =>
      fc.array(fc.boolean(), { minLength: x.values.length, maxLength: x.values.length }).map((m) => ({ x, m })),
    ),
    ({ x, m }) => {
      const mask = cr.tensor(Uint8Array.from(m, Number), { shape: x.shape, dtype: "bool" });
      return { inputs: [leaf(x)], fn: (t) => t.maskedFill(mask, -0.5) };
    },
  ),
  spec(
    "cat",
    withDim(1, () => fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 3 })).chain(
      ({ x, dim, e }) => {
        const at = dim < 0 ? dim + x.shape.length : dim;
        const shapes = e.map((n) => x.shape.map((s, d) => (d === at ? n : s)));
        return valuesFor([x.shape, ...shapes]).map((ts) => ({ ts, dim }));
      },
    ),
    ({ ts, dim }) => ({ inputs: ts.map(leaf), fn: (...xs) => cr.cat(xs, dim) }),
  ),
  spec(
    "stack",
    shapeArb(0, 2).chain((s) =>
      fc.tuple(valuesFor([s, s]), fc.integer({ min: -s.length - 1, max: s.length })).map(([ts, dim]) => ({ ts, dim })),
    ),
    ({ ts, dim }) => ({ inputs: ts.map(leaf), fn: (...xs) => cr.stack(xs, dim) }),
  ),
];

/** In-place ops on a clone: their gradients must equal the out-of-place twin's. */
export const inplaceSpecs: Spec[] = [
  ...(
    [
      ["add_", (a: Tensor, b: Tensor) => a.clone().add_(b, { alpha: -2 })],
      ["sub_", (a: Tensor, b: Tensor) => a.clone().sub_(b)],
      ["mul_", (a: Tensor, b: Tensor) => a.clone().mul_(b)],
      ["div_", (a: Tensor, b: Tensor) => a.clone().div_(b)],
      ["copy_", (a: Tensor, b: Tensor) => a.clone().copy_(b)],
    ] as const
  ).map(([name, f]) =>
    spec(name, pairArb(real, real, false), ([a, b]) => ({ inputs: [leaf(a), leaf(b)], fn: (x, y) => f(x!, y!) })),
  ),
  unary("pow_", positive, (x) => x.clone().pow_(2.5)),
  unary("clamp_", real, (x) => x.clone().clamp_(-0.35, 0.45)),
  unary("fill_", real, (x) => x.clone().fill_(2).mul(x)),
  unary("zero_", real, (x) => x.clone().zero_().add(x.square())),
  unary("maskedFill_", real, (x) => x.clone().maskedFill_(x.gt(0), 1.5)),
];

/** A batch-of-one image [1, C, H, W] (C ≤ 2, H, W ≤ 3), a weight [O, C/groups, k, k] and a bias [O]. */
const convArb = (transposed: boolean) =>
  fc
    .record({
      c: fc.integer({ min: 1, max: 2 }),
      o: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 2, max: 3 }),
      w: fc.integer({ min: 2, max: 3 }),
      k: fc.integer({ min: 1, max: 2 }),
      stride: fc.integer({ min: 1, max: 2 }),
      padding: fc.integer({ min: 0, max: 1 }),
    })
    .filter(({ h, w, k, padding }) => transposed || Math.min(h, w) + 2 * padding >= k)
    .chain((g) => {
      const wShape = transposed ? [g.c, g.o, g.k, g.k] : [g.o, g.c, g.k, g.k];
      return fc
        .tuple(valuesFor([[1, g.c, g.h, g.w]]), valuesFor([wShape, [g.o]]))
        .map(([[x], [w, b]]) => ({ g, x: x!, w: w!, b: b! }));
    });

/** Convolution and pooling: the window primitives (slidingWindows, foldWindows, maxPool). */
export const nnSpecs: Spec[] = [
  spec("conv2d", convArb(false), ({ g, x, w, b }) => ({
    inputs: [leaf(x), leaf(w), leaf(b)],
    fn: (xi, wi, bi) => cr.nn.functional.conv2d(xi!, wi!, bi, { stride: g.stride, padding: g.padding }),
  })),
  spec(
    "convTranspose2d",
    convArb(true).filter(({ g }) => g.padding < g.k),
    ({ g, x, w, b }) => ({
      inputs: [leaf(x), leaf(w), leaf(b)],
      fn: (xi, wi, bi) => cr.nn.functional.convTranspose2d(xi!, wi!, bi, { stride: g.stride, padding: g.padding }),
    }),
  ),
  spec(
    "maxPool2d",
    fc
      .tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 2 }))
      .chain(([h, k, stride]) => valuesFor([[1, h, 3]]).map(([x]) => ({ x: x!, k: Math.min(k, h), stride }))),
    ({ x, k, stride }) => ({ inputs: [leaf(x)], fn: (t) => cr.nn.functional.maxPool2d(t, k, { stride }) }),
  ),
  spec(
    "crossEntropy (logSoftmax, nllLoss)",
    fc
      .record({
        n: fc.integer({ min: 1, max: 4 }),
        c: fc.integer({ min: 2, max: 4 }),
        spatial: fc.integer({ min: 0, max: 2 }),
        reduction: fc.constantFrom("mean" as const, "sum" as const, "none" as const),
        weighted: fc.boolean(),
        seed: fc.integer({ min: 0, max: 1000 }),
      })
      .chain((o) => valuesFor([[o.n, o.c, ...(o.spatial ? [o.spatial] : [])]]).map(([x]) => ({ ...o, x: x! }))),
    ({ n, c, spatial, reduction, weighted, seed, x }) => {
      // targets from the seed, one in three of them the ignored class −1 (never all: the mean's 0/0)
      const shape = spatial ? [n, spatial] : [n];
      const count = shape.reduce((a, b) => a * b, 1);
      const t = Array.from({ length: count }, (_, i) => (i > 0 && (seed + i) % 3 === 0 ? -1 : (seed + 7 * i) % c));
      const target = cr.tensor(t, { dtype: "int32" }).reshape(shape);
      const weight = weighted ? cr.linspace(0.5, 2, c, { dtype: "float64" }) : null;
      return {
        inputs: [leaf(x)],
        fn: (z) => cr.nn.functional.crossEntropy(z, target, { reduction, weight, ignoreIndex: -1 }),
      };
    },
  ),
  spec("avgPool2d", valuesFor([[1, 3, 3]]), ([x]) => ({
    inputs: [leaf(x!)],
    fn: (t) => cr.nn.functional.avgPool2d(t, 2, { stride: 1, padding: 1, countIncludePad: false }),
  })),
  spec("fold", valuesFor([[1, 4, 4]]), ([x]) => ({
    inputs: [leaf(x!)],
    fn: (t) => cr.nn.functional.fold(t, [3, 3], 2),
  })),
];
