// chainrule's workloads as step closures, written with the public API as a user would (cr.nn
// modules, cr.optim, no dispose): SGEMM, the MLP and CNN training steps, a chain of scalar ops,
// and the model steps of bench/models.ts. No Node module here: the browser page
// (bench/browser-mlp.ts) times the very same MLP step.

import type * as CR from "../src/index.browser.js";
import { gflops } from "./harness.js";
import { attentionInputs, attentionStep, type Cr, modelStep } from "./models.js";

/** A workload ready to time: the call to repeat, and its value from the median ms per call. */
export interface Case {
  step: () => void;
  value: (ms: number) => number;
}

/** The 784-256-128-10 MLP, its loss and optimiser, and one batch of random data. */
export function mlpSetup(cr: Cr, batch: number) {
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
export function trainStep(s: {
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

const asMs = (ms: number) => ms;

/** Builds workload `key` on the active backend; its values are GFLOP/s, ms per step or µs per op. */
export function chainruleCase(cr: Cr, key: string): Case {
  if (key.startsWith("sgemm-")) {
    const n = Number(key.slice(6));
    const a = cr.randn([n, n]);
    const b = cr.randn([n, n]);
    return { step: () => void a.matmul(b), value: (ms) => gflops(n, ms) };
  }
  if (key.startsWith("mlp-")) {
    const s = mlpSetup(cr, Number(key.slice(4)));
    return { step: () => trainStep(s), value: asMs };
  }
  if (key.startsWith("cnn-")) {
    const s = cnnSetup(cr, Number(key.slice(4)));
    return { step: () => trainStep(s), value: asMs };
  }
  const model = modelStep(cr, key);
  if (model) return { step: model, value: asMs };
  if (key === "attention") return { step: attentionStep(cr, attentionInputs(cr)), value: asMs };
  if (key === "scalar") {
    const x = cr.tensor(0.5).requiresGrad_();
    const step = () => {
      let y = x;
      for (let i = 0; i < 500; i++) y = y.mul(0.999).add(0.001);
      x.grad = null;
      y.backward();
    };
    // 1000 ops a call: ms per call is µs per op
    return { step, value: asMs };
  }
  throw new Error(`bench: unknown workload ${key}`);
}
