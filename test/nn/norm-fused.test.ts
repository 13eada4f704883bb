// Batch norm and layer norm are fused primitives (one statistics pass and one output pass
// forward, two passes backward). These tests hold them to the composed formula they replaced —
// mean, sub, square, mean, add, rsqrt, mul, then the affine — in values and in every gradient
// (the fused backward, which runs when nothing records), in float32 and float64, over odd sizes,
// strided inputs and gradients, one sample with spatial extent, eval mode, no affine, empty
// batches, and the running statistics each training step leaves behind.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const F = cr.nn.functional;
type DType = "float32" | "float64";

const tol = (dtype: DType) => (dtype === "float64" ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 2e-4, atol: 2e-4 });

/** (x − mean)/√(var + eps) over `dims`, the biased variance; mean and variance too. */
function standardize(x: cr.Tensor, dims: number[], eps: number) {
  const mean = x.mean(dims, true);
  const centred = x.sub(mean);
  const variance = centred.square().mean(dims, true);
  return { y: centred.mul(variance.add(eps).rsqrt()), mean, variance };
}

function affine(y: cr.Tensor, w: cr.Tensor | null, b: cr.Tensor | null, shape: number[]): cr.Tensor {
  const scaled = w ? y.mul(w.reshape(shape)) : y;
  return b ? scaled.add(b.reshape(shape)) : scaled;
}

/** The composed batch norm, running statistics updated as PyTorch does (unbiased variance). */
function batchNormRef(
  x: cr.Tensor,
  rm: cr.Tensor | null,
  rv: cr.Tensor | null,
  o: { weight: cr.Tensor | null; bias: cr.Tensor | null; training: boolean; momentum?: number; eps?: number },
): cr.Tensor {
  const { momentum = 0.1, eps = 1e-5 } = o;
  const c = x.shape[1]!;
  const shape = x.shape.map((s, d) => (d === 1 ? s : 1));
  if (!o.training) {
    const y = x.sub(rm!.reshape(shape)).mul(rv!.reshape(shape).add(eps).rsqrt());
    return affine(y, o.weight, o.bias, shape);
  }
  const n = x.numel() / c;
  const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
  const { y, mean, variance } = standardize(x, dims, eps);
  cr.noGrad(() => {
    if (rm) rm.mul_(1 - momentum).add_(mean.reshape([c]).mul(momentum));
    if (rv) rv.mul_(1 - momentum).add_(variance.reshape([c]).mul((momentum * n) / (n - 1)));
  });
  return affine(y, o.weight, o.bias, shape);
}

/** The composed layer norm over the trailing dims of normalizedShape. */
function layerNormRef(x: cr.Tensor, ns: number[], w: cr.Tensor | null, b: cr.Tensor | null, eps = 1e-5): cr.Tensor {
  const { y } = standardize(
    x,
    ns.map((_, i) => x.ndim - ns.length + i),
    eps,
  );
  return affine(y, w, b, ns);
}

/** A leaf of `shape`, optionally laid out transposed in memory (a strided view, same values). */
function leaf(shape: number[], dtype: DType, strided = false): cr.Tensor {
  if (!strided) return cr.randn(shape, { dtype, requiresGrad: true });
  const rev = [...shape].reverse();
  const perm = rev.map((_, i) => rev.length - 1 - i);
  return cr
    .randn(rev, { dtype })
    .permute(...perm)
    .requiresGrad_();
}

/** Gradients of y with respect to inputs under upstream g, through the fused backward (nothing records). */
function grads(y: cr.Tensor, inputs: cr.Tensor[], g: cr.Tensor): (cr.Tensor | null)[] {
  return cr.autograd.grad(y, inputs, { gradOutputs: [g], allowUnused: true });
}

/** Compares outputs and every gradient of the fused call and the reference, g possibly strided. */
function compare(
  fused: () => cr.Tensor,
  reference: () => cr.Tensor,
  inputs: cr.Tensor[],
  dtype: DType,
  stridedGrad: boolean,
  msg: string,
): void {
  const y = fused();
  const ref = reference();
  assert.equal(y.dtype, ref.dtype, msg);
  assertClose(y, ref, { ...tol(dtype), msg: `${msg}: output` });
  const g = stridedGrad
    ? cr.randn([...y.shape].reverse(), { dtype }).permute(...y.shape.map((_, i) => y.ndim - 1 - i))
    : cr.randn(y.shape, { dtype });
  const got = grads(y, inputs, g);
  const want = grads(ref, inputs, g);
  got.forEach((gi, i) => assertClose(gi!, want[i]!, { ...tol(dtype), msg: `${msg}: grad ${i}` }));
}

