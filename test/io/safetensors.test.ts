// cr.save / cr.load and cr.io.serialize / deserialize: a file torch wrote by the published
// format (tools/gen_safetensors.py) loads and computes torch's output; our bytes match that writer;
// round trips are bit-exact; corrupt or truncated input fails with the file and the problem named.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const fixture = new URL("../fixtures/torch-mlp.safetensors", import.meta.url);
const dir = await mkdtemp(join(tmpdir(), "cr-io-"));
after(() => rm(dir, { recursive: true, force: true }));

test("a torch-written file loads with dtypes, shapes and metadata, and computes torch's output", async () => {
  const { tensors: t, metadata } = await cr.io.loadFile(fixture.pathname);
  assert.deepEqual(Object.keys(t).sort(), [
    "0.bias",
    "0.weight",
    "2.bias",
    "2.weight",
    "classes",
    "expected",
    "input",
    "positive",
  ]);
  assert.equal(t["0.weight"]!.dtype, "float32");
  assert.deepEqual(t["0.weight"]!.shape, [8, 5]);
  assert.equal(t.input!.dtype, "float64");
  assert.equal(t.classes!.dtype, "int32");
  assert.equal(t.positive!.dtype, "bool");
  assert.equal(metadata.format, "pt");
  // torch ran the float32 weights in float64 (model.double()), so do we
  const f64 = (k: string) => t[k]!.to("float64");
  const h = t.input!.matmul(f64("0.weight").t()).add(f64("0.bias")).relu();
  const y = h.matmul(f64("2.weight").t()).add(f64("2.bias"));
  assertClose(y, t.expected!, { atol: 1e-12, rtol: 1e-12 });
  assert.deepEqual(y.argmax(1).toArray(), t.classes!.toArray());
  assert.deepEqual(y.gt(0).toArray(), t.positive!.toArray());
});

test("the torch state dict loads into the same nn.Sequential, which reproduces torch's output", async () => {
  const t = await cr.load(fixture.pathname);
  const model = new cr.nn.Sequential(new cr.nn.Linear(5, 8), new cr.nn.ReLU(), new cr.nn.Linear(8, 3));
  const weights = Object.fromEntries(Object.entries(t).filter(([k]) => /^\d\./.test(k)));
  model.loadStateDict(weights);
  assert.deepEqual(model.stateDict()["0.weight"]!.toArray(), t["0.weight"]!.toArray());
  const y = cr.noGrad(() => model.double().call(t.input!) as cr.Tensor);
  assertClose(y, t.expected!, { atol: 1e-12, rtol: 1e-12 });
  // and what we save from the model reads back identically
  const file = join(dir, "mlp.safetensors");
  await cr.save(model.float().stateDict(), file);
  const back = await cr.load(file);
  for (const [k, v] of Object.entries(weights)) assert.deepEqual(back[k]!.dataSync(), v.dataSync(), k);
});

test("serialize writes the same bytes as the format's reference layout", async () => {
  const bytes = new Uint8Array(await readFile(fixture));
  const { tensors, metadata } = cr.io.deserialize(bytes);
  assert.deepEqual(cr.io.serialize(tensors, metadata), bytes);
});

test("save → load round-trips every dtype bit-exactly, including NaN, -0, ±Inf, subnormals and empty tensors", async () => {
  const f32 = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, Math.PI, -1.5]);
  const f64 = new Float64Array([NaN, -0, 5e-324, Number.MAX_VALUE, Math.E, -Infinity]);
  const sd = {
    "layer.weight": cr.tensor(f32, { shape: [2, 4] }),
    "layer.double": cr.tensor(f64, { shape: [3, 2] }),
    counts: cr.tensor(new Int32Array([-2147483648, 2147483647, 0, 7]), { shape: [4] }),
    mask: cr.tensor([
      [true, false],
      [false, true],
    ]),
    scalar: cr.tensor(2.5, { dtype: "float64" }),
    empty: cr.zeros([0, 3]),
    // a transposed view is written in its logical (row-major) order
    view: cr.arange(6, undefined, 1, { dtype: "float32" }).reshape(2, 3).t(),
  };
  const file = join(dir, "roundtrip.safetensors");
  await cr.save(sd, file, { epoch: "3" });
  const back = await cr.load(file);
  assert.deepEqual(Object.keys(back).sort(), Object.keys(sd).sort());
  for (const [k, t] of Object.entries(sd)) {
    const b = back[k]!;
    assert.equal(b.dtype, t.dtype, k);
    assert.deepEqual(b.shape, t.shape, k);
    const bits = (x: cr.Tensor) => Array.from(new Uint8Array(x.dataSync().buffer.slice(0)));
    assert.deepEqual(bits(b), bits(t.contiguous()), `${k} bits`);
  }
  assert.deepEqual(back.view!.toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(await cr.io.loadMetadata(file), { epoch: "3" });
  // the header is space-padded so the data starts 8-byte aligned
  const raw = await readFile(file);
  assert.equal(Number(raw.readBigUInt64LE(0)) % 8, 0);
  // a Map state dict is accepted too and gives the same bytes
  assert.deepEqual(cr.io.serialize(new Map(Object.entries(sd)), { epoch: "3" }), new Uint8Array(raw));
});

