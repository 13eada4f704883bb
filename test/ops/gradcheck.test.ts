// First- and second-order gradient checks of every differentiable op against central finite
// differences, over random shapes, broadcasting pairs and dims (fast-check, fixed seed), in float64.
// Every primitive is also gradchecked on its own table samples (table.test.ts); these properties
// add random shapes, broadcasting and the composites built from primitives.

import { describe, test } from "node:test";
import fc from "fast-check";
import * as cr from "../../src/index.js";
import { binarySpecs, linalgSpecs, reductionSpecs, type Spec, unarySpecs } from "./grad-specs.js";
import { indexSpecs, inplaceSpecs, nnSpecs, viewSpecs } from "./grad-specs-shape.js";

/** Runs per spec: small, so the file stays fast on a loaded machine; the seed keeps runs reproducible. */
const NUM_RUNS = Number(process.env.GRADCHECK_RUNS ?? 10);
const SEED = Number(process.env.GRADCHECK_SEED ?? 20240601);

function check(s: Spec): void {
  fc.assert(
    fc.property(s.arb, (c) => {
      const { inputs, fn, opts } = s.build(c);
      cr.autograd.gradcheck(fn, inputs, opts);
      cr.autograd.gradgradcheck(fn, inputs, opts);
    }),
    { numRuns: NUM_RUNS, seed: SEED },
  );
}

const groups: [string, Spec[]][] = [
  ["elementwise, one input", unarySpecs],
  ["elementwise, broadcasting pairs", binarySpecs],
  ["reductions", reductionSpecs],
  ["linear algebra", linalgSpecs],
  ["views and copies", viewSpecs],
  ["indexing and joining", indexSpecs],
  ["in-place on a clone", inplaceSpecs],
  ["convolution and pooling", nnSpecs],
];

for (const [title, specs] of groups) {
  describe(`gradcheck and gradgradcheck: ${title}`, () => {
    for (const s of specs) test(s.name, () => check(s));
  });
}
