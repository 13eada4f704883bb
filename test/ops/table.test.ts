// Tests made from the op table: every primitive's samples run through gradcheck and gradgradcheck
// (float64), against PyTorch's values (test/fixtures/op-golden.json), on the active backend against
// the reference one, and through each fused fast path against the entry's reference rule. A new op
// is tested here by declaring its samples; nothing in this file names an op.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { nnCompositeTable } from "../../src/nn/functional/table.js";
import { compositeTable, opTable } from "../../src/ops/table.js";
import { type SampleCase, sampleCases, staleFiles } from "../../tools/gen-ops.js";
import { assertClose } from "../helpers.js";

const cases = sampleCases();

/** The upstream gradient both sides use (tools/gen_golden_table.py writes the same). */
const cotangent = (n: number) => Array.from({ length: n }, (_, k) => (((7 * k) % 11) - 5) / 4);

/** The case's inputs as tensors, float inputs requiring grad where the case differentiates them. */
function inputsOf(c: SampleCase, dtype?: "float32"): Tensor[] {
  return c.inputs.map((i) => {
    const dt = dtype && i.dtype === "float64" ? dtype : (i.dtype as cr.DType);
    return cr.tensor(i.values, { dtype: dt, requiresGrad: i.grad }).reshape(i.shape);
  });
}

const composites = { ...compositeTable, ...nnCompositeTable };
const apply = (c: SampleCase, xs: Tensor[]) =>
  (c.kind === "primitive"
    ? opTable[c.op]!(xs, c.attrs ?? undefined)
    : composites[c.op]!.call(xs, c.attrs ?? undefined)) as Tensor;

/** Output and gradients of one case (gradients of sum(out · cotangent)). */
function run(c: SampleCase, xs: Tensor[], createGraph = false): { out: Tensor; grads: (Tensor | null)[] } {
  const out = apply(c, xs);
  const wrt = xs.filter((_, i) => c.inputs[i]!.grad);
  if (!c.differentiable || !wrt.length || !out.requiresGrad) return { out, grads: [] };
  const g = cr.tensor(cotangent(out.numel()), { dtype: out.dtype }).reshape(out.shape);
  const got = cr.autograd.grad(out, wrt, { gradOutputs: g, createGraph, allowUnused: true });
  let k = 0;
  return { out, grads: c.inputs.map((i) => (i.grad ? got[k++]! : null)) };
}

const label = (c: SampleCase) => `${c.op} #${c.index}: ${c.torch}`;

test("the table: every entry is filed under its own name and has samples", () => {
  for (const [name, op] of Object.entries(opTable)) {
    assert.equal(op.def.name, name);
    assert.ok(op.def.samples.length > 0, `${name} has no samples`);
  }
  for (const name of Object.keys(composites))
    assert.ok(!(name in opTable), `${name} is both a primitive and a composite`);
  const nnNames = Object.keys(nnCompositeTable);
  for (const name of nnNames) assert.ok(!(name in compositeTable), `${name} is declared twice`);
});

test("the files generated from the table are current (npm run gen)", () => {
  assert.deepEqual(staleFiles(), []);
});

describe("gradcheck and gradgradcheck of every sample, float64", () => {
  for (const c of cases.filter((c) => c.differentiable && c.inputs.some((i) => i.grad))) {
    test(label(c), () => {
      const xs = inputsOf(c);
      const wrt = xs.filter((_, i) => c.inputs[i]!.grad);
      const fn = (...args: Tensor[]) => {
        let k = 0;
        return apply(
          c,
          xs.map((x, i) => (c.inputs[i]!.grad ? args[k++]! : x)),
        );
      };
      cr.autograd.gradcheck(fn, wrt);
      if (c.secondOrder) cr.autograd.gradgradcheck(fn, wrt);
    });
  }
});

interface Golden {
  op: string;
  index: number;
  shape: number[];
  output: (number | string)[];
  grads?: ((number | string)[] | null)[];
}

const num = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : +v);
const golden = JSON.parse(readFileSync(new URL("../fixtures/op-golden.json", import.meta.url), "utf8")) as {
  cases: Golden[];
};
const goldenOf = new Map(golden.cases.map((g) => [`${g.op}#${g.index}`, g]));

describe("every sample against PyTorch (tools/gen_golden_table.py)", () => {
  test("every sample has a golden value", () => {
    const missing = cases.filter((c) => !goldenOf.has(`${c.op}#${c.index}`)).map(label);
    assert.deepEqual(missing, [], "run /usr/bin/python3 tools/gen_golden_table.py");
  });
  for (const c of cases) {
    const g = goldenOf.get(`${c.op}#${c.index}`);
    if (!g) continue;
    test(label(c), () => {
      const { out, grads } = run(c, inputsOf(c));
      assert.deepEqual(out.shape, g.shape, "output shape");
      assertClose(out, g.output.map(num), { atol: 1e-9, rtol: 1e-9, msg: "output" });
      g.grads?.forEach((expected, i) => {
        if (expected) assertClose(grads[i]!, expected.map(num), { atol: 1e-9, rtol: 1e-8, msg: `grad ${i}` });
      });
    });
  }
});

describe("the active backend against the reference, float32 and float64", () => {
  const active = cr.getBackend();
  for (const c of cases) {
    test(`${label(c)} on ${active}`, (t) => {
      if (active === "js") return t.skip("the active backend is the reference");
      for (const dtype of [undefined, "float32"] as const) {
        const here = run(c, inputsOf(c, dtype));
        cr.setBackend("js");
        let ref: ReturnType<typeof run>;
        try {
          ref = run(c, inputsOf(c, dtype));
        } finally {
          cr.setBackend(active);
        }
        const tol = dtype ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-12, rtol: 1e-12 };
        assertClose(here.out, ref.out, { ...tol, msg: `${dtype ?? "float64"} output` });
        here.grads.forEach((g, i) => g && assertClose(g, ref.grads[i]!, { ...tol, msg: `grad ${i}` }));
      }
    });
  }
});

describe("fused fast paths agree with their entry's reference rule", () => {
  const fused = cases.filter((c) => c.kind === "primitive" && opTable[c.op]!.def.fastBackward);
  test("some entries have a fast path", () => assert.ok(fused.length > 0));
  for (const c of fused) {
    test(label(c), () => {
      // createGraph records the backward, so the entry's reference rule runs instead of its fast path
      const fast = run(c, inputsOf(c));
      const reference = run(c, inputsOf(c), true);
      fast.grads.forEach((g, i) => g && assertClose(g, reference.grads[i]!, { atol: 1e-12, rtol: 1e-10 }));
    });
  }
});

test("every entry's explain rule writes its forward and its rule", () => {
  for (const [name, { def }] of Object.entries(opTable)) {
    const args = def.samples[0].inputs.map((_, i) => `x${i}`);
    assert.ok(def.explain.text(args, def.samples[0].attrs).length > 0, name);
    assert.ok(def.explain.rule.length > 0, name);
  }
});
