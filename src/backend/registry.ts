// Which backend computes. Backends register themselves; the op layer asks for the active one.

import type { Kernels } from "./kernels.js";
import { referenceKernels } from "./js/reference.js";

const backends = new Map<string, Kernels>([["js", referenceKernels]]);
let active: Kernels = referenceKernels;

/** Makes a backend available under its name (the native addon registers itself when it loads). */
export function registerBackend(kernels: Kernels): void {
  backends.set(kernels.name, kernels);
}

/** Names of the backends that loaded. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The name of the active backend. */
export function getBackend(): string {
  return active.name;
}

/** Switches the active backend; tensors made before keep their buffers and are moved on use. */
export function setBackend(name: string): void {
  const k = backends.get(name);
  if (!k) throw new Error(`setBackend: no backend named '${name}' (loaded: ${listBackends().join(", ")})`);
  active = k;
}

/** The kernels of the active backend. */
export function kernels(): Kernels {
  return active;
}

/** The kernels registered under `name`. */
export function backendNamed(name: string): Kernels | undefined {
  return backends.get(name);
}
