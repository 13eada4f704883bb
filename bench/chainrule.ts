// chainrule's workloads, written with the public API as a user would (cr.nn modules, cr.optim,
// no dispose): SGEMM, the MLP and CNN training steps, a chain of scalar ops, the model training
// steps of bench/models.ts, and the long run that watches memory over thousands of training steps.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type * as CR from "../src/index.js";
import { type Budget, gflops, timeSync } from "./harness.js";
import { attentionInputs, attentionStep, modelStep } from "./models.js";

type Cr = typeof CR;

/** The 784-256-128-10 MLP, its loss and optimiser, and one batch of random data. */
function mlpSetup(cr: Cr, batch: number) {
  const { nn, optim } = cr;
  const model = new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const x = cr.randn([batch, 784]);
  const y = cr.randint(0, 10, [batch]);
  return { model, lossFn, opt, x, y };
}

/** One training step: forward, cross-entropy, backward, SGD update. */
function trainStep(s: {
  model: CR.nn.Sequential;
  lossFn: CR.nn.CrossEntropyLoss;
  opt: CR.optim.SGD;
  x: CR.Tensor;
  y: CR.Tensor;
}) {
  s.opt.zeroGrad();
  const logits = s.model.call(s.x) as CR.Tensor;
  s.lossFn.call(logits, s.y).backward();
  s.opt.step();
}

/** The CNN of the brief: conv8 3x3 → relu → maxpool2 → conv16 3x3 → relu → maxpool2 → linear10. */
function cnnSetup(cr: Cr, batch: number) {
  const { nn, optim } = cr;
  const model = new nn.Sequential(
    new nn.Conv2d(1, 8, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 10),
  );
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  return { model, lossFn, opt, x: cr.randn([batch, 1, 28, 28]), y: cr.randint(0, 10, [batch]) };
}

/** Measures one workload on the active backend; values are GFLOP/s, ms per step or µs per op. */
export function runChainrule(cr: Cr, key: string, budget: Budget): number {
  if (key.startsWith("sgemm-")) {
    const n = Number(key.slice(6));
    const a = cr.randn([n, n]);
    const b = cr.randn([n, n]);
    return gflops(
      n,
      timeSync(() => void a.matmul(b), budget),
    );
  }
  if (key.startsWith("mlp-")) {
    const s = mlpSetup(cr, Number(key.slice(4)));
    return timeSync(() => trainStep(s), budget);
  }
  if (key.startsWith("cnn-")) {
    const s = cnnSetup(cr, Number(key.slice(4)));
    return timeSync(() => trainStep(s), budget);
  }
  const model = modelStep(cr, key);
  if (model) return timeSync(model, budget);
  if (key === "attention") {
    const step = attentionStep(cr, attentionInputs(cr));
    return timeSync(step, budget);
  }
  if (key === "scalar") {
    const x = cr.tensor(0.5).requiresGrad_();
    const ms = timeSync(() => {
      let y = x;
      for (let i = 0; i < 500; i++) y = y.mul(0.999).add(0.001);
      x.grad = null;
      y.backward();
    }, budget);
    return (ms * 1000) / 1000;
  }
  throw new Error(`bench: unknown workload ${key}`);
}

/** The peak memory growth in bytes of one step of `workload`, in a fresh process (see bench/step-memory.ts). */
export function chainruleStepMemory(from: string, threads: number, workload: string): number {
  const script = fileURLToPath(new URL("./step-memory.ts", import.meta.url));
  const config = JSON.stringify({ from, threads, workload });
  const r = spawnSync(process.execPath, [...process.execArgv, script, config], { encoding: "utf8" });
  const out = JSON.parse(r.stdout.trim() || "{}") as { bytes?: number; error?: string };
  if (typeof out.bytes !== "number") throw new Error(out.error ?? (r.stderr || "no output").trim());
  return out.bytes;
}

/** Memory figures in bytes. */
export interface MemorySample {
  step: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** `steps` MLP training steps at batch `batch` with no dispose(), sampling memory as it goes. */
export function longRun(cr: Cr, steps: number, batch: number, every: number): { samples: MemorySample[]; ms: number } {
  const s = mlpSetup(cr, batch);
  const samples: MemorySample[] = [];
  const sample = (step: number) => {
    const m = process.memoryUsage();
    samples.push({ step, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers });
  };
  sample(0);
  const t = performance.now();
  for (let i = 1; i <= steps; i++) {
    trainStep(s);
    if (i % every === 0) sample(i);
  }
  return { samples, ms: performance.now() - t };
}
