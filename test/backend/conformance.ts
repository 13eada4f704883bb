// Shared machinery of the compiled backends' conformance tests (the native addon, or the wasm
// module under CHAINRULE_BACKEND=wasm): the same strided views built on the reference and the
// compiled backend from one data array, and comparisons with dtype-aware
// tolerances (float32 relative 1e-5, float64 relative 1e-12, integers and bools exact).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Handle, Kernels, View } from "../../src/backend/kernels.js";
// Node's backend choice: loads and registers every backend that can (the wasm one among them)
import "../../src/backend/node.js";
import { backendNamed } from "../../src/backend/registry.js";
import { referenceKernels } from "../../src/backend/js/reference.js";
import { nativeAddon } from "../../src/backend/native/index.js";
import { wasmBackend } from "../../src/backend/wasm/backend.js";
import type { DType, TypedArray } from "../../src/core/dtype.js";
import { contiguousStrides, numelOf } from "../../src/core/shape.js";

/** The compiled backend under test, by name: the wasm module when it is the chosen backend, else the addon. */
export const target = process.env.CHAINRULE_BACKEND === "wasm" ? "wasm" : "native";
/** The compiled kernels under test, or undefined when they did not load (tests then skip). */
export const native = backendNamed(target);
/** The reference kernels every result is compared with. */
export const reference: Kernels = referenceKernels;
/** The addon, or the wasm module behind the addon's interface (null when skipped). */
export const addon = target === "wasm" ? (wasmBackend()?.addon ?? null) : nativeAddon;
/** Why the compiled-kernel tests are skipped, or false when they run. */
export const skip =
  native && addon ? false : `the ${target} backend did not load (npx node-gyp rebuild, npm run build:wasm)`;

/** All dtypes. */
export const dtypes: DType[] = ["float32", "float64", "int32", "bool"];
/** Sizes around every SIMD width (4, 8, 16 lanes) and unroll factor. */
export const oddSizes = [1, 7, 15, 17, 33, 65, 129];

/** A small deterministic generator (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that probe edge cases: signed zeros, halves (round to even), NaN, infinities. */
export const specials = [0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, NaN, Infinity, -Infinity, 3e9, -3e9, 1e-30];

/** n values for a dtype: uniform in [lo, hi) for floats, small ints, 0/1 for bool; specials mixed in if asked. */
export function values(
  dtype: DType,
  n: number,
  seed: number,
  opts: { lo?: number; hi?: number; special?: boolean } = {},
) {
  const r = rng(seed);
  const { lo = -3, hi = 3, special = false } = opts;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (special && i % 5 === 2) out.push(specials[((i / 5) % specials.length) | 0]!);
    else if (dtype === "bool") out.push(r() < 0.5 ? 1 : 0);
    else if (dtype === "int32") out.push(Math.floor(lo + (hi - lo) * r()));
    else out.push(lo + (hi - lo) * r());
  }
  return out;
}

/** How a view is laid out over its buffer. */
export type Layout = "contiguous" | "offset" | "transposed" | "stepped" | "flipped" | "broadcast";
/** Every layout an input may have. */
export const layouts: Layout[] = ["contiguous", "offset", "transposed", "stepped", "flipped", "broadcast"];

/** Buffer size, strides and offset of a view of `shape` laid out as `layout`. */
export function geometry(
  shape: readonly number[],
  layout: Layout,
): { size: number; strides: number[]; offset: number } {
  const nd = shape.length;
  const n = numelOf(shape);
  switch (layout) {
    case "contiguous":
      return { size: n, strides: contiguousStrides(shape), offset: 0 };
    case "offset":
      return { size: n + 3, strides: contiguousStrides(shape), offset: 3 };
    case "transposed": {
      // the dims stored in reverse order, as x.permute(reversed) of a contiguous tensor
      const rev = [...shape].reverse();
      const rs = contiguousStrides(rev);
      return { size: n, strides: rs.reverse(), offset: 0 };
    }
    case "stepped": {
      // every dim taken with step 2 from a buffer twice as large, starting at index 1 (x[1::2])
      const big = shape.map((s) => 2 * s + 1);
      const bs = contiguousStrides(big);
      return { size: numelOf(big), strides: bs.map((s) => 2 * s), offset: bs.reduce((a, s) => a + s, 0) };
    }
    case "flipped": {
      const cs = contiguousStrides(shape);
      const offset = n === 0 ? 0 : shape.reduce((a, s, d) => a + (s - 1) * cs[d]!, 0);
      return { size: n, strides: cs.map((s) => -s), offset };
    }
    case "broadcast": {
      // the first non-trivial dim repeats one slice (stride 0)
      const cs = contiguousStrides(shape);
      const d0 = shape.findIndex((s) => s > 1);
      if (d0 < 0 || nd === 0) return { size: n, strides: cs, offset: 0 };
      const inner = shape.map((s, d) => (d === d0 ? 1 : s));
      const st = contiguousStrides(inner);
      st[d0] = 0;
      return { size: numelOf(inner), strides: st, offset: 0 };
    }
  }
}

/** The same view on both backends. */
export interface Pair {
  ref: View;
  nat: View;
}

/** Builds a view of `shape` on both backends from one data array. */
export function pair(dtype: DType, shape: readonly number[], layout: Layout, seed: number, opts = {}): Pair {
  const g = geometry(shape, layout);
  const data = values(dtype, g.size, seed, opts);
  const mk = (k: Kernels): View => ({
    handle: k.upload(dtype, data),
    dtype,
    shape,
    strides: g.strides,
    offset: g.offset,
  });
  return { ref: mk(reference), nat: mk(native!) };
}

/** Fresh zero-filled outputs on both backends. */
export function outputs(dtype: DType, n: number): { ref: Handle; nat: Handle } {
  return { ref: reference.alloc(dtype, n), nat: native!.alloc(dtype, n) };
}

/** Relative tolerance by dtype. */
export function rtolOf(dtype: DType): number {
  return dtype === "float32" ? 1e-5 : dtype === "float64" ? 1e-12 : 0;
}

/** Asserts two arrays agree: NaN matches NaN, floats within rtol (plus atol near zero). */
export function assertAgree(
  actual: TypedArray,
  expected: TypedArray,
  dtype: DType,
  msg: string,
  tol: { rtol?: number; atol?: number } = {},
): void {
  const rtol = tol.rtol ?? rtolOf(dtype);
  const atol = tol.atol ?? (dtype === "float32" ? 1e-6 : dtype === "float64" ? 1e-13 : 0);
  assert.equal(actual.length, expected.length, `${msg}: length`);
  for (let i = 0; i < actual.length; i++) {
    const [x, y] = [actual[i]!, expected[i]!];
    if (x === y || (x !== x && y !== y)) continue;
    if (Math.abs(x - y) <= atol + rtol * Math.abs(y)) continue;
    assert.fail(`${msg}: element ${i} is ${x}, the reference gives ${y}`);
  }
}

/** Reads both outputs and compares them. */
export function agree(out: { ref: Handle; nat: Handle }, dtype: DType, msg: string, tol = {}): void {
  assertAgree(native!.readSync(out.nat, dtype), reference.readSync(out.ref, dtype), dtype, msg, tol);
}

/**
 * Runs node (with `nodeFlags`, then tsx and `args`) in a child process at the repository root,
 * with `env` over this one's.
 */
export function runChild(args: string[], env: Record<string, string>, nodeFlags: string[] = []) {
  // NOTE: NODE_TEST_CONTEXT, set for this file by the test runner, would make a nested --test report to us
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [...nodeFlags, "--import", "tsx", ...args], {
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    env: { ...inherited, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
