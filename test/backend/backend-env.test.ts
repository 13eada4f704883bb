// CHAINRULE_BACKEND where the addon cannot load, each case in a child process: unset, one short
// notice and the wasm backend (or the JS one when that cannot load either); js, silence; native
// or wasm, an error at import when that one cannot load; anything else, an error.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const root = fileURLToPath(new URL("../../", import.meta.url));
const index = new URL("../../src/index.js", import.meta.url).href;
const missing = "/nonexistent/chainrule.node";
const missingWasm = "/nonexistent/chainrule.wasm";

/** Imports chainrule with `env` and prints the active backend. */
function probe(env: Record<string, string>) {
  // NOTE: NODE_TEST_CONTEXT, set for this file by the test runner, would make a nested --test report to us
  const {
    NODE_TEST_CONTEXT: _,
    CHAINRULE_BACKEND: __,
    CHAINRULE_NATIVE_PATH: ___,
    CHAINRULE_WASM_PATH: ____,
    ...inherited
  } = process.env;
  const code = `const cr = await import(${JSON.stringify(index)}); console.log(cr.getBackend());`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

test("unset: one short notice that names the file once, and the wasm backend", () => {
  const r = probe({ CHAINRULE_NATIVE_PATH: missing });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "wasm");
  assert.equal(
    r.stderr,
    `chainrule: native backend not loaded (cannot load ${missing}: cannot open shared object file: ` +
      "No such file or directory); using the wasm backend\n",
  );
});

test("unset, with neither a compiled nor a prebuilt addon: the notice says so", () => {
  // node-gyp-build looks for prebuilds/ in CHAINRULE_PREBUILD instead of the package root
  const r = probe({ CHAINRULE_PREBUILD: "/nonexistent" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "wasm");
  assert.match(r.stderr, /^chainrule: native backend not loaded \(no addon for \w+-\w+: none prebuilt fits and none/);
  assert.equal(r.stderr.split("\n").length, 2, "one line");
});

test("unset, with neither the addon nor the wasm module: one notice naming both, and the JS backend", () => {
  const r = probe({ CHAINRULE_NATIVE_PATH: missing, CHAINRULE_WASM_PATH: missingWasm });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "js");
  assert.match(
    r.stderr,
    /^chainrule: native backend not loaded \(cannot load .*\), nor the wasm one \(cannot read \/nonexistent\/chainrule\.wasm\); using the JS backend\n$/,
  );
});

test("CHAINRULE_BACKEND=js: the JS backend, silently", () => {
  const r = probe({ CHAINRULE_BACKEND: "js", CHAINRULE_NATIVE_PATH: missing });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "js");
  assert.equal(r.stderr, "");
});

test("CHAINRULE_BACKEND=native: an addon that cannot load is an error at import", () => {
  const r = probe({ CHAINRULE_BACKEND: "native", CHAINRULE_NATIVE_PATH: missing });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /Error: CHAINRULE_BACKEND=native, but the native addon cannot load: cannot load \/nonexistent/,
  );
});

test("CHAINRULE_BACKEND of no backend is an error at import", () => {
  const r = probe({ CHAINRULE_BACKEND: "gpu" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Error: CHAINRULE_BACKEND is 'gpu'; it must be 'native', 'wasm', 'js' or unset/);
});

test("CHAINRULE_BACKEND=wasm: the wasm backend even where the addon loads", () => {
  const r = probe({ CHAINRULE_BACKEND: "wasm" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "wasm");
  assert.equal(r.stderr, "");
});

test("CHAINRULE_BACKEND=wasm: a module that cannot load is an error at import", () => {
  const r = probe({ CHAINRULE_BACKEND: "wasm", CHAINRULE_WASM_PATH: missingWasm });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Error: CHAINRULE_BACKEND=wasm, but the wasm backend cannot load: cannot read \/nonexistent/);
});
