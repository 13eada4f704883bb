// Checking numbers against the lecture notes at the precision the notes print: a printed value
// agrees when the computed one rounds to it; a slip is a printed value the computation does not
// round to, checked against the value it should have printed.

import assert from "node:assert/strict";
import type { Tensor } from "../../src/index.js";

/** Half a unit in the last printed place, plus room for float32 round-off. */
const halfUlp = (decimals: number) => 0.5 * 10 ** -decimals + 1e-7;

/** Asserts `actual` rounds to `printed` at `decimals` places, as the notes print it. */
export function agrees(what: string, actual: number, printed: number, decimals: number): void {
  assert.ok(
    Math.abs(actual - printed) <= halfUlp(decimals),
    `${what}: computed ${actual}, the notes print ${printed.toFixed(decimals)}`,
  );
}

/** Elementwise `agrees` for a tensor against the notes' printed array. */
export function agreesAll(what: string, actual: Tensor, printed: number[], decimals: number): void {
  const values = Array.from(actual.dataSync());
  assert.equal(values.length, printed.length, `${what}: ${values.length} values, the notes print ${printed.length}`);
  values.forEach((v, i) => agrees(`${what}[${i}]`, v, printed[i]!, decimals));
}

/**
 * A slip in the notes: the computed value rounds to `exact` at `decimals` places and NOT to the
 * `printed` one. Returns how far the printed value is off, for the test's record.
 */
export function slip(what: string, actual: number, printed: number, exact: number, decimals: number): number {
  agrees(what, actual, exact, decimals);
  const off = Math.abs(actual - printed);
  assert.ok(
    off > 0.5 * 10 ** -decimals,
    `${what}: the notes print ${printed}, recorded as a slip, yet the computed ${actual} rounds to it`,
  );
  return off;
}

/** Elementwise `slip` where every printed entry is wrong. */
export function slipAll(what: string, actual: Tensor, printed: number[], exact: number[], decimals: number): void {
  const values = Array.from(actual.dataSync());
  values.forEach((v, i) => slip(`${what}[${i}]`, v, printed[i]!, exact[i]!, decimals));
}
