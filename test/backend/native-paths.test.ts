// The native backend's other paths, each in a child process: the conformance suites rerun with
// CHAINRULE_SIMD forcing the portable and AVX2 kernels, and loading with a missing addon (one
// notice, JS backend) or with CHAINRULE_BACKEND=js (native registered but not active).

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { addon, runChild, skip } from "./conformance.js";

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const suites = [here("./native.test.ts"), here("./native-matmul.test.ts"), here("./native-softmax.test.ts")];

const run = (args: string[], env: Record<string, string>) => runChild(args, env);

/** Prints the backend and the listed backends after importing chainrule. */
const probe = [
  "--input-type=module",
  "-e",
  `const cr = await import(${JSON.stringify(new URL("../../src/index.js", import.meta.url).href)});
   await import(${JSON.stringify(new URL("../../src/backend/native/index.js", import.meta.url).href)});
   console.log(cr.getBackend(), cr.listBackends().join(","));`,
];

describe("native SIMD paths", { skip }, () => {
  const paths = addon?.simdPaths() ?? [];
  for (const path of ["portable", "avx2"]) {
    const why = paths.includes(path) ? false : `this CPU cannot run the ${path} path`;
    test(`conformance with CHAINRULE_SIMD=${path}`, { skip: why }, () => {
      const r = run(["--test", "--test-reporter=dot", ...suites], { CHAINRULE_SIMD: path });
      assert.equal(r.status, 0, `${path} suites failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
      // one dot per passing test: make sure the suites really ran
      assert.ok((r.stdout.match(/\./g) ?? []).length >= 15, `too few tests ran:\n${r.stdout}`);
    });
  }
});

describe("native loading", { skip }, () => {
  test("a missing addon leaves the JS backend active with one notice on stderr", () => {
    const r = run(probe, {
      CHAINRULE_NATIVE_PATH: "/nonexistent/chainrule.node",
      CHAINRULE_WASM_PATH: "/nonexistent/chainrule.wasm",
      CHAINRULE_BACKEND: "",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "js js");
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^chainrule: native backend not loaded \(cannot load .*\), nor the wasm one \(.*\); using the JS backend$/,
    );
  });

  test("CHAINRULE_BACKEND=js registers native without activating it, silently", () => {
    const r = run(probe, { CHAINRULE_BACKEND: "js" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "js js,native,wasm");
    assert.equal(r.stderr, "");
  });

  test("by default the native backend is active", () => {
    const r = run(probe, { CHAINRULE_BACKEND: "" });
    assert.equal(r.stdout.trim(), "native js,native,wasm");
  });
});
