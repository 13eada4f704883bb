// Scaled dot-product attention is one fused primitive (an online softmax over key blocks, only a
// logsumexp per query row kept). These tests hold it to the composed formula it replaced —
// softmax(q·kᵀ·scale + mask)·v — in values and in q, k, v gradients, in float32 and float64, over
// odd sizes, L ≠ S (causal too), float and bool masks broadcast over batch and heads, rows with
// every key masked (NaN, as the composed softmax gives), transposed operands as multi-head
// attention passes them, empty batches and no keys; and multi-head attention to its composed path.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

type Tensor = cr.Tensor;
type DType = "float32" | "float64";
const F = cr.nn.functional;

/** The composed reference: softmax of the scaled scores plus the mask (bool: true may attend), times v. */
function composed(q: Tensor, k: Tensor, v: Tensor, o: { mask?: Tensor; causal?: boolean; scale?: number } = {}) {
  let scores = q.matmul(k.transpose(-2, -1)).mul(o.scale ?? 1 / Math.sqrt(q.shape.at(-1)!));
  if (o.causal) {
    const [l, s] = [q.shape.at(-2)!, k.shape.at(-2)!];
    scores = scores.add(cr.triu(cr.full([l, s], -Infinity, { dtype: q.dtype }), 1));
  }
  if (o.mask) scores = scores.add(o.mask.dtype === "bool" ? cr.where(o.mask, 0, -Infinity).to(q.dtype) : o.mask);
  return scores.softmax(-1).matmul(v);
}

const leaf = (shape: number[], dtype: DType) => cr.randn(shape, { dtype }).requiresGrad_();
const tol = (dtype: DType) => (dtype === "float64" ? { atol: 1e-10, rtol: 1e-9 } : { atol: 2e-5, rtol: 2e-4 });

/** Output and q, k, v gradients of the fused call and of the composed formula, compared. */
function agree(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  o: { mask?: Tensor; causal?: boolean; scale?: number } = {},
  wrt: Tensor[] = [q, k, v],
) {
  const dtype = q.dtype as DType;
  const fused = F.scaledDotProductAttention(q, k, v, { attnMask: o.mask, isCausal: o.causal, scale: o.scale });
  const ref = composed(q, k, v, o);
  assert.deepEqual(fused.shape, ref.shape);
  assertClose(fused, ref, { ...tol(dtype), msg: "output" });
  if (ref.numel() === 0) return;
  const g = cr.randn(ref.shape, { dtype });
  const got = cr.autograd.grad(fused, wrt, { gradOutputs: g, allowUnused: true });
  const want = cr.autograd.grad(ref, wrt, { gradOutputs: g, allowUnused: true });
  got.forEach((t, i) => assertClose(t!, want[i]!, { ...tol(dtype), msg: `grad ${i}` }));
}

/** That the call went through the fused primitive: its node is attention's. */
function assertFused(t: Tensor) {
  assert.equal(t.gradFn?.name, "AttentionBackward");
}

