// The spatial functions beyond what their table samples show: the layers match their functional
// forms, max pooling's indices (int32, destructurable) round-trip through max unpooling, attention
// draws dropout from the seeded generator only when asked to, and bad arguments get errors that
// name the function called and the shapes it got.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const F = cr.nn.functional;
const nn = cr.nn;

const randn = (shape: number[]) => cr.randn(shape, { dtype: "float64" });

test("the convolution layers match their functional forms, 3-d included", () => {
  cr.manualSeed(1);
  const conv = new nn.Conv3d(2, 4, [2, 3, 2], { stride: [1, 2, 1], padding: 1, dilation: [2, 1, 1], groups: 2 });
  const x = randn([2, 2, 4, 5, 3]);
  const opts = { stride: [1, 2, 1], padding: 1, dilation: [2, 1, 1], groups: 2 };
  assertClose(conv.call(x), F.conv3d(x, conv.weight, conv.bias, opts), { atol: 1e-12 });
  assertClose(conv.call(x.select(0, 1)), F.conv3d(x, conv.weight, conv.bias, opts).select(0, 1), { atol: 1e-12 });
  const circular = new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: "circular", bias: false });
  const img = randn([1, 4, 5]);
  const padded = F.pad(img.unsqueeze(0), [1, 1, 1, 1], "circular");
  assertClose(circular.call(img), F.conv2d(padded, circular.weight).squeeze(0), { atol: 1e-12 });

  const up = new nn.ConvTranspose3d(2, 2, 3, { stride: 2, padding: 1 });
  const y = randn([1, 2, 2, 3, 2]);
  const out = up.call(y, [4, 6, 4]);
  assert.deepEqual(out.shape, [1, 2, 4, 6, 4]);
  const tOpts = { stride: 2, padding: 1, outputPadding: [1, 1, 1] };
  assertClose(out, F.convTranspose3d(y, up.weight, up.bias, tOpts), { atol: 1e-12 });
  assert.throws(() => up.call(y, [5, 6, 4]), /ConvTranspose3d.*output size of \[5, 6, 4\].*dim 0 can only be 3 to 4/);
});

test("the pooling layers match their functional forms", () => {
  cr.manualSeed(2);
  const x = randn([2, 3, 4, 5, 6]);
  assertClose(new nn.MaxPool3d(2, { stride: 1 }).call(x), F.maxPool3d(x, 2, { stride: 1 }));
  const avg = { padding: 1, ceilMode: true, countIncludePad: false };
  assertClose(new nn.AvgPool3d(3, { stride: 2, ...avg }).call(x), F.avgPool3d(x, 3, { stride: 2, ...avg }));
  assertClose(new nn.AdaptiveAvgPool3d([2, null, 4]).call(x), F.adaptiveAvgPool3d(x, [2, null, 4]));
  const [v, i] = new nn.AdaptiveMaxPool2d([3, 2], { returnIndices: true }).call(x.select(0, 0));
  const fn = F.adaptiveMaxPool2d(x.select(0, 0), [3, 2], { returnIndices: true });
  assertClose(v, fn.values);
  assert.deepEqual(i.toArray(), fn.indices.toArray());
  assert.deepEqual(new nn.AdaptiveMaxPool1d(4).call(x.flatten(0, 3)).shape, [120, 4]);
  assert.equal(String(new nn.MaxPool3d(2, { returnIndices: true })).includes("returnIndices=true"), true);
});

