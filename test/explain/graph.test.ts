// Graph export: the gradFn graph of f = (x+y)z and of the 3-4-2 network as DOT, Mermaid, JSON and
// SVG (laid out by dagre): the expected nodes and edges, parameters named by module path, saved
// tensors listed, every SVG node placed, data flowing left to right and modules in the order they ran.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "../../src/index.js";

const { graphOf, graphOfTrace, toDot, toMermaid, toGraphJSON, toSvg, layoutGraph } = cr.explain;

function seedGraph() {
  const [x, y, z] = [-2, 5, -4].map((v) => cr.tensor(v, { requiresGrad: true }));
  const f = x!.add(y!).mul(z!);
  return graphOf(f, { x: x!, y: y!, z: z!, f });
}

const edgeNames = (g: cr.explain.GraphModel) => {
  const label = new Map(g.nodes.map((n) => [n.id, n.label]));
  return g.edges.map((e) => `${label.get(e.from)}->${label.get(e.to)}`).sort();
};

test("graphOf: f = (x+y)z has AddBackward, MulBackward, three leaves and the output", () => {
  const g = seedGraph();
  assert.deepEqual(g.nodes.map((n) => n.label).sort(), ["AddBackward", "MulBackward", "f", "x", "y", "z"]);
  assert.deepEqual(edgeNames(g), [
    "AddBackward->MulBackward",
    "MulBackward->f",
    "x->AddBackward",
    "y->AddBackward",
    "z->MulBackward",
  ]);
  const mul = g.nodes.find((n) => n.label === "MulBackward")!;
  assert.deepEqual(mul.saved, ["tensor []", "tensor []"], "mul saves both inputs");
  const dot = toDot(g);
  assert.match(dot, /^digraph "gradFn" \{/);
  assert.match(dot, /"n\d+" \[label="MulBackward\\nmul\\n\[\]\\nsaved: tensor \[\], tensor \[\]", shape=box/);
  assert.equal(dot.match(/->/g)!.length, 5);
  const mermaid = toMermaid(g);
  assert.match(mermaid, /^flowchart TB\n/);
  assert.equal(mermaid.match(/-->/g)!.length, 5);
  assert.deepEqual(JSON.parse(toGraphJSON(g)), JSON.parse(JSON.stringify(g)));
});

test("the 3-4-2 network: parameters named by module path, edges from each to its op", () => {
  const seed = cr.explain.SEEDS["seed-3-4-2"].scenario as cr.explain.MlpScenario;
  const run = cr.explain.runMlp(seed, { backward: false });
  const g = graphOf(run.tensors.loss);
  const params = g.nodes.filter((n) => n.kind === "parameter").map((n) => `${n.label} [${n.shape}]`);
  assert.deepEqual(params.sort(), ["0.bias [4]", "0.weight [4,3]", "2.bias [2]", "2.weight [2,4]"]);
  const edges = edgeNames(g);
  for (const e of [
    "0.weight->PermuteBackward",
    "0.bias->AddBackward",
    "SigmoidBackward->MmBackward",
    "MulBackward->L",
  ]) {
    assert.ok(edges.includes(e), `edge ${e}`);
  }
  const sigmoid = g.nodes.find((n) => n.label === "SigmoidBackward")!;
  assert.deepEqual(sigmoid.saved, ["tensor [1, 4]"], "sigmoid saves its output");
  // the traced graph adds the ops without gradient (softmax's max shift) and the inputs a0 and y
  const full = graphOfTrace(run.trace);
  assert.ok(full.nodes.some((n) => n.label === "a0" && n.kind === "input"));
  assert.ok(full.nodes.some((n) => n.op === "amax" && n.differentiable === false));
  assert.equal(full.nodes.filter((n) => n.kind === "op").length, run.trace.steps.length);
});

test("SVG: dagre places every node; nodes and edges carry the ids the viewer highlights", () => {
  const g = seedGraph();
  const lay = layoutGraph(g);
  for (const n of lay.nodes) assert.ok(Number.isFinite(n.x) && Number.isFinite(n.y) && n.width > 0, n.node.id);
  const out = lay.nodes.find((n) => n.node.id === "output")!;
  const leaf = lay.nodes.find((n) => n.node.label === "x")!;
  assert.ok(out.x > leaf.x, "forward flows left to right: leaves left of the output");
  const svg = toSvg(g);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="cr-graph" width="\d+" height="\d+"/);
  assert.equal(svg.match(/<g class="node /g)!.length, g.nodes.length);
  assert.equal(svg.match(/<g class="edge" data-from="[^"]+" data-to="[^"]+"><path d="M[\d.]+,[\d.]+ /g)!.length, 5);
  assert.ok(svg.includes(">MulBackward</tspan>"));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
});

test("SVG layout of the 3-4-2 network: every edge points right, modules side by side in data order", () => {
  const trace = cr.explain.explainScenario(cr.explain.SEEDS["seed-3-4-2"].scenario).trace;
  const lay = layoutGraph(graphOfTrace(trace));
  const at = new Map(lay.nodes.map((n) => [n.node.id, n]));
  for (const e of lay.edges) assert.ok(at.get(e.from)!.x < at.get(e.to)!.x, `${e.from} -> ${e.to} points right`);
  // the modules in the order the forward pass ran them, each box wholly right of the one before
  const order = [...new Set(trace.steps.map((s) => s.module!))];
  assert.deepEqual(order, ["0", "1", "2", "3", "loss"]);
  const boxes = order.map((m) => lay.clusters.find((c) => c.module === m)!);
  boxes.slice(1).forEach((b, i) => {
    const prev = boxes[i]!;
    assert.ok(prev.x + prev.width <= b.x, `module ${prev.module} ends before module ${b.module} starts`);
  });
});

test("SVG layout: a module run twice around another still flows left to right", () => {
  const op = (id: string, module: string): cr.explain.GraphNode => ({ id, kind: "op", label: id, module });
  const g: cr.explain.GraphModel = {
    nodes: [op("s0", "a"), op("s1", "b"), op("s2", "a"), { id: "output", kind: "output", label: "L" }],
    edges: [
      { from: "s0", to: "s1" },
      { from: "s1", to: "s2" },
      { from: "s2", to: "output" },
    ],
  };
  const at = new Map(layoutGraph(g).nodes.map((n) => [n.node.id, n.x]));
  assert.ok(at.get("s0")! < at.get("s1")! && at.get("s1")! < at.get("s2")! && at.get("s2")! < at.get("output")!);
});
