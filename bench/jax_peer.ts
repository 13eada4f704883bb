// The jax-js side of `npm run bench`, run as a child process per thread count (jax-js sizes its
// worker pool once, when it starts): reads {workloads, threads, budget} as JSON from argv[2] and
// prints {results} or {error} as JSON. On one thread jax-js runs its kernels on the main thread,
// as it does in Node by default; on more it gets that many Web Workers.

import type { Budget } from "./harness.js";
import { installWebWorkers } from "./web-worker.js";

const { workloads, threads, budget } = JSON.parse(process.argv[2]!) as {
  workloads: string[];
  threads: number;
  budget: Budget;
};
if (threads > 1) installWebWorkers(threads);
// imported only now: jax-js looks for Worker when it starts its wasm device
const { runJax, useJax } = await import("./jax.js");
const why = await useJax();
const results: Record<string, number> = {};
const failed: string[] = [];
if (why === null)
  for (const key of workloads) {
    try {
      results[key] = await runJax(key, budget);
    } catch (e) {
      failed.push(`${key}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    }
  }
process.stdout.write(JSON.stringify(why === null ? { results, failed } : { error: why }));
// idle workers are unref'd, but jax-js may hold other handles open
process.exit(0);
