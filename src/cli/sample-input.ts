// Samples given with --input, shared by explain and predict: inline JSON (one sample, a list of
// samples, or {"x": samples, "y": labels}) or the path of a JSON file; predict also reads CSV
// files (plain or gzip, optionally with a label column after the features).

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { readBytes, parseCsv } from "../data/index.js";
import { creation } from "../api/functions.js";
import type { Tensor } from "../api/tensor.js";

const { tensor } = creation;

/** Raw samples [n, features], their labels when the input had them, and where they came from. */
export interface Samples {
  x: Tensor;
  labels: number[] | null;
  source: string;
}

/** Inline JSON is an array, an object or one number; anything else is taken for a file name. */
const looksInline = (text: string) => /^\s*[[{]/.test(text) || (text.trim() !== "" && Number.isFinite(Number(text)));

/** A JSON value given inline or as the path of a .json file; `flag` names the option in errors. */
export async function jsonArg(flag: string, text: string): Promise<unknown> {
  const fromFile = existsSync(text);
  if (!fromFile && !looksInline(text))
    throw new Error(`${flag}: no file '${text}', and not inline JSON (such as [0.5, 1] or {"x": [[0.5, 1]]})`);
  const raw = fromFile ? await readFile(text, "utf8") : text;
  try {
    return JSON.parse(raw);
  } catch (e) {
    const what = fromFile ? `${text} is not JSON` : "not JSON";
    throw new Error(`${flag}: ${what} (${(e as Error).message}): ${raw.slice(0, 60)}`, { cause: e });
  }
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);

/**
 * Rows of `features` numbers and labels from a parsed JSON value: one sample (any nesting, such as
 * an 8×8 image), a list of samples, or {"x": either, "y": one label per sample}.
 */
export function sampleRows(
  value: unknown,
  features: number,
  flag = "--input",
): { rows: number[][]; labels: number[] | null } {
  let labels: number[] | null = null;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const { x, y } = value as { x?: unknown; y?: unknown };
    if (x === undefined) throw new Error(`${flag}: a JSON object needs an "x" entry holding the samples`);
    if (y !== undefined) labels = flat(y);
    value = x;
  }
  // a list of samples unless the numbers, however nested, make exactly one
  const list = Array.isArray(value) && value.some(Array.isArray) && flat(value).length !== features ? value : [value];
  const rows = list.map((sample, i) => {
    const r = flat(sample);
    if (r.some((v) => !Number.isFinite(v)))
      throw new Error(`${flag}: sample ${i} holds something that is not a number`);
    if (r.length !== features)
      throw new RangeError(`${flag}: sample ${i} has ${r.length} numbers; the model expects ${features}`);
    return r;
  });
  if (labels && (labels.length !== rows.length || labels.some((v) => !Number.isInteger(v))))
    throw new RangeError(`${flag}: "y" must hold one integer label per sample (${rows.length})`);
  return { rows, labels };
}

/** Samples from --input: inline JSON, a .json file, or a CSV file with or without a label column. */
export async function readSamples(input: string, features: number, flag = "--input"): Promise<Samples> {
  if (/\.json$/i.test(input) || !existsSync(input)) {
    const { rows, labels } = sampleRows(await jsonArg(flag, input), features, flag);
    const x = tensor(rows.length ? rows : [[]]).reshape([rows.length, features]);
    return { x, labels, source: existsSync(input) ? input : "the command line" };
  }
  const text = new TextDecoder().decode(await readBytes(input, flag));
  let table;
  try {
    table = parseCsv(text, { labelColumn: null }, input);
  } catch (e) {
    // a first line of names (like the iris file's "150,4,setosa,...") is a header: skip it
    if (!/: line 1: /.test((e as Error).message)) throw e;
    table = parseCsv(text, { labelColumn: null, headerLines: 1 }, input);
  }
  const cols = table.features.shape[1]!;
  if (cols === features) return { x: table.features, labels: null, source: input };
  if (cols === features + 1) {
    return {
      x: table.features.narrow(1, 0, features),
      labels: Array.from(table.features.select(1, features).dataSync()),
      source: input,
    };
  }
  throw new RangeError(
    `${flag}: ${input} has ${cols} columns; the model expects ${features} (or ${features + 1} with a label)`,
  );
}