test("max pooling's indices are int32 positions in the input's plane, as a (values, indices) pair", () => {
  cr.manualSeed(3);
  const x = randn([2, 3, 5, 6]);
  const pair = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true });
  const [values, indices] = pair;
  assert.equal(indices.dtype, "int32");
  assert.equal(pair.values, values);
  assert.equal(pair.indices, indices);
  assertClose(values, F.maxPool2d(x, 3, { stride: 2, padding: 1 }));
  // the values are x at the indices of its flattened plane
  assertClose(x.flatten(2).gather(2, indices.flatten(2)).reshape(values.shape), values);
  // a window of -inf only names its first tap inside the input, as PyTorch does
  const inf = cr.tensor([[[-Infinity, -Infinity, 1, -Infinity]]]);
  assert.deepEqual(F.maxPool1d(inf, 2, { padding: 1, returnIndices: true }).indices.toArray(), [[[0, 2, 3]]]);
  const dilated = F.maxPool1d(inf, 3, { stride: 1, padding: 1, dilation: 2, returnIndices: true });
  assert.deepEqual(dilated.indices.toArray(), [[[1, 2]]]);
});

test("returnIndices round-trips through maxUnpool in 1, 2 and 3 dims, as functions and layers", () => {
  cr.manualSeed(4);
  const cases = [
    [F.maxPool1d, F.maxUnpool1d, nn.MaxUnpool1d, [2, 3, 8], 1],
    [F.maxPool2d, F.maxUnpool2d, nn.MaxUnpool2d, [2, 4, 6], 2],
    [F.maxPool3d, F.maxUnpool3d, nn.MaxUnpool3d, [1, 2, 4, 4, 6], 3],
  ] as const;
  for (const [pool, unpool, Layer, shape, k] of cases) {
    // positive, so the zeros unpooling writes never win the pooling again
    const x = randn([...shape])
      .abs()
      .add(0.1)
      .detach()
      .requiresGrad_();
    const [v, i] = pool(x, 2, { returnIndices: true });
    const size = x.shape.slice(-k);
    const back = unpool(v, i, 2, { outputSize: size });
    assert.deepEqual(back.shape, x.shape);
    // the maxima sit where they came from, zeros elsewhere: pooling again gives them back
    assertClose(pool(back, 2), v);
    assertClose(back.ne(0).sum(), v.numel());
    assertClose(new Layer(2).call(v, i, size), back);
    back.sum().backward();
    assertClose(x.grad!.sum(), v.numel());
  }
});

test("interpolate's layer and the pixel shuffles' layers match the functions", () => {
  cr.manualSeed(5);
  const x = randn([1, 2, 3, 4]);
  const opts = { scaleFactor: [1.5, 0.75], mode: "bicubic", alignCorners: true } as const;
  assertClose(new nn.Upsample(opts).call(x), F.interpolate(x, opts), { atol: 1e-12 });
  assert.equal(String(new nn.Upsample({ size: 5, mode: "bilinear" })), "Upsample(size=5, mode='bilinear')");
  const y = randn([2, 8, 3, 2]);
  const shuffled = new nn.PixelShuffle(2).call(y);
  assert.deepEqual(shuffled.shape, [2, 2, 6, 4]);
  assertClose(new nn.PixelUnshuffle(2).call(shuffled), y);
  assertClose(F.pixelShuffle(y, 2), shuffled);
});

test("attention draws dropout from the seeded generator, and only when dropoutP > 0", () => {
  const [q, k, v] = [randn([2, 3, 4]), randn([2, 5, 4]), randn([2, 5, 2])];
  cr.manualSeed(6);
  const a = F.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 });
  cr.manualSeed(6);
  assertClose(F.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }), a);
  assert.notDeepEqual(a.toArray(), F.scaledDotProductAttention(q, k, v).toArray());
  cr.manualSeed(7);
  F.scaledDotProductAttention(q, k, v, { dropoutP: 0 });
  const next = cr.rand([3]);
  cr.manualSeed(7);
  assertClose(cr.rand([3]), next);
});

