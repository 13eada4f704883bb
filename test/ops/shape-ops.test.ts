// Shape and layout ops beyond what their table samples show: einsum's parsing, errors and
// contraction plan, which results are views sharing their input's storage, meshgrid's two
// indexings, integer dtypes kept, and the errors of misuse, each naming the function called.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { observe } from "../../src/graph/observe.js";
import { assertClose, throwsNaming } from "../helpers.js";

const grid = (rows: number, cols: number) =>
  cr
    .arange(rows * cols)
    .reshape([rows, cols])
    .to("float64");
const ints = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });
/** True when a and b are views of one storage. */
const shares = (a: Tensor, b: Tensor) => a.storage === b.storage;

describe("einsum: parsing", () => {
  const a = grid(2, 3);
  const b = grid(3, 4);

  test("implicit output: the indices used once, upper case before lower case", () => {
    assert.deepEqual(cr.einsum("ij,jk", a, b).shape, [2, 4]);
    assert.deepEqual(cr.einsum("Ba,aA", a, b).shape, [4, 2]);
    assert.deepEqual(cr.einsum("ji", a).shape, [3, 2]);
    assertClose(cr.einsum("ji", a), a.t());
  });

  test("implicit output puts the ellipsis's dims first", () => {
    const x = cr.randn([5, 2, 3]);
    assert.deepEqual(cr.einsum("i...j", x).shape, [2, 5, 3]);
    assert.deepEqual(cr.einsum("j...i", x).shape, [2, 3, 5]);
  });

  test("an explicit output without the ellipsis sums its dims", () => {
    const x = cr.randn([2, 3, 4]);
    assertClose(cr.einsum("ij...->ij", x), x.sum(-1));
    assertClose(cr.einsum("...->", x), x.sum());
  });

  test("spaces are ignored and operands may come as one array", () => {
    assertClose(cr.einsum(" i j , j k -> i k ", [a, b]), a.matmul(b));
  });

  test("a repeated index within an operand is its diagonal; the same index used thrice", () => {
    const x = cr.randn([3, 3, 3]);
    const expected = [0, 1, 2].map((i) => x.dataSync()[13 * i]!);
    assertClose(cr.einsum("iii->i", x), expected);
  });

  test("size-1 dims broadcast against the other operands", () => {
    const u = cr.randn([2, 1]);
    const v = cr.randn([3, 4]);
    assertClose(cr.einsum("ij,jk->ik", u, v), u.mul(v.sum(0)));
  });

  test("integer operands give an integer result", () => {
    const r = cr.einsum("ij,jk", ints([[1, 2]]), ints([[3], [4]]));
    assert.equal(r.dtype, "int32");
    assert.deepEqual(r.toArray(), [[11]]);
  });
});

describe("einsum: contraction plan", () => {
  /** The ops einsum records, with their output sizes. */
  const recorded = (fn: () => unknown) => {
    const ops: { op: string; numel: number }[] = [];
    observe({ forward: (e) => void ops.push({ op: e.op, numel: e.output.numel() }) }, fn);
    return ops;
  };

  test("a pair with an index to sum is one matmul, not a broadcast product", () => {
    const ops = recorded(() => cr.einsum("bij,bjk->bik", cr.randn([2, 3, 4]), cr.randn([2, 4, 5])));
    assert.equal(ops.filter((o) => o.op === "matmul").length, 1);
    assert.ok(!ops.some((o) => o.op === "mul"));
    assert.ok(Math.max(...ops.map((o) => o.numel)) <= 40);
  });

  test("three operands: the pair with the smallest result goes first", () => {
    // (ij, jk) first would make [2, 50]; (jk, k) first makes [40] and then [2]
    const ops = recorded(() => cr.einsum("ij,jk,k->i", cr.randn([2, 40]), cr.randn([40, 50]), cr.randn([50])));
    const products = ops.filter((o) => o.op === "matmul");
    assert.deepEqual(
      products.map((o) => o.numel),
      [40, 2],
    );
  });

  test("gradients flow to every operand, also through diagonals and broadcasts", () => {
    const x = cr.randn([3, 3], { dtype: "float64", requiresGrad: true });
    const y = cr.randn([3, 1], { dtype: "float64", requiresGrad: true });
    cr.einsum("ii,ij->j", x, y).sum().backward();
    // out_j = Σ_i x_ii·y_ij with j of size 1: dx = diag(y[:, 0]), dy[i, 0] = x_ii
    assertClose(x.grad!, cr.diag(y.detach().flatten()));
    assertClose(y.grad!, x.detach().diagonal().reshape([3, 1]));
  });
});

