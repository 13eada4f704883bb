// Functional ops against PyTorch: unfold/fold (im2col/col2im), pad in every mode, normalize,
// batch norm without running statistics, group norm and conv/convTranspose with mixed options.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { fixture, fromJSON, type TensorJSON, tolFor } from "./golden.js";

interface FnCase {
  name: string;
  js: { fn: string; args?: unknown[]; opts?: Record<string, unknown> };
  inputs: TensorJSON[];
  output: TensorJSON;
  upstream: TensorJSON;
  grads: TensorJSON[];
}

const F = cr.nn.functional;
type Args = unknown[];
const call: Record<string, (xs: cr.Tensor[], args: Args, opts: Record<string, unknown>) => cr.Tensor> = {
  unfold: ([x], [k], o) => F.unfold(x!, k as number[], o),
  fold: ([x], [size, k], o) => F.fold(x!, size as number[], k as number[], o),
  pad: ([x], [p, mode, value]) =>
    F.pad(x!, p as number[], mode as cr.nn.functional.PadMode, value as number | undefined),
  normalize: ([x], _, o) => F.normalize(x!, o),
  batchNormNoStats: ([x, w, b], _, o) => F.batchNorm(x!, null, null, { weight: w, bias: b, training: true, ...o }),
  groupNorm: ([x, w, b], [g]) => F.groupNorm(x!, g as number, { weight: w, bias: b }),
  conv2d: ([x, w, b], _, o) => F.conv2d(x!, w!, b, o),
  convTranspose2d: ([x, w], _, o) => F.convTranspose2d(x!, w!, null, o),
};

const { cases } = fixture<{ cases: FnCase[] }>("nn-functional.json");
const tol = tolFor("float64");

for (const c of cases) {
  test(`${c.name} matches PyTorch`, () => {
    const xs = c.inputs.map((t) => fromJSON(t, true));
    const out = call[c.js.fn]!(xs, c.js.args ?? [], c.js.opts ?? {});
    assert.deepEqual(out.shape, c.output.shape);
    assertClose(out, c.output.data, { ...tol, msg: "output" });
    out.mul(fromJSON(c.upstream)).sum().backward();
    c.grads.forEach((g, i) => assertClose(xs[i]!.grad!, g.data, { ...tol, msg: `grad ${i}` }));
  });
}

test("fold is the adjoint of unfold: <unfold(x), c> = <x, fold(c)>", () => {
  cr.manualSeed(2);
  const x = cr.randn([2, 3, 5, 6], { dtype: "float64" });
  const cols = F.unfold(x, [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2] });
  const c = cr.randn(cols.shape, { dtype: "float64" });
  const back = F.fold(c, [5, 6], [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2] });
  assertClose(cols.mul(c).sum(), x.mul(back).sum().item(), { atol: 1e-10 });
});

test("oneHot encodes int32 indices", () => {
  const t = F.oneHot(
    cr.tensor(
      [
        [0, 2],
        [1, 2],
      ],
      { dtype: "int32" },
    ),
  );
  assert.equal(t.dtype, "int32");
  assert.deepEqual(t.toArray(), [
    [
      [1, 0, 0],
      [0, 0, 1],
    ],
    [
      [0, 1, 0],
      [0, 0, 1],
    ],
  ]);
  assert.deepEqual(F.oneHot(cr.tensor([1], { dtype: "int32" }), 4).toArray(), [[0, 1, 0, 0]]);
});

test("scaledDotProductAttention is softmax(q·kᵀ/√E)·v, with causal and boolean masks", () => {
  cr.manualSeed(4);
  const q = cr.randn([2, 3, 4], { dtype: "float64" });
  const k = cr.randn([2, 5, 4], { dtype: "float64" });
  const v = cr.randn([2, 5, 6], { dtype: "float64" });
  const plain = q.matmul(k.transpose(1, 2)).div(2).softmax(-1).matmul(v);
  assertClose(F.scaledDotProductAttention(q, k, v), plain, { atol: 1e-12 });
  const mask = cr.tensor([
    [false, true, true, true, true],
    [false, false, true, true, true],
    [false, false, false, true, true],
  ]);
  const causal = F.scaledDotProductAttention(q, k, v, { isCausal: true });
  // a bool attnMask marks the keys each query may attend (torch 2.x's scaled_dot_product_attention)
  assertClose(causal, F.scaledDotProductAttention(q, k, v, { attnMask: mask.logicalNot() }), { atol: 1e-12 });
  const manual = q.matmul(k.transpose(1, 2)).div(2).maskedFill(mask, -Infinity).softmax(-1).matmul(v);
  assertClose(causal, manual, { atol: 1e-12 });
});

test("functional errors name the op and the shapes", () => {
  assert.throws(
    () => F.conv2d(cr.zeros([1, 3, 5, 5]), cr.zeros([4, 2, 3, 3])),
    /conv2d: input of shape \[1, 3, 5, 5\] has 3 channels, but weight \[4, 2, 3, 3\] with groups=1 expects 2/,
  );
  assert.throws(
    () => F.maxPool2d(cr.zeros([5, 5]), 2),
    /maxPool2d: expected a 3-d or 4-d input \[N, C, H, W\] or \[C, H, W\], got shape \[5, 5\]/,
  );
  assert.throws(() => F.conv2d(cr.zeros([1, 1, 2, 2]), cr.zeros([1, 1, 3, 3])), /does not fit/);
  assert.throws(
    () => F.linear(cr.zeros([2, 5]), cr.zeros([3, 4])),
    /linear: input of shape \[2, 5\] does not match weight \[3, 4\]/,
  );
  assert.throws(
    () => F.layerNorm(cr.zeros([2, 3]), [4]),
    /layerNorm: expected an input whose trailing dims are \[4\], got shape \[2, 3\]/,
  );
  assert.throws(() => F.batchNorm(cr.zeros([1, 3]), null, null, { training: true }), /more than 1 value per channel/);
  assert.throws(
    () => F.conv2d(cr.zeros([1, 1, 5, 5]), cr.zeros([1, 1, 3, 3]), null, { padding: "same", stride: 2 }),
    /padding='same' needs stride 1/,
  );
});
