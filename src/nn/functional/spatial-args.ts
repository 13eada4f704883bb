// Arguments of the spatial functions (convolution, pooling, resampling): positive sizes, errors
// that name the function the user called, and the PyTorch spelling of a call for their samples.

import type { Tensor } from "../../api/tensor.js";
import { fmtShape } from "../../core/shape.js";
import type { TensorBase } from "../../tensor/tensor.js";
import type { ValuesIndices } from "../../tensor/values-indices.js";
import { expectRank } from "./args.js";

/** Throws unless every entry of `values` is at least `min` (1 for sizes and steps, 0 for padding). */
export function atLeast(op: string, name: string, values: readonly number[], min: number): void {
  if (values.some((v) => !(v >= min))) {
    const what = min === 1 ? "positive" : "non-negative";
    throw new RangeError(`${op}: ${name} must be ${what}, got ${fmtShape(values)}`);
  }
}

/** The input layout of a k-d spatial function, batched or not: "[N, C, H, W] or [C, H, W]". */
export function layoutOf(k: number, channel = "C"): string {
  const dims = [["L"], ["H", "W"], ["D", "H", "W"]][k - 1]!;
  return `[N, ${channel}, ${dims.join(", ")}] or [${channel}, ${dims.join(", ")}]`;
}

/** Checks that x is a k-d spatial input, batched ([N, C, …]) or not ([C, …]). */
export function expectSpatial(op: string, x: Tensor, k: number): void {
  expectRank(op, x, [k + 1, k + 2], layoutOf(k));
}

/**
 * Runs `fn`, giving a RangeError from an op below (which names that op) the name of the function
 * the user called instead.
 */
export function asCalledBy<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof RangeError) || e.message.startsWith(`${op}:`)) throw e;
    throw new RangeError(`${op}: ${e.message.replace(/^\w+: /, "")}`, { cause: e });
  }
}

/** A sample's inputs seen as the Tensor the functions take (every tensor is one: api/tensor.ts). */
export const asTensors = (xs: readonly TensorBase[]) => xs as readonly Tensor[];

/** The tensor of a result, or of a (values, indices) pair the one `part` names. */
export function partOf(r: Tensor | ValuesIndices<Tensor>, part: 0 | 1 = 0): Tensor {
  return Array.isArray(r) ? (r as ValuesIndices<Tensor>)[part] : (r as Tensor);
}

/** A Python expression written out as it is (not quoted as a string). */
export interface PyExpr {
  readonly py: string;
}

/** A value of a torch call: x0, x1 … name the sample's inputs; other strings are quoted. */
export type Py = number | boolean | string | null | undefined | PyExpr | readonly Py[];

/** A value as Python writes it: tuples for arrays, True/False, None, quoted strings. */
function pyValue(v: Py): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return /^x\d+$/.test(v) ? v : `'${v}'`;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : v > 0 ? "float('inf')" : "float('-inf')";
  if ("py" in v) return v.py;
  return v.length === 1 ? `(${pyValue(v[0])},)` : `(${v.map(pyValue).join(", ")})`;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A call of torch.nn.functional.`fn` in Python: positional arguments (x0, x1 … name sample inputs)
 * and keywords from an options object, camelCase turned to snake_case.
 */
export function torchCall(fn: string, args: readonly Py[], opts: object = {}): string {
  const kw = Object.entries(opts as Record<string, Py>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${snake(k)}=${pyValue(v)}`);
  return `torch.nn.functional.${fn}(${[...args.map(pyValue), ...kw].join(", ")})`;
}
