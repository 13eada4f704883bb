// trace(): it changes no result (loss, gradients and optimizer steps identical with and without
// it), records each node's upstream gradient and what it sent to each input consistently with
// the leaves' .grad, groups ops by nn module path, names the notes' gates, and summarises large tensors.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "../../src/index.js";

const { trace } = cr.explain;

function makeNet() {
  cr.manualSeed(11);
  const model = new cr.nn.Sequential(new cr.nn.Linear(4, 8), new cr.nn.Tanh(), new cr.nn.Linear(8, 3));
  const x = cr.randn([5, 4]);
  const y = cr.tensor([0, 2, 1, 1, 0], { dtype: "int32" });
  const optimizer = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const loss = () => cr.nn.functional.crossEntropy(model.call(x), y);
  return { model, optimizer, loss };
}

const values = (t: cr.Tensor | null | undefined) => Array.from(t!.dataSync());

test("tracing changes no result: loss, gradients and the optimizer step are bit-identical", () => {
  const plain = makeNet();
  const l0 = plain.loss();
  l0.backward();
  const plainGrads = [...plain.model.parameters()].map((p) => values(p.grad));
  plain.optimizer.step();
  const traced = makeNet();
  const tr = trace(traced.loss, { model: traced.model, optimizer: traced.optimizer });
  assert.equal(tr.loss.data.values![0], l0.item());
  const params = [...traced.model.parameters()];
  params.forEach((p, i) => assert.deepEqual(values(p.grad), plainGrads[i], `gradient ${i}`));
  [...plain.model.parameters()].forEach((p, i) =>
    assert.deepEqual(values(params[i]), values(p), `parameter ${i} after the step`),
  );
  assert.equal(tr.updates.length, 4);
  assert.equal(tr.optimizer, "SGD");
});

test("tracing a plain-tensor expression leaves .grad as an untraced backward does", () => {
  const run = (traced: boolean) => {
    const x = cr.tensor([0.5, -1.5, 2], { requiresGrad: true });
    const w = cr.tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { requiresGrad: true },
    );
    const f = () => x.sigmoid().matmul(w).relu().add(x.sum()).pow(2).mean();
    if (traced) trace(f);
    else f().backward();
    return [values(x.grad), values(w.grad)];
  };
  assert.deepEqual(run(true), run(false));
});

test("every node's gradients add up to the leaves' .grad (the engine's sums, recorded)", () => {
  const { model, loss } = makeNet();
  const tr = trace(loss, { model });
  for (const v of tr.leaves) {
    const t = [...model.namedParameters()].find(([n]) => n === v.label)![1];
    const sum = v.contributions.map((c) => c.grad.values!).reduce((a, b) => a.map((x, i) => x + b[i]!));
    sum.forEach((s, i) => assert.ok(Math.abs(s - t.grad!.dataSync()[i]!) < 1e-6, `${v.label}[${i}]`));
  }
  const first = tr.backwardSteps[0]!;
  assert.equal(first.output, tr.output, "backward starts at the loss");
  assert.deepEqual(first.backward!.upstream.values, [1]);
  for (const s of tr.backwardSteps) assert.deepEqual(s.backward!.upstream, tr.values[s.output]!.grad, `step ${s.id}`);
});

test("ops are grouped by module path and parameters named by it", () => {
  const { model, loss } = makeNet();
  const tr = trace(loss, { model });
  const modules = new Set(tr.steps.map((s) => s.module));
  assert.ok(modules.has("0") && modules.has("1") && modules.has("2"), `modules ${[...modules].join(",")}`);
  assert.ok(tr.steps.filter((s) => s.op === "tanh").every((s) => s.module === "1"));
  assert.deepEqual(
    tr.values.filter((v) => v.kind === "parameter").map((v) => `${v.label}@${v.module}`),
    ["0.weight@0", "0.bias@0", "2.weight@2", "2.bias@2"],
  );
  assert.match(cr.explain.renderText(tr), /│ module 1 +│/);
});

test("scope() groups plain tensor code", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const tr = trace(() => cr.explain.scope("hidden", () => x.mul(3).sigmoid()).sum());
  assert.deepEqual(
    tr.steps.map((s) => `${s.op}:${s.module ?? ""}`),
    ["mul:hidden", "sigmoid:hidden", "sum:"],
  );
});

test("the copy gate: a value used three times gets the sum of three gradients", () => {
  const x = cr.tensor(3, { requiresGrad: true, dtype: "float64" });
  const tr = trace(() => x.mul(x).add(x), { names: { x } });
  const v = tr.value("x")!;
  assert.equal(v.contributions.length, 3);
  assert.deepEqual(v.grad!.values, [7]);
  const [sub] = cr.explain.copySubstitutions(tr, v.id);
  assert.equal(sub!.text, "1 + 3 + 3");
  assert.match(cr.explain.renderText(tr), /∂L\/∂x = 1 \+ 3 \+ 3 = 7/);
});

test("frames walk leaves, forward ops, backward nodes and updates, naming the gates", () => {
  const x = cr.tensor(2, { requiresGrad: true, dtype: "float64" });
  const y = cr.tensor(-1, { requiresGrad: true, dtype: "float64" });
  const tr = trace(() => cr.maximum(x, y).mul(x).add(x), { names: { x, y }, lr: 0.5 });
  const frames = cr.explain.framesOf(tr);
  assert.equal(frames.length, 1 + tr.steps.length + tr.backwardSteps.length + tr.updates.length);
  const gates = frames.filter((f) => f.phase === "backward").map((f) => f.gates.join("+"));
  assert.deepEqual(gates, ["add distributes", "mul swaps", "max routes"]);
  const update = frames.at(-2)!;
  assert.equal(update.phase, "update");
  assert.deepEqual(update.values, [
    ["before", "2"],
    ["gradient", "5"],
    ["after", "-0.5"],
  ]);
});

test("large tensors are summarised by shape, mean, std, norm and first elements", () => {
  cr.manualSeed(1);
  const a = cr.randn([40, 30], { requiresGrad: true });
  const tr = trace(() => a.matmul(a.t()).sum());
  const text = cr.explain.renderText(tr);
  assert.match(text, /<float32 \[40, 40\] mean=-?[\d.]+ std=[\d.]+ norm=[\d.]+ first=\[[^\]]*…\]>/);
  assert.equal(tr.values[tr.steps[1]!.output]!.data.values?.length, 1600);
  const json = JSON.parse(cr.explain.renderJSON(tr)) as { steps: { rule: { text: string } }[] };
  assert.equal(json.steps[1]!.rule.text, "∂(A·B)/∂A: G·Bᵀ, ∂(A·B)/∂B: Aᵀ·G");
});

test("the rules, substituted with the recorded numbers, give the engine's gradients", () => {
  const run = cr.explain.runMlp(cr.explain.SEEDS["seed-3-4-2"].scenario as cr.explain.MlpScenario);
  const tr = run.trace;
  let checked = 0;
  for (const s of tr.backwardSteps) {
    s.inputs.forEach((_, k) => {
      for (const sub of cr.explain.backwardSubstitutions(tr, s, k)) {
        assert.ok(Math.abs(sub.computed! - sub.value) < 1e-12, `${s.node} input ${k}[${sub.index}]: ${sub.text}`);
        checked++;
      }
    });
  }
  for (const s of tr.steps) {
    for (const sub of cr.explain.forwardSubstitutions(tr, s)) {
      if (sub.computed !== undefined) assert.ok(Math.abs(sub.computed - sub.value) < 1e-12, `${s.op}[${sub.index}]`);
    }
  }
  assert.ok(checked > 40, `checked ${checked} substituted gradients`);
});
