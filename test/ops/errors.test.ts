// Misuse fails loudly and usefully: every error names the op and the shapes (or dtypes) it got,
// so a user can find the faulty call without a debugger.

import { test } from "node:test";
import * as cr from "../../src/index.js";
import { throwsNaming } from "../helpers.js";

const x = cr.ones([2, 3]);
const ints = (data: number[][] | number[]) => cr.tensor(data, { dtype: "int32" });

test("broadcasting: add of [2, 3] and [4] names the op, both shapes and the clashing dim", () => {
  throwsNaming(() => x.add(cr.ones([4])), RangeError, "add:", "[2, 3]", "[4]", "dimension -1");
  throwsNaming(() => cr.mul(cr.ones([3, 1]), cr.ones([2, 2])), RangeError, "mul:", "[3, 1]", "[2, 2]");
  throwsNaming(() => cr.where(cr.ones([4]).bool(), x, 0), RangeError, "where:", "[4]", "[2, 3]");
  throwsNaming(() => x.maskedFill(cr.ones([4]).bool(), 1), RangeError, "maskedFill:", "[4]", "[2, 3]");
  throwsNaming(() => cr.ones([3]).add_(x), RangeError, "add_:", "[2, 3]", "[3]");
  throwsNaming(() => x.clone().copy_(cr.ones([4])), RangeError, "copy_:", "[4]", "[2, 3]");
});

test("matmul and friends: inner-dimension mismatches name the op and the operands' shapes", () => {
  throwsNaming(() => x.matmul(cr.ones([4, 5])), RangeError, "matmul:", "[2, 3] @ [4, 5]", "3 != 4");
  throwsNaming(() => x.matmul(cr.ones([4])), RangeError, "matmul:", "[2, 3] @ [4]");
  throwsNaming(() => cr.matmul(cr.ones([3]), cr.ones([4])), RangeError, "matmul:", "[3] @ [4]");
  throwsNaming(() => cr.mm(x, cr.ones([4, 5])), RangeError, "mm:", "[2, 3] @ [4, 5]");
  throwsNaming(() => cr.bmm(cr.ones([2, 2, 3]), cr.ones([2, 4, 5])), RangeError, "bmm:", "[2, 2, 3] @ [2, 4, 5]");
  throwsNaming(() => cr.bmm(cr.ones([2, 2, 3]), cr.ones([3, 3, 5])), RangeError, "bmm:", "[2, 2, 3]", "[3, 3, 5]");
  throwsNaming(() => cr.dot(cr.ones([3]), cr.ones([4])), RangeError, "dot:", "[3] @ [4]");
  throwsNaming(() => cr.mm(cr.ones([3]), x), RangeError, "mm:", "2-d", "[3]", "[2, 3]");
  throwsNaming(
    () => cr.matmul(cr.ones([2, 2, 3]), cr.ones([3, 3, 1])),
    RangeError,
    "matmul: batch dims of [2, 2, 3] @ [3, 3, 1]",
    "[2] and [3]",
  );
  throwsNaming(() => cr.matmul(cr.tensor(1), x), RangeError, "matmul:", "[]", "[2, 3]");
  throwsNaming(() => cr.addmm(cr.ones([3]), x, cr.ones([4, 3])), RangeError, "addmm:", "[2, 3] @ [4, 3]", "3 != 4");
  throwsNaming(() => cr.addmm(cr.ones([3]), x, cr.ones([3, 4])), RangeError, "addmm:", "input", "[3]", "[2, 4]");
  throwsNaming(() => cr.addmm(cr.ones([1, 2, 4]), x, cr.ones([3, 4])), RangeError, "addmm:", "[1, 2, 4]", "[2, 4]");
  throwsNaming(() => cr.addmm(cr.ones([3]), x, cr.ones([3, 4]), { beta: 2 }), RangeError, "addmm:", "[3]", "[2, 4]");
  throwsNaming(() => cr.addmm(cr.ones([4]), cr.ones([2, 2, 3]), cr.ones([3, 4])), RangeError, "addmm:", "2-d");
});

