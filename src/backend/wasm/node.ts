// The WebAssembly backend in Node: the module's bytes from the package's wasm/ folder (the build
// this engine runs fastest, or CHAINRULE_WASM_PATH), compiled synchronously at import (V8
// compiles its functions lazily, so this costs no measurable start-up), and workers from
// worker_threads, which share the module's memory. Node's modules are reached through
// process.getBuiltinModule, so a browser bundle that includes this file holds no Node import.

import { inNode } from "../native/addon.js";
import { registerWasm, type WasmBackend } from "./backend.js";
import { hasRelaxedSimd, type StartWorker, WASM_FILES, WORKER_BODY } from "./runtime.js";

/**
 * The module's file: CHAINRULE_WASM_PATH, else from the package's wasm/ folder the relaxed-SIMD
 * build where this Node runs it (22 and later, or 20 with --experimental-wasm-relaxed-simd) and
 * the SIMD128 one otherwise.
 */
function wasmPath(): string {
  const override = process.env.CHAINRULE_WASM_PATH;
  if (override) return override;
  const url = process.getBuiltinModule("node:url");
  const file = hasRelaxedSimd() ? WASM_FILES.relaxed : WASM_FILES.simd;
  // src/backend/wasm and dist/backend/wasm are both three levels below the package root
  return url.fileURLToPath(new URL(`../../../wasm/${file}`, import.meta.url));
}

/** Starts a worker_threads worker running the pool's worker body; it does not keep Node alive. */
function nodeStarter(): StartWorker {
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  const source = `${WORKER_BODY}\nconst { workerData } = require("node:worker_threads");\nrunWorker(workerData);`;
  return (data) => {
    const w = new Worker(source, { eval: true, workerData: data });
    w.on("error", (e: Error) => process.stderr.write(`chainrule wasm: a worker failed: ${e.message}\n`));
    w.unref();
    return true;
  };
}

/** Registers the wasm backend from its file: the backend, or why it could not load. */
export function loadWasmInNode(): { backend: WasmBackend; error?: undefined } | { backend?: undefined; error: string } {
  if (!inNode()) return { error: "not running in Node.js" };
  const path = wasmPath();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(process.getBuiltinModule("node:fs").readFileSync(path));
  } catch {
    return { error: `cannot read ${path}` };
  }
  try {
    const module = new WebAssembly.Module(bytes);
    const cores = process.getBuiltinModule("node:os").availableParallelism();
    return { backend: registerWasm(module, nodeStarter(), cores) };
  } catch (e) {
    return { error: `cannot start ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