test("grouped-query attention equals attention with each k/v head repeated", () => {
  cr.manualSeed(8);
  const [q, k, v] = [randn([2, 6, 3, 4]), randn([2, 2, 5, 4]), randn([2, 2, 5, 3])];
  const repeat = (t: cr.Tensor) => t.unsqueeze(2).expand([2, 2, 3, 5, t.shape[3]!]).reshape([2, 6, 5, t.shape[3]!]);
  const gqa = F.scaledDotProductAttention(q, k, v, { enableGqa: true, isCausal: true });
  assertClose(gqa, F.scaledDotProductAttention(q, repeat(k), repeat(v), { isCausal: true }), { atol: 1e-12 });
  assert.throws(
    () => F.scaledDotProductAttention(q, randn([2, 4, 5, 4]), randn([2, 4, 5, 3]), { enableGqa: true }),
    /scaledDotProductAttention: q's 6 heads must be a multiple of k's 4 and v's 4 .*q \[2, 6, 3, 4\]/,
  );
  assert.throws(
    () => F.scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: cr.ones([3, 5]) }),
    /scaledDotProductAttention: attnMask and isCausal cannot both be set/,
  );
  assert.throws(() => F.scaledDotProductAttention(q, k, v, { enableGQA: true } as never), /did you mean 'enableGqa'/);
});

