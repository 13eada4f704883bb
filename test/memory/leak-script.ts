// Child process of leak.test.ts: trains a small MLP for many steps with no dispose anywhere and
// prints the live memory (heap + external, after a full GC, plus the wasm module's memory) after
// warm-up and at the end, as JSON. On the wasm backend the loop yields to the event loop each
// step, as a data loader's `for await` does: dropped tensors' blocks return to the module's pool
// through a FinalizationRegistry, whose callbacks run only between tasks.

import * as cr from "../../src/index.js";
import { wasmBackend } from "../../src/backend/wasm/backend.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

cr.manualSeed(0);
const model = new cr.nn.Sequential(new cr.nn.Linear(32, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 10));
const opt = new cr.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const x = cr.randn([16, 32]);
const y = cr.randint(0, 10, [16]);

const yields = cr.getBackend() === "wasm";
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function steps(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    if (yields) await turn();
  }
}

async function live(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await turn();
  }
  const m = process.memoryUsage();
  const wasm = wasmBackend();
  // the wasm backend's tensors are in its module's memory; the ArrayBuffers it holds only to
  // show V8 their size are untouched mappings, not memory, so they are left out
  if (yields && wasm) return m.heapUsed + wasm.runtime.memory.buffer.byteLength;
  return m.heapUsed + m.external + m.arrayBuffers;
}

// the wasm backend's module memory settles after its first few full collections, which come
// every few tens of megabytes allocated: a few thousand of these small steps
await steps(yields ? 6000 : 1000);
const early = await live();
await steps(Number(process.argv[2] ?? 3000));
const late = await live();
console.log(JSON.stringify({ backend: cr.getBackend(), early, late }));
