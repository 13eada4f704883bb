// The four backpropagation equations in matrix form, averaged over a batch of m observations
// (as the notes derive them), checked against the engine on a random 3-5-4-2 sigmoid network:
//   1. δ^L = ∇_a C ⊙ σ'(z^L)          2. δ^l = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^l)
//   3. ∂C/∂b^l = Σ_x δ^l_x / m         4. ∂C/∂W^l = δ^l (a^(l-1))ᵀ / m
// Observations are columns, as in the notes, so the matrix product in rule 4 sums over them.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const f64 = { dtype: "float64" as const };
const sizes = [3, 5, 4, 2];
const m = 6;

function setup(seed: number) {
  cr.manualSeed(seed);
  const layers = sizes.slice(1).map((n, i) => ({
    W: cr.randn([n, sizes[i]!], { ...f64, requiresGrad: true }),
    b: cr.randn([n, 1], { ...f64, requiresGrad: true }),
  }));
  const X = cr.randn([sizes[0]!, m], f64);
  const Y = cr.rand([sizes.at(-1)!, m], f64);
  return { layers, X, Y };
}

/** z^l = W^l a^(l-1) + b^l (b broadcast over the m columns), a^l = σ(z^l). */
function forward(layers: { W: cr.Tensor; b: cr.Tensor }[], X: cr.Tensor) {
  const zs: cr.Tensor[] = [];
  const as: cr.Tensor[] = [X];
  for (const { W, b } of layers) {
    const z = W.matmul(as.at(-1)!).add(b);
    zs.push(z);
    as.push(z.sigmoid());
  }
  return { zs, as };
}

/** C = (1/m) Σ_x ½‖a^L_x − y_x‖²: the mean over observations of a per-observation cost. */
const cost = (aL: cr.Tensor, Y: cr.Tensor) => aL.sub(Y).pow(2).sum(0).mul(0.5).mean();

test("the engine's gradients equal the four equations' matrix formulas, averaged over m = 6", () => {
  const { layers, X, Y } = setup(11);
  const { zs, as } = forward(layers, X);
  for (const z of zs) z.retainGrad();
  cost(as.at(-1)!, Y).backward();
  cr.noGrad(() => {
    const sp = (a: cr.Tensor) => a.mul(a.neg().add(1)); // σ'(z) = σ(z)(1 − σ(z))
    const L = layers.length;
    const deltas: cr.Tensor[] = new Array<cr.Tensor>(L);
    // rule 1, per observation (column): ∇_a C_x = a^L_x − y_x
    deltas[L - 1] = as[L]!.sub(Y).mul(sp(as[L]!));
    // rule 2, backwards through the hidden layers
    for (let l = L - 2; l >= 0; l--)
      deltas[l] = layers[l + 1]!.W.t()
        .matmul(deltas[l + 1]!)
        .mul(sp(as[l + 1]!));
    for (let l = 0; l < L; l++) {
      const { W, b } = layers[l]!;
      // rule 3: the bias gradient sums the deltas over observations and divides by m
      assertClose(b.grad!, deltas[l]!.sum(1, true).div(m), { atol: 1e-15, msg: `∂C/∂b layer ${l + 1}` });
      // rule 4: the matrix product sums over observations; divide by m
      assertClose(W.grad!, deltas[l]!.matmul(as[l]!.t()).div(m), { atol: 1e-15, msg: `∂C/∂W layer ${l + 1}` });
      // rules 1 and 2 do not change with m: the engine's ∂C/∂z carries the 1/m of the cost
      assertClose(zs[l]!.grad!.mul(m), deltas[l]!, { atol: 1e-15, msg: `δ layer ${l + 1}` });
    }
  });
  // the bias is [n, 1] broadcast over [n, m]: the engine summed its gradient back to [n, 1]
  assert.deepEqual(layers[0]!.b.grad!.shape, [5, 1]);
});

test("the batch gradient is the mean of the m per-observation gradients (the sum rule)", () => {
  const { layers, X, Y } = setup(12);
  const { as } = forward(layers, X);
  cost(as.at(-1)!, Y).backward();
  const batch = layers.map(({ W, b }) => [W.grad!, b.grad!]);
  const sums = layers.map(({ W, b }) => [cr.zerosLike(W), cr.zerosLike(b)]);
  for (let x = 0; x < m; x++) {
    for (const { W, b } of layers) W.grad = b.grad = null;
    const col = (t: cr.Tensor) => t.narrow(1, x, 1);
    const one = forward(layers, col(X));
    cost(one.as.at(-1)!, col(Y)).backward();
    layers.forEach(({ W, b }, l) => cr.noGrad(() => [W.grad!, b.grad!].forEach((g, k) => sums[l]![k]!.add_(g))));
  }
  layers.forEach((_, l) => [0, 1].forEach((k) => assertClose(sums[l]![k]!.div(m), batch[l]![k]!, { atol: 1e-15 })));
});

test("rule 1's Hadamard form needs an elementwise activation: with softmax, δ^L = Jᵀ ∇_a C instead", () => {
  const { layers, X, Y } = setup(13);
  const { zs, as } = forward(layers.slice(0, -1), X);
  const last = layers.at(-1)!;
  const zL = last.W.matmul(as.at(-1)!).add(last.b);
  zL.retainGrad();
  const aL = zL.softmax(0);
  aL.sub(Y).pow(2).sum().mul(0.5).backward();
  assert.equal(zs.length, 2);
  cr.noGrad(() => {
    const grad = aL.sub(Y);
    // per observation x: δ_x = J_xᵀ (a_x − y_x) with J_x = diag(a_x) − a_x a_xᵀ
    for (let x = 0; x < m; x++) {
      const a = aL.select(1, x);
      const J = cr.eye(2, 2, f64).mul(a.unsqueeze(1)).sub(a.outer(a));
      assertClose(zL.grad!.select(1, x), J.t().matmul(grad.select(1, x)), { atol: 1e-15 });
    }
    // while the elementwise formula ∇_a C ⊙ a(1 − a) gives something else
    const hadamard = grad.mul(aL.mul(aL.neg().add(1)));
    const diff = zL.grad!.sub(hadamard).abs().max().item();
    assert.ok(diff > 1e-3, `the Hadamard form should not match softmax, differs by ${diff}`);
  });
});
