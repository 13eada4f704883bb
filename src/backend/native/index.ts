// Loads the native addon (Node only) and registers it as the "native" backend; which backend
// becomes active is decided by src/backend/node.ts. Loading is synchronous, so the backend is in
// place before the first tensor is made.

import { registerBackend } from "../registry.js";
import { registerThreadControl } from "../threads.js";
import { inNode, loadAddon, type NativeAddon } from "./addon.js";
import { nativeKernels } from "./kernels.js";

function install(): { addon: NativeAddon | null; error: string } {
  if (!inNode()) return { addon: null, error: "not running in Node.js" };
  const loaded = loadAddon();
  if (!loaded.addon) return { addon: null, error: loaded.error };
  const addon = loaded.addon;
  registerBackend(nativeKernels(addon, loaded.codes));
  registerThreadControl("native", { set: (n) => addon.setNumThreads(n), get: () => addon.getNumThreads() });
  return { addon, error: "" };
}

const installed = install();

/** The loaded addon (null outside Node or when it failed to load), for tests and benchmarks. */
export const nativeAddon: NativeAddon | null = installed.addon;

/** Why the addon did not load ("" when it did). */
export const nativeLoadError: string = installed.error;
