// The shape of the house: every file in src/ imports only from its own layer or the layers below,
// and no imports go in a circle (type-only imports count: a type cycle is a design cycle too).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** The layers from the bottom up; a file may import its own layer and those before it. */
const LAYERS = [
  "core",
  "backend",
  "tensor",
  "graph",
  "ops",
  "autograd",
  "api",
  "io",
  "data",
  "nn",
  "optim",
  "explain",
  // the package's surface (the browser's entry, then Node's, which builds on it); the command
  // line is built on it as a user's program would be
  "index.browser.ts",
  "index.ts",
  "cli",
];

/** What the layers above the API may import from the backend: choosing one, loading the wasm one, and threads. */
const ABOVE_OPS_MAY_USE = new Set(["backend/registry.ts", "backend/threads.ts", "backend/wasm/browser.ts"]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every relative module a file imports or re-exports, type-only ones included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"(\.[^"]+)"/g)].map((m) => m[1]!);
  specs.push(...[...text.matchAll(/(?:^|\n)\s*import\s*"(\.[^"]+)"/g)].map((m) => m[1]!));
  specs.push(...[...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g)].map((m) => m[1]!));
  return specs.map((s) => relative(src, resolve(dirname(file), s.replace(/\.js$/, ".ts"))));
}

const layerOf = (path: string) => LAYERS.indexOf(path.split("/")[0]!);

const graph = new Map(filesUnder(src).map((f) => [relative(src, f), importsOf(f)]));

test("every file in src/ belongs to a layer", () => {
  const stray = [...graph.keys()].filter((f) => layerOf(f) < 0);
  assert.deepEqual(stray, [], `files outside the layers: ${stray}`);
});

test("imports only look down: each file imports its own layer or those below it", () => {
  const upward: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) if (layerOf(to) > layerOf(from)) upward.push(`${from} -> ${to}`);
  }
  assert.deepEqual(upward, [], `upward imports:\n${upward.join("\n")}`);
});

test("above the API, nothing reaches the kernels or the unrecorded helpers but through ops", () => {
  const direct: string[] = [];
  for (const [from, targets] of graph) {
    if (layerOf(from) <= layerOf("api/") || from === "index.ts") continue;
    for (const to of targets) {
      const kernels = to.startsWith("backend/") && !ABOVE_OPS_MAY_USE.has(to);
      if (kernels || to === "ops/unrecorded.ts") direct.push(`${from} -> ${to}`);
    }
  }
  assert.deepEqual(direct, [], `reaching past the ops:\n${direct.join("\n")}`);
});

test("no import cycles, type-only imports included", () => {
  // Tarjan's strongly connected components: any component of more than one file is a cycle
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(" <-> ")).join("\n")}`);
});

test("no hand-written file in src/ or native/ is over 400 lines", () => {
  const native = resolve(src, "../native");
  // generated files (npm run gen) are tables, one entry per op, and grow with the table
  const files = [...filesUnder(src), ...readdirSync(native).map((f) => join(native, f))].filter(
    (f) => /\.(ts|cc|h)$/.test(f) && !/\.gen\.(ts|h)$/.test(f),
  );
  const long = files
    .map((f) => [relative(resolve(src, ".."), f), readFileSync(f, "utf8").split("\n").length - 1] as const)
    .filter(([, n]) => n > 400);
  assert.deepEqual(long, [], `files over 400 lines: ${long.map(([f, n]) => `${f} (${n})`).join(", ")}`);
});
