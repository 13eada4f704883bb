// CSV of numbers (any platform; the text is already in memory): optional header lines, one
// label column split off as integer classes (or floats), and errors that name the source and
// line. Blank lines are skipped; fields may be quoted.

import { checkOptions } from "../core/options.js";
import { creation } from "../api/functions.js";
import type { Tensor } from "../api/tensor.js";

/** How to read a numeric CSV. */
export interface CsvOptions {
  /** Lines to skip (and return) before the data; default 0. */
  headerLines?: number;
  /** Field separator; default ",". */
  delimiter?: string;
  /** Column holding the label (negative counts from the end), or null for none; default -1 (the last). */
  labelColumn?: number | null;
  /** dtype of the features; default float32. */
  dtype?: "float32" | "float64";
}

/** A parsed table: features [rows, cols], labels [rows] (int32 when every label is an integer). */
export interface CsvTable {
  /** The feature columns [rows, cols]. */
  features: Tensor;
  /** The label column [rows], or null when the table has none. */
  labels: Tensor | null;
  /** The skipped header lines, split into fields. */
  header: string[][];
}

function fieldsOf(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(cur);
      cur = "";
      i += delimiter.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses CSV text of numbers; `source` (a file name) and the 1-based line number appear in every error. */
export function parseCsv(text: string, opts: CsvOptions = {}, source = "<csv>"): CsvTable {
  checkOptions("parseCsv", opts, ["headerLines", "delimiter", "labelColumn", "dtype"]);
  const { headerLines = 0, delimiter = ",", labelColumn = -1, dtype = "float32" } = opts;
  const lines = text.split(/\r?\n/);
  const header = lines.slice(0, headerLines).map((l) => fieldsOf(l, delimiter));
  const values: number[] = [];
  const labels: number[] = [];
  let width = -1;
  let widthLine = 0;
  let label = 0;
  for (let ln = headerLines; ln < lines.length; ln++) {
    const line = lines[ln]!;
    if (line.trim() === "") continue;
    const fields = fieldsOf(line, delimiter);
    if (width < 0) {
      width = fields.length;
      widthLine = ln + 1;
      if (labelColumn !== null) {
        label = labelColumn < 0 ? width + labelColumn : labelColumn;
        if (label < 0 || label >= width) {
          throw new RangeError(
            `${source}: line ${ln + 1}: label column ${labelColumn} does not exist in ${width} fields`,
          );
        }
      }
    } else if (fields.length !== width) {
      throw new RangeError(
        `${source}: line ${ln + 1}: has ${fields.length} fields, expected ${width} (as on line ${widthLine})`,
      );
    }
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!.trim();
      const v = Number(f);
      if (f === "" || (Number.isNaN(v) && f.toLowerCase() !== "nan")) {
        throw new SyntaxError(`${source}: line ${ln + 1}: field ${k + 1} ${JSON.stringify(fields[k])} is not a number`);
      }
      if (labelColumn !== null && k === label) labels.push(v);
      else values.push(v);
    }
  }
  if (width < 0) throw new RangeError(`${source}: no data rows after ${headerLines} header line(s)`);
  const rows = labelColumn !== null ? labels.length : values.length / width;
  const cols = labelColumn !== null ? width - 1 : width;
  const features = creation.tensor(dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values), {
    shape: [rows, cols],
  });
  let labelTensor: Tensor | null = null;
  if (labelColumn !== null) {
    labelTensor = labels.every(Number.isInteger)
      ? creation.tensor(Int32Array.from(labels), { shape: [rows] })
      : creation.tensor(Float32Array.from(labels), { shape: [rows] });
  }
  return { features, labels: labelTensor, header };
}
