// `chainrule` end to end as a user runs it: a tiny `train` writes weights, curves and history and
// reports accuracy; `predict` reads the weights back; bad arguments fail with one clear line.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, timeout: 60_000 });
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

  const sample = join(dir, "sample.json");
  await writeFile(sample, JSON.stringify([Array.from({ length: 64 }, (_, i) => i % 17)]));
  const p = await cli("predict", "--weights", join(out, "model.safetensors"), "--input", sample, "--model", "mlp");
  assert.match(p.stdout, /mlp trained on digits; 1 sample from/);
  assert.match(p.stdout, /#0: \d {2}\(p=[01]\.\d{3}\)\s+top: \d \d+\.\d%, \d \d+\.\d%, \d \d+\.\d%/);
});

test("bad arguments exit non-zero with one line naming the problem", async () => {
  await assert.rejects(
    cli("train", "--dataset", "nowhere", "--out", join(dir, "x")),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /^chainrule: unknown dataset 'nowhere'/);
      return true;
    },
  );
  await assert.rejects(cli("train", "--epochs", "0"), /argument '0' is invalid. expected a positive integer/);
  await assert.rejects(
    cli("predict", "--weights", join(dir, "none.safetensors"), "--input", "x.json"),
    /load: cannot read/,
  );
  await assert.rejects(access(join(dir, "x")));
});