/** A hand-made file: a JSON header (unpadded, as other writers may leave it) and raw data bytes. */
function enc(header: object, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Asserts that loading `bytes` from a file fails, naming the file and matching `what`. */
async function rejectsFile(name: string, bytes: Uint8Array, what: RegExp) {
  const file = join(dir, name);
  await writeFile(file, bytes);
  await assert.rejects(cr.load(file), (e: Error) => {
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    assert.match(e.message, what);
    return true;
  });
}

test("truncated files fail with the file name and what is missing", async () => {
  const good = cr.io.serialize({ w: cr.ones([4, 4]), b: cr.zeros([4], { dtype: "float64" }) });
  const headerLen = Number(new DataView(good.buffer).getBigUint64(0, true));
  await rejectsFile("empty.safetensors", good.subarray(0, 0), /0 bytes, too short/);
  await rejectsFile("five.safetensors", good.subarray(0, 5), /5 bytes, too short/);
  await rejectsFile(
    "header.safetensors",
    good.subarray(0, 8 + headerLen - 3),
    /header claims \d+ bytes but only \d+ follow/,
  );
  await rejectsFile(
    "data.safetensors",
    good.subarray(0, good.length - 10),
    /ends at byte \d+ but the data area has only \d+ bytes/,
  );
  for (let cut = 0; cut < good.length; cut += 7) {
    await assert.rejects(async () => cr.io.deserialize(good.subarray(0, cut), "cut"), /^\w*Error: cut: /);
  }
});

test("corrupt headers fail clearly and nothing is half-loaded", async () => {
  const bad = new Uint8Array(16);
  new DataView(bad.buffer).setUint32(0, 8, true);
  bad.set(new TextEncoder().encode("not json"), 8);
  await rejectsFile("json.safetensors", bad, /not valid UTF-8 JSON/);
  await rejectsFile(
    "huge.safetensors",
    Uint8Array.from([255, 255, 255, 255, 255, 0, 0, 0, 1]),
    /exceeds the 100 MB limit/,
  );
  await rejectsFile(
    "dtype.safetensors",
    enc({ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /tensor 'a': unsupported dtype "C64"/,
  );
  await rejectsFile(
    "span.safetensors",
    enc({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /needs 12 bytes but data_offsets span 8/,
  );
  await rejectsFile(
    "gap.safetensors",
    enc({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
    /starts at byte 4 of the data area, expected 0/,
  );
  await rejectsFile(
    "trail.safetensors",
    enc({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)),
    /trailing bytes/,
  );
  await rejectsFile(
    "shape.safetensors",
    enc({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
    /shape \[-1\]/,
  );
  await rejectsFile("meta.safetensors", enc({ __metadata__: { n: 3 } }), /__metadata__ 'n' is not a string/);
});

test("files from other writers: I64, U8, F16 and BF16 are widened on load; I64 beyond int32 is refused", () => {
  const i64 = new Uint8Array(new BigInt64Array([5n, -3n]).buffer);
  const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]).buffer); // 1, -2, 2^-24, inf
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
  const u8 = Uint8Array.from([0, 255]);
  const data = new Uint8Array([...i64, ...f16, ...bf16, ...u8]);
  const { tensors } = cr.io.deserialize(
    enc(
      {
        n: { dtype: "I64", shape: [2], data_offsets: [0, 16] },
        h: { dtype: "F16", shape: [4], data_offsets: [16, 24] },
        g: { dtype: "BF16", shape: [2], data_offsets: [24, 28] },
        u: { dtype: "U8", shape: [2], data_offsets: [28, 30] },
      },
      data,
    ),
  );
  assert.deepEqual(tensors.n!.toArray(), [5, -3]);
  assert.equal(tensors.n!.dtype, "int32");
  assert.deepEqual(tensors.h!.toArray(), [1, -2, 2 ** -24, Infinity]);
  assert.deepEqual(tensors.g!.toArray(), [1, 3.140625]);
  assert.deepEqual(tensors.u!.toArray(), [0, 255]);
  const big = new Uint8Array(new BigInt64Array([2n ** 40n]).buffer);
  assert.throws(
    () => cr.io.deserialize(enc({ n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, big), "big.st"),
    /big.st: tensor 'n' \(I64\) holds 1099511627776, which does not fit in int32/,
  );
});

test("serialize refuses non-tensors, the reserved name and non-string metadata", () => {
  assert.throws(() => cr.io.serialize({ a: [1, 2] as unknown as cr.Tensor }), /'a' is not a Tensor/);
  assert.throws(() => cr.io.serialize({ __metadata__: cr.ones([1]) }), /reserved/);
  assert.throws(
    () => cr.io.serialize({ a: cr.ones([1]) }, { n: 3 as unknown as string }),
    /metadata 'n' must be a string/,
  );
});