describe("einsum: errors name einsum, the equation and the operand", () => {
  const a = cr.ones([2, 3]);
  const b = cr.ones([4, 5]);
  test("subscripts and dims disagree", () => {
    throwsNaming(
      () => cr.einsum("ij,jk", a, cr.ones([3, 4, 5])),
      RangeError,
      'einsum("ij,jk")',
      "operand 1 has 3 dims",
      "[3, 4, 5]",
      "2 subscripts",
    );
    throwsNaming(() => cr.einsum("ijk...", a), RangeError, "operand 0 has 2 dims", "3 subscripts and an ellipsis");
  });
  test("sizes of one index disagree", () => {
    throwsNaming(
      () => cr.einsum("ij,jk->ik", a, b),
      RangeError,
      'einsum("ij,jk->ik")',
      "size mismatch for index j: 3",
      "[2, 3]",
      "vs 4",
      "operand 1, shape [4, 5]",
    );
    throwsNaming(
      () => cr.einsum("...i,...i", cr.ones([2, 3]), cr.ones([4, 3])),
      RangeError,
      "size mismatch for dim -1 of the ellipsis: 2",
    );
    throwsNaming(() => cr.einsum("ii->i", a), RangeError, "index i is repeated in operand 0", "2 and 3");
  });
  test("operand counts", () => {
    throwsNaming(() => cr.einsum("ij,jk", a), RangeError, "2 operand term(s) but 1 operand(s)");
    throwsNaming(() => cr.einsum("ij", a, a), RangeError, "1 operand term(s) but 2 operand(s)");
  });
  test("the output's subscripts", () => {
    throwsNaming(() => cr.einsum("ij->ii", a), RangeError, "output subscript i appears more than once");
    throwsNaming(() => cr.einsum("ij->k", a), RangeError, "output subscript k does not appear");
  });
  test("malformed equations", () => {
    throwsNaming(() => cr.einsum("i1", a), RangeError, 'invalid character "1"');
    throwsNaming(() => cr.einsum("i.j", a), RangeError, '"." that is not part of an ellipsis');
    throwsNaming(() => cr.einsum("......", a), RangeError, "more than one ellipsis");
    throwsNaming(() => cr.einsum("ij->ij->ij", a), RangeError, '"->" appears more than once');
    throwsNaming(() => cr.einsum("ij", [1] as unknown as Tensor), TypeError, "operand 0 is not a tensor");
  });
});

describe("views share their input's storage", () => {
  test("diagonal is a view; writes through it reach the input", () => {
    const x = grid(3, 3);
    const d = x.diagonal({ offset: 1 });
    assert.ok(shares(d, x));
    cr.noGrad(() => d.fill_(-1));
    assert.deepEqual(x.toArray(), [
      [0, -1, 2],
      [3, 4, -1],
      [6, 7, 8],
    ]);
  });

  test("unfold, movedim, swapaxes, broadcastTo and meshgrid's grids are views", () => {
    const x = grid(2, 6);
    assert.ok(shares(x.unfold(1, 3, 2), x));
    assert.ok(shares(x.movedim(0, 1), x));
    assert.ok(shares(x.swapaxes(0, 1), x));
    assert.ok(shares(x.swapdims(-1, 0), x));
    assert.ok(shares(x.broadcastTo([4, 2, 6]), x));
    const v = cr.arange(3);
    assert.ok(cr.meshgrid(v, cr.arange(2)).every((g, k) => k > 0 || shares(g, v)));
  });

  test("unfold's overlapping windows read the same elements", () => {
    assert.deepEqual(cr.arange(5).unfold(0, 3, 1).toArray(), [
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
    ]);
  });

  test("diag, roll and rot90 are copies, as in PyTorch", () => {
    const x = grid(2, 2);
    assert.ok(!shares(cr.diag(x), x));
    assert.ok(!shares(x.roll(0, 0), x));
    assert.ok(!shares(x.rot90(4), x));
  });
});

