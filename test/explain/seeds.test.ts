// The notes' three worked examples: every number against PyTorch float64 (tools/gen_golden_explain.py),
// the notes' printed figures marked where they differ (the 2-2-1 note's z2 slip and what follows),
// and the text and Markdown explanations line by line against the golden files in test/fixtures
// (UPDATE_GOLDENS=1 rewrites them after a reviewed change).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { assertClose } from "../helpers.js";
import * as cr from "../../src/index.js";

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const torch = JSON.parse(readFileSync(fixture("explain-seeds-torch.json"), "utf8")) as Record<
  string,
  Record<string, unknown>
>;

/** Compares output with a golden file line by line, naming the first line that differs. */
function assertGolden(actual: string, file: string): void {
  if (process.env.UPDATE_GOLDENS) writeFileSync(fixture(file), actual);
  const expected = readFileSync(fixture(file), "utf8").split("\n");
  const lines = actual.split("\n");
  for (let i = 0; i < Math.max(lines.length, expected.length); i++) {
    assert.equal(lines[i], expected[i], `${file}: line ${i + 1} differs`);
  }
}

type Layers = number[][];

/** The walkthrough's keyed values for layer quantities, flattened per layer, against torch's. */
function checkNetwork(e: cr.explain.Explanation, t: Record<string, unknown>, layers: number[]): void {
  const v = e.values;
  const get = (prefix: string, l: number, n: number, suffix = "") =>
    Array.from({ length: n }, (_, j) => v.get(`${prefix}${l}_${j + 1}${suffix}`));
  const opts = { atol: 1e-12, rtol: 1e-12 };
  for (let l = 1; l < layers.length; l++) {
    const n = layers[l]!;
    const k = layers[l - 1]!;
    assertClose(get("z", l, n) as number[], (t.z as Layers)[l - 1]!, { ...opts, msg: `z${l}` });
    assertClose(get("a", l, n) as number[], (t.a as Layers)[l - 1]!, { ...opts, msg: `a${l}` });
    assertClose(get("delta", l, n) as number[], (t.delta as Layers)[l - 1]!, { ...opts, msg: `delta${l}` });
    const dW = Array.from({ length: n * k }, (_, i) => v.get(`dW${l}_${Math.floor(i / k) + 1},${(i % k) + 1}`)!);
    assertClose(dW, (t.dW as Layers)[l - 1]!, { ...opts, msg: `dW${l}` });
    assertClose(get("db", l, n) as number[], (t.db as Layers)[l - 1]!, { ...opts, msg: `db${l}` });
    const Wn = Array.from({ length: n * k }, (_, i) => v.get(`W${l}_new_${Math.floor(i / k) + 1},${(i % k) + 1}`)!);
    assertClose(Wn, (t.W_new as Layers)[l - 1]!, { ...opts, msg: `W${l} after the step` });
    assertClose(
      get("b", l, n, "").map((_, j) => v.get(`b${l}_new_${j + 1}`)!),
      (t.b_new as Layers)[l - 1]!,
      opts,
    );
  }
  assertClose(v.get("L")!, t.L as number, opts);
}

test("seed-graph: f = (x+y)z reproduces the notes' gradients and names the gates", () => {
  const e = cr.explain.explainSeed("seed-graph");
  const t = torch["seed-graph"]!;
  for (const key of ["q", "f", "df/dq", "df/dx", "df/dy", "df/dz"]) assert.equal(e.values.get(key), t[key], key);
  assert.ok(e.comparisons.length >= 8 && e.comparisons.every((c) => c.agrees), "every printed figure of 001 agrees");
  const text = e.text();
  assert.match(text, /MulBackward of f = q \* z {2}\(mul swaps\)/);
  assert.match(text, /∂f\/∂q = 1\*\(-4\) = -4/);
  assert.match(text, /AddBackward of q = x \+ y {2}\(add distributes\)/);
  assertGolden(text, "explain-seed-graph.txt");
  assertGolden(e.markdown(), "explain-seed-graph.md");
});

test("seed-2-2-1: exact numbers, the notes' z2 = 0.854 slip marked and carried through", () => {
  const e = cr.explain.explainSeed("seed-2-2-1");
  const t = torch["seed-2-2-1"]!;
  checkNetwork(e, t, [2, 2, 1]);
  const second = t.second as { z: Layers; a: Layers; L: number };
  assertClose([e.values.get("z1_1'")!, e.values.get("z1_2'")!], second.z[0]!, { atol: 1e-12 });
  assertClose(e.values.get("L'")!, second.L, { atol: 1e-12 });
  // the exact values the brief names: 0.5·0.6248 + 0.6·0.7540 + 0.05 = 0.8149, ŷ = 0.6931, L = 0.3665
  assert.equal(e.values.get("z2_1")!.toFixed(4), "0.8148");
  assert.equal(e.values.get("a2_1")!.toFixed(4), "0.6931");
  assert.equal(e.values.get("L")!.toFixed(4), "0.3665");
  const differs = (key: string) => e.comparisons.find((c) => c.key === key)!.agrees === false;
  assert.ok(differs("z2_1") && differs("a2_1") && differs("L") && differs("delta2_1") && differs("dW1_1,1"));
  for (const key of ["z1_1", "z1_2", "a1_1", "a1_2", "fprime1_1"])
    assert.ok(!differs(key), `${key} agrees before the slip`);
  const text = e.text();
  assert.match(text, /z2_1 = 0\.5\*0\.624806 \+ 0\.6\*0\.753989 \+ 0\.05 = .* = 0\.814796 {3}✗ notes: 0\.854/);
  assert.match(text, /Loss: L = -\[1\*log\(0\.693131\) \+ 0\*log\(0\.306869\)\] = 0\.366537 {3}✗ notes: 0\.355/);
  assertGolden(text, "explain-seed-2-2-1.txt");
  assertGolden(e.markdown(), "explain-seed-2-2-1.md");
});

test("seed-3-4-2: the notes' softmax Jacobian, deltas and gradients to 6 digits", () => {
  const e = cr.explain.explainSeed("seed-3-4-2");
  checkNetwork(e, torch["seed-3-4-2"]!, [3, 4, 2]);
  const differing = e.comparisons.filter((c) => !c.agrees).map((c) => `${c.key}=${c.printed}`);
  // 002's own slips: σ' of neurons 2-4 and one product computed from a rounded activation
  assert.deepEqual(differing, ["wa2_2,3=0.1464", "fprime1_2=0.217877", "fprime1_3=0.2326", "fprime1_4=0.244596"]);
  const md = e.markdown();
  assert.match(
    md,
    /\\delta\^\{2\}_\{1\} &= \(-0\.484148\)\\cdot 0\.249749 \+ 0\.484148\\cdot \(-0\.249749\) = -0\.241831/,
  );
  assertGolden(e.text(), "explain-seed-3-4-2.txt");
  assertGolden(md, "explain-seed-3-4-2.md");
});

test("agreesWith rounds at the printed precision", () => {
  assert.ok(cr.explain.agreesWith("0.625", 0.624806));
  assert.ok(cr.explain.agreesWith("-0.30", -0.3));
  assert.ok(!cr.explain.agreesWith("0.854", 0.814796));
  assert.ok(!cr.explain.agreesWith("0.2326", 0.232008));
});
