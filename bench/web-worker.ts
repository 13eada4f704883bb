// jax-js spreads its wasm kernels over browser Web Workers, started from a blob: URL of their
// source, and sizes the pool by navigator.hardwareConcurrency. Node 20 has neither a global Worker
// nor navigator, so without this jax-js runs every kernel on the main thread. The `web-worker`
// package gives Node a Worker but cannot load blob: URLs; this is the small part it lacks.

import { resolveObjectURL } from "node:buffer";
import { Worker as NodeWorker } from "node:worker_threads";

// The worker side: a browser-like global scope whose source arrives as the first message (reading
// a Blob is asynchronous, a Worker constructor is not); messages sent before it wait their turn.
const bootstrap = `
const { parentPort } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
let started = false;
const early = [];
parentPort.on("message", (m) => {
  if (started) return self.onmessage({ data: m });
  if (m && typeof m.__source === "string") {
    (0, eval)(m.__source);
    started = true;
    for (const e of early) self.onmessage({ data: e });
  } else early.push(m);
});`;

/** The browser Worker API over worker_threads, for module sources behind blob: URLs. */
class BlobWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: Error) => void) | null = null;
  readonly #worker: NodeWorker;

  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`Worker: only blob: URLs are supported here, got ${String(url)}`);
    this.#worker = new NodeWorker(bootstrap, { eval: true });
    // idle workers must not keep the benchmark process alive
    this.#worker.unref();
    this.#worker.on("message", (data) => this.onmessage?.({ data }));
    this.#worker.on("error", (e) => this.onerror?.(e));
    void blob.text().then((source) => this.#worker.postMessage({ __source: source }));
  }

  postMessage(message: unknown): void {
    this.#worker.postMessage(message);
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/** Gives this process a global Worker and a navigator reporting `threads` cores. */
export function installWebWorkers(threads: number): void {
  Object.assign(globalThis, { Worker: BlobWorker });
  Object.defineProperty(globalThis, "navigator", { value: { hardwareConcurrency: threads }, configurable: true });
}
