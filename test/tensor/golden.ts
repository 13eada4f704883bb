// Loads test/fixtures/tensor-golden.json (written by tools/gen_golden_tensor.py from PyTorch) and
// turns its encoded numbers back into JavaScript ones.

import { readFileSync } from "node:fs";
import type { DType } from "../../src/index.js";

/** One repr case: the data PyTorch printed and the text it printed. */
export interface FormatCase {
  name: string;
  data: (number | string)[];
  shape: number[];
  dtype: DType;
  op: "mul2" | null;
  str: string;
}

/** One row of the promotion table: operand kinds and dtypes, and the result dtypes. */
export interface PromotionRow {
  a: ["tensor" | "0d", DType];
  b: ["tensor" | "0d", DType] | ["scalar", "int" | "float" | "bool"];
  add: DType;
  div: DType;
}

/** The fixture, parsed. */
export const golden = JSON.parse(readFileSync(new URL("../fixtures/tensor-golden.json", import.meta.url), "utf8")) as {
  format: FormatCase[];
  promotion: PromotionRow[];
};

/** JSON carries NaN and infinities as strings. */
export function decode(v: number | string): number {
  if (typeof v === "number") return v;
  return v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
}