test("bad arguments get errors naming the function and the shapes", () => {
  const x4 = cr.zeros([1, 2, 4, 4]);
  const cases: [() => unknown, RegExp][] = [
    [
      () => F.conv3d(cr.zeros([2, 4, 4]), cr.zeros([1, 2, 2, 2, 2])),
      /conv3d: expected a 4-d or 5-d input \[N, C, D, H, W\]/,
    ],
    [() => F.conv3d(cr.zeros([1, 1, 2, 2, 2]), cr.zeros([1, 1, 3, 3, 3])), /^RangeError: conv3d: kernel/],
    [() => F.conv2d(x4, cr.zeros([1, 2, 3, 3]), null, { stride: 0 }), /conv2d: stride must be positive, got \[0, 0\]/],
    [
      () => F.convTranspose3d(cr.zeros([1, 2, 2, 2, 2]), cr.zeros([2, 1, 2, 2, 2]), null, { outputPadding: 1 }),
      /convTranspose3d: outputPadding 1 must be smaller/,
    ],
    [
      () => F.maxPool3d(cr.zeros([1, 1, 4, 4, 4]), 2, { padding: 2 }),
      /maxPool3d: padding 2 must be between 0 and half the kernel size 2/,
    ],
    [
      () => F.maxPool2d(cr.zeros([1, 1, 2, 2]), 3, { padding: 1, dilation: 2 }),
      /^RangeError: maxPool2d: kernel \[3, 3\]/,
    ],
    [
      () => F.avgPool1d(cr.zeros([1, 4]), 2, { divisorOverride: 2 } as never),
      /avgPool1d: unknown option 'divisorOverride'/,
    ],
    [() => F.adaptiveMaxPool2d(x4, [0, 2]), /adaptiveMaxPool2d: outputSize must be 2 positive integers/],
    [
      () => F.maxUnpool2d(x4, cr.zeros([1, 2, 4, 4], { dtype: "int32" }), 2, { outputSize: [10, 8] }),
      /maxUnpool2d: outputSize \[10, 8\] is invalid: dim 0 must be between 6 and 10/,
    ],
    [
      () => F.maxUnpool2d(x4, cr.full([1, 2, 4, 4], 64, { dtype: "int32" }), 2),
      /maxUnpool2d: index 64 is outside the output plane \[8, 8\]/,
    ],
    [() => F.maxUnpool2d(x4, cr.zeros([1, 2, 4, 4]), 2), /maxUnpool2d: indices must be int32/],
    [
      () => F.maxUnpool1d(cr.zeros([2, 4]), cr.zeros([2, 3], { dtype: "int32" }), 2),
      /maxUnpool1d: indices of shape \[2, 3\] must have the input's shape \[2, 4\]/,
    ],
    [
      () => F.interpolate(cr.zeros([1, 2, 4]), { size: 5, mode: "bilinear" }),
      /interpolate: mode 'bilinear' needs a 4-d input .*got shape \[1, 2, 4\]/,
    ],
    [() => F.interpolate(x4, { size: 5, mode: "nearest", alignCorners: true }), /alignCorners can only be set with/],
    [() => F.interpolate(x4, { size: 5, scaleFactor: 2 }), /interpolate: give exactly one of size and scaleFactor/],
    [
      () => F.interpolate(x4, { size: 5, recomputeScaleFactor: true }),
      /recomputeScaleFactor is not meaningful with an explicit size/,
    ],
    [() => F.interpolate(x4, { scaleFactor: [2, 2, 2] }), /interpolate: scaleFactor must have 2 entries/],
    [() => F.interpolate(x4, { scaleFactor: 0.1 }), /output size \[0, 0\] must not be empty/],
    [
      () => F.pad(cr.zeros([1, 2, 5]), [5, 0], "reflect"),
      /pad: reflect padding must be smaller than the dim it pads, got \(5, 0\) of dim 2 of input \[1, 2, 5\]/,
    ],
    [
      () => F.pad(cr.zeros([1, 2, 5]), [0, 6], "circular"),
      /pad: circular padding \(0, 6\) of dim 2 of input \[1, 2, 5\] wraps around more than once/,
    ],
    [
      () => F.pad(cr.zeros([1, 2, 5]), [-3, -2], "replicate"),
      /pad: replicate padding \(-3, -2\) .* leaves no elements/,
    ],
    [() => F.pad(cr.zeros([5]), [1, 1], "reflect"), /pad: reflect padding of 1 dims needs a 2-d or 3-d input/],
    [() => F.pad(cr.zeros([2, 5]), [1, 1], "circular"), /pad: circular padding of 1 dims needs a 3-d input/],
    [() => F.pad(cr.zeros([1, 2, 5]), [1, 1], "reflect", 2), /pad: reflect padding takes no value/],
    [() => F.pad(cr.zeros([2, 5]), [-4, -2]), /pad: \(-4, -2\) crops more than dim 1 of input \[2, 5\] holds/],
    [() => F.unfold(cr.zeros([1, 1, 2, 3, 3]), 2), /nn.functional.unfold: expected a 3-d or 4-d input/],
    [() => F.fold(cr.zeros([1, 5, 6]), [3, 4], 2), /fold: input \[1, 5, 6\] does not match kernel \[2, 2\]/],
    [
      () => F.pixelShuffle(cr.zeros([3, 2, 2]), 2),
      /pixelShuffle: the channel dim of input \[3, 2, 2\] must be divisible by upscaleFactor² = 4/,
    ],
    [() => F.pixelUnshuffle(cr.zeros([3, 4, 5]), 2), /pixelUnshuffle: the height and width of input \[3, 4, 5\]/],
    [
      () => new nn.MaxPool2d(2).call(cr.zeros([4])),
      /MaxPool2d.*expected input \[N, C, H, W\] or \[C, H, W\], got shape \[4\]/,
    ],
    [
      () => new nn.MaxPool3d(2, { retrunIndices: true } as never),
      /MaxPool3d: unknown option 'retrunIndices' \(did you mean 'returnIndices'\?\)/,
    ],
  ];
  cases.forEach(([fn, message], i) => assert.throws(fn, message, `case ${i}: ${message}`));
});

test("pad crops with negative amounts in every mode", () => {
  const x = cr.tensor(
    [
      [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
      ],
    ],
    { dtype: "float64" },
  );
  assert.deepEqual(F.pad(x, [-1, 2]).toArray(), [
    [
      [1, 2, 3, 4, 0, 0],
      [6, 7, 8, 9, 0, 0],
    ],
  ]);
  assert.deepEqual(F.pad(x, [-3, -2]).shape, [1, 2, 0]);
  // reflect and replicate read about the input's own ends; circular wraps what the crop leaves
  assert.deepEqual(F.pad(x, [-6, 2], "reflect").toArray(), [[[2], [7]]]);
  assert.deepEqual(F.pad(x, [-5, 1], "replicate").toArray(), [[[4], [9]]]);
  assert.deepEqual(F.pad(x, [-2, 1], "circular").toArray(), [
    [
      [2, 3, 4, 2],
      [7, 8, 9, 7],
    ],
  ]);
});
