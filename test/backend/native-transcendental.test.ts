// The vectorised transcendental kernels (exp, expm1, log, log1p, tanh, sigmoid, erf) against the
// reference over a sweep of magnitudes and the edges (signed zeros, infinities, NaN, denormals, the
// overflow and underflow bounds, the polynomials' seams), odd lengths and every input layout;
// float32 within a few ulp of the reference's correctly rounded result. Then GELU (erf and tanh
// forms) and SiLU, fused primitives, against the composed formulas they replaced: values, gradients
// and second gradients, float32 and float64, odd sizes, strided inputs, empty batches, on the
// active backend.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import type { UnaryOp, View } from "../../src/backend/kernels.js";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { addon, agree, layouts, native, oddSizes, outputs, pair, reference, skip } from "./conformance.js";

type Tensor = cr.Tensor;
type Float = "float32" | "float64";
const floats: Float[] = ["float32", "float64"];
const ops: UnaryOp[] = ["exp", "expm1", "log", "log1p", "tanh", "sigmoid", "erf"];

/** The edges of every kernel: zeros, infinities, NaN, denormals, overflow bounds, the seams between branches. */
const edges = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  1e-45,
  -1e-45,
  1e-40,
  -1e-40,
  1.2e-38,
  5e-324,
  1e-310,
  88.72,
  88.73,
  89,
  -87.3,
  -87.4,
  -103.9,
  -104,
  -104.5,
  709.7,
  709.8,
  -745,
  0.625,
  -0.625,
  0.6249,
  1,
  -1,
  0.9999,
  4,
  -4,
  3.99,
  3.83,
  3.84,
  0.7071,
  1.4142,
  2,
  0.5,
  44,
  -44,
  9,
  -9,
  1e30,
  -1e30,
  3e38,
  -3e38,
];

/** Both signs of magnitudes from 1e-30 to 1e3, 24 per decade, with the edges. */
function sweep(): number[] {
  const out = [...edges];
  for (let e = -30 * 24; e <= 3 * 24; e++) out.push(10 ** (e / 24), -(10 ** (e / 24)));
  return out;
}

/** One contiguous view of `values` on both backends. */
function both(dtype: Float, values: number[]): { ref: View; nat: View } {
  const mk = (k: typeof reference): View => ({
    handle: k.upload(dtype, values),
    dtype,
    shape: [values.length],
    strides: [1],
    offset: 0,
  });
  return { ref: mk(reference), nat: mk(native!) };
}

