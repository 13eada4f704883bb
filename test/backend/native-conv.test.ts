// The native backend's direct convolution (stride 1, 2-D: no im2col matrix) against the JS
// backend's im2col and matmul, through the public API: values and the gradients of x, w and the
// bias, in float32 and float64, over odd sizes around the vector widths, padding wider than the
// kernel, dilation, groups, strided inputs, one-row and one-column images, empty batches, and
// infinities next to the columns a row's last vector leaves out. Both threads and one.

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { skip, target } from "./conformance.js";

type Float = "float32" | "float64";

interface Case {
  x: number[];
  w: number[];
  opts: { padding?: number | number[]; dilation?: number | number[]; groups?: number };
  /** Read x through a transposed view of a contiguous [N, C, W, H] tensor. */
  transposed?: boolean;
  bias?: boolean;
  /** Put infinities in x (at these flat indices of the contiguous input). */
  inf?: number[];
}

const cases: Case[] = [
  { x: [2, 3, 7, 9], w: [5, 3, 3, 3], opts: { padding: 1 }, bias: true },
  { x: [1, 4, 33, 17], w: [9, 4, 3, 3], opts: { padding: [2, 1], dilation: [2, 1] }, bias: true },
  { x: [3, 6, 5, 40], w: [4, 3, 3, 5], opts: { padding: [1, 2], groups: 2 } },
  { x: [2, 2, 6, 6], w: [3, 2, 1, 1], opts: {}, bias: true },
  { x: [2, 16, 32, 32], w: [16, 16, 3, 3], opts: { padding: 1 }, bias: true },
  { x: [1, 2, 4, 4], w: [2, 2, 3, 3], opts: { padding: 3 }, bias: true },
  { x: [2, 5, 1, 31], w: [7, 5, 1, 4], opts: { padding: [0, 2] } },
  { x: [2, 5, 19, 1], w: [3, 5, 2, 1], opts: { dilation: [3, 1] }, bias: true },
  { x: [2, 3, 9, 11], w: [6, 3, 3, 3], opts: { padding: 1 }, transposed: true, bias: true },
  { x: [0, 3, 8, 8], w: [4, 3, 3, 3], opts: { padding: 1 }, bias: true },
  { x: [2, 12, 8, 10], w: [12, 1, 3, 3], opts: { padding: 1, groups: 12 } },
  // an infinity in the column right after a row's last vector-width run and one in a later row
  { x: [1, 1, 4, 18], w: [2, 1, 3, 3], opts: {}, inf: [17, 53] },
  // float32 3 x 3 convolutions of four or more channels take Winograd's F(4, 3) along the height:
  // a last block of one row, columns past whole vectors, a partial block of output channels and of
  // the weight gradient's channel tiles
  { x: [3, 9, 13, 21], w: [11, 9, 3, 3], opts: { padding: 1 }, bias: true },
  // no padding (every block reads x itself), padding wider than a row block's border, rows only
  { x: [2, 5, 10, 37], w: [6, 5, 3, 3], opts: {} },
  { x: [1, 4, 7, 8], w: [4, 4, 3, 3], opts: { padding: 2 }, bias: true },
  { x: [2, 6, 12, 16], w: [5, 6, 3, 3], opts: { padding: [1, 0] } },
  // infinities inside a block, on its border rows and in a padded border block: the transformed
  // sums would make NaN of some infinities, so those blocks (and the weight gradient) sum directly
  { x: [2, 4, 9, 20], w: [5, 4, 3, 3], opts: { padding: 1 }, bias: true, inf: [85, 161, 300, 719, 1000] },
];

/** Output, and the gradients of x, w and the bias, of one case on the active backend. */
function run(c: Case, dtype: Float): cr.Tensor[] {
  cr.manualSeed(7);
  const shape = c.transposed ? [c.x[0]!, c.x[1]!, c.x[3]!, c.x[2]!] : c.x;
  let base = cr.randn(shape, { dtype });
  if (c.inf) {
    const data = base.toArray() as unknown;
    const flat = (data as number[][][][]).flat(3);
    for (const i of c.inf) flat[i] = Infinity;
    base = cr.tensor(flat, { dtype }).reshape(shape);
  }
  const x = (c.transposed ? base.transpose(2, 3) : base).detach().requiresGrad_();
  const w = cr.randn(c.w, { dtype }).requiresGrad_();
  const b = c.bias ? cr.randn([c.w[0]!], { dtype }).requiresGrad_() : null;
  const y = cr.nn.functional.conv2d(x, w, b, c.opts);
  y.backward(cr.randn(y.shape, { dtype }));
  return [y, x.grad!, w.grad!, ...(b ? [b.grad!] : [])];
}

describe("native direct convolution", { skip }, () => {
  const threads = cr.getNumThreads();
  after(() => {
    cr.setBackend(target);
    cr.setNumThreads(threads);
  });

  for (const n of [1, 2]) {
    test(`agrees with the JS backend's im2col and matmul on ${n} thread(s)`, () => {
      cr.setNumThreads(n);
      for (const dtype of ["float32", "float64"] as const) {
        for (const c of cases) {
          cr.setBackend("js");
          const want = run(c, dtype);
          cr.setBackend(target);
          const got = run(c, dtype);
          // float32 sums of up to 2,048 products (the weight gradient's) differ in their last bits with the
          // order of summation: a wrong tap or offset would be off by whole units
          const tol = dtype === "float32" ? { rtol: 1e-4, atol: 2e-4 } : { rtol: 1e-12, atol: 1e-12 };
          const what = `${dtype} x ${JSON.stringify(c.x)} w ${JSON.stringify(c.w)} ${JSON.stringify(c.opts)}`;
          assert.equal(got.length, want.length);
          got.forEach((g, i) => assertClose(g, want[i]!, { ...tol, msg: `${what}: ${["y", "dx", "dw", "db"][i]}` }));
        }
      }
    });
  }

  test("the output is contiguous [N, O, Ho, Wo], as PyTorch returns it", () => {
    cr.setBackend(target);
    const y = cr.nn.functional.conv2d(cr.randn([2, 3, 5, 6]), cr.randn([4, 3, 3, 3]), null, { padding: 1 });
    assert.deepEqual(y.shape, [2, 4, 5, 6]);
    assert.ok(y.isContiguous());
  });
});
