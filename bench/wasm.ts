// chainrule's wasm backend in `npm run bench`: its columns, measured in a child process per
// thread count (bench/wasm-peer.ts), the MLP step in Chromium (bench/browser.ts), and the ratios
// tracked for it, against jax-js (the best of its thread counts), tfjs-wasm, its own single
// thread, and Node.

import { fileURLToPath } from "node:url";
import type { ChromiumRun } from "./browser.js";
import { childColumns } from "./child.js";
import type { Budget } from "./harness.js";

/** What the wasm children reported beside their figures, for the run's heading and notes. */
export interface WasmInfo {
  simd?: string;
  /** The SIMD path of the relaxed-SIMD children, when they ran. */
  relaxedSimd?: string;
  /** Threads each child ran with, and its module memory at the end (MB). */
  runs: { threads: number; memoryMB: number }[];
}

/** Node 20's switch for relaxed SIMD, which Node 22 and Chrome have on by default. */
export const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";

/**
 * Measures `keys` on chainrule's wasm backend at `threads` threads in a child process started with
 * CHAINRULE_BACKEND=wasm: column "wasm" in plain Node 20 (the SIMD128 build), or, with `relaxed`,
 * column "wasm-relaxed" under RELAXED_FLAG (the build with fused multiply-adds); `put` records a
 * value, `note` a failure, and `info` gains what it reports.
 */
export function wasmColumns(options: {
  from: string;
  keys: string[];
  threads: number;
  budget: Budget;
  relaxed?: boolean;
  put: (column: string, key: string, v: number) => void;
  note: (text: string) => void;
  info: WasmInfo;
}): void {
  const { from, keys, budget, info, note } = options;
  const column = options.relaxed ? "wasm-relaxed" : "wasm";
  const outputs = childColumns({
    ...options,
    column,
    script: fileURLToPath(new URL("./wasm-peer.ts", import.meta.url)),
    threadCounts: [options.threads],
    config: (threads) => ({ from, threads, budget, workloads: keys }),
    env: { CHAINRULE_BACKEND: "wasm" },
    nodeFlags: options.relaxed ? [RELAXED_FLAG] : [],
  });
  for (const [threads, out] of outputs) {
    if (out.threads !== threads) note(`${column} ${threads}T ran with ${String(out.threads)} thread(s)`);
    if (options.relaxed) {
      info.relaxedSimd = out.simd as string;
      continue;
    }
    info.simd = out.simd as string;
    info.runs.push({ threads: out.threads as number, memoryMB: out.memoryMB as number });
    note(`wasm ${threads}T: the module's memory reached ${Number(out.memoryMB).toFixed(0)} MB (it never shrinks)`);
  }
}

/** One tracked ratio: workload `key`, the best of columns `a` over the best of `b`, and the least wanted. */
export interface Target {
  label: string;
  key: string;
  a: string[];
  b: string[];
  want: number;
}

/** The ratios tracked for the wasm backend, over the workloads selected (and its relaxed build's, if `relaxed`). */
export function wasmTargets(keys: string[], threadCounts: number[], relaxed = false): Target[] {
  const wasm = threadCounts.map((t) => `wasm ${t}T`);
  const jax = threadCounts.map((t) => `jax ${t}T`);
  const [one, two] = [`wasm ${threadCounts[0]}T`, `wasm ${threadCounts[1]}T`];
  const targets: Target[] = [];
  for (const [key, label] of [
    ["mlp-128", "MLP step b128"],
    ["mlp-1", "MLP step b1"],
    ["cnn-32", "CNN step b32"],
  ] as const)
    if (keys.includes(key))
      targets.push({ label: `${label}: wasm / jax-js (best of each)`, key, a: wasm, b: jax, want: 3 });
  for (const key of keys.filter((k) => k.startsWith("sgemm-") && Number(k.slice(6)) >= 512)) {
    const n = key.slice(6);
    targets.push({ label: `SGEMM n=${n}: wasm 1T / tfjs-wasm`, key, a: [one], b: ["tfjs-wasm"], want: 1.6 });
    targets.push({ label: `SGEMM n=${n}: wasm 2T / wasm 1T`, key, a: [two], b: [one], want: 1.8 });
  }
  if (!relaxed) return targets;
  // the relaxed-SIMD build's, where it was measured (Node 20 under RELAXED_FLAG)
  const fma = threadCounts.map((t) => `wasm-relaxed ${t}T`);
  for (const [key, label] of [
    ["mlp-128", "MLP step b128"],
    ["mlp-1", "MLP step b1"],
  ] as const)
    if (keys.includes(key))
      targets.push({ label: `${label}: relaxed / jax-js (best of each)`, key, a: fma, b: jax, want: 3 });
  for (const key of keys.filter((k) => k.startsWith("sgemm-") && Number(k.slice(6)) >= 512))
    targets.push({
      label: `SGEMM n=${key.slice(6)}: relaxed 1T / tfjs-wasm`,
      key,
      a: [fma[0]!],
      b: ["tfjs-wasm"],
      want: 1.6,
    });
  return targets;
}

