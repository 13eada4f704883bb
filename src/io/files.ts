// Safetensors on Node: save and load take a path as well as what bytes.ts takes everywhere. save
// writes atomically (temp file in the same folder, fsync, rename); load validates the whole header
// before building any tensor. Node-only: the browser entry never imports this file.

import { loadFileVia, loadMetadataVia, saveVia, type BytesSource, type PathAccess } from "./bytes.js";
import { headerLength, type Metadata, type SafetensorsContents, type TensorMap } from "./safetensors.js";
import type { Tensor } from "../api/tensor.js";

/** What load reads on Node: a path, or anything it reads in a browser (bytes, a Blob, a Response). */
export type FileSource = string | BytesSource;

// NOTE: node: modules load on first use, so a bundle of the Node entry that leaves node:* external
// still runs in a browser as long as it never touches a path
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

async function readAll(file: string, who: string): Promise<Uint8Array> {
  const { fs } = await nodeFs();
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new Error(`${who}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** The length field and the JSON header of a file, without its tensor data. */
async function readHeader(file: string, who: string): Promise<Uint8Array> {
  const { fs } = await nodeFs();
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
    return head;
  } finally {
    await handle.close();
  }
}

const nodePaths: PathAccess = { read: readAll, readHeader, write: writeFileAtomic };

/** Saves tensors (e.g. `model.stateDict()`) to a safetensors file that PyTorch's safetensors can read. */
export function save(tensors: TensorMap, file: string, metadata?: Metadata): Promise<void>;
/** Encodes tensors as a safetensors file's bytes (no path: nothing is written). */
export function save(tensors: TensorMap, file?: undefined, metadata?: Metadata): Promise<Uint8Array<ArrayBuffer>>;
/** Encodes tensors and metadata as a safetensors file's bytes, as safetensors' save(tensors, metadata). */
export function save(tensors: TensorMap, metadata: Metadata): Promise<Uint8Array<ArrayBuffer>>;
export function save(
  tensors: TensorMap,
  fileOrMetadata?: string | Metadata,
  metadata?: Metadata,
): Promise<Uint8Array<ArrayBuffer> | void> {
  return saveVia(tensors, fileOrMetadata, metadata, nodePaths);
}

/** Loads a safetensors file (path, bytes, Blob or fetch Response) with its metadata; a corrupt one loads nothing. */
export const loadFile = (source: FileSource): Promise<SafetensorsContents> => loadFileVia(source, nodePaths);

/** Loads a safetensors file (path, bytes, Blob or fetch Response) as a state dict, ready for `model.loadStateDict`. */
export async function load(source: FileSource): Promise<Record<string, Tensor>> {
  return (await loadFile(source)).tensors;
}

/** Reads only a file's `__metadata__`; a path is read only as far as its header. */
export const loadMetadata = (source: FileSource): Promise<Metadata> => loadMetadataVia(source, nodePaths);
