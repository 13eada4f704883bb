// Conformance of the native softmax kernels with the reference: softmax and log-softmax along the
// last dim of every input layout, rows of every length around the vector widths, outputs written
// through permuted views (a softmax along an inner dim), NaN and infinite rows, empty tensors,
// rows split across threads; and the backward from every layout of the gradient.

import { describe, test } from "node:test";
import type { Handle, Kernels, View } from "../../src/backend/kernels.js";
import { contiguousStrides, numelOf } from "../../src/core/shape.js";
import { agree, layouts, native, outputs, pair, reference, skip } from "./conformance.js";

type Float = "float32" | "float64";
const floats: Float[] = ["float32", "float64"];

/** A contiguous output of `shape` seen with `dim` moved last, as the softmax ops lay it out. */
function outView(handle: Handle, dtype: Float, shape: number[], dim: number): View {
  const strides = contiguousStrides(shape);
  const order = [...shape.keys()].filter((d) => d !== dim).concat(dim);
  return { handle, dtype, shape: order.map((d) => shape[d]!), strides: order.map((d) => strides[d]!), offset: 0 };
}

/** Runs a softmax kernel on both backends into outputs of `shape` laid out with `dim` last. */
function both(dtype: Float, shape: number[], dim: number, run: (k: Kernels, out: View, side: "ref" | "nat") => void) {
  const out = outputs(dtype, numelOf(shape));
  run(reference, outView(out.ref, dtype, shape, dim), "ref");
  run(native!, outView(out.nat, dtype, shape, dim), "nat");
  return out;
}

/** x's shape with `dim` moved last. */
const rowsShape = (shape: number[], dim: number) => [...shape.filter((_, d) => d !== dim), shape[dim]!];

describe("native softmax", { skip }, () => {
  test("softmax and log-softmax over every layout, row length and dtype", () => {
    let seed = 1;
    for (const dtype of floats)
      for (const n of [1, 2, 7, 8, 15, 16, 17, 31, 33, 100])
        for (const layout of layouts)
          for (const log of [false, true]) {
            const shape = [3, 5, n];
            const x = pair(dtype, shape, layout, seed++, { lo: -20, hi: 20 });
            const out = both(dtype, shape, 2, (k, o, side) => k.softmax(x[side], log, o));
            agree(out, dtype, `${log ? "log" : ""}softmax ${dtype} [3, 5, ${n}] ${layout}`);
          }
  });

  test("along every dim, written through the permuted output view", () => {
    let seed = 100;
    for (const dtype of floats)
      for (const dim of [0, 1, 2])
        for (const log of [false, true]) {
          const shape = [4, 9, 17];
          const x = pair(dtype, rowsShape(shape, dim), "contiguous", seed++, { lo: -5, hi: 5 });
          const out = both(dtype, shape, dim, (k, o, side) => k.softmax(x[side], log, o));
          agree(out, dtype, `${log ? "log" : ""}softmax ${dtype} dim ${dim}`);
        }
  });

  test("NaN, infinities and huge magnitudes: the rows match the reference's NaN and zeros", () => {
    let seed = 200;
    for (const dtype of floats)
      for (const n of [5, 16, 40])
        for (const log of [false, true]) {
          const x = pair(dtype, [12, n], "contiguous", seed++, { special: true, lo: -100, hi: 100 });
          const out = both(dtype, [12, n], 1, (k, o, side) => k.softmax(x[side], log, o));
          agree(out, dtype, `${log ? "log" : ""}softmax ${dtype} specials n ${n}`);
        }
  });

  test("empty tensors and many rows split across threads", () => {
    let seed = 300;
    for (const shape of [
      [0, 7],
      [4, 0],
      [2048, 10],
      [64, 3000],
    ])
      for (const log of [false, true]) {
        const x = pair("float32", shape, "contiguous", seed++, { lo: -8, hi: 8 });
        const out = both("float32", shape, 1, (k, o, side) => k.softmax(x[side], log, o));
        agree(out, "float32", `${log ? "log" : ""}softmax [${shape}]`);
      }
  });
});

describe("native softmax backward", { skip }, () => {
  test("from every layout of the gradient and of the output, every row length", () => {
    let seed = 400;
    for (const dtype of floats)
      for (const n of [1, 7, 16, 17, 65])
        for (const layout of layouts)
          for (const log of [false, true]) {
            const shape = [6, n];
            const g = pair(dtype, shape, layout, seed++);
            // y: a real (log-)softmax output, the only kind the backward ever sees
            const x = pair(dtype, shape, "contiguous", seed++, { lo: -4, hi: 4 });
            const y = both(dtype, shape, 1, (k, o, side) => k.softmax(x[side], log, o));
            const yView = (side: "ref" | "nat"): View => ({
              handle: y[side],
              dtype,
              shape,
              strides: contiguousStrides(shape),
              offset: 0,
            });
            const out = both(dtype, shape, 1, (k, o, side) => k.softmaxBackward(g[side], yView(side), log, o));
            agree(out, dtype, `${log ? "log" : ""}softmax backward ${dtype} n ${n} ${layout}`);
          }
  });

  test("along an inner dim, through permuted views of g, y and the output", () => {
    let seed = 500;
    for (const dtype of floats)
      for (const log of [false, true]) {
        const shape = [5, 33, 3];
        const dim = 1;
        const rows = rowsShape(shape, dim);
        const g = pair(dtype, rows, "transposed", seed++);
        const x = pair(dtype, rows, "stepped", seed++, { lo: -3, hi: 3 });
        const y = both(dtype, shape, dim, (k, o, side) => k.softmax(x[side], log, o));
        const out = both(dtype, shape, dim, (k, o, side) =>
          k.softmaxBackward(g[side], outView(y[side], dtype, shape, dim), log, o),
        );
        agree(out, dtype, `${log ? "log" : ""}softmax backward ${dtype} dim ${dim}`);
      }
  });
});