const bnShapes = [
  [4, 3, 5, 7],
  [1, 3, 5, 7],
  [6, 3],
  [2, 3, 11],
  [2, 3, 2, 3, 4],
  [8, 16, 6, 6],
  // large enough that the native kernels share channels between threads
  [16, 8, 24, 24],
];

/** A batch norm call's x (strided or not), weight and bias (or none), running statistics, and what is differentiated. */
function bnCase(shape: number[], dtype: DType, affineOn: boolean, strided: boolean) {
  const c = shape[1]!;
  const x = leaf(shape, dtype, strided);
  const w = affineOn ? cr.randn([c], { dtype, requiresGrad: true }) : null;
  const b = affineOn ? cr.randn([c], { dtype, requiresGrad: true }) : null;
  const [rm, rv] = [cr.randn([c], { dtype }), cr.rand([c], { dtype }).add(0.5)];
  return { x, w, b, rm, rv, inputs: [x, ...(w ? [w, b!] : [])] };
}

for (const dtype of ["float64", "float32"] as const) {
  test(`batch norm in training matches the composite (${dtype}): values, grads, running statistics`, () => {
    cr.manualSeed(11);
    for (const shape of bnShapes) {
      for (const [affineOn, strided] of [
        [true, false],
        [true, true],
        [false, true],
        [false, false],
      ] as const) {
        const { x, w, b, rm, rv, inputs } = bnCase(shape, dtype, affineOn, strided);
        const [rm2, rv2] = [rm.clone(), rv.clone()];
        const msg = `${JSON.stringify(shape)} affine=${affineOn} strided=${strided}`;
        compare(
          () => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: true, momentum: 0.3 }),
          () => batchNormRef(x, rm2, rv2, { weight: w, bias: b, training: true, momentum: 0.3 }),
          inputs,
          dtype,
          strided,
          msg,
        );
        assertClose(rm, rm2, { ...tol(dtype), msg: `${msg}: running mean` });
        assertClose(rv, rv2, { ...tol(dtype), msg: `${msg}: running var` });
      }
    }
  });

  test(`batch norm in eval mode matches the composite (${dtype}), affine or not, strided or not`, () => {
    cr.manualSeed(12);
    for (const shape of bnShapes) {
      for (const [affineOn, strided] of [
        [true, true],
        [false, false],
      ] as const) {
        const { x, w, b, rm, rv, inputs } = bnCase(shape, dtype, affineOn, strided);
        const opts = { weight: w, bias: b, training: false };
        compare(
          () => F.batchNorm(x, rm, rv, opts),
          () => batchNormRef(x, rm, rv, opts),
          inputs,
          dtype,
          !strided,
          `${JSON.stringify(shape)} eval affine=${affineOn}`,
        );
      }
    }
  });

  test(`layer norm matches the composite (${dtype}): weight and bias, weight only, none, strided`, () => {
    cr.manualSeed(13);
    const cases: [number[], number[]][] = [
      [[5, 7], [7]],
      [
        [3, 4, 6],
        [4, 6],
      ],
      [[2, 3, 5], [5]],
      [[7], [7]],
      [[64, 33], [33]],
      // rows shared between threads, each part summing its own share of dw and db
      [[600, 64], [64]],
    ];
    for (const [shape, ns] of cases) {
      for (const mode of ["both", "weight", "none", "strided"] as const) {
        const x = leaf(shape, dtype, mode === "strided");
        const w = mode !== "none" ? cr.randn(ns, { dtype, requiresGrad: true }) : null;
        const b = mode === "both" || mode === "strided" ? cr.randn(ns, { dtype, requiresGrad: true }) : null;
        compare(
          () => F.layerNorm(x, ns, { weight: w, bias: b }),
          () => layerNormRef(x, ns, w, b),
          [x, ...(w ? [w] : []), ...(b ? [b] : [])],
          dtype,
          mode === "strided",
          `${JSON.stringify(shape)} ${mode}`,
        );
      }
    }
  });
}

test("float32 batch statistics stay exact for data far from zero", () => {
  cr.manualSeed(14);
  // mean 3e4, deviation 0.05: Σx² − (Σx)²/n, even summed in double, would be off by about 4e-5 of
  // the variance to cancellation; the kernel's one pass sums x − k, k one of the channel's values
  const x = cr.randn([8, 4, 50, 7]).mul(0.05).add(3e4);
  const [rm, rv] = [cr.zeros([4]), cr.ones([4])];
  F.batchNorm(x, rm, rv, { training: true, momentum: 1 });
  // the statistics of the very float32 values, exactly enough in float64 (two passes)
  const x64 = x.to("float64");
  const mean = x64.mean([0, 2, 3]);
  const unbiased = x64
    .sub(mean.reshape([1, 4, 1, 1]))
    .square()
    .sum([0, 2, 3])
    .div(x.numel() / 4 - 1);
  assertClose(rm.to("float64"), mean, { rtol: 1e-7, atol: 0, msg: "running mean" });
  assertClose(rv.to("float64"), unbiased, { rtol: 1e-6, atol: 0, msg: "running variance" });
});

