// Timing and reporting shared by the benchmark suites: median-of-samples timers (sync and
// async), the workload list every framework implements, and the table printer.

/** How long to measure: quick mode trades precision for a run of a minute or two. */
export interface Budget {
  /** Milliseconds of timed work per measurement (split into samples). */
  ms: number;
  /** Number of samples whose median is reported. */
  samples: number;
  /**
   * Milliseconds of untimed calls first (at least one), the same for every framework: JIT tiers,
   * caches, and memory a collector hands back (chainrule's, through its buffer pool) reach the
   * state a training loop runs in.
   */
  warmMs: number;
}

/** The standard budget and the --quick one. */
export const budgets: Record<"full" | "quick", Budget> = {
  full: { ms: 1500, samples: 7, warmMs: 300 },
  quick: { ms: 300, samples: 3, warmMs: 60 },
};

/** Samples and calls per sample for a call that took `once` ms: slow calls get fewer samples. */
function plan(once: number, budget: Budget): { samples: number; perSample: number } {
  const samples = Math.max(1, Math.min(budget.samples, Math.floor((2 * budget.ms) / once)));
  return { samples, perSample: Math.max(1, Math.round(budget.ms / samples / once)) };
}

/** Median milliseconds per call of fn, after budget.warmMs of warm-up. */
export function timeSync(fn: () => void, budget: Budget): number {
  let once = 0;
  for (const start = performance.now(); once === 0 || performance.now() - start < budget.warmMs;) {
    const t = performance.now();
    fn();
    once = Math.max(performance.now() - t, 1e-3);
  }
  const { samples, perSample } = plan(once, budget);
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    for (let i = 0; i < perSample; i++) fn();
    times.push((performance.now() - t) / perSample);
  }
  return median(times);
}

/** The same for an asynchronous fn (peers whose results are only ready after a promise). */
export async function timeAsync(fn: () => Promise<void>, budget: Budget): Promise<number> {
  let once = 0;
  for (const start = performance.now(); once === 0 || performance.now() - start < budget.warmMs;) {
    const t = performance.now();
    await fn();
    once = Math.max(performance.now() - t, 1e-3);
  }
  const { samples, perSample } = plan(once, budget);
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    for (let i = 0; i < perSample; i++) await fn();
    times.push((performance.now() - t) / perSample);
  }
  return median(times);
}

/**
 * A turn of the event loop: setImmediate in Node (what chainrule's DataLoader yields with between
 * batches), a MessageChannel message in a page (setTimeout is clamped to 4 ms there when nested).
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * timeSync's measure for chainrule's wasm backend, whose dropped tensors go back to its pool only
 * when the event loop turns: fn runs as a training loop over a DataLoader runs it, with a turn of
 * the loop after each call, timed with the calls.
 */
export function timeYielding(fn: () => void, budget: Budget): Promise<number> {
  return timeAsync(async () => {
    fn();
    await yieldToEventLoop();
  }, budget);
}

/** The middle value (the upper one of an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** One measured workload: its key, a label, its unit, and whether bigger numbers are better. */
export interface Workload {
  key: string;
  label: string;
  unit: "GFLOP/s" | "ms" | "µs/op" | "MB";
  higherIsBetter: boolean;
  /** Measured for chainrule (native, wasm) and PyTorch only: layers the JS peers lack, or a measure they cannot take. */
  nativeAndTorchOnly?: boolean;
  /** At most this many alternating rounds (the slow model steps keep the run short). */
  maxRounds?: number;
  /** The workload whose step's peak memory growth this row is (see bench/step-memory.ts). */
  memoryOf?: string;
}

/** Rounds of the model training steps: each takes tens to hundreds of ms a step. */
export const modelRounds = 3;

/** A model training step, chainrule (native, wasm) and PyTorch only. */
const model = (key: string, label: string): Workload => ({
  key,
  label,
  unit: "ms",
  higherIsBetter: false,
  nativeAndTorchOnly: true,
  maxRounds: modelRounds,
});

/**
 * The peak memory growth of one step of the workload `of`: measured once per thread count, each
 * side in a fresh process (bench/step-memory.ts), not in rounds. Its key starts with `of`'s, so
 * that --only=<of> selects it too.
 */
const stepMemory = (of: string, label: string): Workload => ({
  key: `${of}-mem`,
  label: `${label} peak memory growth`,
  unit: "MB",
  higherIsBetter: false,
  nativeAndTorchOnly: true,
  maxRounds: 0,
  memoryOf: of,
});

/** SGEMM sizes and the thread counts every threaded framework is measured with. */
export const sgemmSizes = [256, 512, 1024, 2048];
/** Thread counts compared. */
export const threadCounts = [1, 2];

/** The workloads in table order; `threads` rows repeat per thread count. */
export function workloads(sizes: number[] = sgemmSizes): Workload[] {
  return [
    ...sizes.map((n) => ({ key: `sgemm-${n}`, label: `SGEMM n=${n}`, unit: "GFLOP/s" as const, higherIsBetter: true })),
    { key: "mlp-128", label: "MLP train step, batch 128", unit: "ms", higherIsBetter: false },
    { key: "mlp-1", label: "MLP train step, batch 1", unit: "ms", higherIsBetter: false },
    { key: "cnn-32", label: "CNN train step, batch 32", unit: "ms", higherIsBetter: false },
    { key: "scalar", label: "1000 scalar ops fwd+bwd", unit: "µs/op", higherIsBetter: false },
    model("resnet", "ResNet block train step, batch 32"),
    model("lstm", "LSTM 64→128 train step, 32×50"),
    model("gpt", "GPT 2-layer train step, 16×128"),
    model("encoder", "Transformer encoder train step, 32×64"),
    model("attention", "attention fwd+bwd, 4 heads × 1024"),
    stepMemory("resnet", "ResNet block train step"),
    stepMemory("lstm", "LSTM 64→128 train step"),
    stepMemory("gpt", "GPT 2-layer train step"),
    stepMemory("encoder", "Transformer encoder train step"),
    stepMemory("attention", "attention fwd+bwd"),
  ];
}

/** GFLOP/s of an n×n×n product taking `ms`. */
export const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);

/** Results: framework column → workload key → value (undefined: not measured). */
export type Results = Map<string, Map<string, number>>;

/** Records a value; measured again (another round), the better one stays. */
export function record(results: Results, column: string, key: string, value: number, higherIsBetter: boolean): void {
  if (!results.has(column)) results.set(column, new Map());
  const m = results.get(column)!;
  const prev = m.get(key);
  if (prev === undefined || (higherIsBetter ? value > prev : value < prev)) m.set(key, value);
}

/** Formats rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)));
  const out = [line(rows[0]!).join("  "), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of rows.slice(1)) out.push(line(r).join("  "));
  return out.join("\n");
}

/** A number with about three significant digits. */
export function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Megabytes. */
export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
