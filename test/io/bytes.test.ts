// save and load on bytes: cr.save with no path gives the safetensors bytes (the same as a saved
// file's), and cr.load reads a Uint8Array, an ArrayBuffer, a Blob or File and a fetch Response as
// well as a path. The browser entry's save and load refuse paths, saying what to pass instead.

import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as cr from "../../src/index.js";
import * as web from "../../src/index.browser.js";

const dir = await mkdtemp(join(tmpdir(), "cr-bytes-"));
after(() => rm(dir, { recursive: true, force: true }));

const stateDict = () => ({
  "0.weight": cr.tensor([
    [0.5, -1.25],
    [2, 3.5],
  ]),
  "0.bias": cr.tensor([0.1, -0.2], { dtype: "float64" }),
  steps: cr.tensor([7], { dtype: "int32" }),
  mask: cr.tensor([true, false, true]),
});

const bits = (t: cr.Tensor) => Array.from(new Uint8Array(t.contiguous().dataSync().slice().buffer));

function assertSameTensors(got: Record<string, cr.Tensor>, want: Record<string, cr.Tensor>, what: string) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: names`);
  for (const [k, t] of Object.entries(want)) {
    assert.equal(got[k]!.dtype, t.dtype, `${what}: ${k} dtype`);
    assert.deepEqual(got[k]!.shape, t.shape, `${what}: ${k} shape`);
    assert.deepEqual(bits(got[k]!), bits(t), `${what}: ${k} bits`);
  }
}

test("save with no path resolves to the bytes a saved file holds, metadata in either position", async () => {
  const sd = stateDict();
  const bytes = await cr.save(sd);
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(bytes, cr.io.serialize(sd));
  const file = join(dir, "same.safetensors");
  assert.equal(await cr.save(sd, file, { epoch: "2" }), undefined);
  const onDisk = new Uint8Array(await readFile(file));
  assert.deepEqual(await cr.save(sd, { epoch: "2" }), onDisk);
  assert.deepEqual(await cr.save(sd, undefined, { epoch: "2" }), onDisk);
  assert.deepEqual(await web.save(sd, { epoch: "2" }), onDisk);
  assert.deepEqual(await cr.io.loadMetadata(await cr.save(sd, { epoch: "2" })), { epoch: "2" });
});

test("load reads bytes, an ArrayBuffer, other views, a Blob, a File and a Response, bit for bit", async () => {
  const sd = stateDict();
  const bytes = await cr.save(sd, { note: "bytes" });
  const view = new DataView(bytes.buffer);
  const sources: [string, () => cr.io.FileSource][] = [
    ["Uint8Array", () => bytes],
    ["ArrayBuffer", () => bytes.slice().buffer],
    ["Buffer", () => Buffer.from(bytes)],
    ["DataView", () => view],
    ["Blob", () => new Blob([bytes])],
    ["File", () => new File([bytes], "model.safetensors")],
    ["Response", () => new Response(bytes)],
  ];
  for (const [what, source] of sources) {
    assertSameTensors(await cr.load(source()), sd, what);
    assertSameTensors(await web.load(source() as web.io.BytesSource), sd, `${what} (browser entry)`);
    const { tensors, metadata } = await cr.io.loadFile(source());
    assertSameTensors(tensors, sd, `${what} via loadFile`);
    assert.deepEqual(metadata, { note: "bytes" }, `${what} metadata`);
    assert.deepEqual(await web.io.loadMetadata(source() as web.io.BytesSource), { note: "bytes" }, what);
  }
  // a slice of a larger buffer is read from its own offset
  const padded = new Uint8Array(bytes.length + 16);
  padded.set(bytes, 8);
  assertSameTensors(await cr.load(padded.subarray(8, 8 + bytes.length)), sd, "subarray");
  // a file round-trips through a path as before, and the loaded tensors own their memory
  const file = join(dir, "roundtrip.safetensors");
  await cr.save(sd, file);
  const loaded = await cr.load(file);
  assertSameTensors(loaded, sd, "path");
  const fromBytes = await cr.load(bytes);
  bytes.fill(0);
  assertSameTensors(fromBytes, sd, "after the source bytes were overwritten");
});

test("a model's state dict goes through bytes into a fresh model", async () => {
  cr.manualSeed(1);
  const a = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.ReLU(), new cr.nn.Linear(4, 2));
  const b = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.ReLU(), new cr.nn.Linear(4, 2));
  b.loadStateDict(await web.load(new Blob([await web.save(a.stateDict())])));
  const x = cr.randn([5, 3]);
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
});

test("bad sources fail naming what was passed and what is wrong", async () => {
  const good = await cr.save({ w: cr.ones([4]) });
  await assert.rejects(
    cr.load(new File([good.subarray(0, 20)], "cut.safetensors")),
    /^RangeError: load: cut\.safetensors: header claims \d+ bytes but only 12 follow/,
  );
  await assert.rejects(cr.load(good.subarray(0, 5)), /^RangeError: load: file is 5 bytes, too short/);
  await assert.rejects(
    cr.load(new Response("gone", { status: 404, statusText: "Not Found" })),
    /load: the response answered 404 Not Found, not a safetensors file/,
  );
  const used = new Response(good);
  await used.arrayBuffer();
  await assert.rejects(cr.load(used), /the Response's body was already read/);
  for (const [bad, got] of [
    [42, "number"],
    [null, "null"],
    [{ w: 1 }, "Object"],
    [[1, 2], "Array"],
  ] as const) {
    await assert.rejects(
      cr.load(bad as unknown as Uint8Array),
      new RegExp(
        `^TypeError: load: expected the file's bytes \\(Uint8Array or ArrayBuffer\\), a Blob, a fetch Response or a path, got ${got}$`,
      ),
    );
  }
  await assert.rejects(
    cr.save({ w: cr.ones([1]) }, 3 as unknown as string),
    /save: the second argument is a path \(a string\) or the metadata \(strings by key\), got number/,
  );
  await assert.rejects(
    cr.save({ w: cr.ones([1]) }, { a: "1" } as unknown as string, { b: "2" }),
    /save: the second argument is a path .* got Object/,
  );
  await assert.rejects(cr.save({ w: cr.ones([1]) }, { n: 3 as unknown as string }), /metadata 'n' must be a string/);
  await assert.rejects(cr.load(join(dir, "missing.safetensors")), /load: cannot read .*missing\.safetensors: ENOENT/);
});

