// The attention workload's memory, run as a child process of its own so that nothing measured
// before it has grown the heap or filled a buffer pool: reads {from, threads} as JSON from argv[2]
// and prints {bytes}, the peak resident memory one forward and backward adds, or {error}.
// Linux only: it resets the kernel's high-water mark (VmHWM) through /proc/self/clear_refs.

import { readFileSync, writeFileSync } from "node:fs";
import type * as CR from "../src/index.js";
import { attentionInputs, attentionStep } from "./models.js";

const { from, threads } = JSON.parse(process.argv[2]!) as { from: string; threads: number };

/** A line of /proc/self/status in bytes (VmRSS: now, VmHWM: peak since the last reset). */
function status(field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]) * 1024;
}

try {
  const cr = (await import(`../${from}/index.js`)) as typeof CR;
  cr.setBackend("native");
  cr.setNumThreads(threads);
  // a small run first loads the code paths, so that what is measured is the tensors' memory
  attentionStep(cr, attentionInputs(cr, [1, 4, 16, 32]))();
  const step = attentionStep(cr, attentionInputs(cr));
  writeFileSync("/proc/self/clear_refs", "5");
  const before = status("VmRSS");
  step();
  process.stdout.write(JSON.stringify({ bytes: status("VmHWM") - before }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
}
