// How many threads the compute backends may use. A backend with a worker pool (the native addon,
// the WebAssembly module) registers its control here under its name; setNumThreads sets every
// one, and getNumThreads reads the active backend's. Without one, computation is single-threaded
// and the requested count is only remembered, to be applied if such a backend registers later.

import { getBackend } from "./registry.js";

/** A backend's thread-count setting. */
export interface ThreadControl {
  set(n: number): void;
  get(): number;
}

const controls = new Map<string, ThreadControl>();
let requested: number | null = null;

/** Called by a backend that runs kernels on several threads, under the backend's name. */
export function registerThreadControl(backend: string, c: ThreadControl): void {
  controls.set(backend, c);
  if (requested !== null) c.set(requested);
}

/** Sets the number of threads kernels may use, the calling thread included (torch.set_num_threads). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  requested = n;
  for (const c of controls.values()) c.set(n);
}

/** The number of threads the active backend's kernels may use (all cores by default where it has workers, else 1). */
export function getNumThreads(): number {
  const c = controls.get(getBackend());
  return c ? c.get() : (requested ?? 1);
}
