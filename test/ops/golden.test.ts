// Every op against PyTorch: each case of test/fixtures/ops-golden.json (tools/gen_golden_ops.py) is run
// through chainrule; the forward must match in dtype, shape and values, and the gradients of
// sum(output · upstream) must match for every float input. A last test checks registry coverage.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";
import { assertClose } from "../helpers.js";
import { goldenOps, type Kw, num } from "./golden-ops.js";

interface Encoded {
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}

interface GoldenCase {
  name: string;
  op: string;
  kw: Kw;
  inputs: Encoded[];
  outputs: Encoded[];
  upstream?: Encoded[];
  grads?: Record<string, Encoded>;
}

const cases = JSON.parse(readFileSync(new URL("../fixtures/ops-golden.json", import.meta.url), "utf8")) as GoldenCase[];

const decode = (e: Encoded, requiresGrad = false): Tensor =>
  cr.tensor(Float64Array.from(e.data, num), { shape: e.shape, dtype: e.dtype, requiresGrad });

/** float64 agrees to round-off; float32 to its own precision (PyTorch's kernels sum in another order). */
function tolerance(c: GoldenCase): { atol: number; rtol: number } {
  const f32 = [...c.inputs, ...c.outputs].some((e) => e.dtype === "float32");
  return f32 ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-10, rtol: 1e-9 };
}

function assertMatches(actual: Tensor, expected: Encoded, what: string, tol: { atol: number; rtol: number }): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const want = expected.data.map(num);
  if (expected.dtype === "float32" || expected.dtype === "float64") assertClose(actual, want, { ...tol, msg: what });
  else assert.deepEqual(Array.from(actual.dataSync()), want, `${what}: values`);
}

/** The strided views a case may hand to an op in place of a stored input (see `_pre` in the generator). */
const views = {
  t: (x: Tensor) => x.transpose(-1, -2),
  s: (x: Tensor) => x.slice(-1, 1, undefined, 2),
};

function runCase(c: GoldenCase): void {
  const fn = goldenOps[c.op];
  assert.ok(fn, `no chainrule mapping for golden op '${c.op}' in test/ops/golden-ops.ts`);
  const tol = tolerance(c);
  const inputs = c.inputs.map((e, k) => decode(e, c.grads !== undefined && String(k) in c.grads));
  const pre = (c.kw._pre ?? {}) as Record<string, "t" | "s">;
  const result = fn(
    inputs.map((x, k) => (pre[k] ? views[pre[k]](x) : x)),
    c.kw,
  );
  const outputs = Array.isArray(result) ? result : [result];
  assert.equal(outputs.length, c.outputs.length, "number of outputs");
  outputs.forEach((o, i) => assertMatches(o, c.outputs[i]!, `output ${i}`, tol));
  if (!c.grads || !c.upstream) return;
  const live = outputs.map((o, i) => [o, i] as const).filter(([o]) => o.requiresGrad);
  assert.ok(live.length, "PyTorch differentiates this case, but no output requires grad");
  const diffIdx = Object.keys(c.grads).map(Number);
  const grads = cr.autograd.grad(
    live.map(([o]) => o),
    diffIdx.map((k) => inputs[k]!),
    { gradOutputs: live.map(([, i]) => decode(c.upstream![i]!)), allowUnused: true },
  );
  diffIdx.forEach((k, j) => {
    const g = grads[j] ?? cr.zerosLike(inputs[k]!);
    assertMatches(g, c.grads![String(k)]!, `gradient of input ${k}`, tol);
  });
}

describe("golden values from PyTorch", () => {
  for (const c of cases) {
    test(c.name, () => runCase(c));
  }
});

// every primitive has golden values of its own table samples (table.test.ts); these cases add the
// public functions' options, scalar operands, dtypes and in-place forms
test("the golden table maps every op name its cases use", () => {
  const used = new Set(cases.map((c) => c.op));
  assert.deepEqual(
    [...used].filter((op) => !goldenOps[op]),
    [],
  );
});
