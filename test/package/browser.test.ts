// chainrule in a web page, as an app gets it: in a project where the packed package is installed,
// browser-app/app.ts (train an MLP on digits, save to bytes, load back) is bundled by `npx esbuild
// app.ts --bundle --platform=browser` with no other flag, so the "browser" export condition alone
// must keep Node out; the bundle holds no node: import, and Debian's chromium (driven by
// playwright-core) runs it. Also: the browser entry has the Node entry's API but the file system.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import * as cr from "../../src/index.js";
import * as web from "../../src/index.browser.js";
import type { AppResult } from "./browser-app/app.js";
import type { WasmAppResult } from "./browser-app/wasm-app.js";
import { installedProject } from "./installed.js";
import { launchChromium, skipWithoutChromium } from "../chromium.js";

const exec = promisify(execFile);
const repoModules = fileURLToPath(new URL("../../node_modules", import.meta.url));
const app = fileURLToPath(new URL("./browser-app/app.ts", import.meta.url));
const wasmApp = fileURLToPath(new URL("./browser-app/wasm-app.ts", import.meta.url));

/** The digits the page embeds: the first rows of the bundled set, grey levels 0…16. */
async function digitsJson(rows: number): Promise<string> {
  const { x, y } = await cr.data.loadDigits();
  return JSON.stringify({ x: x.narrow(0, 0, rows).toArray(), y: y.narrow(0, 0, rows).toArray() });
}

/** The app bundled in the installed project, with its page; built once and shared by the tests. */
let built: Promise<{ dir: string; bundle: string }> | null = null;
function bundleApp(): Promise<{ dir: string; bundle: string }> {
  built ??= (async () => {
    const project = await installedProject();
    const dir = join(project.dir, "web-app");
    mkdirSync(dir);
    copyFileSync(app, join(dir, "app.ts"));
    // esbuild is the repository's devDependency, linked in where the app's own would be installed
    // (npx must not fetch it)
    const modules = join(project.dir, "node_modules");
    if (!existsSync(join(modules, "esbuild"))) {
      symlinkSync(join(repoModules, "esbuild"), join(modules, "esbuild"), "dir");
      mkdirSync(join(modules, ".bin"), { recursive: true });
      symlinkSync(join("..", "esbuild", "bin", "esbuild"), join(modules, ".bin", "esbuild"));
    }
    const page = [
      "<!doctype html>",
      '<html lang="en"><head><meta charset="utf-8"><title>chainrule in a page</title></head><body>',
      `<script type="application/json" id="digits">${await digitsJson(600)}</script>`,
      '<script src="app.js"></script>',
      "</body></html>",
    ];
    await writeFile(join(dir, "index.html"), page.join("\n"));
    await exec("npx", ["esbuild", "app.ts", "--bundle", "--platform=browser", "--outfile=app.js"], {
      cwd: dir,
      env: project.env,
      timeout: 120_000,
    });
    // the README's way to the wasm backend: the package's module inlined by esbuild's binary loader
    copyFileSync(wasmApp, join(dir, "wasm-app.ts"));
    const wasmPage = page.filter((l) => !l.includes("digits")).map((l) => l.replace("app.js", "wasm-app.js"));
    await writeFile(join(dir, "wasm.html"), wasmPage.join("\n"));
    const args = ["--bundle", "--platform=browser", "--loader:.wasm=binary", "--outfile=wasm-app.js"];
    await exec("npx", ["esbuild", "wasm-app.ts", ...args], { cwd: dir, env: project.env, timeout: 120_000 });
    return { dir, bundle: readFileSync(join(dir, "app.js"), "utf8") };
  })();
  return built;
}

/** Opens a page of the app in Chromium and returns what it reports, failing on any error in it. */
async function runPage<T>(file: string): Promise<T> {
  const context = await launchChromium();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.dataset.result ?? document.body.dataset.error, null, {
      timeout: 120_000,
    });
    const error = await page.evaluate(() => document.body.dataset.error);
    assert.equal(error, undefined, `the app failed: ${error}`);
    const result = JSON.parse((await page.evaluate(() => document.body.dataset.result))!) as T;
    assert.deepEqual(errors, [], "no errors in the page");
    return result;
  } finally {
    await context.close();
  }
}

