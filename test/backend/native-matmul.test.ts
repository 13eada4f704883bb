// Conformance of the native matmul with the reference: float32 (relative 1e-5 on positive,
// well-conditioned inputs), float64 (1e-12) and int32 (exact), for sizes that straddle the
// micro-tile and cache-block edges, transposed and sliced operands read in place, broadcast
// batches, empty and K = 0 products, on one thread and on several.

import { after, describe, test } from "node:test";
import type { View } from "../../src/backend/kernels.js";
import type { DType } from "../../src/core/dtype.js";
import { addon, agree, type Layout, native, outputs, pair, reference, skip } from "./conformance.js";

if (skip) console.log(`# native matmul conformance skipped: ${skip}`);

/** The a [...B, M, K] and b [...B, K, N] operands, each with its own layout of the inner two dims. */
function operands(dt: DType, batch: number[], M: number, K: number, N: number, la: Layout, lb: Layout, seed: number) {
  const range = dt === "int32" ? { lo: -4, hi: 5 } : { lo: 0.5, hi: 1.5 };
  return { a: pair(dt, [...batch, M, K], la, seed, range), b: pair(dt, [...batch, K, N], lb, seed + 1, range) };
}

function check(dt: DType, batch: number[], M: number, K: number, N: number, la: Layout, lb: Layout, seed: number) {
  const { a, b } = operands(dt, batch, M, K, N, la, lb, seed);
  const n = batch.reduce((x, y) => x * y, 1) * M * N;
  const out = outputs(dt, n);
  reference.matmul(a.ref, b.ref, out.ref, dt);
  native!.matmul(a.nat, b.nat, out.nat, dt);
  agree(out, dt, `matmul ${dt} [${batch}] ${M}x${K}x${N} ${la}/${lb}`);
}

describe("native matmul", { skip }, () => {
  const threads = addon?.getNumThreads() ?? 1;
  after(() => addon?.setNumThreads(threads));

  test("odd sizes around the micro-tile, every operand layout, float32 and float64", () => {
    let seed = 1;
    const sizes = [1, 2, 7, 15, 17, 33];
    for (const dt of ["float32", "float64"] as DType[])
      for (const M of sizes)
        for (const N of [1, 5, 17, 33])
          for (const K of [1, 7, 16])
            for (const [la, lb] of [
              ["contiguous", "contiguous"],
              ["transposed", "contiguous"],
              ["contiguous", "transposed"],
              ["stepped", "flipped"],
              ["offset", "broadcast"],
            ] as [Layout, Layout][])
              check(dt, [], M, K, N, la, lb, seed++);
  });

  test("every height of the last row panel (its own kernel per row count), packed operands", () => {
    let seed = 50;
    // 29..42 rows leave every remainder of the 14-, 6- and 4-row micro-tiles; K = 70 and these
    // layouts keep the products on the packed path
    for (const dt of ["float32", "float64"] as DType[])
      for (let M = 29; M <= 42; M++) {
        check(dt, [], M, 70, 40, "contiguous", "transposed", seed++);
        check(dt, [], M, 70, 33, "stepped", "stepped", seed++);
      }
  });

  test("up to 32 rows read a row-major b in place while it fits in L2, and pack a larger one, 1 and 2 threads", () => {
    let seed = 80;
    for (const t of [1, 2]) {
      addon!.setNumThreads(t);
      for (const dt of ["float32", "float64"] as DType[])
        for (const M of [17, 24, 32, 33])
          for (const [K, N] of [
            [128, 512],
            [100, 37],
            [520, 600],
          ] as [number, number][])
            check(dt, [], M, K, N, "contiguous", "contiguous", seed++);
    }
  });

  test("sizes across the cache blocks (K > 256, M > 336, N > 4096), split by rows and by columns, 1 and 2 threads", () => {
    let seed = 100;
    for (const nt of [1, 2]) {
      addon!.setNumThreads(nt);
      for (const dt of ["float32", "float64"] as DType[]) {
        check(dt, [], 65, 513, 129, "contiguous", "contiguous", seed++);
        check(dt, [], 129, 257, 65, "transposed", "transposed", seed++);
        check(dt, [], 345, 33, 70, "contiguous", "transposed", seed++);
        check(dt, [], 20, 9, 4100, "stepped", "contiguous", seed++);
        check(dt, [], 3, 300, 2100, "contiguous", "contiguous", seed++);
        check(dt, [], 2100, 300, 1, "contiguous", "contiguous", seed++);
        check(dt, [], 1, 513, 65, "transposed", "transposed", seed++);
        // wider than tall: threads take column strips, each packing its own, across two N blocks
        check(dt, [], 40, 70, 4200, "contiguous", "transposed", seed++);
      }
    }
  });

  test("dot products (rows of a and columns of b contiguous): 4x4 blocks, their remainders, a partial last vector, rows shared by 2 threads", () => {
    let seed = 300;
    for (const nt of [1, 2]) {
      addon!.setNumThreads(nt);
      for (const dt of ["float32", "float64"] as DType[])
        for (const [M, N] of [
          [9, 8],
          [6, 11],
          [72, 16],
          [3, 40],
        ])
          for (const K of [100, 3872]) check(dt, [], M!, K, N!, "contiguous", "transposed", seed++);
    }
  });

  test("the few-row and few-deep products of a batch-1 step, 1 and 2 threads: outer products split by rows, a vector times a weight by columns", () => {
    let seed = 400;
    for (const nt of [1, 2]) {
      addon!.setNumThreads(nt);
      for (const dt of ["float32", "float64"] as DType[]) {
        // a weight gradient h^T x: k = 1 (one sample) and k = 3, many outputs, few multiply-adds each
        check(dt, [], 257, 1, 785, "transposed", "contiguous", seed++);
        check(dt, [], 300, 3, 1030, "contiguous", "contiguous", seed++);
        // x W^T with W [out, in]: one row of output shared out in column groups
        check(dt, [], 1, 785, 257, "contiguous", "transposed", seed++);
        check(dt, [], 5, 785, 300, "contiguous", "transposed", seed++);
      }
    }
  });

  test("batched, with broadcast batch dims and transposed inner dims", () => {
    let seed = 200;
    for (const dt of ["float32", "float64", "int32"] as DType[]) {
      check(dt, [3], 7, 9, 5, "contiguous", "contiguous", seed++);
      check(dt, [2, 3], 17, 33, 15, "transposed", "flipped", seed++);
      check(dt, [4], 40, 70, 40, "contiguous", "transposed", seed++);
      // the same b for every batch (stride 0), as a broadcast weight is
      const { a, b } = operands(dt, [5], 6, 8, 7, "contiguous", "contiguous", seed++);
      const wide = (v: View): View => ({ ...v, strides: [0, ...v.strides.slice(1)] });
      const out = outputs(dt, 5 * 6 * 7);
      reference.matmul(a.ref, wide(b.ref), out.ref, dt);
      native!.matmul(a.nat, wide(b.nat), out.nat, dt);
      agree(out, dt, `matmul ${dt} broadcast batch`);
    }
  });

  test("empty products and K = 0 give zeros", () => {
    for (const dt of ["float32", "float64", "int32"] as DType[]) {
      check(dt, [], 5, 0, 4, "contiguous", "contiguous", 1);
      check(dt, [], 0, 3, 4, "contiguous", "contiguous", 2);
      check(dt, [0], 2, 3, 4, "contiguous", "contiguous", 3);
    }
  });
});
