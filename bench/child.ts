// The benchmark's sides that run in child processes, one per thread count (jax-js sizes its
// worker pool once, at start; chainrule's wasm backend is chosen by CHAINRULE_BACKEND at import):
// each is a script that reads its JSON config from argv[2] and prints {results, failed} or {error}.

import { spawnSync } from "node:child_process";

/** What a child prints: its figures by workload key, failures, or why it could not run at all. */
export interface ChildOutput {
  results?: Record<string, number>;
  failed?: string[];
  error?: string;
  [more: string]: unknown;
}

/**
 * Runs `script` once per thread count, with `config(threads)` and `env` added to this process's;
 * records figures under `${column} ${threads}T` with `put`, failures with `note`, and returns each
 * child's output (for what else it reports). A child that fails to start is noted and skipped; one
 * that reports an error stops the rest.
 */
export function childColumns(options: {
  column: string;
  script: string;
  threadCounts: number[];
  config: (threads: number) => object;
  env?: Record<string, string>;
  /** Node options for the child beyond this process's own. */
  nodeFlags?: string[];
  put: (column: string, key: string, v: number) => void;
  note: (text: string) => void;
}): Map<number, ChildOutput> {
  const { column, script, threadCounts, put, note } = options;
  const outputs = new Map<number, ChildOutput>();
  for (const threads of threadCounts) {
    process.stderr.write(`${column}, ${threads} thread(s) (child process)\n`);
    const argv = [...process.execArgv, ...(options.nodeFlags ?? []), script, JSON.stringify(options.config(threads))];
    const r = spawnSync(process.execPath, argv, {
      encoding: "utf8",
      maxBuffer: 1 << 24,
      env: { ...process.env, ...options.env },
    });
    let out: ChildOutput;
    try {
      out = JSON.parse(r.stdout) as ChildOutput;
    } catch {
      note(`${column} ${threads}T failed: ${(r.stderr || String(r.error)).trim().split("\n").at(-1)}`);
      continue;
    }
    if (out.error) {
      note(out.error);
      break;
    }
    outputs.set(threads, out);
    for (const f of out.failed ?? []) note(`${column} ${threads}T ${f}`);
    for (const [key, v] of Object.entries(out.results ?? {})) put(`${column} ${threads}T`, key, v);
  }
  return outputs;
}
