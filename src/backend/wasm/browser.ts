// The WebAssembly backend in a browser: the page hands over the module (its bytes, a fetch
// Response, or a URL), which compiles asynchronously as browsers require; workers are Web
// Workers where the page is cross-origin isolated (the only place they may share the module's
// memory), else the kernels run on the page's thread alone.

import { setBackend } from "../registry.js";
import { registerWasm, wasmBackend } from "./backend.js";
import { hasRelaxedSimd, type StartWorker, WORKER_BODY } from "./runtime.js";

/** Where the module comes from: its bytes, a Response (or its promise), or the URL of wasm/chainrule.wasm. */
export type WasmSource = BufferSource | Response | PromiseLike<Response> | URL | string;

/**
 * Both builds of the module (wasm/chainrule.wasm and wasm/chainrule-relaxed.wasm): initWasm
 * takes the relaxed-SIMD one where the engine runs it (Chrome since 114), else the other.
 */
export interface WasmBuilds {
  /** The SIMD128 build, which every engine with WebAssembly SIMD runs. */
  simd: WasmSource;
  /** The relaxed-SIMD build, taken where the engine runs it. */
  relaxed?: WasmSource;
}

/** Starts Web Workers from one blob of the pool's worker body. */
function browserStarter(): StartWorker {
  const source = `${WORKER_BODY}\nonmessage = (e) => runWorker(e.data);`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return (data) => {
    new Worker(url).postMessage(data);
    return true;
  };
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const response = typeof source === "string" || source instanceof URL ? fetch(source) : source;
  const r = await response;
  if (!r.ok) throw new Error(`initWasm: fetching ${r.url} gave ${r.status} ${r.statusText}`);
  return WebAssembly.compile(await r.arrayBuffer());
}

/**
 * Loads the WebAssembly backend (one build, or both to pick from) and makes it the active one;
 * resolves to the number of threads
 * its kernels may use (all cores where the page is cross-origin isolated, else 1). Until it
 * resolves, and wherever it fails, the JS backend computes. Calling it again only makes the
 * loaded backend active.
 */
export async function initWasm(source: WasmSource | WasmBuilds): Promise<number> {
  const loaded = wasmBackend();
  if (loaded) {
    setBackend("wasm");
    return loaded.runtime.maxThreads;
  }
  const builds = typeof source === "object" && source !== null && "simd" in source ? source : null;
  const chosen = builds ? (builds.relaxed !== undefined && hasRelaxedSimd() ? builds.relaxed : builds.simd) : source;
  const module = await compile(chosen as WasmSource);
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const threaded = g.crossOriginIsolated === true && typeof Worker !== "undefined";
  const backend = registerWasm(module, threaded ? browserStarter() : null, g.navigator?.hardwareConcurrency ?? 1);
  setBackend("wasm");
  return backend.runtime.maxThreads;
}
