// The notes' worked 2-2-1 sigmoid network with binary cross-entropy (their numerical example):
// x = [1, 2], y = 1, W1 = [[0.1, 0.2], [0.3, 0.4]], b1 = [0.01, 0.02], W2 = [[0.5, 0.6]], b2 = 0.05;
// forward, loss, every gradient, one SGD step (lr = 0.1) and the second forward pass.
//
// NOTE: the notes slip at z2. They print z2 = 0.5·0.625 + 0.6·0.754 + 0.05 = 0.854, but that sum is
// 0.8149 (0.8148 from the unrounded activations), so ŷ = 0.6931 (not 0.701) and L = 0.3665 (not
// 0.355). Every number after z2 inherits the slip. These tests check the exact values, and for each
// printed number downstream of the slip assert that the notes' value differs and by how much. One
// slip is independent of z2: σ'(z1_2) = 0.754·0.246 = 0.18549, printed 0.186 (it rounds to 0.185).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { agrees, agreesAll, slip, slipAll } from "./printed.js";

type DType = "float32" | "float64";

/** The forward pass in the notes' column-vector form: z = W a + b, a = σ(z), BCE on σ(z2). */
function forward(p: { W1: cr.Tensor; b1: cr.Tensor; W2: cr.Tensor; b2: cr.Tensor }, x: cr.Tensor, y: number) {
  const z1 = p.W1.matmul(x).add(p.b1);
  const a1 = z1.sigmoid();
  const z2 = p.W2.matmul(a1).add(p.b2);
  const yHat = z2.sigmoid();
  // L = −[y log ŷ + (1 − y) log(1 − ŷ)]
  const loss = yHat
    .log()
    .mul(y)
    .add(
      yHat
        .neg()
        .add(1)
        .log()
        .mul(1 - y),
    )
    .neg()
    .sum();
  return { z1, a1, z2, yHat, loss };
}

/** Builds the network, runs forward and backward, takes the SGD step and the second forward. */
function run(dtype: DType) {
  const opts = { dtype, requiresGrad: true };
  const p = {
    W1: cr.tensor(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      opts,
    ),
    b1: cr.tensor([[0.01], [0.02]], opts),
    W2: cr.tensor([[0.5, 0.6]], opts),
    b2: cr.tensor([[0.05]], opts),
  };
  const x = cr.tensor([[1], [2]], { dtype });
  const y = 1;
  const first = forward(p, x, y);
  // the notes' first flow chart repeats the forward pass before any update: it must not change
  const again = forward(p, x, y);
  for (const t of [first.z1, first.a1, first.z2]) t.retainGrad();
  first.loss.backward();
  const grads = { W1: p.W1.grad!, b1: p.b1.grad!, W2: p.W2.grad!, b2: p.b2.grad! };
  // SGD by hand: p ← p − η ∂L/∂p, in place and unrecorded
  const lr = 0.1;
  cr.noGrad(() => {
    for (const t of Object.values(p)) t.sub_(t.grad!.mul(lr));
  });
  const second = forward(p, x, y);
  return { p, first, again, grads, second };
}