test("dims out of range name the op, the dim and the tensor's shape", () => {
  throwsNaming(() => x.sum(5), RangeError, "sum:", "dimension 5", "[2, 3]", "-2..1");
  throwsNaming(() => x.sum([0, -3]), RangeError, "sum:", "dimension -3", "[2, 3]");
  throwsNaming(() => x.mean(2, true), RangeError, "mean:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.max(2), RangeError, "max:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.argmin(-3), RangeError, "argmin:", "dimension -3", "[2, 3]");
  throwsNaming(() => x.var(4), RangeError, "var:", "dimension 4", "[2, 3]");
  throwsNaming(() => x.norm(2, 3), RangeError, "norm:", "dimension 3", "[2, 3]");
  throwsNaming(() => x.logsumexp(2), RangeError, "logsumexp:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.transpose(0, 2), RangeError, "transpose:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.softmax(2), RangeError, "softmax:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.logSoftmax(-3), RangeError, "logSoftmax:", "dimension -3", "[2, 3]");
  throwsNaming(() => x.squeeze(3), RangeError, "squeeze:", "dimension 3", "[2, 3]");
  throwsNaming(() => x.unsqueeze(4), RangeError, "unsqueeze:", "dimension 4", "[2, 3]", "-3..2");
  throwsNaming(() => x.flip(2), RangeError, "flip:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.slice(2), RangeError, "slice:", "dimension 2", "[2, 3]");
  throwsNaming(() => x.gather(2, ints([[0]])), RangeError, "gather:", "dimension 2", "[2, 3]");
  throwsNaming(() => cr.cat([x, x], 2), RangeError, "cat:", "dimension 2", "[2, 3]");
  throwsNaming(() => cr.stack([x, x], 3), RangeError, "stack:", "dimension 3", "[2, 3]");
  throwsNaming(() => x.permute(0, 0), RangeError, "permute:", "[0, 0]", "[2, 3]");
  throwsNaming(() => x.sum([1, -1]), RangeError, "sum:", "repeats a dimension");
});

test("indices out of range name the op, the index, the size and the shapes", () => {
  throwsNaming(() => x.gather(1, ints([[0, 3]])), RangeError, "gather:", "index 3", "size 3", "[2, 3]", "[1, 2]");
  throwsNaming(
    () => x.scatterAdd(1, ints([[0, 5]]), cr.ones([1, 2])),
    RangeError,
    "scatterAdd:",
    "index 5",
    "[2, 3]",
    "[1, 2]",
  );
  throwsNaming(() => x.indexSelect(0, ints([1, 2])), RangeError, "indexSelect:", "index 2", "size 2", "[2, 3]");
  throwsNaming(() => x.indexSelect(-1, ints([-4])), RangeError, "indexSelect:", "index -4", "size 3", "[2, 3]");
  throwsNaming(() => x.select(0, 2), RangeError, "select:", "index 2", "size 2", "[2, 3]");
  throwsNaming(() => x.select(1, -4), RangeError, "select:", "index -4", "size 3", "[2, 3]");
  throwsNaming(() => x.narrow(1, 2, 2), RangeError, "narrow:", "start 2", "length 2", "size 3", "[2, 3]");
  throwsNaming(() => x.gather(1, cr.ones([2, 3])), TypeError, "gather:", "int32", "float32");
  throwsNaming(() => x.gather(1, ints([0, 1])), RangeError, "gather:", "[2]", "[2, 3]");
});

test("reshape and view: incompatible sizes and non-contiguous layouts are refused with the shapes", () => {
  throwsNaming(() => x.reshape(4, 2), RangeError, "reshape:", "[4, 2]", "[2, 3]", "size 6");
  throwsNaming(() => x.reshape(-1, 4), RangeError, "reshape:", "[-1, 4]", "[2, 3]");
  throwsNaming(() => x.view(7), RangeError, "view:", "[7]", "[2, 3]");
  throwsNaming(() => x.reshape(-1, -1), RangeError, "reshape:", "[-1, -1]", "at most one -1");
  throwsNaming(() => x.t().view(6), RangeError, "view:", "[6]", "shape [3, 2]", "strides [1, 3]", ".reshape()");
  throwsNaming(() => x.expand(4, 3, 2), RangeError, "expand:", "[2, 3]", "[4, 3, 2]");
});

test("gradients are for floats: an int tensor cannot require grad", () => {
  throwsNaming(() => cr.tensor([1, 2], { dtype: "int32", requiresGrad: true }), TypeError, "requiresGrad", "int32");
  throwsNaming(
    () => {
      ints([1, 2]).requiresGrad = true;
    },
    TypeError,
    "requiresGrad",
    "int32",
  );
  throwsNaming(() => cr.ones([2], { dtype: "bool", requiresGrad: true }), TypeError, "requiresGrad", "bool");
});

test("cat and stack of mismatched shapes name the offending tensor and both shapes", () => {
  throwsNaming(() => cr.cat([x, cr.ones([2, 4])], 0), RangeError, "cat:", "tensor 1", "[2, 4]", "[2, 3]", "dim 0");
  throwsNaming(() => cr.cat([x, cr.ones([3])]), RangeError, "cat:", "tensor 1", "[3]", "[2, 3]");
  throwsNaming(() => cr.stack([x, cr.ones([3, 2])]), RangeError, "stack:", "tensor 1", "[3, 2]", "[2, 3]");
  throwsNaming(() => cr.cat([]), RangeError, "cat:", "non-empty");
  throwsNaming(() => cr.split(x, [1, 1], 1), RangeError, "split:", "[1, 1]", "3", "[2, 3]");
  throwsNaming(() => x.chunk(0), RangeError, "chunk:", "0", "[2, 3]");
  throwsNaming(() => x.pad([1, 1, 1, 1, 1, 1]), RangeError, "pad:", "2 dims", "6 values");
});

test("where and maskedFill need bool conditions, named with the dtype and shape received", () => {
  throwsNaming(() => cr.where(cr.ones([2, 3]), x, 0), TypeError, "where:", "bool", "float32", "[2, 3]");
  throwsNaming(() => cr.where(ints([1, 0]), 1, 0), TypeError, "where:", "bool", "int32", "[2]");
  throwsNaming(() => x.maskedFill(cr.ones([2, 3]), 1), TypeError, "maskedFill:", "bool", "float32");
});

test("in-place misuse: leaves that require grad, and results that do not fit the dtype", () => {
  throwsNaming(() => cr.ones([2], { requiresGrad: true }).mul_(2), Error, "mul_:", "leaf", "cr.noGrad");
  throwsNaming(() => ints([1, 2]).add_(1.5), TypeError, "add_:", "float32", "int32");
  throwsNaming(() => ints([1, 2]).div_(2), TypeError, "div_:", "float32", "int32");
});
