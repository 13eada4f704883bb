// Memory is the runtime's job: thousands of training steps with no dispose anywhere leave the
// live memory flat (the graph, saved tensors and buffers of each step are all collected).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("6,000 training steps keep live memory flat without dispose", () => {
  const script = fileURLToPath(new URL("./leak-script.ts", import.meta.url));
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", script, "6000"], {
    encoding: "utf8",
    env: process.env,
  });
  const { backend, early, late } = JSON.parse(out.trim().split("\n").at(-1)!) as {
    backend: string;
    early: number;
    late: number;
  };
  const growth = late - early;
  // after 1,000 warm-up steps; leaking one 64-float tensor per step would add about 6,000 × 400 B ≈ 2.4 MB
  assert.ok(
    growth < 1.5 * 2 ** 20,
    `${backend}: live memory grew by ${(growth / 1024).toFixed(0)} KiB over 6,000 steps`,
  );
});
