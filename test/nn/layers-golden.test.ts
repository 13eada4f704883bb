// Every layer against PyTorch (fixtures from tools/gen_golden_nn.py): same state dict keys, the
// torch weights loaded, and the outputs and the gradients of Σ out·upstream w.r.t. the inputs and
// every parameter compared; running statistics after training forwards too.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";
import {
  build,
  checkLayerCase,
  fixture,
  fromJSON,
  type LayerCase,
  type LayerSpec,
  revive,
  type TensorJSON,
  tolFor,
} from "./golden.js";

const { cases, batchNormSteps } = fixture<{ cases: LayerCase[]; batchNormSteps: BatchNormSteps[] }>("nn-layers.json");

for (const c of cases)
  test(`${c.name} matches PyTorch (${c.dtype}${c.train ? ", train" : ""})`, () => checkLayerCase(c));

interface BatchNormSteps {
  name: string;
  js: LayerSpec;
  state: Record<string, TensorJSON>;
  steps: TensorJSON[];
  trainOutputs: TensorJSON[];
  stateAfter: Record<string, TensorJSON>;
  evalInput: TensorJSON;
  evalOutput: TensorJSON;
  upstream: TensorJSON;
  gradInput: TensorJSON;
  gradWeight: TensorJSON;
}

for (const c of batchNormSteps) {
  test(`${c.name}: running statistics after 3 train steps and the eval pass match PyTorch`, () => {
    const tol = tolFor("float64");
    const bn = build(c.js).double() as cr.nn.BatchNorm2d;
    bn.loadStateDict(revive(c.state) as Record<string, cr.Tensor>);
    bn.train();
    c.steps.forEach((s, i) =>
      assertClose(bn.call(fromJSON(s)), c.trainOutputs[i]!.data, { ...tol, msg: `train step ${i}` }),
    );
    const after = bn.stateDict();
    for (const [k, s] of Object.entries(c.stateAfter)) assertClose(after[k]!, s.data, { ...tol, msg: k });
    assert.equal(bn.numBatchesTracked!.item(), 3);
    bn.eval();
    const x = fromJSON(c.evalInput, true);
    const y = bn.call(x);
    assertClose(y, c.evalOutput.data, { ...tol, msg: "eval output" });
    y.mul(fromJSON(c.upstream)).sum().backward();
    assertClose(x.grad!, c.gradInput.data, { ...tol, msg: "eval grad input" });
    assertClose(bn.weight!.grad!, c.gradWeight.data, { ...tol, msg: "eval grad weight" });
    // eval does not touch the statistics
    for (const [k, s] of Object.entries(c.stateAfter)) assertClose(bn.stateDict()[k]!, s.data, { ...tol, msg: k });
  });
}