describe("meshgrid", () => {
  const xs = cr.tensor([1, 2, 3]);
  const ys = cr.tensor([10, 20]);
  test("ij: output dim k runs along input k (the default)", () => {
    const [gx, gy] = cr.meshgrid(xs, ys);
    assert.deepEqual(gx!.toArray(), [
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    assert.deepEqual(gy!.toArray(), [
      [10, 20],
      [10, 20],
      [10, 20],
    ]);
  });
  test("xy: the first two dims swapped, as NumPy's", () => {
    const [gx, gy] = cr.meshgrid([xs, ys], { indexing: "xy" });
    assert.deepEqual(gx!.toArray(), [
      [1, 2, 3],
      [1, 2, 3],
    ]);
    assert.deepEqual(gy!.toArray(), [
      [10, 10, 10],
      [20, 20, 20],
    ]);
    assert.deepEqual(
      cr.meshgrid(xs, ys, cr.tensor([0, 0, 0, 0]), { indexing: "xy" }).map((g) => g.shape),
      [
        [2, 3, 4],
        [2, 3, 4],
        [2, 3, 4],
      ],
    );
  });
  test("errors", () => {
    throwsNaming(() => cr.meshgrid(cr.ones([2, 2])), RangeError, "meshgrid:", "tensor 0", "[2, 2]", "0-d or 1-D");
    throwsNaming(() => cr.meshgrid(xs, ys, { indexing: "yx" as "xy" }), RangeError, "meshgrid:", '"yx"');
    throwsNaming(() => cr.meshgrid(xs, ints([1])), TypeError, "meshgrid:", "tensor 1 is int32");
    throwsNaming(() => cr.meshgrid(), RangeError, "meshgrid: expects at least one tensor");
  });
});

describe("dtypes", () => {
  const m = ints([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  test("integer and bool inputs keep their dtype", () => {
    assert.equal(m.tril().dtype, "int32");
    assert.deepEqual(m.triu(1).toArray(), [
      [0, 2, 3],
      [0, 0, 6],
    ]);
    assert.equal(cr.tensor([[true, true]]).tril().dtype, "bool");
    assert.deepEqual(m.diagonal().toArray(), [1, 5]);
    assert.equal(cr.diag(ints([1, 2])).dtype, "int32");
    assert.equal(cr.diagEmbed(ints([1, 2])).dtype, "int32");
    assert.equal(m.trace().dtype, "int32");
    assert.equal(m.trace().item(), 6);
    assert.equal(m.roll(1).dtype, "int32");
    assert.equal(m.rot90().dtype, "int32");
    assert.equal(m.unfold(1, 2, 1).dtype, "int32");
    assert.equal(m.repeatInterleave(2).dtype, "int32");
  });
  test("repeatInterleave with counts alone gives int32 indices", () => {
    const r = cr.repeatInterleave(ints([2, 0, 3]));
    assert.equal(r.dtype, "int32");
    assert.deepEqual(r.toArray(), [0, 0, 2, 2, 2]);
  });
});

describe("errors name the function and what it got", () => {
  const x = grid(2, 3);
  test("triangles and diagonals", () => {
    throwsNaming(() => cr.tril(cr.ones([3])), RangeError, "tril:", "at least 2 dims", "[3]");
    throwsNaming(() => cr.triu(x, 0.5), RangeError, "triu:", "0.5");
    throwsNaming(() => x.diagonal({ dim1: 1, dim2: -1 }), RangeError, "diagonal:", "must be different");
    throwsNaming(() => x.diagonal({ dim1: 2 }), RangeError, "diagonal:", "dimension 2");
    throwsNaming(() => x.diagonal({ ofset: 1 } as never), TypeError, "diagonal:", "'ofset'", "did you mean 'offset'");
    throwsNaming(
      () => cr.diagEmbed(cr.ones([2]), { dim1: 0, dim2: -2 }),
      RangeError,
      "diagEmbed:",
      "must be different",
    );
    throwsNaming(() => cr.diag(cr.ones([2, 2, 2])), RangeError, "diag:", "1-D or 2-D", "[2, 2, 2]");
    throwsNaming(() => cr.trace(cr.ones([2, 2, 2])), RangeError, "trace:", "[2, 2, 2]");
  });
  test("rearrangements", () => {
    throwsNaming(() => x.roll([1, 2], 0), RangeError, "roll:", "2 shifts and 1 dims");
    throwsNaming(() => x.roll([1, 2]), RangeError, "roll:", "without dims");
    throwsNaming(() => cr.fliplr(cr.ones([3])), RangeError, "fliplr:", "[3]");
    throwsNaming(() => cr.flipud(cr.tensor(1)), RangeError, "flipud:", "0-d");
    throwsNaming(() => x.rot90(1, [0, -2]), RangeError, "rot90:", "must differ");
    throwsNaming(() => cr.rot90(cr.ones([3])), RangeError, "rot90:", "[3]");
    throwsNaming(() => x.movedim([0, 0], [1, 0]), RangeError, "movedim:", "source [0, 0] repeats");
    throwsNaming(() => x.moveaxis([0, 1], 0), RangeError, "moveaxis:", "must name as many dims");
    throwsNaming(() => x.swapaxes(0, 2), RangeError, "swapaxes:", "dimension 2");
  });
  test("replications and windows", () => {
    throwsNaming(() => x.unfold(1, 4, 1), RangeError, "unfold:", "size 4", "size 3");
    throwsNaming(() => x.unfold(1, 2, 0), RangeError, "unfold:", "step");
    throwsNaming(() => x.repeatInterleave(ints([1, 2]), 1), RangeError, "repeatInterleave:", "2 counts", "3 elements");
    throwsNaming(() => x.repeatInterleave(-1), RangeError, "repeatInterleave:", "non-negative");
    throwsNaming(() => x.repeatInterleave(cr.ones([3]), 1), TypeError, "repeatInterleave:", "float32");
    throwsNaming(
      () => x.repeatInterleave(2, 0, { outputSize: 5 }),
      RangeError,
      "repeatInterleave:",
      "outputSize 5",
      "4",
    );
    throwsNaming(() => x.broadcastTo([3, 3]), RangeError, "broadcastTo:", "[2, 3]", "[3, 3]");
    throwsNaming(() => x.broadcastTo([-1, 2, 3]), RangeError, "broadcastTo:", "[-1, 2, 3]");
  });
});

test("the methods and functions agree", () => {
  const x = grid(3, 4);
  assertClose(x.tril(-1), cr.tril(x, -1));
  assertClose(x.diag(1), cr.diag(x, 1));
  assertClose(x.fliplr(), cr.flip(x, 1));
  assertClose(x.flipud(), cr.flip(x, 0));
  assertClose(x.moveaxis(0, 1), x.t());
  assertClose(x.unfold(0, 2, 1).sum(-1), cr.add(x.slice(0, 0, 2), x.slice(0, 1, 3)));
  assertClose(x.repeatInterleave(2, 1, { outputSize: 8 }).slice(1, 0, 8, 2), x);
});
