// `chainrule` end to end as a user runs it: a tiny `train` writes weights, curves and history and
// reports accuracy; `predict` reads the weights back with samples inline or from files; a second
// run never replaces the first; --version; a reader that closes the pipe early ends the command
// quietly; bad arguments fail with one clear line and status 1.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const main = join(root, "src", "cli", "main.ts");
// resolved here, so the CLI can also run with a working folder outside the repository
const tsx = import.meta.resolve("tsx");
// the JS backend: no notice on stderr where the native addon is not built, so errors are one line
const env = { ...process.env, CHAINRULE_BACKEND: "js" };
const node = ["--import", tsx, main];
const cli = (...args: string[]) => run(process.execPath, [...node, ...args], { cwd: root, env, timeout: 60_000 });
const cliIn = (cwd: string, ...args: string[]) =>
  run(process.execPath, [...node, ...args], { cwd, env, timeout: 120_000 });
const dir = await mkdtemp(join(tmpdir(), "cr-cli-"));
after(() => rm(dir, { recursive: true, force: true }));

test("chainrule train --epochs 1 --limit 200 writes weights, curves and history and reports accuracy", async () => {
  const out = join(dir, "run");
  const { stdout } = await cli("train", "--epochs", "1", "--limit", "200", "--out", out);
  assert.match(stdout, /training mlp \([\d,]+ parameters\) on digits: 160 train \/ 40 test samples/);
  assert.match(stdout, /epoch 1\/1 .*test acc \d+\.\d%/);
  assert.match(stdout, /test accuracy \d+\.\d% on 40 held-out samples after 1 epochs/);
  assert.deepEqual((await readdir(out)).sort(), ["curves.svg", "history.json", "model.safetensors"]);
  for (const f of ["model.safetensors", "curves.svg"]) assert.ok(stdout.includes(join(out, f)), `prints where ${f} is`);

  const weights = join(out, "model.safetensors");
  const sample = Array.from({ length: 64 }, (_, i) => i % 17);
  const file = join(dir, "sample.json");
  await writeFile(file, JSON.stringify([sample]));
  const p = await cli("predict", "--weights", weights, "--input", file, "--model", "mlp");
  assert.match(p.stdout, /mlp trained on digits; 1 sample from .*sample\.json/);
  assert.match(p.stdout, /#0: \d {2}\(p=[01]\.\d{3}\)\s+top: \d \d+\.\d%, \d \d+\.\d%, \d \d+\.\d%/);

  // the same sample inline gives the same prediction; {"x", "y"} adds labels and the accuracy
  const inline = await cli("predict", "--weights", weights, "--input", JSON.stringify(sample));
  assert.equal(inline.stdout.split("\n")[1], p.stdout.split("\n")[1]);
  assert.match(inline.stdout, /1 sample from the command line/);
  const labelled = JSON.stringify({ x: [sample, sample.map((v) => 16 - v)], y: [3, 4] });
  const json = JSON.parse((await cli("predict", "--weights", weights, "--input", labelled, "--json")).stdout);
  assert.equal(json.predictions.length, 2);
  assert.deepEqual(
    json.predictions.map((r: { label: number }) => r.label),
    [3, 4],
  );
  assert.ok(json.accuracy >= 0 && json.accuracy <= 1);
});

test("a second run gets a numbered folder; an explicit --out is replaced only with --overwrite", async () => {
  const cwd = join(dir, "work");
  await mkdir(cwd);
  const quick = ["train", "--epochs", "1", "--limit", "100"];
  const first = await cliIn(cwd, ...quick);
  assert.match(first.stdout, new RegExp(`weights  ${join("runs", "digits-mlp", "model.safetensors")}`));
  const before = await readFile(join(cwd, "runs", "digits-mlp", "history.json"), "utf8");
  const second = await cliIn(cwd, ...quick, "--seed", "1");
  assert.match(second.stdout, /runs\/digits-mlp holds an earlier run; this one goes to runs\/digits-mlp-2/);
  assert.match(second.stdout, /weights {2}runs\/digits-mlp-2\/model\.safetensors/);
  assert.equal(await readFile(join(cwd, "runs", "digits-mlp", "history.json"), "utf8"), before, "the first run kept");

  const out = join(cwd, "runs", "digits-mlp");
  await assert.rejects(cliIn(cwd, ...quick, "--out", out), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.equal(e.stderr, `chainrule: train: --out ${out} holds an earlier run; pass --overwrite to replace it\n`);
    return true;
  });
  await cliIn(cwd, ...quick, "--out", out, "--overwrite", "--seed", "2");
  assert.notEqual(await readFile(join(out, "history.json"), "utf8"), before, "--overwrite replaced it");
});

