// Child process of leak.test.ts: trains a small MLP for many steps with no dispose anywhere and
// prints the live memory (heap + external, after a full GC) after warm-up and at the end, as JSON.

import * as cr from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

cr.manualSeed(0);
const model = new cr.nn.Sequential(new cr.nn.Linear(32, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 10));
const opt = new cr.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const x = cr.randn([16, 32]);
const y = cr.randint(0, 10, [16]);

function steps(n: number): void {
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
  }
}

function live(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

steps(1000);
const early = live();
steps(Number(process.argv[2] ?? 3000));
const late = live();
console.log(JSON.stringify({ backend: cr.getBackend(), early, late }));
