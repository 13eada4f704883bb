// The explain commands, run in-process through registerExplainCommands: the worked examples in
// every format, a user's MLP from a safetensors file (the notes' 3-4-2 weights saved to disk give
// the notes' numbers), graph exports, diagnose, saliency, the HTML page and the bounded --serve.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "../../src/index.js";
import { registerExplainCommands } from "../../src/cli/explain-commands.js";
import { trainClassifier } from "../../src/explain/node/demo-models.js";
import { startCommand } from "../cli/in-process.js";

/** Starts `chainrule <args>` in-process; output() is what it has printed so far. */
const start = (...args: string[]) => startCommand(registerExplainCommands, args);

/** Runs `chainrule <args>` in-process and returns what it printed. */
const run = (...args: string[]) => start(...args).done;

const dir = mkdtempSync(join(tmpdir(), "cr-explain-cli-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("explain seed-3-4-2 --format json carries the notes' numbers and comparisons", async () => {
  const json = JSON.parse(await run("explain", "seed-3-4-2", "--format", "json")) as {
    values: Record<string, number>;
    comparisons: { key: string; agrees: boolean }[];
    trace: { steps: unknown[] };
  };
  assert.equal(json.values["delta2_1"]!.toFixed(6), "-0.241831");
  assert.equal(json.values["dW1_4,2"]!.toFixed(6), "-0.017735");
  assert.equal(json.comparisons.filter((c) => !c.agrees).length, 4);
  assert.ok(json.trace.steps.length > 10);
  assert.match(await run("explain", "seed-graph", "-f", "markdown"), /^# Backprop on a computational graph/);
});

test("explain --weights: the notes' 3-4-2 weights from a safetensors file give the notes' numbers", async () => {
  const seed = cr.explain.SEEDS["seed-3-4-2"].scenario as cr.explain.MlpScenario;
  const file = join(dir, "net342.safetensors");
  await cr.save(
    {
      "0.weight": cr.tensor(seed.layers[0]!.weight),
      "0.bias": cr.tensor(seed.layers[0]!.bias),
      "2.weight": cr.tensor(seed.layers[1]!.weight),
      "2.bias": cr.tensor(seed.layers[1]!.bias),
    },
    file,
  );
  const args = ["--weights", file, "--model", "mlp:3-4-2:sigmoid:softmax", "--input", "[1, 0.5, -1]"];
  const out = JSON.parse(
    await run("explain", ...args, "--target", "[1, 0]", "--loss", "half-sse", "--lr", "0.1", "-f", "json"),
  );
  const values = out.values as Record<string, number>;
  const notes = cr.explain.explainSeed("seed-3-4-2").values;
  // float32 weights from the file: the numbers agree with the float64 seed to float32 precision
  for (const key of ["z2_1", "a2_1", "L", "delta2_1", "dW1_1,1", "W2_new_1,1"]) {
    assert.ok(Math.abs(values[key]! - notes.get(key)!) < 1e-6, `${key}: ${values[key]} vs ${notes.get(key)}`);
  }
  const text = await run("explain", ...args, "--target", "0");
  assert.match(text, /^MLP 3-4-2 from .*net342\.safetensors\ntarget: 0, loss: cross-entropy/);
  assert.match(text, /Output Layer \(2 neurons, softmax\)/);
});

test("an unknown example is refused with the list of examples", async () => {
  for (const command of ["explain", "graph"]) {
    await assert.rejects(
      run(command, "seed-9-9-9"),
      /^Error: unknown example 'seed-9-9-9'; the examples are seed-graph, seed-2-2-1, seed-3-4-2, or give a model spec/,
    );
  }
});

test('explain --input takes {"x": [...]} as well as a bare sample', async () => {
  const args = ["mlp:3-4-2", "--target", "0", "-f", "json"];
  const bare = JSON.parse(await run("explain", ...args, "--input", "[1, 0.5, -1]"));
  const wrapped = JSON.parse(await run("explain", ...args, "--input", '{"x": [[1, 0.5, -1]]}'));
  assert.deepEqual(wrapped.values, bare.values);
  await assert.rejects(
    run("explain", ...args, "--input", "[1, 2]"),
    /--input: sample 0 has 2 numbers; the model expects 3/,
  );
  await assert.rejects(run("explain", ...args, "--input", "nowhere.json"), /--input: no file 'nowhere.json'/);
});

test("graph exports: dot, mermaid, json and an SVG file", async () => {
  const dot = await run("graph", "seed-graph", "-f", "dot");
  assert.match(dot, /label="MulBackward/);
  assert.match(dot, /label="x\\n\[\]"/);
  assert.match(await run("graph", "seed-2-2-1", "-f", "mermaid"), /SigmoidBackward/);
  const json = JSON.parse(await run("graph", "--expr", "f = max(x, y) * x", "--vars", "x=1,y=2", "-f", "json"));
  assert.ok((json.nodes as { label: string }[]).some((n) => n.label === "MaximumBackward"));
  const svgFile = join(dir, "g.svg");
  assert.match(await run("graph", "mlp:4-3-2", "--full", "-f", "svg", "-o", svgFile), /wrote .*g\.svg/);
  assert.match(readFileSync(svgFile, "utf8"), /^<svg [^>]*class="cr-graph"/);
});

test("diagnose prints the gradient-flow report and writes its SVG", async () => {
  const svg = join(dir, "flow.svg");
  const out = await run("diagnose", "--net", "dead-relu", "--steps", "1", "--svg", svg);
  assert.match(out, /dead-relu: Linear\(64, 32\) with bias -50/);
  assert.match(out, /100% of ReLU units are dead/);
  assert.match(readFileSync(svg, "utf8"), /class="cr-flow"/);
});

test("saliency says a misprediction plainly, names the training-set accuracy, titles the PNG", async () => {
  // the same quick, seeded training the command does: find an image it gets wrong
  const quick = ["--epochs", "1", "--limit", "100"];
  const c = await trainClassifier("digits", { epochs: 1, limit: 100 });
  const predicted = c.model.call(c.inputs).argmax(1).dataSync();
  const labels = c.data.y.dataSync();
  const wrong = predicted.findIndex((p, i) => p !== labels[i]);
  assert.ok(wrong >= 0, "a one-epoch model gets some image wrong");
  const png = join(dir, "wrong.png");
  const out = await run("saliency", ...quick, "--index", String(wrong), "-o", png);
  const verdict = `label ${labels[wrong]}, predicted ${predicted[wrong]} (wrong)`;
  assert.match(out, /^training-set accuracy \d+\.\d% \(100 images\); /);
  assert.ok(out.includes(`; image #${wrong}: ${verdict};`), out);
  assert.deepEqual([...readFileSync(png).subarray(1, 4)], [80, 78, 71], "a PNG");
  const svg = join(dir, "wrong.svg");
  await run("saliency", ...quick, "--index", String(wrong), "-o", svg);
  const text = readFileSync(svg, "utf8");
  assert.ok(text.includes(`>digits #${wrong}: ${verdict}</text>`), "the title says it");
  assert.match(text, /<g class="scale">/);
  await assert.rejects(run("saliency", ...quick, "--index", "100"), /--index 100 is past the 100 training images/);
});

test("--html writes the self-contained viewer; --serve serves it for a bounded time", async () => {
  const html = join(dir, "view.html");
  await run("explain", "seed-graph", "--html", html);
  const page = readFileSync(html, "utf8");
  assert.match(page, /<script type="application\/json" id="cr-scenario">\{"title":"Backprop on a computational graph/);
  assert.ok(page.length > 50_000, "the page inlines the bundled chainrule");
  assert.ok(
    !/<\/script>(?!\n<\/body>|\n<script)/.test(page.slice(0, -30)),
    "no stray </script> inside the inline code",
  );
  const started = Date.now();
  const serving = start("explain", "seed-2-2-1", "--serve", "--port", "0", "--lifetime", "3");
  let url: string | undefined;
  for (let i = 0; i < 100 && !url; i++) {
    await new Promise((r) => setTimeout(r, 50));
    url = /serving the viewer at (http:\S+)/.exec(serving.output())?.[1];
  }
  assert.ok(url, "the server printed its URL");
  assert.match(await (await fetch(url)).text(), /2-2-1 network/);
  assert.equal((await fetch(`${url}missing`)).status, 404);
  await serving.done;
  assert.ok(Date.now() - started < 10_000, "the server stopped after its lifetime");
  await assert.rejects(fetch(url), "nothing listens after the lifetime");
});
