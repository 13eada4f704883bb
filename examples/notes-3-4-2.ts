// The notes' 3-4-2 worked example: x = (1, 0.5, −1), y = (1, 0), sigmoid hidden layer,
// softmax output, loss ½Σ(a − y)², SGD with lr 0.1. Prints each value the notes derive by hand to
// six digits (a1 ≈ 0.413382 …, δ2 ≈ ∓0.241831, ∂L/∂w²₁₁ ≈ −0.099969, δ1 …) and the updated
// weights (w²₁₁ → 0.309997, b¹₁ → 0.102932), then a few more steps.
//
//   node --import tsx examples/notes-3-4-2.ts

import * as cr from "chainrule";

const f64 = { dtype: "float64" } as const;
const fmt = (t: cr.Tensor) => JSON.stringify(t.toArray(), (_, v) => (typeof v === "number" ? Number(v.toFixed(6)) : v));

const layer1 = new cr.nn.Linear(3, 4).double();
const layer2 = new cr.nn.Linear(4, 2).double();
cr.noGrad(() => {
  layer1.weight.copy_(
    cr.tensor(
      [
        [0.2, -0.3, 0.5],
        [0.7, 0.1, -0.2],
        [-0.5, 0.4, 0.3],
        [0.1, -0.4, 0.2],
      ],
      f64,
    ),
  );
  layer1.bias!.copy_(cr.tensor([0.1, -0.2, 0.05, 0.0], f64));
  layer2.weight.copy_(
    cr.tensor(
      [
        [0.3, -0.6, 0.2, 0.1],
        [-0.2, 0.1, 0.4, -0.5],
      ],
      f64,
    ),
  );
  layer2.bias!.copy_(cr.tensor([0.05, -0.1], f64));
});
const x = cr.tensor([[1.0, 0.5, -1.0]], f64);
const y = cr.tensor([[1.0, 0.0]], f64);
const optimizer = new cr.optim.SGD([...layer1.parameters(), ...layer2.parameters()], { lr: 0.1 });

function forward() {
  const z1 = layer1.call(x);
  const a1 = z1.sigmoid();
  const z2 = layer2.call(a1);
  const a2 = z2.softmax(1);
  const loss = a2.sub(y).square().sum().mul(0.5);
  return { z1, a1, z2, a2, loss };
}

const f = forward();
// keep the intermediate gradients so δ1 and δ2 can be printed
f.z1.retainGrad();
f.z2.retainGrad();
console.log("forward");
console.log(`  z1 = ${fmt(f.z1)}`);
console.log(`  a1 = σ(z1) = ${fmt(f.a1)}`);
console.log(`  z2 = ${fmt(f.z2)}`);
console.log(`  a2 = softmax(z2) = ${fmt(f.a2)}`);
console.log(`  L = ½Σ(a2 − y)² = ${f.loss.item().toFixed(6)}`);

optimizer.zeroGrad();
f.loss.backward();
console.log("backward");
console.log(`  δ2 = ∂L/∂z2 = ${fmt(f.z2.grad!)}`);
console.log(`  ∂L/∂W2 = ${fmt(layer2.weight.grad!)}`);
console.log(`  ∂L/∂b2 = ${fmt(layer2.bias!.grad!)}`);
console.log(`  δ1 = ∂L/∂z1 = ${fmt(f.z1.grad!)}`);
console.log(`  ∂L/∂W1 = ${fmt(layer1.weight.grad!)}`);

optimizer.step();
console.log("after one SGD step (lr 0.1)");
console.log(`  W2 = ${fmt(layer2.weight)}  (w²₁₁ = ${layer2.weight.dataSync()[0]!.toFixed(6)})`);
console.log(`  b2 = ${fmt(layer2.bias!)}`);
console.log(`  W1 = ${fmt(layer1.weight)}`);
console.log(`  b1 = ${fmt(layer1.bias!)}  (b¹₁ = ${layer1.bias!.dataSync()[0]!.toFixed(6)})`);

for (let step = 2; step <= 8; step++) {
  const { loss, a2 } = forward();
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  console.log(`  step ${step}: a2 = ${fmt(a2)}  L = ${loss.item().toFixed(6)}`);
}