test("the browser entry has the Node entry's API, less what reads and writes files", () => {
  const names = (o: object) => Object.keys(o).sort();
  assert.deepEqual(names(web), names(cr), "the same names at the top");
  for (const name of names(web)) {
    if (["io", "data", "save", "load"].includes(name)) continue;
    assert.equal((web as Record<string, unknown>)[name], (cr as Record<string, unknown>)[name], name);
  }
  const nodeOnly = (ns: "io" | "data") => names(cr[ns]).filter((n) => !(n in web[ns]));
  assert.deepEqual(nodeOnly("io"), ["writeFileAtomic"]);
  assert.ok(nodeOnly("data").length > 0);
  for (const n of nodeOnly("data")) assert.match(n, /^(read|load|bundled)/, `cr.data.${n} is about files`);
  for (const n of names(web.data)) {
    assert.equal((web.data as Record<string, unknown>)[n], (cr.data as Record<string, unknown>)[n], `data.${n}`);
  }
});

test("esbuild bundles the installed package for the browser with no flags and no Node built-in", async () => {
  const { bundle } = await bundleApp();
  const nodeImports = bundle.match(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:[\w/]+["']/g);
  assert.equal(nodeImports, null, `node: imports in the bundle: ${nodeImports}`);
  assert.doesNotMatch(bundle, /\bprocess\.dlopen\b|\bimport\.meta\b/, "no trace of the native addon's loader");
  assert.match(bundle, /reading and writing files needs Node/, "the browser's save and load are in");
});

test("in Chromium the bundled app trains, saves to bytes and loads back the same weights", async (t) => {
  if (skipWithoutChromium(t)) return;
  const { dir } = await bundleApp();
  const result = await runPage<AppResult>(join(dir, "index.html"));
  assert.equal(result.backend, "js");
  const [first, last] = [result.losses[0]!, result.losses.at(-1)!];
  const acc = `${(100 * result.trainAccuracy).toFixed(1)}% train, ${(100 * result.testAccuracy).toFixed(1)}% test`;
  console.log(`in Chromium: loss ${first.toFixed(3)} → ${last.toFixed(3)}, accuracy ${acc}`);
  assert.ok(last < first / 4, `the loss fell from ${first} to ${last}`);
  assert.ok(result.trainAccuracy > 0.95, `train accuracy ${result.trainAccuracy}`);
  assert.ok(result.testAccuracy > 0.85, `test accuracy ${result.testAccuracy}`);
  assert.deepEqual(result.reloadedEqual, { blob: true, response: true, bytes: true });
  assert.ok(result.samePredictions, "the reloaded model predicts as the trained one");
  assert.deepEqual(result.metadata, { app: "browser" });
  assert.match(
    result.pathError,
    /^load: cannot use the path 'model\.safetensors': reading and writing files needs Node/,
  );
  // the page's bytes are a safetensors file Node reads back to the page's weights
  const loaded = await cr.load(Uint8Array.from(result.saved));
  assert.deepEqual(Object.keys(loaded).sort(), Object.keys(result.weights).sort());
  for (const [name, values] of Object.entries(result.weights)) {
    assert.deepEqual(Array.from(loaded[name]!.dataSync(), Number), values, name);
  }
});

test("in Chromium the installed package's wasm module, inlined by esbuild, trains on the wasm backend", async (t) => {
  if (skipWithoutChromium(t)) return;
  const { dir } = await bundleApp();
  const result = await runPage<WasmAppResult>(join(dir, "wasm.html"));
  assert.equal(result.backend, "wasm");
  // a page opened from a file is not cross-origin isolated: its workers may not share memory
  assert.equal(result.threads, 1);
  const [first, last] = result.losses;
  assert.ok(last < first / 4, `the loss fell from ${first} to ${last}`);
});