test("--dataset mnist trains on the bundled MNIST test set; a folder of IDX files is named after the folder", async () => {
  const cwd = join(dir, "mnist-work");
  await mkdir(cwd);
  const quick = ["train", "--model", "cnn", "--epochs", "1", "--limit", "50"];
  const { stdout } = await cliIn(cwd, ...quick, "--dataset", "mnist");
  assert.match(stdout, /training cnn \([\d,]+ parameters\) on mnist: 40 train/);
  const folder = join(root, "data", "mnist");
  const second = await cliIn(cwd, ...quick, "--dataset", folder);
  assert.match(second.stdout, /training cnn \([\d,]+ parameters\) on mnist: 40 train/);
  assert.deepEqual((await readdir(join(cwd, "runs"))).sort(), ["mnist-cnn", "mnist-cnn-2"]);
});

test("--version prints the package's version", async () => {
  const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
  assert.equal((await cli("--version")).stdout, `${version}\n`);
});

test("a reader that closes the pipe early ends the command quietly with status 0", async () => {
  // the JSON is far larger than a pipe's buffer, so the writer meets the closed pipe
  const piped = await run(
    "bash",
    [
      "-c",
      `"${process.execPath}" ${node.join(" ")} explain seed-2-2-1 --format json | head -1; echo "status \${PIPESTATUS[0]}"`,
    ],
    { cwd: root, env, timeout: 60_000 },
  );
  assert.equal(piped.stdout, "{\nstatus 0\n");
  assert.equal(piped.stderr, "");
  // however small the output: the pipe is closed before the command writes anything
  const child = spawn(process.execPath, [...node, "graph", "seed-graph"], { cwd: root, env });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.deepEqual([code, stderr], [0, ""]);
});

test("bad arguments exit with status 1 and one line naming the flag and what it takes", async () => {
  const cases: [string[], string][] = [
    [
      ["train", "--dataset", "nowhere"],
      "option '--dataset <name|dir>' argument 'nowhere' is invalid. expected digits, iris, breast-cancer, mnist, text or a folder",
    ],
    [["train", "--epochs", "0"], "option '--epochs <n>' argument '0' is invalid. expected a positive integer, got '0'"],
    [["train", "--limit", "5"], "option '--limit <n>' argument '5' is invalid. expected an integer >= 10, got '5'"],
    [
      ["train", "--optimizer", "lbfgs"],
      "option '--optimizer <name>' argument 'lbfgs' is invalid. Allowed choices are sgd, adam",
    ],
    [
      ["explain", "seed-graph", "--format", "xml"],
      "option '-f, --format <format>' argument 'xml' is invalid. Allowed choices",
    ],
    [
      ["explain", "seed-graph", "--serve", "--port", "70000"],
      "option '--port <port>' argument '70000' is invalid. expected an integer from 0 to 65535",
    ],
    [["diagnose", "--lr", "-1"], "option '--lr <rate>' argument '-1' is invalid. expected a positive number"],
    [["saliency", "--class", "12"], "option '--class <n>' argument '12' is invalid. expected an integer from 0 to 9"],
    [
      ["saliency", "-o", "map.jpg"],
      "option '-o, --out <file>' argument 'map.jpg' is invalid. expected a file name ending in .svg or .png",
    ],
    [["predict", "--weights", join(dir, "none.safetensors"), "--input", "x.json"], "load: cannot read"],
    [["predict", "--top", "two"], "option '--top <k>' argument 'two' is invalid. expected a positive integer"],
    [["explain", "seed-9"], "unknown example 'seed-9'; the examples are seed-graph, seed-2-2-1, seed-3-4-2"],
    [["train", "--bogus"], "unknown option '--bogus'"],
  ];
  // one after another: each starts a Node process, and the machine may be shared
  for (const [args, message] of cases) {
    await assert.rejects(cli(...args), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1, args.join(" "));
      assert.ok(e.stderr.startsWith(`chainrule: ${message}`), `${args.join(" ")}: ${e.stderr}`);
      assert.equal(e.stderr.trimEnd().split("\n").length, 1, `one line for ${args.join(" ")}: ${e.stderr}`);
      return true;
    });
  }
});
