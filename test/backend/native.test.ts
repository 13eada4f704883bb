// Conformance of the native backend's buffer, copy, elementwise, where, reduce and index kernels
// with the reference backend, over every dtype and over contiguous, offset, transposed, stepped,
// flipped (negative strides) and broadcast (0-stride) views, odd sizes and empty tensors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { binaryOps, type BinaryOp, type ReduceOp, unaryOps, type UnaryOp } from "../../src/backend/kernels.js";
import type { DType } from "../../src/core/dtype.js";
import { contiguousStrides, numelOf } from "../../src/core/shape.js";
import {
  addon,
  agree,
  assertAgree,
  dtypes,
  layouts,
  native,
  oddSizes,
  outputs,
  pair,
  reference,
  skip,
  target,
  values,
} from "./conformance.js";

if (skip) console.log(`# native conformance skipped: ${skip}`);

const shapes: number[][] = [[0], [3, 0, 2], [], ...oddSizes.map((n) => [n]), [7, 17], [3, 5, 33], [2, 65, 3]];

describe("native buffers", { skip }, () => {
  test("upload converts like typed arrays; readSync, read and fill agree", async () => {
    const data = [2.7, -2.7, NaN, Infinity, 3e9, -0, 1, 0.5, 255, 256];
    for (const dt of dtypes) {
      const h = { ref: reference.upload(dt, data), nat: native!.upload(dt, data) };
      agree(h, dt, `upload ${dt}`);
      assertAgree(await native!.read(h.nat, dt), reference.readSync(h.ref, dt), dt, `read ${dt}`);
      reference.fill(h.ref, dt, 2, 5, 7.5);
      native!.fill(h.nat, dt, 2, 5, 7.5);
      agree(h, dt, `fill ${dt}`);
      assert.equal(native!.readSync(native!.alloc(dt, 9), dt).length, 9);
    }
  });

  // tensors of up to 16 elements are plain typed arrays; these checks concern addon buffers
  const big = values("float64", 40, 9);

  test("free releases a buffer; later use throws instead of touching freed memory", () => {
    const k = native as typeof native & { free(h: unknown): void };
    const h = k.upload("float64", big);
    k.free(h);
    k.free(h);
    const out = k.alloc("float64", 40);
    const v = { handle: h, dtype: "float64" as const, shape: [40], strides: [1], offset: 0 };
    assert.throws(() => k.unary("exp", v, out, "float64"), /disposed/);
    assert.throws(() => k.readSync(h, "float64"), /disposed/);
  });

  // the wasm module's buffers are freed by a FinalizationRegistry, whose callbacks wait for the
  // event loop (test/memory/ covers them)
  test(
    "buffers are reported to V8 as external memory, so piling them up triggers collection",
    { skip: target === "wasm" && "the wasm backend frees between tasks" },
    () => {
      // Node ignores napi_adjust_external_memory given a null result pointer; V8 then collected only
      // when its own heap filled, long after hundreds of megabytes of dropped buffers (each one fresh
      // memory, page-faulted in). Dropped 2 MiB buffers must come back to the pool within the loop.
      let pooled = 0;
      for (let i = 0; i < 100; i++) {
        native!.alloc("float32", 1 << 19);
        pooled = Math.max(pooled, addon!.pooledBytes());
      }
      assert.ok(pooled > 0, "no buffer was collected while 200 MiB of them were dropped");
    },
  );

  test("views reaching outside their buffer are refused", () => {
    const h = native!.upload("float64", big);
    const out = native!.alloc("float64", 40);
    const bad = { handle: h, dtype: "float64" as const, shape: [40], strides: [2], offset: 0 };
    assert.throws(() => native!.unary("neg", bad, out, "float64"), RangeError);
    const neg = { handle: h, dtype: "float64" as const, shape: [2], strides: [-1], offset: 0 };
    assert.throws(() => native!.unary("neg", neg, out, "float64"), RangeError);
  });

  test("deferred zero-fill: fresh buffers read as zeros after partial writes", () => {
    for (const dt of dtypes) {
      const fresh = () => ({ ref: reference.alloc(dt, 50), nat: native!.alloc(dt, 50) });
      agree(fresh(), dt, `alloc ${dt}`);
      const filled = fresh();
      reference.fill(filled.ref, dt, 10, 5, 3);
      native!.fill(filled.nat, dt, 10, 5, 3);
      agree(filled, dt, `partial fill ${dt}`);
      // a copy into every other element leaves the rest zero
      const src = pair(dt, [25], "contiguous", 4);
      const into = fresh();
      const dst = (h: unknown) => ({ handle: h, dtype: dt, shape: [25], strides: [2], offset: 1 });
      reference.copy(src.ref, dst(into.ref));
      native!.copy(src.nat, dst(into.nat));
      agree(into, dt, `strided copy into a fresh buffer ${dt}`);
    }
  });
});

