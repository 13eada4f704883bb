// CSV and IDX readers: parsing, gzip by content, and errors that name the file and line (CSV) or
// the file and the problem (IDX: bad magic, truncated header or data).

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, test } from "node:test";
import * as cr from "../../src/index.js";

const dir = await mkdtemp(join(tmpdir(), "cr-data-"));
after(() => rm(dir, { recursive: true, force: true }));

test("parseCsv splits features from the label column and keeps header lines", () => {
  const t = cr.data.parseCsv('3,2,a,b\n1.5,2,0\n-1,4e-1,1\n\n0,"7",1\n', { headerLines: 1 });
  assert.deepEqual(t.header, [["3", "2", "a", "b"]]);
  assert.deepEqual(t.features.toArray(), [
    [1.5, 2],
    [-1, 0.4000000059604645],
    [0, 7],
  ]);
  assert.equal(t.labels!.dtype, "int32");
  assert.deepEqual(t.labels!.toArray(), [0, 1, 1]);
  const first = cr.data.parseCsv("9;1;2\r\n8;3;4\r\n", { delimiter: ";", labelColumn: 0, dtype: "float64" });
  assert.deepEqual(first.features.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(first.features.dtype, "float64");
  assert.deepEqual(first.labels!.toArray(), [9, 8]);
  const reg = cr.data.parseCsv("1,0.5\n2,1.5", {});
  assert.equal(reg.labels!.dtype, "float32");
  assert.equal(cr.data.parseCsv("1,2\n3,4", { labelColumn: null }).labels, null);
});

test("a bad CSV line is reported with the file name and line number", async () => {
  const file = join(dir, "bad.csv");
  await writeFile(file, "a,b,c\n1,2,0\n3,x,1\n");
  await assert.rejects(cr.data.readCsv(file, { headerLines: 1 }), (e: Error) => {
    assert.equal(e.message, `${file}: line 3: field 2 "x" is not a number`);
    return true;
  });
  await writeFile(file, "1,2,0\n3,4\n");
  await assert.rejects(
    cr.data.readCsv(file),
    new RegExp(`${file}: line 2: has 2 fields, expected 3 \\(as on line 1\\)`),
  );
  await writeFile(file, "1,,0\n");
  await assert.rejects(cr.data.readCsv(file), /line 1: field 2 "" is not a number/);
  await writeFile(file, "only a header\n");
  await assert.rejects(cr.data.readCsv(file, { headerLines: 1 }), /no data rows after 1 header line/);
  await assert.rejects(cr.data.readCsv(join(dir, "missing.csv")), /readCsv: cannot read .*missing.csv/);
});

test("gzip is detected from the bytes, and a broken gzip stream is reported", async () => {
  const file = join(dir, "table.dat");
  await writeFile(file, gzipSync("1,2,1\n3,4,0\n"));
  const t = await cr.data.readCsv(file);
  assert.deepEqual(t.features.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  const broken = gzipSync("1,2,1\n3,4,0\n").subarray(0, 12);
  await writeFile(file, broken);
  await assert.rejects(cr.data.readCsv(file), /readCsv: .*table.dat looks gzip-compressed but does not decompress/);
});

test("IDX: images and labels round-trip through toIdx, raw and gzipped", async () => {
  const images = cr.randint(0, 256, [3, 4, 5]);
  const labels = cr.tensor(new Int32Array([7, 0, 9]));
  const imgBytes = cr.data.toIdx(images);
  assert.equal(new DataView(imgBytes.buffer).getUint32(0, false), 2051);
  assert.equal(new DataView(cr.data.toIdx(labels).buffer).getUint32(0, false), 2049);
  await writeFile(join(dir, "tiny-images-idx3-ubyte.gz"), gzipSync(imgBytes));
  await writeFile(join(dir, "tiny-labels-idx1-ubyte"), cr.data.toIdx(labels));
  const back = await cr.data.readIdx(join(dir, "tiny-images-idx3-ubyte.gz"));
  assert.deepEqual(back.shape, [3, 4, 5]);
  assert.deepEqual(back.toArray(), images.toArray());
  const pair = await cr.data.loadIdxFolder(dir);
  assert.equal(pair.name, "tiny");
  assert.deepEqual(pair.y.toArray(), [7, 0, 9]);
  assert.ok(Math.abs(pair.x.sum().item() - images.sum().item() / 255) < 1e-2);
  const doubles = cr.tensor([[0.5, -2]], { dtype: "float64" });
  assert.deepEqual(cr.data.parseIdx(cr.data.toIdx(doubles)).toArray(), [[0.5, -2]]);
  const ints = cr.tensor(new Int32Array([-5, 70000]));
  assert.deepEqual(cr.data.parseIdx(cr.data.toIdx(ints)).toArray(), [-5, 70000]);
});

test("IDX errors: bad magic, gzip not decompressed, truncated header and data", () => {
  const good = cr.data.toIdx(cr.zeros([2, 3, 3], { dtype: "int32" }));
  assert.throws(
    () => cr.data.parseIdx(Uint8Array.from([1, 2, 3, 4, 5]), "x.idx"),
    /x.idx: bad magic number 0x01020304/,
  );
  assert.throws(() => cr.data.parseIdx(gzipSync(good), "y.gz"), /y.gz: bad magic .*this is gzip data/);
  assert.throws(
    () => cr.data.parseIdx(good.subarray(0, 9), "h.idx"),
    /h.idx: truncated header: 3 dims need 16 bytes, the file has 9/,
  );
  assert.throws(
    () => cr.data.parseIdx(good.subarray(0, good.length - 1), "d.idx"),
    /d.idx: truncated: the header declares 2×3×3 ubyte elements \(18 bytes\) but only 17 bytes of data follow/,
  );
  assert.throws(() => cr.data.parseIdx(good.subarray(0, 2), "s.idx"), /s.idx: 2 bytes is too short/);
});

test("the bundled MNIST test set reads as 10000 images of 28×28 with labels 0…9", async () => {
  const mnist = await cr.data.bundledMnistDir();
  const images = await cr.data.readIdx(join(mnist, "t10k-images-idx3-ubyte.gz"));
  assert.deepEqual(images.shape, [10000, 28, 28]);
  const labels = await cr.data.readIdx(join(mnist, "t10k-labels-idx1-ubyte.gz"));
  assert.deepEqual(labels.shape, [10000]);
  assert.deepEqual(labels.slice(0, 0, 10).toArray(), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  const d = await cr.data.loadMnist();
  assert.equal(d.name, "mnist");
  assert.deepEqual([d.x.shape, d.x.dtype, d.x.amin().item(), d.x.amax().item()], [[10000, 28, 28], "float32", 0, 1]);
  assert.deepEqual(d.classes, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
});
