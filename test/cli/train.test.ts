// The training loop behind `chainrule train`: the default MLP reaches >= 95% on held-out digits
// (the task's acceptance bar, here on whichever backend is active), runs repeat exactly with the
// same seed, and the weights file rebuilds a model that predicts like the trained one; where runs
// go and what they are called; how --input samples are read.

import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as cr from "../../src/index.js";
import { loadRun, predictProbabilities } from "../../src/cli/predict-command.js";
import { readSamples, sampleRows } from "../../src/cli/sample-input.js";
import { datasetName } from "../../src/cli/task-data.js";
import { curvesSvg, runFolder, writeRun } from "../../src/cli/train-command.js";
import { niceTicks } from "../../src/cli/svg-chart.js";
import { trainModel } from "../../src/cli/trainer.js";
import { assertClose } from "../helpers.js";

const dir = await mkdtemp(join(tmpdir(), "cr-train-"));
after(() => rm(dir, { recursive: true, force: true }));

test("the default MLP reaches >= 95% test accuracy on the bundled digits", async () => {
  const t0 = performance.now();
  const r = await trainModel({ dataset: "digits", model: "mlp" });
  const secs = (performance.now() - t0) / 1000;
  const last = r.history.at(-1)!;
  assert.equal(r.history.length, 20);
  assert.equal(r.task.test.y.shape[0], 359);
  assert.ok(last.testAccuracy >= 0.95, `test accuracy ${last.testAccuracy} after ${secs.toFixed(1)} s`);
  assert.ok(last.trainLoss < r.history[0]!.trainLoss / 5, "the training loss falls");

  // the saved run rebuilds the same model from the weights file alone
  const paths = await writeRun(r, join(dir, "digits"));
  const { model, info } = await loadRun(paths.weights, "mlp");
  assert.deepEqual(info.classes, r.task.classes);
  const raw = (await cr.data.loadDigits()).x.narrow(0, 0, 50);
  const expected = cr.noGrad(() => (r.model.eval(), r.model.call(raw.div(16).reshape(50, 8, 8)).softmax(1)));
  assertClose(predictProbabilities(model, info, raw), expected, { atol: 1e-6 });
  const svg = await readFile(paths.curves, "utf8");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 4);
  const history = JSON.parse(await readFile(paths.history, "utf8")) as { testAccuracy: number }[];
  assert.equal(history.at(-1)!.testAccuracy, last.testAccuracy);
});

test("the same seed gives the same run; a CNN and other optimizers train too", async () => {
  const opts = { dataset: "digits", model: "mlp" as const, epochs: 2, limit: 300, optimizer: "sgd" as const, lr: 0.05 };
  const [a, b] = [await trainModel(opts), await trainModel(opts)];
  assert.deepEqual(
    a.history.map((h) => [h.trainLoss, h.testAccuracy]),
    b.history.map((h) => [h.trainLoss, h.testAccuracy]),
  );
  const seen: number[] = [];
  const cnn = await trainModel(
    { dataset: "digits", model: "cnn", epochs: 1, limit: 200, optimizer: "rmsprop" },
    { batch: (done) => void seen.push(done) },
  );
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.deepEqual(cnn.task.train.x.shape, [160, 8, 8]);
  await assert.rejects(trainModel({ dataset: "iris", model: "cnn", epochs: 1 }), /--model cnn needs image data/);
  await assert.rejects(trainModel({ dataset: "nowhere", model: "mlp" }), /unknown dataset 'nowhere'/);
});

