// DataLoader and TensorDataset: batch sizes, dropLast, seeded shuffling that repeats across runs
// and differs between epochs, for await, custom datasets and collation.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

const X = cr.arange(0, 20, 1, { dtype: "float32" }).reshape(10, 2);
const Y = cr.arange(10);
const ds = new cr.data.TensorDataset(X, Y);
const labelsOf = (loader: Iterable<cr.Tensor[]>) => [...loader].map(([, y]) => y!.toArray() as number[]);

test("TensorDataset indexes rows of every tensor and checks their lengths", () => {
  assert.equal(ds.length, 10);
  const [x, y] = ds.get(3);
  assert.deepEqual(x!.toArray(), [6, 7]);
  assert.equal(y!.item(), 3);
  assert.deepEqual(ds.get(-1)[1]!.item(), 9);
  assert.throws(() => ds.get(10), /index 10 is out of range for 10 rows/);
  assert.throws(() => new cr.data.TensorDataset(X, cr.arange(9)), /tensor 0 has 10 rows, tensor 1 has shape \[9\]/);
});

test("batches in order, with a short last batch unless dropLast", () => {
  const loader = new cr.data.DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  assert.deepEqual(labelsOf(loader), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
    [8, 9],
  ]);
  const [first] = loader;
  assert.deepEqual(first![0]!.shape, [4, 2]);
  assert.deepEqual(first![0]!.toArray(), [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
  ]);
  const dropped = new cr.data.DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual(labelsOf(dropped), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ]);
  assert.throws(() => new cr.data.DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
});

test("seeded shuffling repeats across loaders, reshuffles each epoch, and covers every row once", () => {
  const a = new cr.data.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 42 });
  const b = new cr.data.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 42 });
  const epoch1 = labelsOf(a);
  assert.deepEqual(labelsOf(b), epoch1);
  const epoch2 = labelsOf(a);
  assert.notDeepEqual(epoch2, epoch1);
  assert.deepEqual(labelsOf(b), epoch2);
  for (const e of [epoch1, epoch2])
    assert.deepEqual(
      e.flat().sort((p, q) => p - q),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  assert.notDeepEqual(labelsOf(new cr.data.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 })), epoch1);
  // rows stay paired with their labels
  for (const [x, y] of new cr.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed: 1 })) {
    assert.deepEqual(x!.select(1, 0).toArray(), y!.mul(2).toArray());
  }
});

test("without a seed, shuffling follows cr.manualSeed", () => {
  cr.manualSeed(5);
  const first = labelsOf(new cr.data.DataLoader(ds, { batchSize: 10, shuffle: true }));
  cr.manualSeed(5);
  assert.deepEqual(labelsOf(new cr.data.DataLoader(ds, { batchSize: 10, shuffle: true })), first);
});

test("for await yields the same batches as for...of", async () => {
  const loader = new cr.data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
  const again = new cr.data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
  const got: number[][] = [];
  for await (const [, y] of loader) got.push(y!.toArray() as number[]);
  assert.deepEqual(got, labelsOf(again));
});

test("any dataset with length and get works; items are collated field by field", () => {
  const squares: cr.data.Dataset<{ x: cr.Tensor; n: number }> = {
    length: 5,
    get: (i) => ({ x: cr.tensor([i, i * i]), n: i }),
  };
  const batches = [...new cr.data.DataLoader(squares, { batchSize: 2 })];
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[1]!.x.toArray(), [
    [2, 4],
    [3, 9],
  ]);
  // numbers are collated into a tensor
  assert.deepEqual((batches[1]!.n as unknown as cr.Tensor).toArray(), [2, 3]);
  const custom = new cr.data.DataLoader(ds, {
    batchSize: 5,
    collate: (items) => [cr.stack(items.map(([x]) => x!.sum()))],
  });
  assert.deepEqual(
    [...custom].map(([s]) => s!.toArray()),
    [
      [1, 5, 9, 13, 17],
      [21, 25, 29, 33, 37],
    ],
  );
});