describe("native copy", { skip }, () => {
  test("every dtype pair, every layout, odd and empty shapes", () => {
    let seed = 1;
    for (const from of dtypes)
      for (const to of dtypes)
        for (const shape of shapes)
          for (const layout of layouts) {
            const src = pair(from, shape, layout, seed++, { special: true, lo: -5, hi: 5 });
            const n = numelOf(shape);
            const out = outputs(to, n);
            const dst = (h: unknown) => ({ handle: h, dtype: to, shape, strides: contiguousStrides(shape), offset: 0 });
            reference.copy(src.ref, dst(out.ref));
            native!.copy(src.nat, dst(out.nat));
            agree(out, to, `copy ${from}->${to} [${shape}] ${layout}`);
          }
  });

  test("transposed matrices and batches of them (the tiled path)", () => {
    let seed = 300;
    for (const dt of dtypes)
      for (const shape of [
        [40, 50],
        [3, 33, 70],
        [129, 9],
      ]) {
        const nd = shape.length;
        const perm = [...shape.keys()];
        [perm[nd - 1], perm[nd - 2]] = [perm[nd - 2]!, perm[nd - 1]!];
        for (const flip of [false, true]) {
          // a contiguous tensor of the swapped shape, viewed with its last two dims swapped (and one flipped)
          const base = pair(
            dt,
            perm.map((d) => shape[d]!),
            "contiguous",
            seed++,
          );
          // a swap is its own inverse: dim i of the view is dim perm[i] of the base
          const view = (v: typeof base.ref) => {
            const st = perm.map((d) => v.strides[d]!);
            let offset = v.offset;
            if (flip) {
              offset += (shape[nd - 2]! - 1) * st[nd - 2]!;
              st[nd - 2] = -st[nd - 2]!;
            }
            return { ...v, shape, strides: st, offset };
          };
          const n = numelOf(shape);
          const out = outputs(dt, n);
          const dst = (h: unknown) => ({ handle: h, dtype: dt, shape, strides: contiguousStrides(shape), offset: 0 });
          reference.copy(view(base.ref), dst(out.ref));
          native!.copy(view(base.nat), dst(out.nat));
          agree(out, dt, `transposed copy ${dt} [${shape}] flip ${flip}`);
        }
      }
  });

  test("into a strided destination (transposed and flipped)", () => {
    const shape = [9, 33];
    for (const layout of ["transposed", "flipped", "stepped"] as const) {
      const src = pair("float32", shape, "contiguous", 5);
      const dst = pair("float64", shape, layout, 6);
      reference.copy(src.ref, dst.ref);
      native!.copy(src.nat, dst.nat);
      agree({ ref: dst.ref.handle, nat: dst.nat.handle }, "float64", `copy into ${layout}`);
    }
  });

  test("windows of a grid (an im2col): short rows of every width around the vector lengths", () => {
    // the windows view [N, C, 3, 3, W, W] of an [N, C, W + 2, W + 2] grid, copied to contiguous
    for (const dt of dtypes)
      for (const w of [1, 3, 7, 8, 9, 11, 15, 16, 17, 31, 33]) {
        const g = w + 2;
        const grid = pair(dt, [5, 3, g, g], "contiguous", 7000 + w);
        const shape = [5, 3, 3, 3, w, w];
        const windows = (v: typeof grid.ref) => ({ ...v, shape, strides: [3 * g * g, g * g, g, 1, g, 1] });
        const out = outputs(dt, numelOf(shape));
        const dense = (h: unknown) => ({ handle: h, dtype: dt, shape, strides: contiguousStrides(shape), offset: 0 });
        reference.copy(windows(grid.ref), dense(out.ref));
        native!.copy(windows(grid.nat), dense(out.nat));
        agree(out, dt, `im2col copy ${dt}, rows of ${w}`);
      }
  });
});