test("--input reads inline JSON, JSON files (nested or flat, one or many) and CSV with or without labels", async () => {
  const json = join(dir, "s.json");
  await writeFile(
    json,
    JSON.stringify([
      [
        [1, 2],
        [3, 4],
      ],
      [5, 6, 7, 8],
    ]),
  );
  assert.deepEqual((await readSamples(json, 4)).x.toArray(), [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);
  await writeFile(json, JSON.stringify([1, 2, 3, 4]));
  assert.deepEqual((await readSamples(json, 4)).x.shape, [1, 4]);
  await writeFile(json, JSON.stringify([1, 2, 3]));
  await assert.rejects(readSamples(json, 4), /--input: sample 0 has 3 numbers; the model expects 4/);
  // inline JSON: one sample, a list, or {"x", "y"} with labels
  assert.deepEqual((await readSamples("[1, 2, 3, 4]", 4)).x.toArray(), [[1, 2, 3, 4]]);
  const inline = await readSamples('{"x": [[1, 2, 3, 4], [5, 6, 7, 8]], "y": [0, 1]}', 4);
  assert.deepEqual([inline.x.shape, inline.labels, inline.source], [[2, 4], [0, 1], "the command line"]);
  assert.throws(() => sampleRows({ x: [[1, 2]], y: [0, 1] }, 2), /"y" must hold one integer label per sample \(1\)/);
  assert.throws(() => sampleRows({ y: [0] }, 2), /a JSON object needs an "x" entry/);
  assert.throws(() => sampleRows([1, "a"], 2), /sample 0 holds something that is not a number/);
  await assert.rejects(readSamples("samples.csv", 4), /--input: no file 'samples.csv', and not inline JSON/);
  await assert.rejects(readSamples("2024-06.csv", 4), /--input: no file '2024-06.csv'/);
  assert.deepEqual((await readSamples("0.5", 1)).x.toArray(), [[0.5]]);
  await assert.rejects(readSamples("[1, 2", 2), /--input: not JSON/);
  const csv = join(dir, "s.csv");
  await writeFile(csv, "n,f,a,b\n1,2,0\n3,4,1\n");
  const withLabels = await readSamples(csv, 2);
  assert.deepEqual(withLabels.labels, [0, 1]);
  assert.deepEqual(withLabels.x.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  await assert.rejects(readSamples(csv, 5), /has 3 columns; the model expects 5 \(or 6 with a label\)/);
});

test("chart helpers: round ticks and one polyline per series", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(1, 20, 4), [5, 10, 15, 20]);
  const h = [1, 2, 3].map((e) => ({
    epoch: e,
    trainLoss: 1 / e,
    trainAccuracy: 0.5 + e / 10,
    testLoss: 1.2 / e,
    testAccuracy: 0.4 + e / 10,
    lr: 0.1,
    seconds: 1,
    samplesPerSecond: 10,
  }));
  const svg = curvesSvg(h, "a <b> & c");
  assert.equal((svg.match(/<polyline/g) ?? []).length, 4);
  assert.match(svg, /a &lt;b&gt; &amp; c: loss/);
});

test("runs go to runs/<dataset>-<model>, numbered past earlier runs; --out holding a run needs --overwrite", async () => {
  const cwd = process.cwd();
  const work = join(dir, "folders");
  await mkdir(join(work, "runs", "digits-mlp"), { recursive: true });
  process.chdir(work);
  try {
    assert.equal(runFolder({}, "digits-mlp"), join("runs", "digits-mlp"), "an empty folder holds no run");
    await writeFile(join("runs", "digits-mlp", "model.safetensors"), "");
    assert.equal(runFolder({}, "digits-mlp"), join("runs", "digits-mlp-2"));
    await mkdir(join("runs", "digits-mlp-2"));
    await writeFile(join("runs", "digits-mlp-2", "history.json"), "[]");
    assert.equal(runFolder({}, "digits-mlp"), join("runs", "digits-mlp-3"));
    assert.equal(runFolder({ overwrite: true }, "digits-mlp"), join("runs", "digits-mlp"));
    assert.throws(() => runFolder({ out: "runs/digits-mlp" }, "x"), /--out runs\/digits-mlp holds an earlier run/);
    assert.equal(runFolder({ out: "runs/digits-mlp", overwrite: true }, "x"), "runs/digits-mlp");
    assert.equal(runFolder({ out: "runs/elsewhere" }, "x"), "runs/elsewhere");
  } finally {
    process.chdir(cwd);
  }
});

test("a dataset is named by its name, or an IDX folder by the folder (torchvision's MNIST/raw by MNIST)", () => {
  assert.equal(datasetName("digits"), "digits");
  assert.equal(datasetName("/data/mnist"), "mnist");
  assert.equal(datasetName("/data/MNIST/raw/"), "mnist");
  assert.equal(datasetName("./fashion-mnist"), "fashion-mnist");
});
