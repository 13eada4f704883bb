// The native backend under the public API: a small network's loss and gradients match the JS
// backend's, tensors move between backends, memory is reclaimed in a loop without dispose()
// (a synchronous one on native; one that yields on wasm), dispose() frees early, and cr.setNumThreads / cr.getNumThreads reach the pool.

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { wasmBackend } from "../../src/backend/wasm/backend.js";
import { addon, skip, target } from "./conformance.js";

/** Loss and gradients of a 2-layer net with softmax cross-entropy, on the active backend. */
function step(seed: number, dtype: "float32" | "float64") {
  cr.manualSeed(seed);
  const x = cr.randn([9, 13], { dtype });
  const w1 = cr.randn([13, 17], { dtype }).mul(0.3).requiresGrad_();
  const b1 = cr.zeros([17], { dtype }).requiresGrad_();
  const w2 = cr.randn([17, 5], { dtype }).mul(0.3).requiresGrad_();
  const target = cr.tensor([0, 1, 2, 3, 4, 0, 1, 2, 3], { dtype: "int32" });
  const logits = x.matmul(w1).add(b1).tanh().matmul(w2);
  const logp = logits.logSoftmax(1);
  const loss = logp.gather(1, target.unsqueeze(1)).mean().neg();
  loss.backward();
  return [loss, w1.grad!, b1.grad!, w2.grad!];
}

describe("native backend through the public API", { skip }, () => {
  const threads = cr.getNumThreads();
  after(() => {
    cr.setBackend(target);
    cr.setNumThreads(threads);
  });

  test("loss and gradients agree with the JS backend", () => {
    for (const dtype of ["float32", "float64"] as const) {
      cr.setBackend("js");
      const want = step(3, dtype);
      cr.setBackend(target);
      const got = step(3, dtype);
      const tol = dtype === "float32" ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-14 };
      got.forEach((g, i) => assertClose(g, want[i]!, { ...tol, msg: `${dtype} output ${i}` }));
    }
  });

  test("tensors made on one backend are usable on the other", () => {
    cr.setBackend("js");
    const a = cr.arange(0, 6).reshape([2, 3]);
    cr.setBackend(target);
    assert.deepEqual(a.mul(2).transpose(0, 1).toArray(), [
      [0, 6],
      [2, 8],
      [4, 10],
    ]);
  });

  test("memory is reclaimed in a loop without dispose()", async () => {
    cr.setBackend(target);
    // native buffers are reported to V8 as external memory and freed during collection itself;
    // the wasm module's are freed between tasks (a FinalizationRegistry), so its loop yields
    const wasm = wasmBackend();
    const used = () => (target === "wasm" ? wasm!.runtime.memory.buffer.byteLength : process.memoryUsage().external);
    const before = used();
    let peak = before;
    // NOTE: 400 steps of two 2 MiB buffers would hold 1.6 GiB if nothing were freed before the loop ends
    for (let i = 0; i < 400; i++) {
      const t = cr.ones([1 << 19]).add(i);
      if (i % 50 === 0) peak = Math.max(peak, used(), t.numel());
      if (target === "wasm" && i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(peak - before < 512 << 20, `${target} memory grew by ${(peak - before) >> 20} MiB`);
  });

  test("dispose() frees a tensor's buffer early", () => {
    const t = cr.ones([1000]);
    t.dispose();
    assert.throws(() => t.add(1), /disposed/);
  });

  test("setNumThreads / getNumThreads reach the worker pool", () => {
    cr.setNumThreads(1);
    assert.equal(cr.getNumThreads(), 1);
    assert.equal(addon!.getNumThreads(), 1);
    const a = cr.randn([300, 200]);
    const one = a.matmul(a.transpose(0, 1)).sum(0);
    cr.setNumThreads(2);
    assert.equal(cr.getNumThreads(), 2);
    assertClose(a.matmul(a.transpose(0, 1)).sum(0), one, { rtol: 1e-5, atol: 1e-4 });
    assert.throws(() => cr.setNumThreads(0), /setNumThreads: expected a positive integer, got 0/);
  });

  test("more threads than cores: each thread's home range of parts, and the parts others leave, all run once", () => {
    // 3 and 7 threads on a 2-core machine: uneven home ranges, and workers that are often not
    // running when a job starts, whose parts the caller must take over
    const a = cr.randn([257, 301]);
    const b = cr.randn([301, 129]);
    const x = cr.randn([1 << 18]);
    const run = () => [a.matmul(b), a.t().matmul(a), x.mul(3).add(x.exp()), a.sum(0), a.softmax(1), x.sum()];
    cr.setNumThreads(1);
    const want = run();
    for (const nt of [3, 7]) {
      cr.setNumThreads(nt);
      for (let rep = 0; rep < 8; rep++)
        run().forEach((got, i) => assertClose(got, want[i]!, { rtol: 1e-5, atol: 1e-4 }));
    }
    cr.setNumThreads(2);
  });
});
