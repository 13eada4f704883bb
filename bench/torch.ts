// The PyTorch peer: bench/torch_peer.py under the system interpreter (which has torch), kept
// running and asked for one workload at a time over a pipe, so that the bench can time it right
// after chainrule on the same workload. One child per thread count, because Debian's torch is
// built against the generic BLAS interface: torch.set_num_threads does not reach OpenBLAS, whose
// own thread count is fixed by OPENBLAS_NUM_THREADS when the library loads. Without it, "1 thread"
// would time OpenBLAS on every core. OpenBLAS 0.3.21 does not recognise recent Xeons and falls
// back to its Prescott (SSE3) kernels, so on an AVX-512 CPU the child is told to use SkylakeX's.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Budget } from "./harness.js";

const python = "/usr/bin/python3";
const script = fileURLToPath(new URL("./torch_peer.py", import.meta.url));

function cpuHasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

/** The environment of a PyTorch child at `threads` threads (see the top of this file). */
function peerEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
  };
  delete env.OPENBLAS_L2_SIZE;
  if (env.OPENBLAS_CORETYPE === undefined && cpuHasAvx512()) env.OPENBLAS_CORETYPE = "SkylakeX";
  return env;
}

/** The peak memory growth in bytes of one step of `workload`, in a fresh PyTorch process (see torch_peer.py). */
export function torchStepMemory(threads: number, workload: string): number {
  const config = JSON.stringify({ threads, stepMemory: workload });
  const r = spawnSync(python, [script, config], { env: peerEnv(threads), encoding: "utf8" });
  const out = JSON.parse(r.stdout.trim() || "{}") as { bytes?: number };
  if (typeof out.bytes !== "number") throw new Error(`PyTorch: ${(r.stderr || "no output").trim().split("\n").at(-1)}`);
  return out.bytes;
}

/** One PyTorch child process at a fixed thread count. */
export class TorchPeer {
  /** The BLAS library the child loaded, and OpenBLAS's kernel when it says. */
  blas = "";
  version = "";
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on("line", (line) => this.deliver(line));
    child.on("close", () => {
      this.ended = true;
      this.deliver(null);
    });
  }

  /** Starts the child for `threads` threads, or returns why it cannot run. */
  static async start(threads: number, budget: Budget): Promise<TorchPeer | string> {
    const env = peerEnv(threads);
    const probe = spawnSync(python, ["-c", "import torch"], { env, encoding: "utf8" });
    if (probe.error || probe.status !== 0) return `PyTorch not importable by ${python}`;
    let stderr = "";
    const child = spawn(python, [script, JSON.stringify({ threads, budget })], { env });
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const peer = new TorchPeer(child);
    const hello = await peer.next();
    if (!hello?.version) {
      child.kill();
      return `PyTorch peer did not start: ${stderr.trim().split("\n").at(-1) ?? "no output"}`;
    }
    peer.version = hello.version as string;
    peer.blas = hello.blas as string;
    return peer;
  }

  /** False once the child has exited (it answers nothing more). */
  get alive(): boolean {
    return !this.ended;
  }

  /** Times one workload (the value in its unit); throws with the child's error. */
  async run(key: string): Promise<number> {
    if (this.ended) throw new Error("the PyTorch process has exited");
    this.child.stdin.write(`${key}\n`);
    const r = await this.next();
    if (typeof r?.value === "number") return r.value;
    throw new Error(String(r?.error ?? "the PyTorch process exited"));
  }

  /** Ends the child; resolves to its peak resident memory in bytes (0 if it did not say). */
  async close(): Promise<number> {
    this.child.stdin.end();
    const r = await this.next();
    return typeof r?.maxRssBytes === "number" ? r.maxRssBytes : 0;
  }

  private deliver(line: string | null) {
    if (line !== null) this.lines.push(line);
    const w = this.waiting;
    if (w && (this.lines.length > 0 || this.ended)) {
      this.waiting = null;
      w(this.lines.shift() ?? null);
    }
  }

  private async next(): Promise<Record<string, unknown> | null> {
    const line =
      this.lines.length > 0 || this.ended
        ? (this.lines.shift() ?? null)
        : await new Promise<string | null>((resolve) => (this.waiting = resolve));
    return line === null ? null : (JSON.parse(line) as Record<string, unknown>);
  }
}
