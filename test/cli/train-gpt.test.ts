// `chainrule train --model gpt --dataset text` end to end on the JS backend: a tiny run writes
// weights, curves and history and reports held-out next-character loss and accuracy; predict
// refuses the run with a clear line; the GPT is causal (no position sees a later character).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import * as cr from "../../src/index.js";
import { CharGpt } from "../../src/cli/models.js";
import { loadFile } from "../../src/io/index.js";
import { assertClose } from "../helpers.js";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const node = ["--import", import.meta.resolve("tsx"), join(root, "src", "cli", "main.ts")];
const env = { ...process.env, CHAINRULE_BACKEND: "js" };
const cli = (...args: string[]) => run(process.execPath, [...node, ...args], { cwd: root, env, timeout: 60_000 });
const dir = await mkdtemp(join(tmpdir(), "cr-gpt-"));
after(() => rm(dir, { recursive: true, force: true }));

test("train --model gpt --dataset text writes a run and reports held-out next-character scores", async () => {
  const out = join(dir, "gpt");
  const { stdout } = await cli(
    "train",
    "--model",
    "gpt",
    "--dataset",
    "text",
    "--epochs",
    "2",
    "--limit",
    "40",
    "--out",
    out,
  );
  assert.match(stdout, /training gpt \([\d,]+ parameters\) on text: 63 train \/ 7 test windows of 64 characters/);
  assert.match(stdout, /epoch 2\/2 .*test loss \d+\.\d{4}/);
  assert.match(
    stdout,
    /next-character accuracy \d+\.\d% \(loss \d+\.\d{4}\) on 448 held-out characters after 2 epochs/,
  );
  assert.doesNotMatch(stdout, /try: chainrule predict/);
  assert.deepEqual((await readdir(out)).sort(), ["curves.svg", "history.json", "model.safetensors"]);

  const history = JSON.parse(await readFile(join(out, "history.json"), "utf8")) as {
    trainLoss: number;
    testLoss: number;
  }[];
  assert.equal(history.length, 2);
  // better than guessing uniformly over the vocabulary, and still learning
  const { metadata } = await loadFile(join(out, "model.safetensors"));
  const info = JSON.parse(metadata.chainrule!) as { model: { kind: string; numClasses: number }; classes: string[] };
  assert.equal(info.model.kind, "gpt");
  assert.equal(info.classes.length, info.model.numClasses);
  assert.ok(history[1]!.testLoss < Math.log(info.model.numClasses), `test loss ${history[1]!.testLoss}`);
  assert.ok(history[1]!.trainLoss < history[0]!.trainLoss, "the training loss falls");
  assert.equal(((await readFile(join(out, "curves.svg"), "utf8")).match(/<polyline/g) ?? []).length, 4);

  await assert.rejects(
    cli("predict", "--weights", join(out, "model.safetensors"), "--input", "[1]"),
    (e: { stderr: string }) => {
      assert.match(e.stderr, /^chainrule: predict: .* holds a character-level GPT .*does not run a text model\n$/);
      return true;
    },
  );
  await assert.rejects(cli("train", "--dataset", "text", "--epochs", "1"), /--dataset text needs --model gpt, not mlp/);
  await assert.rejects(
    cli("train", "--model", "gpt", "--epochs", "1"),
    /--model gpt learns from text: use --dataset text/,
  );
});

test("the GPT is causal: logits at a position do not depend on later characters", () => {
  cr.manualSeed(0);
  const model = new CharGpt(10, { blockSize: 8, dModel: 16, heads: 2, layers: 2 });
  const a = cr.tensor([[1, 2, 3, 4, 5, 6, 7, 8]], { dtype: "int32" });
  const b = cr.tensor([[1, 2, 3, 4, 9, 0, 9, 0]], { dtype: "int32" });
  const [la, lb] = cr.noGrad(() => [model.call(a), model.call(b)]);
  assert.deepEqual(la.shape, [1, 8, 10]);
  assertClose(la.narrow(1, 0, 4), lb.narrow(1, 0, 4), { atol: 1e-6 });
  assert.ok(
    la
      .narrow(1, 4, 1)
      .sub(lb.narrow(1, 4, 1))
      .abs()
      .max()
      .item() > 1e-3,
    "later positions do change",
  );
  assert.throws(() => model.call(cr.zeros([1, 9], { dtype: "int32" })), /9 tokens exceed the context of 8/);
});
