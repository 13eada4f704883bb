// Custom autograd Functions (cr.autograd.Function), as torch.autograd.Function: static forward and
// backward, ctx.saveForBackward / savedTensors / needsInputGrad, several outputs, non-tensor
// arguments, double backward through a backward written with ops, and the errors they can raise.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

type Ctx = cr.autograd.FunctionCtx;
const f64 = { dtype: "float64" as const };

/** x³ with a backward written in ops, so it can itself be differentiated. */
class Cube extends cr.autograd.Function {
  static override forward(ctx: Ctx, x: cr.Tensor) {
    ctx.saveForBackward(x);
    return x.pow(3);
  }
  static override backward(ctx: Ctx, g: cr.Tensor) {
    const [x] = ctx.savedTensors;
    return g.mul(x!.pow(2)).mul(3);
  }
}

/** a·b, recording which inputs asked for a gradient. */
class Product extends cr.autograd.Function {
  static seen: boolean[][] = [];
  static override forward(ctx: Ctx, a: cr.Tensor, b: cr.Tensor) {
    ctx.saveForBackward(a, b);
    return a.mul(b);
  }
  static override backward(ctx: Ctx, g: cr.Tensor) {
    Product.seen.push([...ctx.needsInputGrad]);
    const [a, b] = ctx.savedTensors;
    return [ctx.needsInputGrad[0] ? g.mul(b!) : null, ctx.needsInputGrad[1] ? g.mul(a!) : null];
  }
}

/** Two outputs (k·x and x²) and a plain-number argument. */
class ScaleAndSquare extends cr.autograd.Function {
  static override forward(ctx: Ctx, x: cr.Tensor, k: number) {
    ctx.k = k;
    ctx.saveForBackward(x);
    return [x.mul(k), x.mul(x)];
  }
  static override backward(ctx: Ctx, gScaled: cr.Tensor, gSquared: cr.Tensor) {
    const [x] = ctx.savedTensors;
    return [gScaled.mul(ctx.k as number).add(gSquared.mul(x!).mul(2)), null];
  }
}

test("a Function records one node named after it, with edges to its tensor inputs", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = Cube.apply(x);
  assert.equal(y.gradFn!.name, "CubeBackward");
  assert.equal(y.gradFn!.nextFunctions[0]![0]!.name, "AccumulateGrad");
  assert.deepEqual(y.toArray(), [1, 8]);
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [3, 12]);
  // the forward ran without recording: nothing inside it shows in the graph
  assert.equal(y.gradFn!.nextFunctions.length, 1);
  // no input requiring grad, or noGrad: no node
  assert.equal(Cube.apply(cr.tensor([2])).gradFn, null);
  assert.equal(cr.noGrad(() => Cube.apply(x)).gradFn, null);
});

test("ctx.needsInputGrad tells backward which gradients are wanted", () => {
  Product.seen = [];
  const a = cr.tensor([1, 2], { requiresGrad: true });
  const b = cr.tensor([3, 4]);
  Product.apply(a, b).sum().backward();
  assert.deepEqual(Product.seen, [[true, false]]);
  assert.deepEqual(a.grad!.toArray(), [3, 4]);
  const c = cr.tensor([5, 6], { requiresGrad: true });
  Product.apply(b, c).sum().backward();
  assert.deepEqual(Product.seen[1], [false, true]);
  assert.deepEqual(c.grad!.toArray(), [3, 4]);
});

test("several outputs: each has its own outputNr; an unused one's gradient arrives as zeros", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const [scaled, squared] = ScaleAndSquare.apply<cr.Tensor[]>(x, 3);
  assert.equal(scaled!.gradFn, squared!.gradFn);
  assert.deepEqual([scaled!.outputNr, squared!.outputNr], [0, 1]);
  scaled!.sum().add(squared!.sum()).backward();
  assert.deepEqual(x.grad!.toArray(), [5, 7]); // 3 + 2x
  const w = cr.tensor([1, 2], { requiresGrad: true });
  const [, onlySquared] = ScaleAndSquare.apply<cr.Tensor[]>(w, 3);
  onlySquared!.sum().backward();
  assert.deepEqual(w.grad!.toArray(), [2, 4]);
});

test("double backward through a Function whose backward uses ops", () => {
  const x = cr.tensor(2, { ...f64, requiresGrad: true });
  const [g] = cr.autograd.grad(Cube.apply(x), x, { createGraph: true });
  assert.equal(g!.item(), 12);
  const [gg] = cr.autograd.grad(g!, x);
  assert.equal(gg!.item(), 12); // 6x
  assert.ok(cr.autograd.gradcheck((t) => Cube.apply(t), [cr.tensor([0.5, -1.5], { ...f64, requiresGrad: true })]));
  assert.ok(cr.autograd.gradgradcheck((t) => Cube.apply(t), [cr.tensor([0.5, -1.5], { ...f64, requiresGrad: true })]));
});

