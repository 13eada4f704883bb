// The notes' 2-2-1 worked example: x = [1, 2], y = 1, sigmoid hidden and output layers,
// binary cross-entropy, plain SGD with lr 0.1. Prints the forward values, every gradient and the
// update of the first step, then a few more steps so the loss keeps falling. z1 = (0.51, 1.12) and
// a1 = (0.625, 0.754) agree with the notes; the notes then slip (z2 = 0.5·0.625 + 0.6·0.754 + 0.05
// is 0.815, not 0.854), so ŷ = 0.693 and L = 0.367 here where they print 0.701 and 0.355.
//
//   node --import tsx examples/notes-2-2-1.ts

import * as cr from "chainrule";

const f64 = { dtype: "float64" } as const;
const fmt = (t: cr.Tensor, digits = 4) =>
  JSON.stringify(t.toArray(), (_, v) => (typeof v === "number" ? Number(v.toFixed(digits)) : v));

const hidden = new cr.nn.Linear(2, 2).double();
const output = new cr.nn.Linear(2, 1).double();
cr.noGrad(() => {
  hidden.weight.copy_(
    cr.tensor(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      f64,
    ),
  );
  hidden.bias!.copy_(cr.tensor([0.01, 0.02], f64));
  output.weight.copy_(cr.tensor([[0.5, 0.6]], f64));
  output.bias!.copy_(cr.tensor([0.05], f64));
});
const x = cr.tensor([1, 2], f64);
const y = cr.tensor([1], f64);
const optimizer = new cr.optim.SGD([...hidden.parameters(), ...output.parameters()], { lr: 0.1 });

function forward() {
  const z1 = hidden.call(x);
  const a1 = z1.sigmoid();
  const z2 = output.call(a1);
  const yHat = z2.sigmoid();
  const loss = cr.nn.functional.binaryCrossEntropy(yHat, y);
  return { z1, a1, z2, yHat, loss };
}

console.log("forward pass 1");
const f = forward();
console.log(`  z1 = W1·x + b1 = ${fmt(f.z1)}    a1 = σ(z1) = ${fmt(f.a1, 3)}`);
console.log(`  z2 = W2·a1 + b2 = ${fmt(f.z2, 3)}    ŷ = σ(z2) = ${fmt(f.yHat, 3)}`);
console.log(`  loss = −log ŷ = ${f.loss.item().toFixed(3)}`);
console.log("  (the notes print z2 = 0.854 and carry it on: 0.3125 + 0.4524 + 0.05 is 0.815)");

optimizer.zeroGrad();
f.loss.backward();
console.log("backward pass (autograd)");
console.log(`  δ2 = ŷ − y = ${output.bias!.grad!.item().toFixed(3)}`);
console.log(`  dL/dW2 = δ2·a1ᵀ = ${fmt(output.weight.grad!, 3)}    dL/db2 = ${fmt(output.bias!.grad!, 3)}`);
console.log(`  δ1 = (W2ᵀδ2) ⊙ σ'(z1) = dL/db1 = ${fmt(hidden.bias!.grad!, 3)}`);
console.log(`  dL/dW1 = δ1·xᵀ = ${fmt(hidden.weight.grad!, 3)}`);

optimizer.step();
console.log("update (SGD, lr 0.1)");
console.log(`  W2 = ${fmt(output.weight)}  b2 = ${fmt(output.bias!)}`);
console.log(`  W1 = ${fmt(hidden.weight)}  b1 = ${fmt(hidden.bias!)}`);

const g = forward();
console.log("forward pass 2 (after the update)");
console.log(
  `  z1 = ${fmt(g.z1)}  a1 = ${fmt(g.a1, 3)}  z2 = ${fmt(g.z2, 3)}  ŷ = ${fmt(g.yHat, 3)}  loss = ${g.loss.item().toFixed(3)}`,
);

console.log("more steps");
for (let step = 2; step <= 10; step++) {
  const { loss, yHat } = forward();
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  console.log(`  step ${String(step).padStart(2)}: ŷ = ${yHat.item().toFixed(4)}  loss = ${loss.item().toFixed(4)}`);
}
