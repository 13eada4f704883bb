// chainrule in the benchmark's own process: a workload of bench/cases.ts timed on the active
// backend, a step's peak memory in a fresh process, and the long run that watches memory over
// thousands of training steps.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type * as CR from "../src/index.js";
import { chainruleCase, mlpSetup, trainStep } from "./cases.js";
import { type Budget, timeSync } from "./harness.js";

type Cr = typeof CR;

/** Measures one workload on the active backend; values are GFLOP/s, ms per step or µs per op. */
export function runChainrule(cr: Cr, key: string, budget: Budget): number {
  const { step, value } = chainruleCase(cr, key);
  return value(timeSync(step, budget));
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
