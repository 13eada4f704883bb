// The WebAssembly module at run time: one instance on the calling thread and one on each worker,
// all over one shared memory, so a tensor lives in one place that every thread reads. The
// module is built from the addon's C++ sources (tools/build-wasm.sh); its thread pool
// (native/thread-pool.cc) deals out each kernel's parts, and this side only starts the workers:
// worker_threads in Node, Web Workers in a cross-origin isolated page. Without them the kernels
// run on the calling thread alone, decided here at start, with no error.

/** The module's exports (native/wasm-exports.cc) and the linker's thread-setup symbols. */
export interface WasmExports {
  cr_abi(): number;
  cr_call_area(): number;
  cr_desc(): number;
  cr_desc_length(): number;
  cr_staging(): number;
  cr_staging_length(): number;
  cr_names(which: number): number;
  cr_call(index: number, argc: number): number;
  cr_message(): number;
  cr_alloc(dtype: number, bytes: number, zero: number): number;
  cr_data(buffer: number): number;
  cr_data_for_write(buffer: number, bytes: number): number;
  cr_bytes(buffer: number): number;
  cr_release(buffer: number): void;
  cr_delete(buffer: number): void;
  cr_pooled_bytes(): number;
  cr_set_num_threads(n: number): void;
  cr_get_num_threads(): number;
  cr_worker_main(self: number): void;
  cr_simd(): number;
  cr_malloc(bytes: number): number;
  cr_free(pointer: number): void;
  __wasm_call_ctors(): void;
  __wasm_init_tls(block: number): void;
  __stack_pointer: WebAssembly.Global;
  __tls_size: WebAssembly.Global;
  __tls_align: WebAssembly.Global;
}

/**
 * The module's two builds: SIMD128 for every engine with WebAssembly SIMD, and the same with
 * relaxed SIMD's fused multiply-add in the products' inner loops, for engines that have it.
 */
export const WASM_FILES = { simd: "chainrule.wasm", relaxed: "chainrule-relaxed.wasm" } as const;

/** A module whose one function is f32x4.relaxed_madd: it validates only where relaxed SIMD runs. */
const RELAXED_PROBE = new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 0x0a, 0x0d, 1, 0x0b, 0,
  0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this engine runs relaxed SIMD, and so the faster of the module's builds. */
export function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The ABI of the module this side speaks (native/wasm-exports.cc's kWasmAbi). */
export const WASM_ABI = 1;

/** Bytes of stack each worker gets (the linker gives the first thread the same). */
const STACK_BYTES = 1 << 20;
/** Initial memory: the module's data and stack with room to spare; it grows on demand. */
const INITIAL_PAGES = 256;
/** wasm32's whole address space. */
const MAXIMUM_PAGES = 65536;

/**
 * The module's imports beyond its memory: the few WASI calls wasi-libc links in. Only writing to
 * stderr does anything: the C++ runtime's last words before it aborts (an allocation that failed
 * inside a kernel), kept in `said` for the error that reports the trap.
 */
export function importsFor(module: WebAssembly.Module, memory: WebAssembly.Memory, said: { text: string }) {
  const wasi: Record<string, (...args: number[]) => number> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== "wasi_snapshot_preview1") continue;
    wasi[imp.name] = () => {
      throw new Error(`chainrule wasm: the module called WASI's ${imp.name}, which this backend does not provide`);
    };
  }
  // fd_write(fd, iovs, iovsLen, nwritten): a list of (pointer, length) pairs
  wasi.fd_write = (fd, iovs, iovsLen, nwritten) => {
    const view = new DataView(memory.buffer);
    let n = 0;
    for (let i = 0; i < iovsLen; i++) {
      const p = view.getUint32(iovs + 8 * i, true);
      const len = view.getUint32(iovs + 8 * i + 4, true);
      if (fd === 2) said.text += new TextDecoder().decode(new Uint8Array(memory.buffer).slice(p, p + len));
      n += len;
    }
    view.setUint32(nwritten, n, true);
    return 0;
  };
  return { env: { memory }, wasi_snapshot_preview1: wasi };
}

/**
 * The body of every worker, as source text (it runs in a fresh context with no imports): it
 * instantiates the module over the shared memory, takes its own stack and thread-local block,
 * and joins the pool for good (the pool counts it once it does).
 */
export const WORKER_BODY = `
function runWorker(d) {
  const wasi = {};
  for (const imp of WebAssembly.Module.imports(d.module))
    if (imp.module === "wasi_snapshot_preview1")
      wasi[imp.name] = () => { throw new Error("chainrule wasm worker: WASI's " + imp.name + " is not provided"); };
  const x = new WebAssembly.Instance(d.module, { env: { memory: d.memory }, wasi_snapshot_preview1: wasi }).exports;
  x.__stack_pointer.value = d.stack;
  x.__wasm_init_tls(d.tls);
  x.cr_worker_main(d.id);
}`;

/** What a worker is handed: the module, the memory, its number and its own stack and thread-local block. */
export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  id: number;
  stack: number;
  tls: number;
}

/** Starts one worker running WORKER_BODY over `data`; false if it could not. */
export type StartWorker = (data: WorkerData) => boolean;

/** The module instantiated on this thread, with its memory, and a way to add workers. */
export interface WasmRuntime {
  readonly exports: WasmExports;
  readonly memory: WebAssembly.Memory;
  /** What the module wrote to stderr since this was last cleared (its words before an abort). */
  readonly said: { text: string };
  /** Starts workers until `threads` threads (this one included) can run kernels; returns how many can. */
  ensureThreads(threads: number): number;
  /** The most threads this platform can give (1 without workers). */
  readonly maxThreads: number;
}

/**
 * Instantiates `module` on this thread over a new shared memory. `startWorker` is null where
 * workers cannot share the memory (a page that is not cross-origin isolated); `maxThreads` is
 * the cores there are.
 */
export function instantiate(module: WebAssembly.Module, startWorker: StartWorker | null, cores: number): WasmRuntime {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const said = { text: "" };
  const instance = new WebAssembly.Instance(module, importsFor(module, memory, said));
  const x = instance.exports as unknown as WasmExports;
  if (x.cr_abi() !== WASM_ABI) throw new Error(`chainrule wasm: module ABI ${x.cr_abi()}, expected ${WASM_ABI}`);
  const tlsBlock = () => {
    const size = Math.max(Number(x.__tls_size.value), 1);
    const align = Math.max(Number(x.__tls_align.value), 16);
    const p = x.cr_malloc(size + align);
    return (p + align - 1) & ~(align - 1);
  };
  x.__wasm_init_tls(tlsBlock());
  x.__wasm_call_ctors();
  const maxThreads = startWorker ? Math.max(1, cores) : 1;
  let started = 1;
  return {
    exports: x,
    memory,
    said,
    maxThreads,
    ensureThreads(threads) {
      const want = Math.min(threads, maxThreads);
      while (startWorker && started < want) {
        const stack = x.cr_malloc(STACK_BYTES);
        const data = { module, memory, id: started, stack: stack + STACK_BYTES, tls: tlsBlock() };
        if (!startWorker(data)) break;
        started++;
      }
      return started;
    },
  };
}
