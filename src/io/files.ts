// Safetensors files on disk (Node): save writes atomically (temp file in the same folder, fsync,
// rename), load validates the whole header before building any tensor. node:fs is imported on
// first use, so bundling cr.io for a browser only costs these functions, not the module.

import {
  deserialize,
  parseMetadata,
  headerLength,
  serialize,
  type Metadata,
  type SafetensorsContents,
  type TensorMap,
} from "./safetensors.js";
import type { Tensor } from "../api/tensor.js";

async function nodeFs() {
  const [fs, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
  return { fs: fs.default, path: path.default };
}

/** Writes `bytes` to `file` atomically: readers see the old file or the new one, never a torn one. */
export async function writeFileAtomic(file: string, bytes: Uint8Array, who = "writeFileAtomic"): Promise<void> {
  const { fs, path } = await nodeFs();
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(tmp, "wx");
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw new Error(`${who}: could not write ${file}: ${(e as Error).message}`, { cause: e });
  }
  // make the rename itself durable; not every platform can fsync a directory, which is harmless
  try {
    const d = await fs.open(dir, "r");
    await d.sync().finally(() => d.close());
  } catch {
    /* best effort */
  }
}

/** Saves tensors (e.g. `model.stateDict()`) to a safetensors file that PyTorch's safetensors can read. */
export async function save(tensors: TensorMap, file: string, metadata?: Metadata): Promise<void> {
  const bytes = serialize(tensors, metadata);
  await writeFileAtomic(file, bytes, "save");
}

async function readAll(file: string, who: string): Promise<Uint8Array> {
  const { fs } = await nodeFs();
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new Error(`${who}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Loads a safetensors file with its metadata; a corrupt or truncated file throws and loads nothing. */
export async function loadFile(file: string): Promise<SafetensorsContents> {
  return deserialize(await readAll(file, "load"), `load: ${file}`);
}

/** Loads a safetensors file as a state dict (name → tensor), ready for `model.loadStateDict`. */
export async function load(file: string): Promise<Record<string, Tensor>> {
  return (await loadFile(file)).tensors;
}

/** Reads only a file's `__metadata__`, without its tensor data. */
export async function loadMetadata(file: string): Promise<Metadata> {
  const { fs } = await nodeFs();
  const who = "loadMetadata";
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(file, "r");
  } catch (e) {
    throw new Error(`${who}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const { size } = await handle.stat();
    const first = new Uint8Array(8);
    await handle.read(first, 0, Math.min(8, size), 0);
    const n = headerLength(first, size, `${who}: ${file}`);
    const head = new Uint8Array(8 + n);
    head.set(first);
    await handle.read(head, 8, n, 8);
    return parseMetadata(head, `${who}: ${file}`);
  } finally {
    await handle.close();
  }
}