/** The distance in float32 steps between a and b (0 when both are NaN or equal). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return Object.is(a, b) ? 0 : Infinity;
  const f = new Float32Array([a, b]);
  const [ia, ib] = new Int32Array(f.buffer);
  const lin = (i: number) => (i < 0 ? -(i & 0x7fffffff) : i);
  return Math.abs(lin(ia!) - lin(ib!));
}

describe("native transcendental kernels against the reference", { skip }, () => {
  test("float32 within 4 ulp over the whole range, edges included; float64 to 1e-12", () => {
    const xs = sweep();
    for (const dtype of floats)
      for (const op of ops) {
        const x = both(dtype, xs);
        const out = outputs(dtype, xs.length);
        reference.unary(op, x.ref, out.ref, dtype);
        native!.unary(op, x.nat, out.nat, dtype);
        agree(out, dtype, `${op} ${dtype}`);
        if (dtype === "float64") continue;
        const got = native!.readSync(out.nat, dtype);
        const want = reference.readSync(out.ref, dtype);
        xs.forEach((v, i) => {
          const d = ulps(got[i]!, want[i]!);
          // a denormal result may differ in its last place by the rounding of its two scalings
          const tiny = Math.abs(want[i]!) < 1.2e-38 && Math.abs(got[i]! - want[i]!) < 1e-44;
          assert.ok(d <= 4 || tiny, `${op}(${v}) float32: ${got[i]} against ${want[i]} (${d} ulp)`);
        });
      }
  });

  test("odd lengths and every input layout, specials mixed in", () => {
    let seed = 1;
    for (const dtype of floats)
      for (const op of ops)
        for (const n of [...oddSizes, 1000])
          for (const layout of layouts) {
            const shape = [3, n];
            const range = op === "log" ? { lo: 0, hi: 50 } : op === "log1p" ? { lo: -1, hi: 30 } : { lo: -12, hi: 12 };
            const x = pair(dtype, shape, layout, seed++, { ...range, special: true });
            const out = outputs(dtype, 3 * n);
            reference.unary(op, x.ref, out.ref, dtype);
            native!.unary(op, x.nat, out.nat, dtype);
            agree(out, dtype, `${op} ${dtype} [3, ${n}] ${layout}`);
          }
  });

  test("the fused activations and their gradients over every layout", () => {
    let seed = 500;
    for (const dtype of floats)
      for (const kind of ["gelu", "geluTanh", "silu"] as const)
        for (const n of [1, 15, 17, 129])
          for (const layout of layouts) {
            const shape = [2, n];
            const x = pair(dtype, shape, layout, seed++, { lo: -8, hi: 8, special: true });
            const g = pair(dtype, shape, layouts[(seed * 7) % layouts.length]!, seed++, { lo: -2, hi: 2 });
            const out = outputs(dtype, 2 * n);
            reference.activation(kind, x.ref, out.ref);
            native!.activation(kind, x.nat, out.nat);
            agree(out, dtype, `${kind} ${dtype} [2, ${n}] ${layout}`);
            const grad = outputs(dtype, 2 * n);
            reference.activationBackward(kind, g.ref, x.ref, grad.ref);
            native!.activationBackward(kind, g.nat, x.nat, grad.nat);
            agree(grad, dtype, `${kind} backward ${dtype} [2, ${n}] ${layout}`, {
              atol: dtype === "float32" ? 1e-5 : 1e-13,
            });
          }
  });

  // the kernels above ran on the best path this CPU has; the others in child processes
  const paths = process.env.CHAINRULE_SIMD ? [] : (addon?.simdPaths() ?? []).filter((p) => p !== "avx512");
  for (const path of paths)
    test(`the same with CHAINRULE_SIMD=${path}`, () => {
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const r = spawnSync(process.execPath, ["--import", "tsx", "--test", fileURLToPath(import.meta.url)], {
        env: { ...env, CHAINRULE_SIMD: path },
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });
});

const tol = (dtype: Float) => (dtype === "float64" ? { atol: 1e-12, rtol: 1e-10 } : { atol: 1e-5, rtol: 1e-4 });

/** The composed formulas the primitives replaced. */
function composed(x: Tensor, kind: "gelu" | "geluTanh" | "silu"): Tensor {
  if (kind === "silu") return x.mul(cr.sigmoid(x));
  if (kind === "geluTanh") {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(cr.tanh(inner).add(1)).mul(0.5);
  }
  return x.mul(cr.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}

function fused(x: Tensor, kind: "gelu" | "geluTanh" | "silu"): Tensor {
  return kind === "silu" ? cr.silu(x) : cr.gelu(x, kind === "geluTanh" ? "tanh" : "none");
}

/** Values, first and second gradients of the fused op and of the composed formula at x. */
function check(x: Tensor, kind: "gelu" | "geluTanh" | "silu", msg: string) {
  const dtype = x.dtype as Float;
  const y = fused(x, kind);
  const want = composed(x, kind);
  assert.deepEqual(y.shape, want.shape);
  assert.equal(y.dtype, want.dtype);
  assertClose(y, want, { ...tol(dtype), msg: `${msg} value` });
  if (y.numel() === 0) return;
  const g = cr.randn(y.shape, { dtype });
  const [gotFirst] = cr.autograd.grad(y, [x], { gradOutputs: g, createGraph: true });
  const [wantFirst] = cr.autograd.grad(want, [x], { gradOutputs: g, createGraph: true });
  assertClose(gotFirst!, wantFirst!, { ...tol(dtype), msg: `${msg} grad` });
  // the fused backward (nothing records) against the recorded one
  const [fast] = cr.autograd.grad(fused(x, kind), [x], { gradOutputs: g });
  assertClose(fast!, wantFirst!, { ...tol(dtype), msg: `${msg} fused grad` });
  const [gotSecond] = cr.autograd.grad(gotFirst!.sum(), [x]);
  const [wantSecond] = cr.autograd.grad(wantFirst!.sum(), [x]);
  const loose = dtype === "float64" ? tol(dtype) : { atol: 1e-4, rtol: 1e-3 };
  assertClose(gotSecond!, wantSecond!, { ...loose, msg: `${msg} second grad` });
}

for (const dtype of floats)
  describe(`gelu and silu are fused and agree with their composed formulas, ${dtype}`, () => {
    for (const kind of ["gelu", "geluTanh", "silu"] as const) {
      test(`${kind}: odd sizes, the tails, a zero`, () => {
        for (const shape of [[1], [7], [3, 17], [2, 5, 33]])
          check(cr.randn(shape, { dtype }).mul(3).requiresGrad_(), kind, `${kind} [${shape}]`);
        const tails = cr.tensor([-12, -6, -3.5, -0.5, 0, 0.5, 3.5, 6, 12], { dtype }).requiresGrad_();
        check(tails, kind, `${kind} tails`);
      });

      test(`${kind}: strided and transposed inputs, empty batches`, () => {
        const base = cr.randn([6, 9], { dtype }).mul(2).requiresGrad_();
        check(base.transpose(0, 1), kind, `${kind} transposed`);
        check(base.slice(1, 1, 9, 2), kind, `${kind} stepped`);
        check(cr.zeros([0, 5], { dtype }).requiresGrad_(), kind, `${kind} empty`);
      });

      test(`${kind}: one node, and a float32 result for an integer input`, () => {
        const x = cr.randn([4], { dtype }).requiresGrad_();
        assert.equal(fused(x, kind).gradFn?.name, kind === "silu" ? "SiluBackward" : "GeluBackward");
        const ints = cr.tensor([-2, -1, 0, 1, 2], { dtype: "int32" });
        assertClose(fused(ints, kind), composed(ints.to("float32"), kind), tol("float32"));
        if (kind !== "silu")
          assert.throws(() => cr.gelu(x, "erf" as "none"), /gelu: approximate must be "none" or "tanh"/);
      });
    }
  });