for (const dtype of ["float64", "float32"] as const) {
  describe(`fused attention agrees with the composed formula, ${dtype}`, () => {
    test("odd sizes, L ≠ S, Ev ≠ E, a custom scale", () => {
      const [q, k, v] = [leaf([2, 3, 5, 7], dtype), leaf([2, 3, 9, 7], dtype), leaf([2, 3, 9, 5], dtype)];
      assertFused(F.scaledDotProductAttention(q, k, v));
      agree(q, k, v);
      agree(q, k, v, { scale: 0.37 });
    });

    test("sizes past the kernel's blocks and chunks: L 150, S 203, E 40, Ev 24; L 300", () => {
      agree(leaf([1, 2, 150, 40], dtype), leaf([1, 2, 203, 40], dtype), leaf([1, 2, 203, 24], dtype));
      // one batch of many rows: the backward splits them into chunks that each sum dK and dV
      agree(leaf([300, 8], dtype), leaf([270, 8], dtype), leaf([270, 4], dtype), { causal: true });
    });

    test("causal, with more queries than keys and with fewer", () => {
      agree(leaf([2, 9, 6], dtype), leaf([2, 4, 6], dtype), leaf([2, 4, 3], dtype), { causal: true });
      agree(leaf([2, 4, 6], dtype), leaf([2, 9, 6], dtype), leaf([2, 9, 3], dtype), { causal: true });
      agree(leaf([1, 130, 16], dtype), leaf([1, 130, 16], dtype), leaf([1, 130, 16], dtype), { causal: true });
    });

    test("float and bool masks broadcast over batch and heads", () => {
      const [q, k, v] = [leaf([2, 3, 5, 4], dtype), leaf([2, 3, 6, 4], dtype), leaf([2, 3, 6, 3], dtype)];
      agree(q, k, v, { mask: cr.randn([5, 6], { dtype }) });
      agree(q, k, v, { mask: cr.randn([2, 1, 5, 6], { dtype }) });
      agree(q, k, v, { mask: cr.randn([6], { dtype }) });
      agree(q, k, v, { mask: cr.randn([5, 1], { dtype }) });
      agree(q, k, v, { mask: cr.randn([6, 5], { dtype }).t() });
      agree(q, k, v, { mask: cr.rand([3, 1, 6]).gt(0.3) });
    });

    test("a row with every key masked is NaN, its batch's gradients too, as composed", () => {
      const [q, k, v] = [leaf([2, 4, 3], dtype), leaf([2, 5, 3], dtype), leaf([2, 5, 2], dtype)];
      const allow = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1];
      const mask = cr.tensor(allow, { dtype: "bool" }).reshape([4, 5]);
      const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask });
      assert.ok(Number.isNaN(out.select(-2, 1).dataSync()[0]!));
      assert.ok(!Number.isNaN(out.select(-2, 0).dataSync()[0]!));
      agree(q, k, v, { mask });
    });

    test("a NaN in q makes its row NaN, as the composed softmax does", () => {
      const data = cr.randn([2, 4, 3], { dtype }).dataSync();
      data[5] = NaN;
      const q = cr.tensor(data, { dtype }).reshape([2, 4, 3]);
      const out = F.scaledDotProductAttention(q, leaf([2, 5, 3], dtype), leaf([2, 5, 2], dtype));
      assertClose(out.isnan(), [
        [
          [false, false],
          [true, true],
          [false, false],
          [false, false],
        ],
        [
          [false, false],
          [false, false],
          [false, false],
          [false, false],
        ],
      ]);
    });

    test("a NaN key in a block of otherwise masked keys still makes the rows NaN", () => {
      const data = cr.randn([260, 3], { dtype }).dataSync();
      data[0] = NaN;
      const k = cr.tensor(data, { dtype }).reshape([260, 3]);
      const bias = new Float64Array(2 * 260);
      for (const row of [0, 260]) bias.fill(-Infinity, row + 1, row + 256);
      const mask = cr.tensor(bias, { dtype }).reshape([2, 260]);
      const out = F.scaledDotProductAttention(cr.randn([2, 3], { dtype }), k, cr.randn([260, 2], { dtype }), {
        attnMask: mask,
      });
      assert.ok(out.dataSync().every((x) => Number.isNaN(x)));
    });

    test("transposed q, k, v as multi-head attention passes them", () => {
      const [l, s, n, heads, hd] = [7, 11, 2, 3, 5];
      const x = leaf([l, n * heads, hd], dtype);
      const y = leaf([s, n * heads, hd], dtype);
      const z = leaf([s, n * heads + 2, hd + 1], dtype);
      const [q, k] = [x.transpose(0, 1), y.transpose(0, 1)];
      const v = z
        .slice(1, 1, n * heads + 1)
        .slice(2, 0, hd)
        .transpose(0, 1);
      agree(q, k, v, {}, [x, y, z]);
      agree(q, k, v, { causal: true }, [x, y, z]);
    });

    test("twelve batch dims, more than the native descriptor takes", () => {
      const batch = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2];
      agree(leaf([...batch, 3, 4], dtype), leaf([...batch, 5, 4], dtype), leaf([...batch, 5, 2], dtype));
    });

    test("an empty batch, and no keys at all (zeros, as the composed product)", () => {
      agree(leaf([0, 4, 3], dtype), leaf([0, 5, 3], dtype), leaf([0, 5, 2], dtype));
      const [q, k, v] = [leaf([2, 3, 4], dtype), leaf([2, 0, 4], dtype), leaf([2, 0, 5], dtype)];
      const out = F.scaledDotProductAttention(q, k, v);
      assert.deepEqual(out.shape, [2, 3, 5]);
      assert.ok(out.dataSync().every((x) => x === 0));
      agree(q, k, v);
    });
  });
}

