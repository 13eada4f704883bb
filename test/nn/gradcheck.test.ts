// Finite-difference checks (float64, small sizes) of the convolution, pooling and normalisation
// ops: first derivatives for each, second derivatives for the windows/fold pair and convolution.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

const F = cr.nn.functional;
const { gradcheck, gradgradcheck } = cr.autograd;
const r = (shape: number[]) => cr.randn(shape, { dtype: "float64", requiresGrad: true });

test("gradcheck: conv1d and conv2d with stride, padding, dilation and groups", () => {
  cr.manualSeed(1);
  assert.ok(
    gradcheck(
      (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2 }),
      [r([1, 2, 7]), r([3, 2, 2]), r([3])],
    ),
  );
  assert.ok(
    gradcheck(
      (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: 1, groups: 2 }),
      [r([1, 4, 4, 3]), r([2, 2, 2, 2]), r([2])],
    ),
  );
});

test("gradcheck: transposed convolution, unfold and fold", () => {
  cr.manualSeed(2);
  assert.ok(
    gradcheck(
      (x, w) => F.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }),
      [r([1, 2, 2, 3]), r([2, 1, 3, 2])],
    ),
  );
  assert.ok(gradcheck((x) => F.unfold(x, 2, { stride: 1, padding: 1, dilation: [2, 1] }), [r([1, 2, 3, 3])]));
  assert.ok(gradcheck((c) => F.fold(c, [3, 4], [2, 2]), [r([1, 4, 6])]));
});

test("gradcheck: max, average and adaptive pooling", () => {
  cr.manualSeed(3);
  assert.ok(gradcheck((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), [r([1, 2, 5, 4])]));
  assert.ok(gradcheck((x) => F.maxPool1d(x, 2, { stride: 1, dilation: 2, ceilMode: true }), [r([2, 1, 6])]));
  assert.ok(
    gradcheck(
      (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      [r([1, 1, 6, 5])],
    ),
  );
  assert.ok(gradcheck((x) => F.adaptiveAvgPool2d(x, [2, 3]), [r([1, 2, 5, 4])]));
});

test("gradcheck: batch norm (training), layer norm and group norm", () => {
  cr.manualSeed(4);
  const c = 3;
  const rm = cr.zeros([c], { dtype: "float64" });
  const rv = cr.ones([c], { dtype: "float64" });
  assert.ok(
    gradcheck(
      (x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: true }),
      [r([4, c, 2]), r([c]), r([c])],
    ),
  );
  assert.ok(
    gradcheck((x, w, b) => F.layerNorm(x, [2, 3], { weight: w, bias: b }), [r([2, 2, 3]), r([2, 3]), r([2, 3])]),
  );
  assert.ok(gradcheck((x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }), [r([2, 4, 3]), r([4]), r([4])]));
});

test("gradgradcheck: second derivatives of conv2d and max pooling", () => {
  cr.manualSeed(5);
  assert.ok(
    gradgradcheck((x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 }), [r([1, 1, 3, 3]), r([2, 1, 2, 2])]),
  );
  assert.ok(gradgradcheck((x) => F.maxPool2d(x, 2, { stride: 1 }).square(), [r([1, 1, 3, 3])]));
  assert.ok(gradgradcheck((x) => F.avgPool2d(x, 2, { stride: 1, padding: 1 }).square(), [r([1, 1, 2, 3])]));
});

test("max pooling routes each window's gradient to its first maximum, as PyTorch", () => {
  // a window of equal values: PyTorch gives the whole gradient to the first element
  const x = cr.tensor(
    [
      [
        [
          [1, 1],
          [1, 1],
        ],
      ],
    ],
    { dtype: "float64", requiresGrad: true },
  );
  F.maxPool2d(x, 2).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [
    [
      [
        [1, 0],
        [0, 0],
      ],
    ],
  ]);
  // overlapping windows that share their maximum add up there
  const y = cr.tensor([[[0, 5, 1, 2]]], { dtype: "float64", requiresGrad: true });
  F.maxPool1d(y, 2, { stride: 1 }).sum().backward();
  assert.deepEqual(y.grad!.toArray(), [[[0, 2, 0, 1]]]);
});
