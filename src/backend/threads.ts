// How many threads the compute backends may use. A backend with a worker pool (the native addon)
// registers its control here; without one, computation is single-threaded and the requested
// count is only remembered, to be applied if such a backend registers later.

/** A backend's thread-count setting. */
export interface ThreadControl {
  set(n: number): void;
  get(): number;
}

let control: ThreadControl | null = null;
let requested: number | null = null;

/** Called by a backend that runs kernels on several threads. */
export function registerThreadControl(c: ThreadControl): void {
  control = c;
  if (requested !== null) c.set(requested);
}

/** Sets the number of threads kernels may use, the calling thread included (torch.set_num_threads). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  requested = n;
  control?.set(n);
}

/** The number of threads kernels may use (default: all cores when the native backend is loaded, else 1). */
export function getNumThreads(): number {
  return control ? control.get() : (requested ?? 1);
}