/** The output dtype the op layer would ask for, and whether the pairing makes sense to test. */
function unaryOut(op: UnaryOp, dt: DType): DType {
  return op === "isnan" || op === "isfinite" || op === "logicalNot" ? "bool" : dt;
}

describe("native unary", { skip }, () => {
  test("every op on every dtype and layout", () => {
    let seed = 100;
    for (const op of unaryOps)
      for (const dt of dtypes)
        for (const shape of [[0], [1], [17], [129], [5, 33], [3, 7, 15]])
          for (const layout of layouts) {
            const x = pair(dt, shape, layout, seed++, { special: true });
            const od = unaryOut(op, dt);
            const out = outputs(od, numelOf(shape));
            reference.unary(op, x.ref, out.ref, od);
            native!.unary(op, x.nat, out.nat, od);
            agree(out, od, `${op} ${dt} [${shape}] ${layout}`);
          }
  });

  test("int inputs with float outputs, and bool outputs of arithmetic", () => {
    for (const op of ["exp", "neg", "sqrt", "relu", "abs", "square"] as UnaryOp[])
      for (const [dt, od] of [
        ["int32", "float32"],
        ["float64", "float32"],
        ["bool", "bool"],
        ["float32", "bool"],
      ] as [DType, DType][]) {
        const x = pair(dt, [33], "stepped", 7);
        const out = outputs(od, 33);
        reference.unary(op, x.ref, out.ref, od);
        native!.unary(op, x.nat, out.nat, od);
        agree(out, od, `${op} ${dt}->${od}`);
      }
  });
});

const comparisons = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr"]);

describe("native binary", { skip }, () => {
  test("every op on every dtype, with strided and broadcast operands", () => {
    let seed = 1000;
    const pairs: [string, string][] = [
      ["contiguous", "contiguous"],
      ["contiguous", "broadcast"],
      ["broadcast", "contiguous"],
      ["transposed", "flipped"],
      ["stepped", "offset"],
    ];
    for (const op of binaryOps)
      for (const dt of dtypes)
        for (const shape of [[0], [], [1], [7], [65], [3, 17], [4, 5, 33]])
          for (const [la, lb] of pairs) {
            const a = pair(dt, shape, la as never, seed++, { special: true });
            const b = pair(dt, shape, lb as never, seed++, { special: true });
            const od = comparisons.has(op) ? "bool" : dt;
            const out = outputs(od, numelOf(shape));
            reference.binary(op, a.ref, b.ref, out.ref, od);
            native!.binary(op, a.nat, b.nat, out.nat, od);
            agree(out, od, `${op} ${dt} [${shape}] ${la}/${lb}`);
          }
  });

  test("scalar operands (both strides 0), row broadcasts and large tensors split across threads", () => {
    for (const dt of ["float32", "float64"] as DType[])
      for (const op of ["add", "mul", "div", "maximum", "pow", "lt"] as BinaryOp[]) {
        const shape = [300, 257];
        const a = pair(dt, shape, "contiguous", 3, { lo: 0.5, hi: 2 });
        const scalar = pair(dt, [], "contiguous", 4, { lo: 0.5, hi: 2 });
        const row = pair(dt, [257], "contiguous", 5, { lo: 0.5, hi: 2 });
        const bcast = (v: typeof scalar.ref, st: number[]) => ({ ...v, shape, strides: st });
        const od = op === "lt" ? "bool" : dt;
        for (const [bRef, bNat, what] of [
          [bcast(scalar.ref, [0, 0]), bcast(scalar.nat, [0, 0]), "scalar"],
          [bcast(row.ref, [0, 1]), bcast(row.nat, [0, 1]), "row"],
        ] as const) {
          const out = outputs(od, numelOf(shape));
          reference.binary(op, a.ref, bRef, out.ref, od);
          native!.binary(op, a.nat, bNat, out.nat, od);
          agree(out, od, `${op} ${dt} ${what}`);
        }
      }
  });
});

