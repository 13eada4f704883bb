// Shared test helpers: closeness checks with useful messages, and watching the backend free.

import assert from "node:assert/strict";
import { kernels } from "../src/backend/registry.js";
import type { Tensor } from "../src/index.js";

type Nested = number | boolean | Nested[];

function flat(x: Nested | Tensor): number[] {
  if (typeof x === "object" && x !== null && "dataSync" in x) return Array.from(x.dataSync());
  if (Array.isArray(x)) return x.flatMap((v) => flat(v));
  return [Number(x)];
}

/** Asserts |actual - expected| <= atol + rtol·|expected| elementwise (NaN matches NaN). */
export function assertClose(
  actual: Tensor | Nested,
  expected: Tensor | Nested,
  opts: { atol?: number; rtol?: number; msg?: string } = {},
): void {
  const { atol = 1e-6, rtol = 1e-5, msg = "" } = opts;
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `${msg} length ${a.length} != ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, e[i]!];
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    assert.ok(
      Math.abs(x - y) <= atol + rtol * Math.abs(y),
      `${msg} element ${i}: got ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`,
    );
  }
}

/** Asserts fn throws a `type` whose message holds every part, in order. */
export function throwsNaming(fn: () => unknown, type: ErrorConstructor, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
    let at = 0;
    for (const p of parts) {
      const i = e.message.indexOf(p, at);
      assert.ok(i >= 0, `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)} (after position ${at})`);
      at = i + p.length;
    }
    return true;
  });
}

/** Runs fn while recording the handles the backend frees; null when the backend frees nothing early. */
export function freedDuring(fn: () => void): unknown[] | null {
  const k = kernels() as ReturnType<typeof kernels> & { free?: (h: unknown) => void };
  if (!k.free) return null;
  const freed: unknown[] = [];
  const free = k.free;
  k.free = (h) => {
    freed.push(h);
    free(h);
  };
  try {
    fn();
  } finally {
    k.free = free;
  }
  return freed;
}