for (const dtype of ["float64", "float32"] as const) {
  test(`2-2-1 network, forward pass: z1, a1 as printed; z2, ŷ and L differ from the notes' slip (${dtype})`, () => {
    const { first, again } = run(dtype);
    agreesAll("z1", first.z1, [0.51, 1.12], 2);
    agreesAll("a1", first.a1, [0.625, 0.754], 3);
    // the notes' own rounded activations already give 0.8149, not 0.854: the slip is in the sum
    agrees("0.5·0.625 + 0.6·0.754 + 0.05", 0.5 * 0.625 + 0.6 * 0.754 + 0.05, 0.8149, 4);
    const z2 = first.z2.item();
    agrees("z2 exact", z2, 0.814796, 6);
    assert.ok(slip("z2", z2, 0.854, 0.815, 3) > 0.039);
    agrees("ŷ exact", first.yHat.item(), 0.693131, 6);
    assert.ok(slip("ŷ", first.yHat.item(), 0.701, 0.693, 3) > 0.0078);
    agrees("L exact", first.loss.item(), 0.366537, 6);
    assert.ok(slip("L", first.loss.item(), 0.355, 0.367, 3) > 0.0115);
    // the notes' L = −log(0.701) = 0.355 is right for their ŷ: only the z2 sum is wrong
    agrees("−log(0.701)", -Math.log(0.701), 0.355, 3);
    // 1 − ŷ, printed inside the loss as log(0.299)
    slip("1 − ŷ", 1 - first.yHat.item(), 0.299, 0.307, 3);
    // the repeated "Forward Pass 2" of the first flow chart, before the update, is identical
    assert.equal(again.z2.item(), z2);
    assert.equal(again.loss.item(), first.loss.item());
  });

  test(`2-2-1 network, backward pass: δ2 = ŷ − y and every gradient, exact vs the notes (${dtype})`, () => {
    const { first, grads } = run(dtype);
    const yHat = first.yHat.item();
    // sigmoid + cross-entropy: ∂L/∂z2 = ŷ − y, so the output delta is the error itself
    const d2 = first.z2.grad!.item();
    agrees("∂L/∂z2 = ŷ − y", d2, yHat - 1, 6);
    agrees("δ2 exact", d2, -0.306869, 6);
    slip("δ2", d2, -0.299, -0.307, 3);
    agreesAll("dL/dW2 exact", grads.W2, [-0.191734, -0.231376], 6);
    slipAll("dL/dW2", grads.W2, [-0.187, -0.226], [-0.192, -0.231], 3);
    slip("dL/db2", grads.b2.item(), -0.299, -0.307, 3);
    // (W2)ᵀ δ2 is the gradient arriving at a1
    agreesAll("(W2)ᵀδ2 exact", first.a1.grad!, [-0.153435, -0.184122], 6);
    slipAll("(W2)ᵀδ2", first.a1.grad!, [-0.149, -0.179], [-0.153, -0.184], 3);
    const sigmaPrime = cr.noGrad(() => first.a1.mul(first.a1.neg().add(1)));
    agreesAll("σ'(z1) exact", sigmaPrime, [0.234423, 0.18549], 6);
    agrees("σ'(z1_1)", sigmaPrime.dataSync()[0]!, 0.234, 3);
    // NOTE: an independent rounding slip: 0.754·(1 − 0.754) = 0.185484 is printed 0.186
    slip("σ'(z1_2)", sigmaPrime.dataSync()[1]!, 0.186, 0.185, 3);
    // δ1 = (W2ᵀ δ2) ⊙ σ'(z1), and the engine's ∂L/∂z1 is exactly that
    const d1 = first.z1.grad!;
    agreesAll("δ1 = (W2ᵀδ2) ⊙ σ'(z1)", d1, Array.from(cr.noGrad(() => first.a1.grad!.mul(sigmaPrime)).dataSync()), 9);
    agreesAll("δ1 exact", d1, [-0.035969, -0.034153], 6);
    slipAll("δ1", d1, [-0.035, -0.033], [-0.036, -0.034], 3);
    agreesAll("dL/dW1 exact", grads.W1, [-0.035969, -0.071937, -0.034153, -0.068305], 6);
    slipAll("dL/dW1", grads.W1, [-0.035, -0.07, -0.033, -0.066], [-0.036, -0.072, -0.034, -0.068], 3);
    slipAll("dL/db1", grads.b1, [-0.035, -0.033], [-0.036, -0.034], 3);
  });

  test(`2-2-1 network, SGD step (lr 0.1) and the second forward pass, exact vs the notes (${dtype})`, () => {
    const { p, second } = run(dtype);
    // W2 and b2 happen to round to the printed values despite the slip
    agreesAll("W2 new", p.W2, [0.519, 0.623], 3);
    agreesAll("W2 new exact", p.W2, [0.519173, 0.623138], 6);
    agrees("b2 new", p.b2.item(), 0.08, 2);
    agrees("b2 new exact", p.b2.item(), 0.080687, 6);
    agreesAll("W1 new exact", p.W1, [0.103597, 0.207194, 0.303415, 0.406831], 6);
    const w1 = Array.from(p.W1.dataSync());
    slip("W1 new [0, 0]", w1[0]!, 0.1035, 0.1036, 4);
    agrees("W1 new [0, 1]", w1[1]!, 0.207, 3); // printed with three places, where it agrees
    slip("W1 new [1, 0]", w1[2]!, 0.3033, 0.3034, 4);
    slip("W1 new [1, 1]", w1[3]!, 0.4066, 0.4068, 4);
    agreesAll("b1 new exact", p.b1, [0.013597, 0.023415], 6);
    slipAll("b1 new", p.b1, [0.0135, 0.0233], [0.0136, 0.0234], 4);

    const z1 = Array.from(second.z1.dataSync());
    agreesAll("z1 (pass 2) exact", second.z1, [0.531581, 1.140492], 6);
    slip("z1_1 (pass 2)", z1[0]!, 0.53, 0.532, 3);
    slip("z1_2 (pass 2)", z1[1]!, 1.1398, 1.1405, 4);
    const a1 = Array.from(second.a1.dataSync());
    agreesAll("a1 (pass 2) exact", second.a1, [0.629852, 0.75777], 6);
    slip("a1_1 (pass 2)", a1[0]!, 0.629, 0.63, 3);
    agrees("a1_2 (pass 2)", a1[1]!, 0.758, 3);
    agrees("z2 (pass 2) exact", second.z2.item(), 0.879884, 6);
    slip("z2 (pass 2)", second.z2.item(), 0.872, 0.88, 3);
    agrees("ŷ (pass 2) exact", second.yHat.item(), 0.706798, 6);
    slip("ŷ (pass 2)", second.yHat.item(), 0.705, 0.707, 3);
    agrees("L (pass 2) exact", second.loss.item(), 0.34701, 6);
    slip("L (pass 2)", second.loss.item(), 0.35, 0.347, 3);
  });
}

test("2-2-1 network: the step is p − 0.1·∂L/∂p, and it lowers the loss as the notes' takeaway says", () => {
  const { p, grads, first, second } = run("float64");
  const f64 = { dtype: "float64" as const };
  const before = {
    W1: cr.tensor(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      f64,
    ),
    b1: cr.tensor([[0.01], [0.02]], f64),
    W2: cr.tensor([[0.5, 0.6]], f64),
    b2: cr.tensor([[0.05]], f64),
  };
  for (const k of ["W1", "b1", "W2", "b2"] as const) {
    assertClose(p[k], before[k].sub(grads[k].mul(0.1)), { atol: 1e-15, msg: k });
    assert.ok(p[k].isLeaf && p[k].requiresGrad, `${k} is still a leaf parameter after the in-place step`);
  }
  assert.ok(second.loss.item() < first.loss.item());
});
