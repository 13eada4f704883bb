// chainrule's wasm backend for `npm run bench`, run as a child process per thread count with
// CHAINRULE_BACKEND=wasm, so that neither its workers nor its memory touch the native side's
// figures: reads {from, workloads, threads, budget} as JSON from argv[2] and prints {results,
// failed, simd, threads, memoryMB} or {error} as JSON. Each call is followed by a turn of the
// event loop, as in a training loop over a DataLoader (bench/harness.ts's timeYielding).

import type * as CR from "../src/index.js";
import type { WasmBackend } from "../src/backend/wasm/backend.js";
import { chainruleCase } from "./cases.js";
import { type Budget, timeYielding } from "./harness.js";

const { from, workloads, threads, budget } = JSON.parse(process.argv[2]!) as {
  from: string;
  workloads: string[];
  threads: number;
  budget: Budget;
};

try {
  const base = from === "src" ? "../src" : "../dist";
  const cr = (await import(`${base}/index.js`)) as typeof CR;
  const { wasmBackend } = (await import(`${base}/backend/wasm/backend.js`)) as { wasmBackend(): WasmBackend | null };
  const wasm = wasmBackend();
  if (!wasm || cr.getBackend() !== "wasm") throw new Error(`the wasm backend is not active (${cr.getBackend()} is)`);
  cr.setNumThreads(threads);
  const results: Record<string, number> = {};
  const failed: string[] = [];
  for (const key of workloads) {
    try {
      const { step, value } = chainruleCase(cr, key);
      results[key] = value(await timeYielding(step, budget));
    } catch (e) {
      failed.push(`${key}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    }
  }
  process.stdout.write(
    JSON.stringify({
      results,
      failed,
      simd: wasm.simd,
      threads: cr.getNumThreads(),
      // the module's memory never shrinks: its size is the most the run's tensors and pool took
      memoryMB: wasm.runtime.memory.buffer.byteLength / 2 ** 20,
    }),
  );
} catch (e) {
  process.stdout.write(JSON.stringify({ error: `chainrule wasm: ${e instanceof Error ? e.message : String(e)}` }));
}
// the pool's workers are unref'd, but a worker blocked in Atomics.wait must not hold the exit
process.exit(0);
