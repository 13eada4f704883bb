// cr.save writes atomically: a temp file in the target's folder, fsync, rename. A failed write
// leaves no temp file behind and the previous checkpoint intact.

import assert from "node:assert/strict";
import fsp, { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, mock, test } from "node:test";
import * as cr from "../../src/index.js";

const dir = await mkdtemp(join(tmpdir(), "cr-atomic-"));
after(() => rm(dir, { recursive: true, force: true }));

test("save leaves exactly the target file behind and overwrites an older one", async () => {
  const file = join(dir, "model.safetensors");
  await cr.save({ w: cr.ones([3]) }, file);
  await cr.save({ w: cr.full([3], 2) }, file);
  assert.deepEqual(await readdir(dir), ["model.safetensors"]);
  assert.deepEqual((await cr.load(file)).w!.toArray(), [2, 2, 2]);
});

test("when the rename fails, the old file is intact and the temp file is removed", async () => {
  const sub = join(dir, "rename");
  await mkdir(sub);
  const file = join(sub, "ckpt.safetensors");
  await cr.save({ w: cr.ones([2]) }, file);
  const before = await readFile(file);
  const rename = mock.method(fsp, "rename", async () => {
    throw new Error("simulated power cut");
  });
  try {
    await assert.rejects(
      cr.save({ w: cr.zeros([2]) }, file),
      /save: could not write .*ckpt.safetensors: simulated power cut/,
    );
  } finally {
    rename.mock.restore();
  }
  assert.deepEqual(await readdir(sub), ["ckpt.safetensors"]);
  assert.deepEqual(await readFile(file), before);
});

test("a write that cannot land (target is a folder) cleans up; bad input never touches the disk", async () => {
  const sub = join(dir, "folder");
  await mkdir(join(sub, "target.safetensors"), { recursive: true });
  await mkdir(join(sub, "target.safetensors", "inside"));
  await assert.rejects(cr.save({ w: cr.ones([2]) }, join(sub, "target.safetensors")), /save: could not write/);
  assert.deepEqual(await readdir(sub), ["target.safetensors"]);

  const file = join(dir, "keep.safetensors");
  await cr.save({ w: cr.ones([2]) }, file);
  const before = await readFile(file);
  await assert.rejects(cr.save({ w: "nope" as unknown as cr.Tensor }, file), /'w' is not a Tensor/);
  assert.deepEqual(await readFile(file), before);
  await assert.rejects(
    cr.save({ w: cr.ones([1]) }, join(dir, "missing", "x.safetensors")),
    /save: could not write .*ENOENT/,
  );
});
