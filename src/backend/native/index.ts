// Registers the native backend when the addon loads (Node only) and makes it the active one,
// unless CHAINRULE_BACKEND=js. If it cannot load, one line on stderr says why and the JS backend
// stays active; with CHAINRULE_BACKEND=native that is an error instead, thrown at import.
// Imported for its effect by src/index.ts; loading is synchronous, so the backend is in place
// before the first tensor is made.

import { registerBackend, setBackend } from "../registry.js";
import { registerThreadControl } from "../threads.js";
import { inNode, loadAddon, type NativeAddon } from "./addon.js";
import { nativeKernels } from "./kernels.js";

// one notice per process, even if both src/ and dist/ copies of this module get loaded
const noticeKey = Symbol.for("chainrule.native.notice");

function notice(reason: string): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[noticeKey]) return;
  g[noticeKey] = true;
  process.stderr.write(`chainrule: native backend not loaded (${reason}); using the JS backend\n`);
}

function install(): NativeAddon | null {
  if (!inNode()) return null;
  const wanted = process.env.CHAINRULE_BACKEND ?? "";
  if (!["", "js", "native"].includes(wanted)) {
    throw new Error(`CHAINRULE_BACKEND is '${wanted}'; it must be 'native', 'js' or unset`);
  }
  const loaded = loadAddon();
  if (!loaded.addon) {
    if (wanted === "native") {
      throw new Error(`CHAINRULE_BACKEND=native, but the native addon cannot load: ${loaded.error}`);
    }
    if (wanted !== "js") notice(loaded.error);
    return null;
  }
  const addon = loaded.addon;
  registerBackend(nativeKernels(addon, loaded.codes));
  registerThreadControl({ set: (n) => addon.setNumThreads(n), get: () => addon.getNumThreads() });
  if (wanted !== "js") setBackend("native");
  return addon;
}

/** The loaded addon (null outside Node or when it failed to load), for tests and benchmarks. */
export const nativeAddon: NativeAddon | null = install();
