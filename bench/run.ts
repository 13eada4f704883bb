// `npm run bench`: chainrule (native, wasm and JS backends) against TensorFlow.js (cpu, wasm),
// jax-js (wasm) and PyTorch in one run, printed as one table with chainrule/PyTorch ratios and
// the wasm backend's ratios to the JS peers, then the MLP step in Chromium on the wasm backend,
// memory figures, and a long training run that shows memory staying flat without dispose(); the
// same report goes to bench/RESULTS.md, dated, with the machine and versions.
// chainrule native and PyTorch are measured workload by workload, one right after the other, in
// rounds, and each keeps its best round, so that a busy spell of a shared machine does not land on
// one side of a ratio only.
// The model training steps (resnet, lstm, gpt, encoder) and the attention case are chainrule
// native against PyTorch only, in at most `modelRounds` rounds; the peak memory growth of one step
// of each is measured once per thread count, each side in a fresh process (bench/step-memory.ts).
// Options: --quick, --only=sgemm,mlp,cnn,scalar,resnet,lstm,gpt,encoder,attention,memory (a model
// or attention key selects its memory row too; `memory` is the long run), --peers=torch,tfjs-cpu,
// tfjs-wasm,jax,wasm,wasm-relaxed,chromium (or --no-peers; `wasm` is chainrule's wasm backend in
// child processes, `wasm-relaxed` its relaxed-SIMD build under Node 20's flag for it, `chromium`
// its MLP step in a page), --sizes=256,512, --rounds=N (default 5, quick 1),
// --from=dist|src (which build of chainrule to load, here and in the child processes).

import { renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type * as CR from "../src/index.js";
import type { NativeAddon } from "../src/backend/native/addon.js";
import { chainruleStepMemory, longRun, runChainrule } from "./chainrule.js";
import { childColumns } from "./child.js";
import {
  budgets,
  fmt,
  formatTable,
  mb,
  median,
  modelRounds,
  record,
  type Results,
  sgemmSizes,
  threadCounts,
  workloads,
} from "./harness.js";
import { modelNotes } from "./models.js";
import { TorchPeer, torchStepMemory } from "./torch.js";
import { chromiumMlp, type ChromiumRun } from "./browser.js";
import { wasmColumns, wasmHeading, type WasmInfo, wasmRatioColumns, wasmSummary } from "./wasm.js";

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = args.includes("--quick");
const budget = quick ? budgets.quick : budgets.full;
const only = (opt("only") ?? "sgemm,mlp,cnn,scalar,resnet,lstm,gpt,encoder,attention,memory").split(",");
const knownPeers = ["torch", "tfjs-cpu", "tfjs-wasm", "jax", "wasm", "wasm-relaxed", "chromium"];
const peers = args.includes("--no-peers") ? [] : (opt("peers")?.split(",") ?? knownPeers);
const unknownPeer = peers.find((p) => !knownPeers.includes(p));
if (unknownPeer) throw new Error(`--peers: unknown peer '${unknownPeer}'; expected some of ${knownPeers.join(",")}`);
const sizes = opt("sizes")?.split(",").map(Number) ?? sgemmSizes;
const from = opt("from") ?? "dist";
// rounds only pay where there is a PyTorch side to alternate with
const rounds = peers.includes("torch") ? Math.max(1, Number(opt("rounds") ?? (quick ? 1 : 5))) : 1;
// a step's memory is one sample, and it moves from process to process on both sides (chainrule's
// with where the collector happens to run: one that runs during the measured step hands the
// warm-up's buffers back to the pool), by 2x at times: the full run takes the median of a few
const memoryRuns = quick ? 1 : 3;

const selected = workloads(sizes).filter((w) => only.some((o) => w.key.startsWith(o)));
const keys = selected.map((w) => w.key);
// what the JS backend and the JS peers measure
const jsKeys = selected.filter((w) => !w.nativeAndTorchOnly).map((w) => w.key);
// what chainrule's wasm backend measures: all but the memory rows (a native-process measure)
const wasmKeys = selected.filter((w) => !w.memoryOf).map((w) => w.key);

// pairings too slow to be worth minutes of a run: plain-JS matmuls of 1024³ and up
const tooSlow = (column: string, key: string) =>
  (column === "js" || column === "tfjs-cpu") && key.startsWith("sgemm-") && Number(key.slice(6)) >= 1024;

const results: Results = new Map();
const notes: string[] = [];
const memory: [string, NodeJS.MemoryUsage][] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

const workload = (key: string) => selected.find((w) => w.key === key)!;
/** Alternating rounds a workload takes: the slow model steps fewer. */
const roundsOf = (key: string) => Math.min(rounds, workload(key).maxRounds ?? rounds);

/** Records a measured value (the better one stays, across rounds) and logs it. */
function put(column: string, key: string, v: number) {
  record(results, column, key, v, workload(key).higherIsBetter);
  log(`  ${column.padEnd(12)} ${key.padEnd(13)} ${fmt(v)}`);
}

/** Times one workload for one column; a failure becomes a note. */
async function measureOne(column: string, key: string, run: () => number | Promise<number>) {
  if (tooSlow(column, key)) return;
  try {
    put(column, key, await run());
  } catch (e) {
    notes.push(`${column} ${key}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
  }
}

/** Times every workload the JS sides run for one column, then notes the process's memory. */
async function measure(column: string, run: (key: string) => number | Promise<number>) {
  for (const key of jsKeys) await measureOne(column, key, () => run(key));
  memory.push([column, process.memoryUsage()]);
}

/** Lets the side that just ran go idle: our workers and OpenBLAS's spin for a while after a job. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/**
 * chainrule native and PyTorch, workload by workload and thread count by thread count, in
 * `rounds` rounds: each PyTorch timing comes right after chainrule's of the same workload, so a
 * spell of load on this shared machine falls on both sides of a ratio, and each side keeps its
 * best round.
 */
async function nativeAndTorch(cr: typeof CR, hasNative: boolean, torch: Map<number, TorchPeer>) {
  const n = torch.size > 0 ? Math.max(0, ...keys.map(roundsOf)) : 1;
  for (let round = 1; round <= n; round++) {
    log(n > 1 ? `round ${round} of ${n}: chainrule native and PyTorch, alternating` : "chainrule native");
    for (const t of threadCounts) {
      if (hasNative) {
        cr.setBackend("native");
        cr.setNumThreads(t);
      }
      const peer = torch.get(t);
      // the scalar graph has no kernel large enough to share: one thread count says it all
      const due = (k: string) => (k !== "scalar" || t === threadCounts[0]) && round <= Math.min(n, roundsOf(k));
      for (const key of keys.filter(due)) {
        if (hasNative) await measureOne(`native ${t}T`, key, () => runChainrule(cr, key, budget));
        if (!peer?.alive) continue;
        await settle();
        await measureOne(`torch ${t}T`, key, () => peer.run(key));
        await settle();
      }
      if (hasNative) memory.push([n > 1 ? `native ${t}T (round ${round})` : `native ${t}T`, process.memoryUsage()]);
    }
  }
  await stepMemory(hasNative, torch);
  if (hasNative) cr.setNumThreads(os.availableParallelism());
}

/** The selected steps' peak memory growth, each side in a fresh process per thread count. */
async function stepMemory(hasNative: boolean, torch: Map<number, TorchPeer>) {
  const rows = selected.filter((w) => w.memoryOf);
  if (rows.length === 0) return;
  log("step memory (fresh child processes)");
  const mbOf = (bytes: () => number) => () => median(Array.from({ length: memoryRuns }, bytes)) / 2 ** 20;
  for (const { key, memoryOf } of rows)
    for (const t of threadCounts) {
      if (hasNative)
        await measureOne(
          `native ${t}T`,
          key,
          mbOf(() => chainruleStepMemory(from, t, memoryOf!)),
        );
      if (torch.has(t))
        await measureOne(
          `torch ${t}T`,
          key,
          mbOf(() => torchStepMemory(t, memoryOf!)),
        );
    }
}

async function chainruleJs(cr: typeof CR, hasNative: boolean) {
  cr.setBackend("js");
  log("chainrule js backend");
  await measure("js", (k) => runChainrule(cr, k, budget));
  if (hasNative) cr.setBackend("native");
}

async function tfjsPeers() {
  const { useTfjsBackend, runTfjs } = await import("./tfjs.js");
  for (const be of ["cpu", "wasm"] as const) {
    if (!peers.includes(`tfjs-${be}`)) continue;
    const why = await useTfjsBackend(be);
    if (why) {
      notes.push(why);
      continue;
    }
    log(`tfjs ${be}`);
    await measure(`tfjs-${be}`, (k) => runTfjs(k, budget));
  }
}

// the scalar graph is one value at a time: no kernel is big enough for a worker to take a share
const forThreads = (keys: string[], t: number) => (t === threadCounts[0] ? keys : keys.filter((k) => k !== "scalar"));

/** jax-js and chainrule's wasm backend, a child each per thread count, in turn: the wasm/jax ratios' sides run close. */
function wasmAndJax() {
  const jaxScript = fileURLToPath(new URL("./jax_peer.ts", import.meta.url));
  const note = (text: string) => notes.push(text);
  for (const t of threadCounts) {
    if (peers.includes("jax") && jsKeys.length > 0)
      childColumns({
        column: "jax",
        script: jaxScript,
        threadCounts: [t],
        config: (threads) => ({ workloads: forThreads(jsKeys, t), threads, budget }),
        put,
        note,
      });
    if (peers.includes("wasm") && wasmKeys.length > 0)
      wasmColumns({ from, keys: forThreads(wasmKeys, t), threads: t, budget, put, note, info: wasmInfo });
    // the relaxed-SIMD build on the workloads the JS peers share, where fused multiply-adds show
    if (peers.includes("wasm-relaxed") && jsKeys.length > 0)
      wasmColumns({ from, keys: forThreads(jsKeys, t), threads: t, budget, relaxed: true, put, note, info: wasmInfo });
  }
}

/** One PyTorch child per thread count, or none (with a note) when PyTorch cannot run. */
async function startTorch(): Promise<Map<number, TorchPeer>> {
  const started = new Map<number, TorchPeer>();
  if (!peers.includes("torch")) return started;
  log("PyTorch (child processes, one per thread count)");
  for (const t of threadCounts) {
    const peer = await TorchPeer.start(t, budget);
    if (typeof peer === "string") {
      notes.push(peer);
      for (const p of started.values()) await p.close();
      return new Map();
    }
    started.set(t, peer);
  }
  const blas = started.get(threadCounts[0]!)!.blas;
  if (!blas.startsWith("OpenBLAS"))
    notes.push(
      `PyTorch runs on ${blas}, not OpenBLAS: its matrix products are far from what this CPU can do ` +
        "(apt-get install -y libopenblas0-pthread gives the comparison the targets are set against)",
    );
  return started;
}

/** Ends the PyTorch children and describes them for the table's heading. */
async function stopTorch(torch: Map<number, TorchPeer>): Promise<string> {
  if (!peers.includes("torch")) return "PyTorch: not requested";
  const first = torch.get(threadCounts[0]!);
  if (!first) return "PyTorch: not measured";
  let rss = 0;
  for (const p of torch.values()) rss = Math.max(rss, await p.close());
  const most = Math.max(0, ...keys.map(roundsOf));
  const fewer = keys.some((k) => workload(k).maxRounds && roundsOf(k) < most);
  const alternated =
    most > 1
      ? `; chainrule native and PyTorch: best of ${most} alternating rounds` +
        (fewer ? ` (${modelRounds} for the model steps and attention)` : "")
      : "";
  return `PyTorch ${first.version} (BLAS: ${first.blas}), peak RSS ${mb(rss)}${alternated}`;
}

/** The best value of a workload among some columns (undefined where none measured it). */
function best(key: string, columns: string[]): number | undefined {
  const w = workload(key);
  const vs = columns.map((c) => results.get(c)?.get(key)).filter((v): v is number => v !== undefined);
  if (vs.length === 0) return undefined;
  return w.higherIsBetter ? Math.max(...vs) : Math.min(...vs);
}

/** How many times better the best of columns `a` is than the best of `b`, in the workload's direction. */
function ratioOf(key: string, a: string[], b: string[]): number | undefined {
  const [x, y] = [best(key, a), best(key, b)];
  if (x === undefined || y === undefined) return undefined;
  return workload(key).higherIsBetter ? x / y : y / x;
}

/** ratioOf as a table cell. */
function ratio(key: string, a: string[], b: string[]): string {
  const r = ratioOf(key, a, b);
  return r === undefined ? "–" : `${fmt(r)}x`;
}

// the JavaScript libraries chainrule is compared with (not its own JS backend)
const jsPeerColumns = ["tfjs-cpu", "tfjs-wasm", ...threadCounts.map((t) => `jax ${t}T`)];

/** The run as text: the table of every workload and column, notes, memory, the long run. */
function report(torchLine: string, addon: NativeAddon | null): string {
  const columns = [
    ...threadCounts.map((t) => `native ${t}T`),
    ...threadCounts.map((t) => `wasm ${t}T`),
    ...threadCounts.map((t) => `wasm-relaxed ${t}T`),
    "js",
    ...jsPeerColumns,
    ...threadCounts.map((t) => `torch ${t}T`),
  ].filter((c) => results.has(c));
  const natives = threadCounts.map((t) => `native ${t}T`);
  const wasmRatios = results.has(`wasm ${threadCounts[0]}T`) ? wasmRatioColumns(threadCounts) : [];
  const torchRatios = threadCounts.map((t) => `native/torch ${t}T`);
  const rows = [
    ["workload", "unit", ...columns, ...torchRatios, "native/best JS peer", ...wasmRatios.map((r) => r.head)],
  ];
  for (const w of selected)
    rows.push([
      w.label,
      w.unit,
      ...columns.map((c) => fmt(results.get(c)?.get(w.key))),
      ...threadCounts.map((t) => ratio(w.key, [`native ${t}T`], [`torch ${t}T`])),
      ratio(w.key, natives, jsPeerColumns),
      ...wasmRatios.map((r) => ratio(w.key, r.a, r.b)),
    ]);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const simd = addon ? `, native SIMD path ${addon.simd()}` : "";
  const out = [
    `chainrule benchmark — ${cpu}, ${os.availableParallelism()} cores, Node ${process.version}${simd}`,
    [
      torchLine,
      ...(tfjsVersion ? [`tfjs ${tfjsVersion}`] : []),
      ...(peers.includes("jax") ? ["jax-js wasm"] : []),
      ...(wasmInfo.simd ? [wasmHeading(wasmInfo)] : []),
      ...(chromium && typeof chromium !== "string" ? [chromium.version] : []),
      `${quick ? "quick" : "full"} budget`,
    ].join("; "),
    "ratios: > 1 means chainrule native is faster (GFLOP/s over, or time under, the peer's); " +
      "against the JS peers, the best of each side's thread counts; the wasm ratios read the same way, " +
      "with chainrule's wasm backend first",
    "",
    formatTable(rows),
    ...wasmSummary({
      keys,
      threadCounts,
      ratioOf,
      nodeMlp128: (t) => results.get(`wasm ${t}T`)?.get("mlp-128"),
      chromium: typeof chromium === "object" ? chromium : undefined,
      relaxed: results.has(`wasm-relaxed ${threadCounts[0]}T`),
      fmt,
      formatTable,
    }),
  ];
  if (notes.length) out.push("", `notes:\n${notes.map((n) => `  - ${n}`).join("\n")}`);
  out.push(
    "",
    "process memory after each section (one process: later sections include earlier ones):",
    formatTable([
      ["after", "rss", "heapUsed", "external", "arrayBuffers"],
      ...memory.map(([c, m]) => [c, mb(m.rss), mb(m.heapUsed), mb(m.external), mb(m.arrayBuffers)]),
    ]),
  );
  if (longRunTable) out.push(longRunTable);
  return out.join("\n");
}

/** Writes the run's report to bench/RESULTS.md, dated (beside and renamed over: never half a file). */
function writeResults(text: string) {
  const path = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const args = process.argv.slice(2).join(" ");
  const body =
    `# chainrule benchmark results\n\n\`npm run bench${args ? ` -- ${args}` : ""}\`, ${date} UTC, ` +
    `on ${os.type()} ${os.release()} (${os.arch()}).\n\n\`\`\`\n${text}\n\`\`\`\n`;
  writeFileSync(`${path}.tmp`, body);
  renameSync(`${path}.tmp`, path);
}

let tfjsVersion = "";
const wasmInfo: WasmInfo = { runs: [] };
let chromium: ChromiumRun | string | undefined;

async function main() {
  const base = from === "src" ? "../src" : "../dist";
  const cr = (await import(`${base}/index.js`)) as typeof CR;
  const { nativeAddon } = (await import(`${base}/backend/native/index.js`)) as { nativeAddon: NativeAddon | null };
  if (only.includes("memory")) runLong(cr);
  const hasNative = cr.listBackends().includes("native");
  if (jsKeys.length < keys.length) notes.push(...modelNotes(memoryRuns));
  if (!hasNative) notes.push("chainrule native: the addon is not built, only the JS backend was measured");
  const torch = await startTorch();
  await nativeAndTorch(cr, hasNative, torch);
  const torchLine = await stopTorch(torch);
  if (jsKeys.length > 0) await chainruleJs(cr, hasNative);
  if (peers.some((p) => p.startsWith("tfjs"))) {
    tfjsVersion = (await import("@tensorflow/tfjs")).version.tfjs;
    await tfjsPeers();
  }
  wasmAndJax();
  if (peers.includes("chromium") && keys.includes("mlp-128")) {
    log("MLP batch 128 in Chromium, wasm backend");
    chromium = await chromiumMlp(budget, 128);
    if (typeof chromium === "string") notes.push(chromium);
    else log(`  chromium     mlp-128       ${fmt(chromium.ms)} (${chromium.threads} threads)`);
  }
  const text = report(torchLine, nativeAddon);
  console.log(`\n${text}`);
  writeResults(text);
}

let longRunTable = "";

/** The long run goes first, so that nothing else has touched the heap yet. */
function runLong(cr: typeof CR) {
  const steps = quick ? 2000 : 10_000;
  const every = steps / 10;
  const threads = cr.getNumThreads();
  log(`long run: ${steps} MLP steps, batch 8, no dispose()`);
  const { samples, ms } = longRun(cr, steps, 8, every);
  const first = samples[1]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.rss));
  const rows = [["step", "rss", "heapUsed", "external", "arrayBuffers"]];
  for (const s of samples) rows.push([String(s.step), mb(s.rss), mb(s.heapUsed), mb(s.external), mb(s.arrayBuffers)]);
  longRunTable =
    `\nlong run: ${steps} MLP 784-256-128-10 training steps, batch 8, ${cr.getBackend()} backend, ${threads} thread(s), ` +
    `no dispose(): ${(ms / steps).toFixed(3)} ms/step\n${formatTable(rows)}\n` +
    `rss change from step ${first.step} to ${last.step}: ${mb(last.rss - first.rss)} (peak ${mb(peak)}); ` +
    `arrayBuffers change: ${mb(last.arrayBuffers - first.arrayBuffers)}`;
}

await main();