describe("native axpy", { skip }, () => {
  test("out += alpha * x over every layout of x and of out, odd sizes, floats and int32", () => {
    let seed = 4000;
    for (const dt of ["float32", "float64", "int32"] as DType[])
      for (const shape of [[0], [1], [17], [4, 33], [300, 257]])
        for (const layout of layouts)
          for (const outLayout of layouts) {
            const x = pair(dt, shape, layout, seed++);
            const out = pair(dt, shape, outLayout, seed++);
            const alpha = dt === "int32" ? -3 : -0.0625;
            reference.axpy(alpha, x.ref, out.ref);
            native!.axpy(alpha, x.nat, out.nat);
            const whole = { ref: out.ref.handle, nat: out.nat.handle };
            agree(whole, dt, `axpy ${dt} [${shape}] ${layout} into ${outLayout}`);
          }
  });

  test("a fresh (zero) out reads its zeros before adding; a broadcast out sums every contribution", () => {
    const x = pair("float64", [40], "contiguous", 7);
    const out = outputs("float64", 40);
    const view = (h: unknown) => ({ handle: h, dtype: "float64" as const, shape: [40], strides: [1], offset: 0 });
    reference.axpy(2, x.ref, view(out.ref));
    native!.axpy(2, x.nat, view(out.nat));
    agree(out, "float64", "axpy into a fresh buffer");
    reference.axpy(2, x.ref, { ...view(out.ref), strides: [0], offset: 3 });
    native!.axpy(2, x.nat, { ...view(out.nat), strides: [0], offset: 3 });
    agree(out, "float64", "axpy into one repeated element");
  });

  test("overlapping windows of out (a fold) add up, on one thread and on several", () => {
    // x [N, C, 3, 3, 9, 9] windows of a [N, C, 11, 11] grid, stride 1: each grid element is named
    // by up to 9 windows; also a stride-2 grid and dilation 2, long enough rows to skip the block path
    const cases = [
      { n: 40, k: 3, o: 9, grid: 11, step: 1, dil: 1 },
      { n: 12, k: 3, o: 70, grid: 143, step: 2, dil: 1 },
      { n: 9, k: 2, o: 5, grid: 12, step: 2, dil: 3 },
      { n: 6, k: 2, o: 17, grid: 18, step: 1, dil: 1 },
    ];
    const before = addon!.getNumThreads();
    for (const threads of [1, 2]) {
      addon!.setNumThreads(threads);
      for (const [i, c] of cases.entries())
        for (const dt of ["float32", "float64"] as DType[]) {
          const shape = [c.n, 3, c.k, c.k, c.o, c.o];
          const x = pair(dt, shape, "contiguous", 6000 + i);
          const out = outputs(dt, c.n * 3 * c.grid * c.grid);
          const g = c.grid;
          const strides = [3 * g * g, g * g, c.dil * g, c.dil, c.step * g, c.step];
          const view = (h: unknown) => ({ handle: h, dtype: dt, shape, strides, offset: 0 });
          reference.axpy(0.5, x.ref, view(out.ref));
          native!.axpy(0.5, x.nat, view(out.nat));
          agree(out, dt, `fold-shaped axpy ${dt} case ${i} on ${threads} threads`);
        }
    }
    addon!.setNumThreads(before);
  });
});

describe("native where", { skip }, () => {
  test("every dtype, broadcast condition and branches", () => {
    let seed = 5000;
    for (const dt of dtypes)
      for (const shape of [[0], [1], [17], [4, 33], [3, 5, 7]])
        for (const [lc, la, lb] of [
          ["contiguous", "contiguous", "contiguous"],
          ["broadcast", "flipped", "transposed"],
          ["stepped", "broadcast", "offset"],
        ]) {
          const c = pair("bool", shape, lc as never, seed++);
          const a = pair(dt, shape, la as never, seed++, { special: true });
          const b = pair(dt, shape, lb as never, seed++);
          const out = outputs(dt, numelOf(shape));
          reference.where(c.ref, a.ref, b.ref, out.ref, dt);
          native!.where(c.nat, a.nat, b.nat, out.nat, dt);
          agree(out, dt, `where ${dt} [${shape}] ${lc}/${la}/${lb}`);
        }
  });
});

