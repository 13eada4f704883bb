// Wrong inputs to a layer fail with its name and settings, what it expected, and the shape it got.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

const { nn } = cr;

test("layers name themselves, the expected and the given shape", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => new nn.Linear(4, 3).call(cr.zeros([2, 5])),
      /Linear\(inFeatures=4, outFeatures=3, bias=true\): expected input with last dim 4, got shape \[2, 5\]$/,
    ],
    [
      () => new nn.Conv2d(3, 8, 3).call(cr.zeros([2, 4, 5, 5])),
      /Conv2d\(3, 8, kernelSize=\[3, 3\]\): expected input \[N, 3, H, W\] or \[3, H, W\], got shape \[2, 4, 5, 5\]$/,
    ],
    [
      () => new nn.Conv1d(2, 2, 3).call(cr.zeros([3, 5])),
      /Conv1d\(2, 2, kernelSize=\[3\]\): expected input \[N, 2, L\] or \[2, L\]/,
    ],
    [
      () => new nn.MaxPool2d(2).call(cr.zeros([4, 4])),
      /MaxPool2d\(kernelSize=2.*\): expected input \[N, C, H, W\] or \[C, H, W\], got shape \[4, 4\]/,
    ],
    [
      () => new nn.BatchNorm2d(3).call(cr.zeros([2, 4, 2, 2])),
      /BatchNorm2d\(3, .*\): expected input \[N, 3, H, W\], got shape \[2, 4, 2, 2\]/,
    ],
    [
      () => new nn.BatchNorm1d(3).call(cr.zeros([2, 3, 2, 2])),
      /BatchNorm1d\(3, .*\): expected input \[N, 3\] or \[N, 3, L\]/,
    ],
    [
      () => new nn.LayerNorm([2, 3]).call(cr.zeros([2, 3, 2])),
      /LayerNorm\(\[2, 3\], .*\): expected input \[\.\.\., 2, 3\], got shape \[2, 3, 2\]/,
    ],
    [
      () => new nn.GroupNorm(2, 4).call(cr.zeros([2, 6])),
      /GroupNorm\(2, 4, .*\): expected input \[N, 4, …\], got shape \[2, 6\]/,
    ],
    [() => new nn.Embedding(5, 2).call(cr.zeros([3])), /Embedding\(5, 2\): expected int32 indices, got float32/],
    [
      () => new nn.GRU(3, 4).call(cr.zeros([5, 2, 2])),
      /GRU\(3, 4\): expected input \[L, N, 3\] or unbatched \[L, 3\], got shape \[5, 2, 2\]/,
    ],
    [
      () => new nn.MultiheadAttention(8, 2).call(cr.zeros([3, 2, 8]), cr.zeros([3, 2, 6]), cr.zeros([3, 2, 8])),
      /MultiheadAttention\(embedDim=8, numHeads=2\): expected key \[L, N, 8\], got shape \[3, 2, 6\]/,
    ],
    [
      () => new nn.ConvTranspose2d(2, 3, 2).call(cr.zeros([1, 3, 4, 4])),
      /ConvTranspose2d\(2, 3, kernelSize=\[2, 2\]\): expected input \[N, 2, H, W\]/,
    ],
  ];
  cases.forEach(([fn, re], i) => assert.throws(fn, re, `case ${i}: ${re}`));
});

test("bad layer settings fail at construction", () => {
  assert.throws(
    () => new nn.Conv2d(3, 4, 3, { groups: 2 }),
    /Conv2d: inChannels 3 and outChannels 4 must be divisible by groups 2/,
  );
  assert.throws(() => new nn.Conv2d(2, 2, 3, { padding: "same", stride: 2 }), /padding='same' needs stride 1/);
  assert.throws(() => new nn.MultiheadAttention(10, 3), /embedDim 10 must be divisible by numHeads 3/);
  assert.throws(() => new nn.GroupNorm(3, 4), /numChannels 4 must be divisible by numGroups 3/);
  assert.throws(() => new nn.Embedding(4, 2, { paddingIdx: 4 }), /paddingIdx 4 is out of range for 4 embeddings/);
  assert.throws(() => new nn.Conv2d(2, 2, [3, 3, 3]), /kernelSize must be an integer or 2 integers/);
  assert.throws(
    () => nn.functional.maxPool2d(cr.zeros([1, 1, 4, 4]), 2, { padding: 2 }),
    /maxPool2d|maxPool: padding 2 must be between 0 and half the kernel size 2/,
  );
});
