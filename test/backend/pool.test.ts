// The buffer pool's policies, on the compiled backend under test (the addon, or the wasm module
// under CHAINRULE_BACKEND=wasm), measured in a fresh process by pool-script.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runChild, skip } from "./conformance.js";

const MiB = 1 << 20;

test(
  "the buffer pool keeps a collection's worth of blocks, gives back unused ones, and makes room for sizes in use",
  { skip },
  () => {
    const r = runChild(["test/backend/pool-script.ts"], {});
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    // a training step's dropped activations come back together when the collector runs: all of
    // them are kept, beyond the 128 MiB V8 is told of, or the steps after each collection would
    // fault in fresh pages; and the next requests of that size take them
    assert.ok(m.keptBeyondFloor! >= 192 * MiB, `the pool held ${m.keptBeyondFloor! / MiB} MiB of the 192 released`);
    assert.equal(m.reusedBytes, 192 * MiB, "every 16 MiB request came from the pool");
    // blocks left unused through an epoch go back to the system (a burst does not stay resident)
    assert.ok(m.afterEpochs! <= 4 * MiB, `the pool still holds ${m.afterEpochs! / MiB} MiB after two epochs`);
    // a full pool drops blocks of the size unused longest (16 MiB) to keep those of a size in use
    // (4 MiB), which the next requests then reuse instead of mapping fresh memory
    assert.ok(m.full! >= 144 * MiB, `the pool held ${m.full! / MiB} MiB`);
    assert.ok(m.afterSmall! < m.full! + 32 * MiB, "no stale block made room");
    assert.equal(m.smallReused, 32 * MiB, "the 4 MiB requests came from the pool");
  },
);