/** x permuted so that `dims` come last, as the op layer hands reductions over. */
function permuted<T extends { shape: readonly number[]; strides: readonly number[] }>(v: T, dims: number[]): T {
  const kept = v.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const perm = [...kept, ...dims];
  return { ...v, shape: perm.map((d) => v.shape[d]!), strides: perm.map((d) => v.strides[d]!) };
}

describe("native reduce", { skip }, () => {
  const ops: ReduceOp[] = ["sum", "prod", "max", "min", "argmax", "argmin"];
  const outOf = (op: ReduceOp, dt: DType): DType =>
    op === "argmax" || op === "argmin"
      ? "int32"
      : op === "sum" || op === "prod"
        ? dt === "float32" || dt === "float64"
          ? dt
          : "int32"
        : dt;

  test("every op and dtype over trailing, leading, middle and all dims", () => {
    let seed = 9000;
    const cases: [number[], number[]][] = [
      [[17], [0]],
      [[129], [0]],
      [[7, 33], [1]],
      [[7, 33], [0]],
      [[65, 9], [0]],
      [
        [3, 5, 17],
        [0, 2],
      ],
      [[3, 5, 17], [1]],
      [
        [3, 5, 17],
        [0, 1, 2],
      ],
      [[4, 0, 3], [1]],
      [[0, 3], [1]],
      // more than 256 reduced elements: walked in runs instead of through an offset list
      [[3, 300], [1]],
      [
        [4, 30, 20],
        [1, 2],
      ],
    ];
    for (const op of ops)
      for (const dt of dtypes)
        for (const [shape, dims] of cases)
          for (const layout of ["contiguous", "transposed", "flipped", "stepped", "broadcast"] as const) {
            const special = op !== "sum" && op !== "prod";
            const x = pair(dt, shape, layout, seed++, {
              special,
              lo: op === "prod" ? 0.5 : -3,
              hi: op === "prod" ? 1.5 : 3,
            });
            const od = outOf(op, dt);
            const rows = numelOf(shape.filter((_, d) => !dims.includes(d)));
            if (numelOf(dims.map((d) => shape[d]!)) === 0 && op !== "sum" && op !== "prod") continue;
            const out = outputs(od, rows);
            reference.reduce(op, permuted(x.ref, dims), dims.length, out.ref, od);
            native!.reduce(op, permuted(x.nat, dims), dims.length, out.nat, od);
            agree(out, od, `${op} ${dt} [${shape}] over ${dims} ${layout}`);
          }
  });

  test("long rows and many columns split across threads", () => {
    for (const dt of ["float32", "float64"] as DType[])
      for (const [shape, dims] of [
        [[1 << 17], [0]],
        [[2, 70000], [1]],
        [[50, 3000], [0]],
      ] as [number[], number[]][]) {
        const x = pair(dt, shape, "contiguous", 77, { lo: 0, hi: 1 });
        const rows = numelOf(shape.filter((_, d) => !dims.includes(d)));
        const out = outputs(dt, rows);
        reference.reduce("sum", permuted(x.ref, dims), dims.length, out.ref, dt);
        native!.reduce("sum", permuted(x.nat, dims), dims.length, out.nat, dt);
        agree(out, dt, `sum ${dt} [${shape}] over ${dims}`);
      }
  });
});

