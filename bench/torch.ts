// The PyTorch peer: runs bench/torch_peer.py under the system interpreter (which has torch) and
// reads back its JSON. One child per thread count, because Debian's torch is built against the
// generic BLAS interface: torch.set_num_threads does not reach OpenBLAS, whose own thread count is
// fixed by OPENBLAS_NUM_THREADS when the library loads. Without it, "1 thread" would time OpenBLAS
// on every core. OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its Prescott
// (SSE3) kernels, so on an AVX-512 CPU the child is told to use the SkylakeX kernels.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Budget } from "./harness.js";

/** What the Python side reports. */
export interface TorchReport {
  version: string;
  /** The BLAS library the process actually loaded, and OpenBLAS's kernel when it says. */
  blas: string;
  /** `${workload}@${threads}` → value in the workload's unit. */
  results: Record<string, number>;
  maxRssBytes: number;
}

const python = "/usr/bin/python3";

function cpuHasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

/** Runs the PyTorch workloads, or returns the reason they could not run. */
export function runTorch(workloads: string[], threads: number[], budget: Budget): TorchReport | string {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.OPENBLAS_L2_SIZE;
  if (base.OPENBLAS_CORETYPE === undefined && cpuHasAvx512()) base.OPENBLAS_CORETYPE = "SkylakeX";
  const probe = spawnSync(python, ["-c", "import torch"], { env: base, encoding: "utf8" });
  if (probe.error || probe.status !== 0) return `PyTorch not importable by ${python}`;
  const script = fileURLToPath(new URL("./torch_peer.py", import.meta.url));
  const merged: TorchReport = { version: "", blas: "", results: {}, maxRssBytes: 0 };
  for (const [i, t] of threads.entries()) {
    const env = { ...base, OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
    // the scalar graph does no BLAS work: time it once, with the first thread count
    const keys = i === 0 ? workloads : workloads.filter((w) => w !== "scalar");
    const r = spawnSync(python, [script, JSON.stringify({ workloads: keys, threads: t, budget })], {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) return `PyTorch run failed: ${(r.stderr || String(r.error)).trim().split("\n").at(-1)}`;
    const one = JSON.parse(r.stdout) as TorchReport;
    merged.version = one.version;
    merged.blas = one.blas;
    merged.maxRssBytes = Math.max(merged.maxRssBytes, one.maxRssBytes);
    Object.assign(merged.results, one.results);
  }
  return merged;
}
