// CHAINRULE_BACKEND where the addon cannot load, each case in a child process: unset, one short
// notice and the JS backend; js, silence; native, an error at import; anything else, an error.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const root = fileURLToPath(new URL("../../", import.meta.url));
const index = new URL("../../src/index.js", import.meta.url).href;
const missing = "/nonexistent/chainrule.node";

/** Imports chainrule with `env` and prints the active backend. */
function probe(env: Record<string, string>) {
  // NOTE: NODE_TEST_CONTEXT, set for this file by the test runner, would make a nested --test report to us
  const { NODE_TEST_CONTEXT: _, CHAINRULE_BACKEND: __, CHAINRULE_NATIVE_PATH: ___, ...inherited } = process.env;
  const code = `const cr = await import(${JSON.stringify(index)}); console.log(cr.getBackend());`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

test("unset: one short notice that names the file once, and the JS backend", () => {
  const r = probe({ CHAINRULE_NATIVE_PATH: missing });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "js");
  assert.equal(
    r.stderr,
    `chainrule: native backend not loaded (cannot load ${missing}: cannot open shared object file: ` +
      "No such file or directory); using the JS backend\n",
  );
});

test("unset, with neither a compiled nor a prebuilt addon: the notice says so", () => {
  // node-gyp-build looks for prebuilds/ in CHAINRULE_PREBUILD instead of the package root
  const r = probe({ CHAINRULE_PREBUILD: "/nonexistent" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "js");
  assert.match(r.stderr, /^chainrule: native backend not loaded \(no addon for \w+-\w+: none prebuilt fits and none/);
  assert.equal(r.stderr.split("\n").length, 2, "one line");
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
  assert.match(r.stderr, /Error: CHAINRULE_BACKEND is 'gpu'; it must be 'native', 'js' or unset/);
});
