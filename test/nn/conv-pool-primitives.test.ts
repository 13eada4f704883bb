// Convolution is a primitive (one node, one GEMM per product over the whole batch, the bias added
// in the pass that lays the result out, the im2col matrix kept for the weight gradient and freed
// with the node). These tests hold it to the composite it replaced — pad, unfold, matmul, bias
// add — in values and in first and second derivatives, check that its result is contiguous, and
// that the kept matrix is freed when the node is released, at once when nothing records, and
// never when it is a view of the input. Max pooling keeps its argmax positions the same way.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { kernels } from "../../src/backend/registry.js";
import { assertClose, freedDuring } from "../helpers.js";

const F = cr.nn.functional;
const r = (shape: number[]) => cr.randn(shape, { dtype: "float64", requiresGrad: true });

interface Case {
  x: number[];
  w: number[];
  bias: boolean;
  stride: [number, number];
  /** [top, bottom, left, right] zero padding. */
  pad: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}

/** The convolution written with public composite ops: pad, unfold (windows + copy), matmul, bias add. */
function composite(x: cr.Tensor, w: cr.Tensor, b: cr.Tensor | null, c: Case): cr.Tensor {
  const [n] = x.shape as [number];
  const [o, , kh, kw] = w.shape as [number, number, number, number];
  const [top, bottom, left, right] = c.pad;
  const cols = F.unfold(cr.pad(x, [left, right, top, bottom]), [kh, kw], { stride: c.stride, dilation: c.dilation });
  const l = cols.shape[2]!;
  const xp = [x.shape[2]! + top + bottom, x.shape[3]! + left + right];
  const out = xp.map((s, i) => Math.floor((s - c.dilation[i]! * ([kh, kw][i]! - 1) - 1) / c.stride[i]!) + 1);
  const y = w
    .reshape([c.groups, o / c.groups, -1])
    .matmul(cols.reshape([n, c.groups, -1, l]))
    .reshape([n, o, ...out]);
  return b ? y.add(b.reshape([o, 1, 1])) : y;
}

/** F.conv2d with the case's options ('same' where the padding is asymmetric). */
function primitive(x: cr.Tensor, w: cr.Tensor, b: cr.Tensor | null, c: Case): cr.Tensor {
  const [top, bottom, left, right] = c.pad;
  const symmetric = top === bottom && left === right;
  return F.conv2d(x, w, b, {
    stride: c.stride,
    padding: symmetric ? [top, left] : "same",
    dilation: c.dilation,
    groups: c.groups,
  });
}

