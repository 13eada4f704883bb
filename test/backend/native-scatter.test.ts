// Conformance of the native scatterReduce kernel with the reference: every mode with and without
// the target's own values, every dtype it serves, src in every layout, scatters along each dim
// with many repeated positions (the order of writes decides "assign"), NaN in amax/amin, and an
// out-of-range index reported with the op's message.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Kernels, scatterReduceOps, type View } from "../../src/backend/kernels.js";
import type { DType } from "../../src/core/dtype.js";
import { numelOf } from "../../src/core/shape.js";
import { agree, layouts, native, pair, reference, rng, skip, values } from "./conformance.js";

/** An int32 index of `shape` on both backends, values in [-size, size) (negatives count from the end). */
function indexPair(shape: number[], size: number, seed: number): { ref: View; nat: View } {
  const r = rng(seed);
  const data = Array.from({ length: numelOf(shape) }, () => Math.floor(r() * 2 * size) - size);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const mk = (k: Kernels): View => ({ handle: k.upload("int32", data), dtype: "int32", shape, strides, offset: 0 });
  return { ref: mk(reference), nat: mk(native!) };
}

/** dst's starting values on both backends. */
function dstPair(dtype: DType, n: number, seed: number, special = false) {
  const data = values(dtype, n, seed, { special });
  return { ref: reference.upload(dtype, data), nat: native!.upload(dtype, data) };
}

describe("native scatterReduce", { skip }, () => {
  test("every mode, includeSelf or not, every dtype and src layout, along each dim", () => {
    let seed = 1;
    const dstShape = [24, 40];
    for (const dtype of ["float32", "float64", "int32"] as const)
      for (const reduce of scatterReduceOps)
        for (const includeSelf of [true, false])
          for (const dim of [0, 1])
            for (const layout of layouts) {
              const indexShape = dim === 0 ? [60, 33] : [20, 90];
              const src = pair(dtype, indexShape, layout, seed++, { lo: -2, hi: 2 });
              const index = indexPair(indexShape, dstShape[dim]!, seed++);
              const dst = dstPair(dtype, numelOf(dstShape), seed++);
              for (const side of ["ref", "nat"] as const) {
                const k = side === "ref" ? reference : native!;
                k.scatterReduce(dst[side], dstShape, dim, index[side], src[side], reduce, includeSelf);
              }
              agree(dst, dtype, `${reduce} ${dtype} dim ${dim} includeSelf ${includeSelf} src ${layout}`);
            }
  });

  test("amax and amin propagate NaN from either side", () => {
    let seed = 500;
    for (const reduce of ["amax", "amin"] as const)
      for (const includeSelf of [true, false]) {
        const dstShape = [30, 20];
        const src = pair("float64", [50, 20], "contiguous", seed++, { special: true });
        const index = indexPair([50, 20], 30, seed++);
        const dst = dstPair("float64", 600, seed++, true);
        reference.scatterReduce(dst.ref, dstShape, 0, index.ref, src.ref, reduce, includeSelf);
        native!.scatterReduce(dst.nat, dstShape, 0, index.nat, src.nat, reduce, includeSelf);
        agree(dst, "float64", `${reduce} with NaN, includeSelf ${includeSelf}`);
      }
  });

  test("an out-of-range index fails naming the op, the index and the dim", () => {
    const index = native!.upload("int32", [...new Array<number>(19).fill(0), 7]);
    const iv: View = { handle: index, dtype: "int32", shape: [20, 1], strides: [1, 1], offset: 0 };
    const src: View = { ...iv, handle: native!.upload("float32", new Array<number>(20).fill(1)), dtype: "float32" };
    const dst = native!.alloc("float32", 21);
    assert.throws(
      () => native!.scatterReduce(dst, [7, 3], 0, iv, src, "sum", true),
      /scatterReduce: index 7 is out of bounds for dimension 0 with size 7/,
    );
  });
});