/** A line of the targets block: the ratio measured against the one wanted. */
export function targetLine(label: string, ratio: number | undefined, want: string, met: boolean | undefined): string {
  const value = ratio === undefined ? "–" : `${ratio.toFixed(2)}x`;
  const verdict = met === undefined ? "not measured" : met ? "met" : "not met";
  return `  ${label.padEnd(46)} ${value.padStart(7)}   target ${want.padEnd(12)} ${verdict}`;
}

/** The heading's words on the wasm backend: its SIMD path and how it ran. */
export function wasmHeading(info: WasmInfo): string {
  const relaxed = info.relaxedSimd ? `; chainrule wasm-relaxed: ${info.relaxedSimd}, under node ${RELAXED_FLAG}` : "";
  return (
    `chainrule wasm: ${info.simd}, ${info.runs.map((r) => r.threads).join(" and ")} thread(s), ` +
    `a child process each (CHAINRULE_BACKEND=wasm), a turn of the event loop after each call${relaxed}`
  );
}

/** The wasm ratio columns of the table: their heads, and the columns each compares. */
export function wasmRatioColumns(threadCounts: number[]): { head: string; a: string[]; b: string[] }[] {
  const wasm = threadCounts.map((t) => `wasm ${t}T`);
  const [one, two] = [wasm[0]!, wasm[1]!];
  return [
    { head: "wasm/best jax", a: wasm, b: threadCounts.map((t) => `jax ${t}T`) },
    { head: "wasm 1T/tfjs-wasm", a: [one], b: ["tfjs-wasm"] },
    { head: "wasm 2T/1T", a: [two], b: [one] },
  ];
}

/**
 * What follows the table: the Chromium row beside the Node wasm figure at its thread count, and
 * the tracked ratios, each against its target; `ratioOf` is the table's ratio (best of a over
 * best of b), `nodeMlp128` the Node wasm MLP b128 time at a thread count.
 */
export function wasmSummary(options: {
  keys: string[];
  threadCounts: number[];
  ratioOf: (key: string, a: string[], b: string[]) => number | undefined;
  nodeMlp128: (threads: number) => number | undefined;
  chromium: ChromiumRun | undefined;
  /** Whether the relaxed-SIMD build was measured too. */
  relaxed: boolean;
  fmt: (v: number | undefined) => string;
  formatTable: (rows: string[][]) => string;
}): string[] {
  const { keys, threadCounts, ratioOf, chromium, fmt, formatTable } = options;
  const out: string[] = [];
  const lines = wasmTargets(keys, threadCounts, options.relaxed).map((t) => {
    const r = ratioOf(t.key, t.a, t.b);
    return targetLine(t.label, r, `>= ${t.want}x`, r === undefined ? undefined : r >= t.want);
  });
  if (chromium) {
    const node = options.nodeMlp128(chromium.threads);
    const slower = node === undefined ? undefined : chromium.ms / node;
    const isolation = chromium.crossOriginIsolated ? "cross-origin isolated" : "NOT cross-origin isolated";
    out.push(
      "",
      formatTable([
        ["", "unit", "Chromium", `Node wasm ${chromium.threads}T`, "Chromium/Node"],
        [
          `MLP b128 in Chromium (wasm, ${chromium.threads} threads)`,
          "ms",
          fmt(chromium.ms),
          fmt(node),
          slower === undefined ? "–" : `${fmt(slower)}x`,
        ],
      ]),
      `(${chromium.version}, headless, page ${isolation}, navigator.hardwareConcurrency ${chromium.hardwareConcurrency})`,
    );
    const met = slower === undefined ? undefined : slower <= 1.5;
    lines.push(targetLine("MLP b128: Chromium time / Node wasm time", slower, "<= 1.5x", met));
  }
  if (lines.length > 0)
    out.push("", "wasm targets (ratios > 1: wasm faster; Chromium/Node > 1: the page slower):", ...lines);
  return out;
}
