// The PyTorch peer: runs bench/torch_peer.py under the system interpreter (which has torch) and
// reads back its JSON. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are removed from the child's
// environment so BLAS picks its kernels for this CPU itself.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Budget } from "./harness.js";

/** What the Python side reports. */
export interface TorchReport {
  version: string;
  blas: string;
  /** `${workload}@${threads}` → value in the workload's unit. */
  results: Record<string, number>;
  maxRssBytes: number;
}

const python = "/usr/bin/python3";

/** Runs the PyTorch workloads, or returns the reason they could not run. */
export function runTorch(workloads: string[], threads: number[], budget: Budget): TorchReport | string {
  const { OPENBLAS_CORETYPE: _a, OPENBLAS_L2_SIZE: _b, ...env } = process.env;
  const probe = spawnSync(python, ["-c", "import torch"], { env, encoding: "utf8" });
  if (probe.error || probe.status !== 0) return `PyTorch not importable by ${python}`;
  const script = fileURLToPath(new URL("./torch_peer.py", import.meta.url));
  const r = spawnSync(python, [script, JSON.stringify({ workloads, threads, budget })], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return `PyTorch run failed: ${(r.stderr || String(r.error)).trim().split("\n").at(-1)}`;
  return JSON.parse(r.stdout) as TorchReport;
}

/** The BLAS line of torch's build configuration, for the report. */
export function torchBlas(report: TorchReport): string {
  const m = /BLAS_INFO=(\w+)/.exec(report.blas);
  return m ? m[1]! : "unknown";
}
