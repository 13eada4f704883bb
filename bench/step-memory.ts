// One workload's training-step memory, run as a child process of its own so that nothing measured
// before it has grown the heap or filled a buffer pool: reads {from, threads, workload} as JSON
// from argv[2] (workload: a model key of bench/models.ts, or "attention") and prints {bytes}, the
// peak resident memory one step adds, or {error}. bench/torch_peer.py's step_memory is its twin.
// Linux only: it resets the kernel's high-water mark (VmHWM) through /proc/self/clear_refs.

import { readFileSync, writeFileSync } from "node:fs";
import type * as CR from "../src/index.js";
import { attentionInputs, attentionStep, modelStep } from "./models.js";

const { from, threads, workload } = JSON.parse(process.argv[2]!) as {
  from: string;
  threads: number;
  workload: string;
};

/** A line of /proc/self/status in bytes (VmRSS: now, VmHWM: peak since the last reset). */
function status(field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]) * 1024;
}

/** Builds the workload, runs what must come before the measured step, and returns that step. */
function prepare(cr: typeof CR): () => void {
  if (workload === "attention") {
    // attention keeps no state between steps: a small run loads the code paths, and the step
    // measured is the first at full size, so what it adds is the tensors' memory
    attentionStep(cr, attentionInputs(cr, [1, 4, 16, 32]))();
    return attentionStep(cr, attentionInputs(cr));
  }
  const step = modelStep(cr, workload);
  if (!step) throw new Error(`bench: no training step for workload ${workload}`);
  // one step first makes what a training loop carries from step to step (the optimiser's moments
  // or momentum, the gradients' buffers) and loads the code paths: what is measured is one more step
  step();
  return step;
}

try {
  const cr = (await import(`../${from}/index.js`)) as typeof CR;
  cr.setBackend("native");
  cr.setNumThreads(threads);
  const step = prepare(cr);
  writeFileSync("/proc/self/clear_refs", "5");
  const before = status("VmRSS");
  step();
  process.stdout.write(JSON.stringify({ bytes: status("VmHWM") - before }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
}
