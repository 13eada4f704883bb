// Conformance of the native scan and sort kernels with the reference: every scan and dtype over
// every input layout and row lengths around the thread grains, outputs written through permuted
// views (a scan along an inner dim), NaN and infinities, ties (which a stable sort keeps in
// order, ascending and descending), empty tensors, and rows split across threads.

import { describe, test } from "node:test";
import { type Handle, type Kernels, type ScanOp, scanOps, type View } from "../../src/backend/kernels.js";
import type { DType } from "../../src/core/dtype.js";
import { contiguousStrides, numelOf } from "../../src/core/shape.js";
import { agree, dtypes, layouts, native, outputs, pair, type Pair, reference, skip } from "./conformance.js";

/** A contiguous output of `shape` seen with `dim` moved last, as the ops lay their results out. */
function outView(handle: Handle, dtype: DType, shape: readonly number[], dim: number): View {
  const strides = contiguousStrides(shape);
  const order = [...shape.keys()].filter((d) => d !== dim).concat(dim);
  return { handle, dtype, shape: order.map((d) => shape[d]!), strides: order.map((d) => strides[d]!), offset: 0 };
}

/** x's shape with `dim` moved last. */
const rowsShape = (shape: readonly number[], dim: number) => [...shape.filter((_, d) => d !== dim), shape[dim]!];

/** Runs a row kernel on both backends into a result and int32 indices of `shape`, laid out with `dim` last. */
function both(
  dtype: DType,
  shape: readonly number[],
  dim: number,
  x: Pair,
  run: (k: Kernels, x: View, out: View, indices: View) => void,
) {
  const n = numelOf(shape);
  const [out, idx] = [outputs(dtype, n), outputs("int32", n)];
  run(reference, x.ref, outView(out.ref, dtype, shape, dim), outView(idx.ref, "int32", shape, dim));
  run(native!, x.nat, outView(out.nat, dtype, shape, dim), outView(idx.nat, "int32", shape, dim));
  return { out, idx };
}

/** The scans a dtype has: logsumexp only for floats. */
const scansOf = (dtype: DType): ScanOp[] =>
  scanOps.filter((op) => op !== "logsumexp" || dtype === "float32" || dtype === "float64");

/** Checks one scan (and, for max and min, its indices) of x on both backends. */
function checkScan(op: ScanOp, dtype: DType, shape: readonly number[], dim: number, x: Pair, msg: string): void {
  const extreme = op === "max" || op === "min";
  const { out, idx } = both(dtype, shape, dim, x, (k, xv, o, i) => k.scan(op, xv, o, extreme ? i : null));
  agree(out, dtype, `${msg} values`);
  if (extreme) agree(idx, "int32", `${msg} indices`);
}

/** Checks one sort of x on both backends. */
function checkSort(descending: boolean, dtype: DType, shape: readonly number[], dim: number, x: Pair, msg: string) {
  const { out, idx } = both(dtype, shape, dim, x, (k, xv, v, i) => k.sort(xv, descending, v, i));
  agree(out, dtype, `${msg} values`);
  agree(idx, "int32", `${msg} indices`);
}

describe("native scan and sort", { skip }, () => {
  test("every scan over every dtype, layout and row length", () => {
    let seed = 1;
    for (const dtype of dtypes)
      for (const n of [1, 2, 7, 17, 100])
        for (const layout of layouts)
          for (const op of scansOf(dtype)) {
            const shape = [3, 5, n];
            const x = pair(dtype, shape, layout, seed++, { lo: -4, hi: 4 });
            checkScan(op, dtype, shape, 2, x, `${op} ${dtype} [3, 5, ${n}] ${layout}`);
          }
  });

  test("max and min without indices write the values alone", () => {
    const x = pair("float64", [4, 9], "contiguous", 50);
    for (const op of ["max", "min"] as const) {
      const out = outputs("float64", 36);
      reference.scan(op, x.ref, outView(out.ref, "float64", [4, 9], 1), null);
      native!.scan(op, x.nat, outView(out.nat, "float64", [4, 9], 1), null);
      agree(out, "float64", `${op} without indices`);
    }
  });

  test("stable sorts, both ways, over every dtype, layout and row length; ints tie often", () => {
    let seed = 100;
    for (const dtype of dtypes)
      for (const n of [1, 2, 7, 17, 100])
        for (const layout of layouts)
          for (const descending of [false, true]) {
            const shape = [3, 5, n];
            const x = pair(dtype, shape, layout, seed++, { lo: -4, hi: 4 });
            checkSort(descending, dtype, shape, 2, x, `sort ${dtype} [3, 5, ${n}] ${layout} ${descending}`);
          }
  });

  test("along every dim, written through the permuted output views", () => {
    let seed = 200;
    for (const dtype of ["float32", "int32"] as const)
      for (const dim of [0, 1, 2]) {
        const shape = [4, 9, 17];
        const x = pair(dtype, rowsShape(shape, dim), "contiguous", seed++);
        for (const op of scansOf(dtype)) checkScan(op, dtype, shape, dim, x, `${op} ${dtype} dim ${dim}`);
        for (const descending of [false, true]) checkSort(descending, dtype, shape, dim, x, `sort dim ${dim}`);
      }
  });

  test("NaN, infinities and signed zeros: scans and sorts match the reference", () => {
    let seed = 300;
    for (const dtype of ["float32", "float64"] as const)
      for (const n of [5, 16, 40]) {
        const x = pair(dtype, [12, n], "contiguous", seed++, { special: true, lo: -100, hi: 100 });
        for (const op of scansOf(dtype)) checkScan(op, dtype, [12, n], 1, x, `${op} ${dtype} specials n ${n}`);
        for (const descending of [false, true]) checkSort(descending, dtype, [12, n], 1, x, `sort specials ${n}`);
      }
  });

  test("empty tensors, many short rows and a few long ones across threads", () => {
    let seed = 400;
    for (const shape of [
      [0, 7],
      [4, 0],
      [4096, 6],
      [8, 20000],
    ]) {
      const x = pair("float32", shape, "contiguous", seed++, { lo: -8, hi: 8 });
      for (const op of scansOf("float32")) checkScan(op, "float32", shape, 1, x, `${op} [${shape}]`);
      for (const descending of [false, true]) checkSort(descending, "float32", shape, 1, x, `sort [${shape}]`);
    }
  });
});