describe("native gather and scatterAdd", { skip }, () => {
  test("every dim and dtype, negative and broadcast indices", () => {
    let seed = 20000;
    for (const dt of dtypes)
      for (const dim of [0, 1, 2]) {
        const xShape = [4, 5, 6];
        const idxShape = xShape.map((s, d) => (d === dim ? 7 : s - 1));
        const x = pair(dt, xShape, "transposed", seed++);
        for (const layout of ["contiguous", "broadcast", "flipped"] as const) {
          const raw = pair("int32", idxShape, layout, seed++, { lo: -xShape[dim]!, hi: xShape[dim]! });
          const out = outputs(dt, numelOf(idxShape));
          reference.gather(x.ref, dim, raw.ref, out.ref);
          native!.gather(x.nat, dim, raw.nat, out.nat);
          agree(out, dt, `gather ${dt} dim ${dim} ${layout}`);
          const src = pair(dt, idxShape, "stepped", seed++);
          const init = values(dt, numelOf(xShape), seed++);
          const dst = { ref: reference.upload(dt, init), nat: native!.upload(dt, init) };
          reference.scatterAdd(dst.ref, xShape, dim, raw.ref, src.ref);
          native!.scatterAdd(dst.nat, xShape, dim, raw.nat, src.nat);
          agree(dst, dt, `scatterAdd ${dt} dim ${dim} ${layout}`);
        }
      }
  });

  test("large scatters along an inner dim (split across threads by slices of dim 0) agree and still catch bad indices", () => {
    const [rows, size, n] = [64, 300, 400];
    const idx = pair("int32", [rows, n], "contiguous", 41, { lo: -size, hi: size });
    const src = pair("float64", [rows, n], "transposed", 42);
    const init = values("float64", rows * size, 43);
    const dst = { ref: reference.upload("float64", init), nat: native!.upload("float64", init) };
    reference.scatterAdd(dst.ref, [rows, size], 1, idx.ref, src.ref);
    native!.scatterAdd(dst.nat, [rows, size], 1, idx.nat, src.nat);
    agree(dst, "float64", "scatterAdd [64, 300] along dim 1");
    const bad = values("int32", rows * n, 44, { lo: 0, hi: size });
    bad[rows * n - 5] = size + 7;
    const badIdx = { ...idx.nat, handle: native!.upload("int32", bad) };
    assert.throws(
      () => native!.scatterAdd(dst.nat, [rows, size], 1, badIdx, src.nat),
      new RegExp(`scatterAdd: index ${size + 7} is out of bounds for dimension 1 with size ${size}`),
    );
  });

  test("into a fresh zero buffer the kernel writes the zeros itself: slices the index does not reach, every thread count, dim 0", () => {
    const threads = addon!.getNumThreads();
    try {
      for (const nt of [1, 2])
        for (const dt of ["float32", "float64"] as DType[]) {
          addon!.setNumThreads(nt);
          // 40-wide slices: several per zeroing chunk; the index covers 150 of the 200 slices, with
          // enough entries to split across threads
          const [rows, size, reach, n] = [200, 40, 150, 120];
          const idx = pair("int32", [reach, n], "contiguous", 51, { lo: -size, hi: size });
          const src = pair(dt, [reach, n], "stepped", 52);
          const dst = outputs(dt, rows * size);
          reference.scatterAdd(dst.ref, [rows, size], 1, idx.ref, src.ref);
          native!.scatterAdd(dst.nat, [rows, size], 1, idx.nat, src.nat);
          agree(dst, dt, `scatterAdd ${dt} into zeros along dim 1 at ${nt} threads`);
          const idx0 = pair("int32", [7, size], "contiguous", 53, { lo: 0, hi: rows });
          const src0 = pair(dt, [7, size], "contiguous", 54);
          const dst0 = outputs(dt, rows * size);
          reference.scatterAdd(dst0.ref, [rows, size], 0, idx0.ref, src0.ref);
          native!.scatterAdd(dst0.nat, [rows, size], 0, idx0.nat, src0.nat);
          agree(dst0, dt, `scatterAdd ${dt} into zeros along dim 0 at ${nt} threads`);
        }
      // an index out of range stops the kernel part way: what it leaves is zeros, not old memory
      const bad = values("int32", 150 * 90, 55, { lo: 0, hi: 40 });
      bad[150 * 90 - 1] = 99;
      const dst = native!.alloc("float32", 200 * 40);
      const badIdx = {
        handle: native!.upload("int32", bad),
        dtype: "int32" as DType,
        shape: [150, 90],
        strides: [90, 1],
        offset: 0,
      };
      const src = {
        ...badIdx,
        handle: native!.upload("float32", values("float32", 150 * 90, 56)),
        dtype: "float32" as DType,
      };
      assert.throws(() => native!.scatterAdd(dst, [200, 40], 1, badIdx, src), /scatterAdd: index 99 is out of bounds/);
      assert.ok(native!.readSync(dst, "float32").every((v) => v === 0));
    } finally {
      addon!.setNumThreads(threads);
    }
  });

  test("out-of-range indices throw the reference's error", () => {
    const x = pair("float32", [3, 4], "contiguous", 1);
    const idx = { ref: reference.upload("int32", [0, 4]), nat: native!.upload("int32", [0, 4]) };
    const iv = (h: unknown) => ({ handle: h, dtype: "int32" as const, shape: [1, 2], strides: [2, 1], offset: 0 });
    const out = outputs("float32", 2);
    const msg = /gather: index 4 is out of bounds for dimension 1 with size 4/;
    assert.throws(() => reference.gather(x.ref, 1, iv(idx.ref), out.ref), msg);
    assert.throws(() => native!.gather(x.nat, 1, iv(idx.nat), out.nat), msg);
  });
});

