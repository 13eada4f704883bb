// The wasm module's two builds, each in a child process: the engine picks the relaxed-SIMD one
// where it runs relaxed SIMD (Node 20 does behind --experimental-wasm-relaxed-simd) and the
// SIMD128 one otherwise, and the relaxed build, whose products use fused multiply-adds, passes
// the conformance suites too.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { hasRelaxedSimd } from "../../src/backend/wasm/runtime.js";
import { runChild } from "./conformance.js";

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const suites = ["./native.test.ts", "./native-matmul.test.ts", "./native-conv.test.ts", "./native-softmax.test.ts"];

// the wasm backend, with the build the engine picks (CHAINRULE_WASM_PATH would override it)
const run = (nodeFlags: string[], args: string[]) =>
  runChild(args, { CHAINRULE_BACKEND: "wasm", CHAINRULE_WASM_PATH: "" }, nodeFlags);

/** Prints the SIMD path of the wasm backend that loads. */
const probe = [
  "--input-type=module",
  "-e",
  `await import(${JSON.stringify(new URL("../../src/index.js", import.meta.url).href)});
   const { wasmBackend } = await import(${JSON.stringify(new URL("../../src/backend/wasm/backend.js", import.meta.url).href)});
   console.log(wasmBackend().simd);`,
];
const relaxedFlag = "--experimental-wasm-relaxed-simd";

describe("the wasm module's builds", () => {
  test(
    "an engine without relaxed SIMD loads the SIMD128 build",
    { skip: hasRelaxedSimd() && "this Node has it" },
    () => {
      const r = run([], probe);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), "wasm-simd128");
    },
  );

  test("an engine with relaxed SIMD loads the relaxed build, which passes the conformance suites", () => {
    const r = run([relaxedFlag], probe);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "wasm-relaxed-simd");
    const t = run([relaxedFlag], ["--test", "--test-reporter=dot", ...suites.map(here)]);
    assert.equal(t.status, 0, `relaxed suites failed:\n${t.stdout.slice(-3000)}\n${t.stderr.slice(-2000)}`);
    assert.ok((t.stdout.match(/\./g) ?? []).length >= 15, `too few tests ran:\n${t.stdout}`);
  });
});
