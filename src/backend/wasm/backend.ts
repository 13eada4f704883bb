// The WebAssembly backend from a compiled module: the runtime (memory, this thread's instance,
// workers), the module behind the native addon's interface, and the native backend's kernels
// over it under the name "wasm". Registered like any backend; Node's and the browser's entries
// differ only in where the module's bytes come from and how a worker starts.

import { type NativeAddon, opCodesOf } from "../native/addon.js";
import { nativeKernels, type NativeKernels } from "../native/kernels.js";
import { registerBackend } from "../registry.js";
import { registerThreadControl } from "../threads.js";
import { wasmAddon } from "./addon.js";
import { instantiate, type StartWorker, type WasmRuntime } from "./runtime.js";

/** The registered wasm backend: its kernels and runtime, for tests and the benchmark. */
export interface WasmBackend {
  readonly kernels: NativeKernels;
  readonly runtime: WasmRuntime;
  /** The module behind the addon's interface, for tests that call it directly. */
  readonly addon: NativeAddon;
  /** The SIMD path its kernels run ('wasm-simd128'). */
  readonly simd: string;
}

let current: WasmBackend | null = null;

/** The wasm backend if it is registered. */
export function wasmBackend(): WasmBackend | null {
  return current;
}

/**
 * Instantiates `module` and registers the "wasm" backend (not made active). Threads: up to
 * `cores` where `startWorker` is given, else one; workers start with the first kernel call.
 */
export function registerWasm(module: WebAssembly.Module, startWorker: StartWorker | null, cores: number): WasmBackend {
  if (current) return current;
  const runtime = instantiate(module, startWorker, cores);
  let threadsWanted = runtime.maxThreads;
  let threadsStarted = false;
  const addon = wasmAddon(runtime, () => {
    if (threadsStarted) return;
    threadsStarted = true;
    runtime.ensureThreads(threadsWanted);
  });
  addon.setNumThreads(threadsWanted);
  const { codes, missing } = opCodesOf(addon);
  if (missing.length > 0) throw new Error(`chainrule wasm: the module has no kernel for ${missing.join(", ")}`);
  const kernels = nativeKernels(addon, codes, "wasm");
  registerBackend(kernels);
  registerThreadControl("wasm", {
    set(n) {
      addon.setNumThreads(n);
      threadsWanted = n;
      if (threadsStarted) runtime.ensureThreads(n);
    },
    get: () => addon.getNumThreads(),
  });
  current = { kernels, runtime, addon, simd: addon.simd() };
  return current;
}
