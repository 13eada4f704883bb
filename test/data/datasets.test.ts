// The ready-made datasets: bundled digits, iris and breast cancer with their header checks, a
// seeded train/test split, and standardisation fitted on training data.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const dir = await mkdtemp(join(tmpdir(), "cr-sets-"));
after(() => rm(dir, { recursive: true, force: true }));

test("the bundled digits: 1797 rows of 64 grey levels 0…16, labels 0…9", async () => {
  const d = await cr.data.loadDigits();
  assert.deepEqual(d.x.shape, [1797, 64]);
  assert.deepEqual([d.x.amin().item(), d.x.amax().item()], [0, 16]);
  assert.deepEqual([d.y.amin().item(), d.y.amax().item()], [0, 9]);
  assert.equal(d.classes.length, 10);
});

test("iris and breast cancer read with their class names; a wrong header count is refused", async () => {
  const iris = await cr.data.loadIris();
  assert.deepEqual(iris.x.shape, [150, 4]);
  assert.deepEqual(iris.classes, ["setosa", "versicolor", "virginica"]);
  const bc = await cr.data.loadBreastCancer();
  assert.deepEqual(bc.x.shape, [569, 30]);
  assert.deepEqual(bc.classes, ["malignant", "benign"]);
  const file = join(dir, "short.csv");
  await writeFile(file, "3,2,a,b\n1,2,0\n3,4,1\n");
  await assert.rejects(cr.data.loadIris(file), /iris: .*short.csv header declares 3 rows × 2 features but holds 2 × 2/);
  await writeFile(file, "2,2,a,b\n1,2,0\n3,4,2\n");
  await assert.rejects(cr.data.loadIris(file), /labels must be integers in 0…1 \(a, b\)/);
});

test("trainTestSplit is seeded, disjoint and complete", async () => {
  const d = await cr.data.loadIris();
  const withId = { ...d, x: cr.arange(150, undefined, 1, { dtype: "float32" }).unsqueeze(1) };
  const a = cr.data.trainTestSplit(withId, { testFraction: 0.2, seed: 3 });
  const b = cr.data.trainTestSplit(withId, { testFraction: 0.2, seed: 3 });
  assert.deepEqual(a.test.x.toArray(), b.test.x.toArray());
  assert.equal(a.test.x.shape[0], 30);
  assert.equal(a.train.x.shape[0], 120);
  const ids = [...a.train.x.dataSync(), ...a.test.x.dataSync()].sort((p, q) => p - q);
  assert.deepEqual(
    ids,
    Array.from({ length: 150 }, (_, i) => i),
  );
  assert.notDeepEqual(cr.data.trainTestSplit(withId, { seed: 4 }).test.x.toArray(), a.test.x.toArray());
  assert.throws(
    () => cr.data.trainTestSplit(withId, { testSize: 150 }),
    /a test part of 150 rows does not fit 150 rows/,
  );
});

test("Standardizer: zero mean, unit variance on the fitted data; constant columns pass through; JSON round trip", () => {
  const x = cr.tensor([
    [1, 5, 2],
    [3, 5, 4],
    [5, 5, 9],
  ]);
  const s = cr.data.Standardizer.fit(x);
  const z = s.apply(x);
  assertClose(z.mean(0), [0, 0, 0], { atol: 1e-6 });
  assertClose(z.square().mean(0), [1, 0, 1], { atol: 1e-5 });
  const again = cr.data.Standardizer.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  assertClose(again.apply(cr.tensor([[3, 5, 5]])), s.apply(cr.tensor([[3, 5, 5]])));
});
