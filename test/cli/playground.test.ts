// `chainrule playground`, run in-process: --html writes one self-contained page (the bundled
// chainrule, the wasm module and the digits inline, nothing fetched), its starting settings come
// from the options, --serve serves it cross-origin isolated for a bounded time, and bad options
// are refused with errors naming them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PlaygroundData, registerPlaygroundCommand } from "../../src/cli/playground-command.js";
import { startCommand } from "./in-process.js";

/** Starts `chainrule <args>` in-process; output() is what it has printed so far. */
const start = (...args: string[]) => startCommand(registerPlaygroundCommand, args);

const run = (...args: string[]) => start(...args).done;

const dir = mkdtempSync(join(tmpdir(), "cr-playground-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The data a page embeds. */
const embedded = (page: string) =>
  JSON.parse(/<script type="application\/json" id="cr-data">(.*?)<\/script>/s.exec(page)![1]!) as PlaygroundData;

test("--html writes one self-contained page: chainrule, the wasm module and the digits inline", async () => {
  const file = join(dir, "page.html");
  assert.equal(await run("playground", "--html", file), `wrote ${file}\n`);
  const page = readFileSync(file, "utf8");
  assert.doesNotMatch(page, /\s(src|href)=/i, "no external script, style or link");
  const data = embedded(page);
  assert.equal(data.dataset.rows, 1797);
  assert.equal(Buffer.from(data.dataset.pixels, "base64").length, 1797 * 64);
  const labels = Buffer.from(data.dataset.labels, "base64");
  assert.equal(labels.length, 1797);
  assert.deepEqual([...new Set(labels)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(data.settings, { hidden: 64, lr: 0.01, optimizer: "adam", epochs: 10, batchSize: 64 });
  // the module is in the bundle as bytes: its magic number "\0asm" and version 1, base64-encoded
  assert.ok(page.includes(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0]).toString("base64")), "the wasm module");
  assert.ok(page.length > 1_000_000, `the page holds the module (${page.length} characters)`);
  assert.ok(!/<\/script>(?!\n<\/body>|\n<script)/.test(page.slice(0, -30)), "no stray </script> inside the code");
});

test("the options set the page's starting settings", async () => {
  const file = join(dir, "sgd.htm");
  await run(
    ...["playground", "--html", file, "--hidden", "32", "--lr", "0.1", "--optimizer", "sgd"],
    ...["--epochs", "3", "--batch-size", "128"],
  );
  const data = embedded(readFileSync(file, "utf8"));
  assert.deepEqual(data.settings, { hidden: 32, lr: 0.1, optimizer: "sgd", epochs: 3, batchSize: 128 });
});

test("--serve serves the page cross-origin isolated for a bounded time", async () => {
  const started = Date.now();
  const serving = start("playground", "--serve", "--port", "0", "--lifetime", "3");
  let url: string | undefined;
  for (let i = 0; i < 200 && !url; i++) {
    await new Promise((r) => setTimeout(r, 50));
    url = /serving the playground at (http:\S+) for 3 s/.exec(serving.output())?.[1];
  }
  assert.ok(url, "the server printed its URL");
  const res = await fetch(url);
  assert.equal(res.headers.get("cross-origin-opener-policy"), "same-origin");
  assert.equal(res.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.match(await res.text(), /id="cr-data"/);
  assert.equal((await fetch(`${url}missing`)).status, 404);
  await serving.done;
  assert.ok(Date.now() - started < 15_000, "the server stopped after its lifetime");
  await assert.rejects(fetch(url), "nothing listens after the lifetime");
});

test("bad options are refused, naming the option and what it expects", async () => {
  const html = join(dir, "bad.html");
  const refusals: [string[], RegExp][] = [
    [[], /playground: give --html <file> to write the page, or --serve/],
    [["--html", join(dir, "page.txt")], /--html <file>.*expected a file name ending in \.html or \.htm/],
    [["--html", html, "--hidden", "0"], /--hidden <n>.*expected an integer from 1 to 4096, got '0'/],
    [["--html", html, "--lr", "-1"], /--lr <rate>.*expected a positive number, got '-1'/],
    [["--html", html, "--optimizer", "lbfgs"], /--optimizer <name>.*'lbfgs' is invalid.*adam, sgd/],
    [["--html", html, "--epochs", "1.5"], /--epochs <n>.*expected an integer from 1 to 1000/],
    [["--html", html, "--batch-size", "x"], /--batch-size <n>.*expected a positive integer, got 'x'/],
    [["--serve", "--port", "70000"], /--port <port>.*expected an integer from 0 to 65535/],
    [["--html", html, "--lifetime", "5"], /playground: --lifetime goes with --serve/],
    [["--html", html, "--threads", "2"], /unknown option '--threads'/],
  ];
  for (const [args, error] of refusals) await assert.rejects(run("playground", ...args), error, args.join(" "));
});
