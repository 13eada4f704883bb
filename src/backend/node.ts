// Which backend computes in Node. CHAINRULE_BACKEND=native|wasm|js picks one, and one that
// cannot load is an error at import. Unset: the native addon when it loads, else the
// WebAssembly module, else the JS reference, with one line on stderr saying why the faster one
// did not load. The backends that load are all registered, so setBackend can switch to any.

import { nativeAddon, nativeLoadError } from "./native/index.js";
import { setBackend } from "./registry.js";
import { loadWasmInNode } from "./wasm/node.js";

// one notice per process, even if both src/ and dist/ copies of this module get loaded
const noticeKey = Symbol.for("chainrule.backend.notice");

function notice(text: string): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[noticeKey]) return;
  g[noticeKey] = true;
  process.stderr.write(`chainrule: ${text}\n`);
}

function choose(): void {
  const wanted = process.env.CHAINRULE_BACKEND ?? "";
  if (!["", "js", "native", "wasm"].includes(wanted)) {
    throw new Error(`CHAINRULE_BACKEND is '${wanted}'; it must be 'native', 'wasm', 'js' or unset`);
  }
  const wasm = loadWasmInNode();
  if (wanted === "native" && !nativeAddon) {
    throw new Error(`CHAINRULE_BACKEND=native, but the native addon cannot load: ${nativeLoadError}`);
  }
  if (wanted === "wasm" && !wasm.backend) {
    throw new Error(`CHAINRULE_BACKEND=wasm, but the wasm backend cannot load: ${wasm.error}`);
  }
  if (wanted !== "") {
    setBackend(wanted);
    return;
  }
  if (nativeAddon) {
    setBackend("native");
  } else if (wasm.backend) {
    notice(`native backend not loaded (${nativeLoadError}); using the wasm backend`);
    setBackend("wasm");
  } else {
    notice(`native backend not loaded (${nativeLoadError}), nor the wasm one (${wasm.error}); using the JS backend`);
  }
}

choose();