test("group norm, built on the layer norm primitive, matches the composite", () => {
  cr.manualSeed(14);
  const x = cr.randn([3, 6, 5, 7], { dtype: "float64", requiresGrad: true });
  const [w, b] = [
    cr.randn([6], { dtype: "float64", requiresGrad: true }),
    cr.randn([6], { dtype: "float64", requiresGrad: true }),
  ];
  const ref = () => {
    const { y } = standardize(x.reshape([3, 3, 70]), [2], 1e-5);
    return affine(y.reshape(x.shape), w, b, [6, 1, 1]);
  };
  compare(() => F.groupNorm(x, 3, { weight: w, bias: b }), ref, [x, w, b], "float64", false, "groupNorm");
});

test("the layers call the primitives: BatchNorm2d and LayerNorm record one node each", () => {
  const bn = new cr.nn.BatchNorm2d(3);
  const y = bn.call(cr.randn([2, 3, 4, 4], { requiresGrad: true })) as cr.Tensor;
  assert.equal(y.gradFn?.name, "BatchNormBackward");
  assert.equal(bn.numBatchesTracked!.item(), 1);
  const ln = new cr.nn.LayerNorm(4);
  assert.equal((ln.call(cr.randn([3, 4], { requiresGrad: true })) as cr.Tensor).gradFn?.name, "LayerNormBackward");
});

test("empty batches: eval batch norm and layer norm of no rows give empty results and zero parameter grads", () => {
  const x = cr.randn([0, 3, 4], { requiresGrad: true });
  const [w, b] = [cr.ones([3], { requiresGrad: true }), cr.zeros([3], { requiresGrad: true })];
  const y = F.batchNorm(x, cr.zeros([3]), cr.ones([3]), { weight: w, bias: b, training: false });
  assert.deepEqual(y.shape, [0, 3, 4]);
  y.sum().backward();
  assertClose(w.grad!, cr.zeros([3]));
  const rows = cr.randn([0, 5], { requiresGrad: true });
  const lw = cr.ones([5], { requiresGrad: true });
  const z = F.layerNorm(rows, [5], { weight: lw });
  assert.deepEqual(z.shape, [0, 5]);
  z.sum().backward();
  assertClose(lw.grad!, cr.zeros([5]));
  assert.deepEqual(rows.grad!.shape, [0, 5]);
});

test("a float64 weight widens a float32 batch norm, as the composite's multiply did", () => {
  const x = cr.randn([4, 3, 5]);
  const w = cr.randn([3], { dtype: "float64" });
  const y = F.batchNorm(x, null, null, { weight: w, training: true });
  assert.equal(y.dtype, "float64");
  assertClose(y, batchNormRef(x, null, null, { weight: w, bias: null, training: true }), { rtol: 1e-5, atol: 1e-5 });
});

test("the checks of batch norm still speak: one value per channel in training, missing running stats in eval", () => {
  assert.throws(() => F.batchNorm(cr.randn([1, 3]), null, null, { training: true }), /more than 1 value per channel/);
  assert.throws(() => F.batchNorm(cr.randn([2, 3]), null, null, { training: false }), /eval mode needs runningMean/);
  assert.throws(() => F.batchNorm(cr.randn([2, 3]), cr.zeros([4]), cr.ones([3])), /runningMean must have shape \[3\]/);
});

test("BatchNorm3d normalises [N, C, D, H, W] as the functional form does, and names the layout it needs", () => {
  const bn = new cr.nn.BatchNorm3d(3);
  const x = cr.randn([2, 3, 2, 3, 4]);
  const [rm, rv] = [cr.zeros([3]), cr.ones([3])];
  assertClose(bn.call(x) as cr.Tensor, F.batchNorm(x, rm, rv, { training: true }), { rtol: 1e-6, atol: 1e-6 });
  assertClose(bn.runningVar!, rv, { rtol: 1e-6, atol: 1e-6 });
  assert.throws(() => bn.call(cr.zeros([2, 3, 4, 4])), /BatchNorm3d\(3, .*\): expected input \[N, 3, D, H, W\]/);
});
