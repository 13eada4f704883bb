// Reading data files in Node: bytes (gunzipped when they start with the gzip magic, whatever the
// name), CSV and IDX. node:fs and node:zlib are imported on first use so the rest of cr.data
// bundles for browsers. Errors name the function and the file.

import type { Tensor } from "../api/tensor.js";
import { type CsvOptions, type CsvTable, parseCsv } from "./csv.js";
import { parseIdx } from "./idx.js";

/** A file's bytes, decompressed if it is gzip data. */
export async function readBytes(file: string, who = "readBytes"): Promise<Uint8Array> {
  const [{ default: fs }, { default: zlib }] = await Promise.all([import("node:fs/promises"), import("node:zlib")]);
  let raw: Uint8Array;
  try {
    raw = await fs.readFile(file);
  } catch (e) {
    throw new Error(`${who}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return zlib.gunzipSync(raw);
  } catch (e) {
    throw new Error(`${who}: ${file} looks gzip-compressed but does not decompress: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** Reads a CSV file of numbers (plain or gzip); see parseCsv for the options. */
export async function readCsv(file: string, opts: CsvOptions = {}): Promise<CsvTable> {
  const bytes = await readBytes(file, "readCsv");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw new SyntaxError(`readCsv: ${file} is not UTF-8 text`, { cause: e });
  }
  return parseCsv(text, opts, file);
}

/** Reads an IDX file (MNIST's format, plain or gzip) into a tensor. */
export async function readIdx(file: string): Promise<Tensor> {
  return parseIdx(await readBytes(file, "readIdx"), file);
}