test("saved tensors are version-checked: modifying one in place before backward fails, naming the Function", () => {
  const a = cr.tensor([1, 2], { requiresGrad: true });
  const h = a.mul(1);
  const y = Product.apply(h, cr.tensor([3, 4]));
  h.add_(1);
  assert.throws(
    () => y.sum().backward(),
    /ProductBackward: one of the tensors needed for gradient computation has been modified by an in-place operation: saved tensor 0 .* is at version 1; expected version 0/,
  );
});

test("saved tensors are freed after backward unless retainGraph", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = Cube.apply(x);
  y.backward(cr.ones([2]), { retainGraph: true });
  y.backward(cr.ones([2]));
  assert.deepEqual(x.grad!.toArray(), [6, 24]);
  assert.throws(() => y.backward(cr.ones([2])), /CubeBackward: trying to backward through the graph a second time/);
});

test("errors: a missing backward, a wrong number of gradients, a gradient of the wrong shape", () => {
  class NoBackward extends cr.autograd.Function {
    static override forward(_ctx: Ctx, x: cr.Tensor) {
      return x.mul(2);
    }
  }
  const x = cr.tensor([1, 2], { requiresGrad: true });
  assert.throws(() => NoBackward.apply(x).sum().backward(), /NoBackward\.backward must be overridden/);
  class TooFew extends cr.autograd.Function {
    static override forward(_ctx: Ctx, a: cr.Tensor, b: cr.Tensor) {
      return a.add(b);
    }
    static override backward(_ctx: Ctx, g: cr.Tensor) {
      return [g];
    }
  }
  assert.throws(
    () =>
      TooFew.apply(x, cr.ones([2]))
        .sum()
        .backward(),
    /TooFew\.backward returned 1 gradients but forward took 2 arguments/,
  );
  class WrongShape extends cr.autograd.Function {
    static override forward(_ctx: Ctx, a: cr.Tensor) {
      return a.mul(2);
    }
    static override backward() {
      return cr.ones([3]);
    }
  }
  assert.throws(
    () => WrongShape.apply(x).sum().backward(),
    /WrongShapeBackward returned an invalid gradient for input 0: got shape \[3\], expected \[2\]/,
  );
});

test("a gradient may come back broadcast-shaped: the engine sums it to the input's shape", () => {
  class AddBias extends cr.autograd.Function {
    static override forward(_ctx: Ctx, x: cr.Tensor, b: cr.Tensor) {
      return x.add(b);
    }
    static override backward(_ctx: Ctx, g: cr.Tensor) {
      return [g, g]; // g is [2, 3]; b is [3]
    }
  }
  const x = cr.ones([2, 3], { requiresGrad: true });
  const b = cr.zeros([3], { requiresGrad: true });
  AddBias.apply(x, b).sum().backward();
  assert.deepEqual(b.grad!.toArray(), [2, 2, 2]);
});

test("an integer output and one marked non-differentiable get no gradFn", () => {
  class ValueAndIndex extends cr.autograd.Function {
    static override forward(ctx: Ctx, x: cr.Tensor) {
      const flags = x.gt(0).to("float32");
      ctx.markNonDifferentiable(flags);
      return [x.mul(2), x.argmax(), flags];
    }
    static override backward(_ctx: Ctx, g: cr.Tensor) {
      return g.mul(2);
    }
  }
  const x = cr.tensor([1, -3, 2], { requiresGrad: true });
  const [v, i, flags] = ValueAndIndex.apply<cr.Tensor[]>(x);
  assert.equal(v!.gradFn!.name, "ValueAndIndexBackward");
  assert.equal(i!.gradFn, null);
  assert.equal(flags!.gradFn, null);
  assert.equal(i!.item(), 2);
  v!.sum().backward();
  assertClose(x.grad!, [2, 2, 2]);
});

test("returning an input unchanged gives a new tensor in the graph, not the input itself", () => {
  class Identity3 extends cr.autograd.Function {
    static override forward(_ctx: Ctx, x: cr.Tensor) {
      return x;
    }
    static override backward(_ctx: Ctx, g: cr.Tensor) {
      return g.mul(3);
    }
  }
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = Identity3.apply(x);
  assert.notEqual(y, x);
  assert.ok(x.isLeaf);
  assert.equal(y.gradFn!.name, "Identity3Backward");
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [3, 3]);
});