test("the fused backward agrees with the reference rule it replaces when nothing records", () => {
  const [q, k, v] = [leaf([2, 2, 33, 8], "float64"), leaf([2, 1, 47, 8], "float64"), leaf([2, 1, 47, 6], "float64")];
  const mask = cr.randn([33, 47], { dtype: "float64" });
  const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask });
  const g = cr.randn(out.shape, { dtype: "float64" });
  const fast = cr.autograd.grad(out, [q, k, v], { gradOutputs: g, retainGraph: true });
  const ref = cr.autograd.grad(out, [q, k, v], { gradOutputs: g, createGraph: true });
  fast.forEach((t, i) => assertClose(t!, ref[i]!, { atol: 1e-12, rtol: 1e-10 }));
});

test("a float mask that wants its gradient gets dS, summed back to its shape", () => {
  const [q, k, v] = [leaf([2, 3, 4], "float64"), leaf([2, 5, 4], "float64"), leaf([2, 5, 2], "float64")];
  const mask = leaf([3, 5], "float64");
  agree(q, k, v, { mask }, [q, k, v, mask]);
});

test("dropout keeps the composed path; p = 1 drops every weight", () => {
  const [q, k, v] = [leaf([2, 3, 4], "float64"), leaf([2, 5, 4], "float64"), leaf([2, 5, 2], "float64")];
  const out = F.scaledDotProductAttention(q, k, v, { dropoutP: 1 });
  assert.notEqual(out.gradFn?.name, "AttentionBackward");
  assert.ok(out.dataSync().every((x) => x === 0));
});

test("the primitive names the op and the shapes when they do not fit", () => {
  const [q, k, v] = [leaf([2, 3, 4], "float64"), leaf([2, 5, 4], "float64"), leaf([2, 5, 2], "float64")];
  assert.throws(
    () => F.scaledDotProductAttention(q, k, v, { attnMask: cr.zeros([4, 5], { dtype: "float64" }) }),
    /attention|broadcast/,
  );
});

describe("multi-head attention without weights runs fused and matches the composed path", () => {
  for (const [name, opts] of [
    ["plain", {}],
    ["causal float mask", { attnMask: cr.triu(cr.full([6, 6], -Infinity), 1) }],
    ["bool mask and key padding", { attnMask: cr.rand([6, 6]).gt(0.8), keyPaddingMask: cr.rand([3, 6]).gt(0.7) }],
  ] as const) {
    test(name, () => {
      const mha = new cr.nn.MultiheadAttention(12, 3);
      const x = cr.randn([6, 3, 12]);
      const [fast] = mha.forward(x, x, x, { ...opts, needWeights: false });
      const [slow, weights] = mha.forward(x, x, x, { ...opts, needWeights: true });
      assert.ok(weights);
      assertClose(fast, slow, { atol: 2e-5, rtol: 2e-4 });
      const w = mha.in_proj_weight!;
      const [gf] = cr.autograd.grad(fast.sum(), [w]);
      const [gs] = cr.autograd.grad(slow.sum(), [w]);
      assertClose(gf!, gs!, { atol: 1e-4, rtol: 1e-3 });
    });
  }
});
