// Gradient-flow diagnostics on the digits: ten sigmoid layers with a tiny init are flagged as
// vanishing, a ReLU layer with a large negative bias as dead, and a healthy ReLU MLP raises no
// warning; the report renders as text and as SVG.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "../../src/index.js";
import { diagnoseDigits } from "../../src/explain/node/demo-models.js";

test("ten sigmoid layers with a small init: vanishing gradients flagged layer by layer", async () => {
  const r = await diagnoseDigits("vanishing", { steps: 1 });
  assert.equal(r.layers.length, 11);
  const first = r.layers[0]!;
  const last = r.layers.at(-1)!;
  assert.ok(
    first.gradNorm < 1e-12 && last.gradNorm > 1e-3,
    `|grad| ${first.gradNorm} at the first layer, ${last.gradNorm} at the last`,
  );
  assert.ok(first.warnings.some((w) => w.includes("vanishing gradient")));
  assert.ok(r.warnings.some((w) => /shrinks .*x from layer 20 back to layer 0: vanishing gradients/.test(w)));
  assert.equal(r.losses.length, 2);
  const text = cr.explain.flowReportText(r);
  assert.match(text, /^GRADIENT FLOW \(loss [\d.]+\)\nlayer +parameters/);
  assert.match(text, /! layer 0: gradient norm [\d.e-]+ < 1e-7: vanishing gradient/);
});

test("a ReLU layer pushed below zero: 100% dead units, no gradient reaches it", async () => {
  const r = await diagnoseDigits("dead-relu", { steps: 1 });
  const first = r.layers[0]!;
  assert.equal(first.activation?.op, "relu");
  assert.equal(first.activation?.dead, 1);
  assert.equal(first.gradNorm, 0);
  assert.ok(first.warnings.some((w) => w.startsWith("100% of ReLU units are dead")));
  assert.ok(r.warnings.some((w) => w.startsWith("no gradient reaches layer 0")));
  const svg = cr.explain.flowReportSvg(r);
  assert.match(svg, /<g class="layer warn" data-module="0">/);
  assert.match(svg, /dead 100%/);
});

test("a healthy ReLU MLP trains without warnings", async () => {
  const r = await diagnoseDigits("healthy", { steps: 3 });
  assert.deepEqual(r.warnings, []);
  assert.equal(r.layers.length, 3);
  for (const l of r.layers) {
    assert.ok(l.gradNorm > 1e-3 && l.gradNorm < 10, `layer ${l.module} |grad| ${l.gradNorm}`);
    assert.ok(l.updateRatio! > 1e-4 && l.updateRatio! < 0.1, `layer ${l.module} update ratio ${l.updateRatio}`);
  }
  assert.ok(r.layers[0]!.activation!.dead! < 0.5);
  assert.ok(r.losses.at(-1)! < r.losses[0]!, "the loss goes down over the steps");
  assert.match(cr.explain.flowReportText(r), /no warnings: gradients flow through every layer/);
  assert.match(cr.explain.flowReportSvg(r), /no warnings/);
});