test("the browser entry refuses paths, says what to pass instead and touches no file", async () => {
  const before = await readdir(dir);
  const file = join(dir, "never.safetensors");
  await assert.rejects(
    web.save({ w: web.ones([2]) }, file as never),
    (e: Error) =>
      e instanceof TypeError &&
      e.message.startsWith(`save: cannot use the path '${file}': reading and writing files needs Node.`) &&
      e.message.includes("Call save(tensors) for the bytes"),
  );
  await cr.save({ w: cr.ones([2]) }, file);
  for (const [name, call] of [
    ["load", () => web.load(file as never)],
    ["load", () => web.io.loadFile(file as never)],
    ["loadMetadata", () => web.io.loadMetadata(file as never)],
  ] as const) {
    await assert.rejects(call(), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.equal(
        e.message,
        `${name}: cannot use the path '${file}': reading and writing files needs Node. ` +
          `Pass the file's bytes (Uint8Array or ArrayBuffer), a Blob or a fetch Response, e.g. ${name}(await fetch("${file}"))`,
      );
      return true;
    });
  }
  assert.deepEqual((await readdir(dir)).sort(), [...before, "never.safetensors"].sort());
  assert.equal("writeFileAtomic" in web.io, false);
});

test("loadMetadata of a Blob reads only the header", async () => {
  const bytes = await cr.save({ big: cr.zeros([1000]) }, { kind: "blob" });
  const sliced: [number, number | undefined][] = [];
  class SpyBlob extends Blob {
    override slice(start?: number, end?: number): Blob {
      sliced.push([start ?? 0, end]);
      return super.slice(start, end);
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      throw new Error("the whole blob was read");
    }
  }
  assert.deepEqual(await cr.io.loadMetadata(new SpyBlob([bytes])), { kind: "blob" });
  assert.equal(sliced.length, 2);
  assert.ok(
    sliced.every(([, end]) => end !== undefined && end < 200),
    `read ${JSON.stringify(sliced)}`,
  );
});
