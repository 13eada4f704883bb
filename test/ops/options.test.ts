// Every function in the tables that takes an options object refuses a key it does not know,
// naming itself and the key, and suggests the known key a near miss meant. The test walks the
// tables: a function joins it by declaring its options probe.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { nnCompositeTable } from "../../src/nn/functional/table.js";
import type { OptionsProbe } from "../../src/ops/composite.js";
import { compositeTable, opTable } from "../../src/ops/table.js";
import { sampleCases } from "../../tools/gen-ops.js";
import { closestKey } from "../../src/core/options.js";

/** Each function with options: its name, the keys it knows, and how to call it with an options object. */
const probes: (readonly [string, Required<OptionsProbe>])[] = [
  ...Object.entries(opTable).flatMap(([name, op]) => (op.def.options ? [[name, op.def.options] as const] : [])),
  ...Object.values({ ...compositeTable, ...nnCompositeTable }).flatMap((c) =>
    // a composite without its own probe call takes its options object as its attributes
    c.options ? [[c.name, { keys: c.options.keys, call: c.options.call ?? c.call }] as const] : [],
  ),
];

const firstInputs = (name: string) => {
  const c = sampleCases().find((c) => c.op === name && c.index === 0)!;
  return c.inputs.map((i) => cr.tensor(i.values, { dtype: i.dtype as cr.DType }).reshape(i.shape));
};

/** A near miss of `key`: one letter dropped from its middle. */
const typo = (key: string) => key.slice(0, key.length >> 1) + key.slice((key.length >> 1) + 1);

test("the tables declare options probes", () => assert.ok(probes.length > 0));

for (const [name, probe] of probes) {
  test(`${name} refuses an option it does not know`, () => {
    const xs = firstInputs(name);
    assert.throws(
      () => probe.call(xs, { notAnOption: 1 }),
      (e: Error) => e instanceof TypeError && e.message.includes(name) && e.message.includes("'notAnOption'"),
    );
    for (const key of probe.keys.filter((k) => k.length > 3)) {
      const miss = typo(key);
      if (closestKey(miss, probe.keys) !== key) continue;
      assert.throws(
        () => probe.call(xs, { [miss]: undefined }),
        (e: Error) => e.message.includes(`did you mean '${key}'`),
        `${name}: ${miss}`,
      );
    }
  });
}