describe("native maxPool", { skip }, () => {
  test("values and first-maximum positions over every dtype, layout and window geometry", () => {
    let seed = 30000;
    const cases = [
      { shape: [3, 17], kernel: [3], stride: [2], dilation: [1] },
      { shape: [2, 3, 9, 11], kernel: [2, 2], stride: [2, 2], dilation: [1, 1] },
      { shape: [2, 7, 8], kernel: [3, 2], stride: [1, 3], dilation: [2, 1] },
      { shape: [2, 5, 6, 7], kernel: [2, 3, 2], stride: [1, 2, 2], dilation: [1, 1, 2] },
      { shape: [0, 4, 4], kernel: [2, 2], stride: [2, 2], dilation: [1, 1] },
      // two wide with stride 2 along the last dim (the vector row): rows of 1, 20 and 300 windows
      { shape: [3, 4, 6, 40], kernel: [2, 2], stride: [2, 2], dilation: [1, 1] },
      { shape: [2, 4, 601], kernel: [2], stride: [2], dilation: [1] },
      { shape: [2, 3, 5, 4, 35], kernel: [2, 3, 2], stride: [1, 1, 2], dilation: [2, 1, 1] },
      { shape: [4, 3], kernel: [3, 2], stride: [1, 2], dilation: [1, 1] },
    ];
    for (const c of cases)
      for (const dt of dtypes)
        for (const layout of layouts) {
          // small ints make ties common; floats get NaN, infinities and signed zeros mixed in
          const opts = dt === "float32" || dt === "float64" ? { special: true } : { lo: -2, hi: 2 };
          const x = pair(dt, c.shape, layout, seed++, opts);
          const k = c.kernel.length;
          const windows = c.shape.map((s, d) => {
            const i = d - (c.shape.length - k);
            return i < 0 ? s : Math.floor((s - c.dilation[i]! * (c.kernel[i]! - 1) - 1) / c.stride[i]!) + 1;
          });
          const n = numelOf(windows);
          const [v, p] = [outputs(dt, n), outputs("int32", n)];
          reference.maxPool(x.ref, c, v.ref, p.ref);
          native!.maxPool(x.nat, c, v.nat, p.nat);
          const what = `maxPool ${dt} ${layout} [${c.shape}] kernel [${c.kernel}]`;
          agree(v, dt, what);
          agree(p, "int32", what);
        }
  });

  test("a window that does not fit is refused", () => {
    const x = pair("float32", [2, 20], "contiguous", 1);
    const [v, p] = [outputs("float32", 40), outputs("int32", 40)];
    const g = { kernel: [21], stride: [1], dilation: [1] };
    assert.throws(() => native!.maxPool(x.nat, g, v.nat, p.nat), /maxPool: window does not fit/);
  });
});

describe("native SIMD path", { skip }, () => {
  test("is the one CHAINRULE_SIMD asks for, when the CPU has it", () => {
    const wanted = process.env.CHAINRULE_SIMD;
    const paths = addon!.simdPaths();
    if (wanted && paths.includes(wanted)) assert.equal(addon!.simd(), wanted);
    else assert.equal(addon!.simd(), paths[0]);
  });
});