const cases: Case[] = [
  { x: [2, 3, 7, 6], w: [4, 3, 3, 3], bias: true, stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
  { x: [2, 4, 8, 7], w: [6, 2, 3, 2], bias: true, stride: [2, 1], pad: [1, 1, 2, 2], dilation: [1, 2], groups: 2 },
  // 'same' with an even kernel pads one more zero at the end
  { x: [1, 2, 6, 6], w: [3, 2, 2, 4], bias: false, stride: [1, 1], pad: [0, 1, 1, 2], dilation: [1, 1], groups: 1 },
  // a 1x1 kernel: its columns are x's channels; over one sample they are a view of x, nothing copied or kept
  { x: [3, 5, 4, 4], w: [2, 5, 1, 1], bias: true, stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
  { x: [1, 5, 4, 4], w: [2, 5, 1, 1], bias: true, stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
  { x: [2, 6, 5, 5], w: [6, 1, 3, 3], bias: true, stride: [2, 2], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 6 },
];

test("the convolution primitive matches its composite in values, gradients and second derivatives", () => {
  cr.manualSeed(7);
  for (const c of cases) {
    const [x, w] = [r(c.x), r(c.w)];
    const b = c.bias ? r([c.w[0]!]) : null;
    const inputs = b ? [x, w, b] : [x, w];
    const y = primitive(x, w, b, c);
    const ref = composite(x, w, b, c);
    assert.deepEqual(y.shape, ref.shape, JSON.stringify(c));
    assertClose(y, ref, { rtol: 1e-12, atol: 1e-12 });
    assert.equal(y.gradFn?.name, "ConvolutionBackward");

    const g = cr.randn(y.shape, { dtype: "float64" });
    const grads = cr.autograd.grad(y, inputs, { gradOutputs: [g], createGraph: true });
    const refGrads = cr.autograd.grad(ref, inputs, { gradOutputs: [g], createGraph: true });
    grads.forEach((gi, i) => assertClose(gi!, refGrads[i]!, { rtol: 1e-12, atol: 1e-12 }));

    // differentiate the gradients again: ∂/∂(x, w) of Σ (∂L/∂x)² + Σ (∂L/∂w)·w
    const second = (gs: (cr.Tensor | null)[]) =>
      cr.autograd.grad(gs[0]!.square().sum().add(gs[1]!.mul(w).sum()), [x, w], { allowUnused: true });
    const [sx, sw] = second(grads);
    const [rx, rw] = second(refGrads);
    if (rx) assertClose(sx!, rx, { rtol: 1e-12, atol: 1e-12 });
    assertClose(sw!, rw!, { rtol: 1e-12, atol: 1e-12 });
  }
});

test("a float64 bias widens a float32 convolution, as the composite's add does", () => {
  cr.manualSeed(8);
  const [x, w] = [cr.randn([2, 3, 6, 6]), cr.randn([4, 3, 3, 3])];
  const b = cr.randn([4], { dtype: "float64" });
  const y = F.conv2d(x, w, b);
  assert.equal(y.dtype, "float64");
  assertClose(y, composite(x, w, b, cases[0]!), { rtol: 1e-6, atol: 1e-6 });
});

test("the result is contiguous [N, O, ...S], with and without a bias, so .view() works on it as in PyTorch", () => {
  cr.manualSeed(9);
  const [x, w, b] = [cr.randn([3, 2, 5, 5]), cr.randn([4, 2, 3, 3]), cr.randn([4])];
  for (const bias of [b, null]) {
    const y = F.conv2d(x, w, bias);
    assert.ok(y.isContiguous(), `strides ${y.strides.join(",")}`);
    assertClose(y.view(3, -1), composite(x, w, bias, { ...cases[0]!, bias: bias !== null }).reshape([3, -1]), {
      rtol: 1e-5,
      atol: 1e-5,
    });
  }
});

test("the kept im2col matrix is freed when backward releases the node, and kept while retainGraph", (t) => {
  // big enough that the native backend really frees (small tensors live in JS memory); stride 2,
  // since a stride-1 2-D convolution takes the native backend's direct path, which keeps no matrix
  const x = cr.randn([8, 4, 20, 20], { requiresGrad: true });
  const w = cr.randn([6, 4, 3, 3], { requiresGrad: true });
  const y = F.conv2d(x, w, null, { stride: 2 });
  const node = y.gradFn!;
  const kept = node.saved!.at(-1)!.unpack();
  // batch-merged: [groups, C·ΠK, N·ΠO]
  assert.deepEqual(kept.shape, [1, 36, 8 * 81], "the im2col matrix is the node's last saved tensor");
  const loss = y.square().sum();
  const first = freedDuring(() => loss.backward(undefined, { retainGraph: true }));
  if (!first) return t.skip(`the ${kernels().name} backend frees nothing early`);
  assert.ok(!first.includes(kept.storage.handle), "freed although the graph is retained");
  const [gx, gw] = [x.grad!.clone(), w.grad!.clone()];
  x.grad = null;
  w.grad = null;
  const second = freedDuring(() => loss.backward())!;
  assertClose(x.grad!, gx);
  assertClose(w.grad!, gw);
  assert.ok(second.includes(kept.storage.handle), "the im2col matrix outlived the released node");
  assert.throws(() => node.saved!.at(-1)!.unpack(), /backward through the graph a second time/);
});

test("without recording the im2col matrix and the product are freed at once; x itself never is, even under a 1x1 kernel", (t) => {
  const x = cr.randn([8, 4, 20, 20]);
  const w = cr.randn([6, 4, 3, 3]);
  let y: cr.Tensor | null = null;
  // stride 2: the im2col path on every backend
  const freed = freedDuring(() => (y = F.conv2d(x, w, null, { stride: 2 })));
  if (!freed) return t.skip(`the ${kernels().name} backend frees nothing early`);
  // the im2col matrix and the channel-major product, both freed when the forward returns
  assert.equal(freed.length, 2, "the forward's two temporaries are freed when it returns");
  assert.ok(!freed.includes(y!.storage.handle), "the result's own buffer was freed");
  assertClose(y!, composite(x, w, null, { ...cases[0]!, stride: [2, 2], bias: false }), { rtol: 1e-5, atol: 1e-5 });

  const w1 = cr.randn([2, 4, 1, 1], { requiresGrad: true });
  const freed1 = freedDuring(() => F.conv2d(x, w1, null).sum().backward())!;
  assert.ok(!freed1.includes(x.storage.handle), "x's own buffer was freed");
  assertClose(w1.grad!.reshape([2, 4]), x.sum([0, 2, 3]).unsqueeze(0).expand([2, 4]), { rtol: 1e-4 });
});

test("max pooling's kept positions are freed with its node, or at once when nothing records", (t) => {
  const x = cr.randn([4, 8, 40, 40], { requiresGrad: true });
  const pool = new cr.nn.MaxPool2d(2);
  const inference = cr.noGrad(() => freedDuring(() => pool.call(x)));
  if (!inference) return t.skip(`the ${kernels().name} backend frees nothing early`);
  assert.equal(inference.length, 1, "the positions are freed when the forward returns");

  const y = pool.call(x) as cr.Tensor;
  const positions = y.gradFn!.saved!.at(-1)!.unpack();
  assert.equal(positions.dtype, "int32");
  const freed = freedDuring(() => y.sum().backward())!;
  assert.ok(freed.includes(positions.storage.handle), "the positions outlived the released node");
  // each 2x2 window sends its gradient (1) to one input element
  assert.equal(x.grad!.sum().item(), 4 * 8 * 20 * 20);
});
