// The items of an index expression, as PyTorch users write them inside x[...], and their reading
// into one tagged form: integers, slices (Python's "start:stop:step" strings or {start, stop,
// step} objects), null for a new axis (None), "..." for the ellipsis, and integer or boolean
// tensors (or nested arrays of them) for advanced indexing.

import { fmtShape } from "../core/shape.js";
import { tensor } from "../tensor/create.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";

/** A slice as an object, Python's slice(start, stop, step); missing parts take their defaults. */
export interface SliceSpec {
  /** The first index (default 0; negative counts from the end). */
  readonly start?: number | null;
  /** The index to stop before (default: the end). */
  readonly stop?: number | null;
  /** The stride (default 1, positive). */
  readonly step?: number | null;
}

/** Nested arrays of integers (an integer index) or of booleans (a mask). */
export type NestedIndex = readonly (number | boolean | NestedIndex)[];

/**
 * One item of an index expression: an integer (negative counts from the end), a slice string
 * ("1:3", ":", "::2", "-2:", "1:-1:2") or {start, stop, step}, null for a new axis, "..." for the
 * ellipsis, an int32 or bool tensor, nested arrays of integers or booleans, or true/false (a new
 * axis of size 1 or 0, as Python's x[True]).
 */
export type IndexItem = number | boolean | string | null | SliceSpec | Tensor | NestedIndex;

/** An item after reading: what it does to the tensor. */
export type ParsedItem =
  | { readonly kind: "int"; readonly index: number }
  | { readonly kind: "slice"; readonly start: number; readonly stop: number | undefined; readonly step: number }
  | { readonly kind: "newAxis"; readonly size: 0 | 1 }
  | { readonly kind: "ellipsis" }
  | { readonly kind: "tensor"; readonly tensor: Tensor }
  | { readonly kind: "mask"; readonly mask: Tensor };

/** How many of the indexed tensor's dims an item consumes. */
export function dimsUsed(p: ParsedItem): number {
  switch (p.kind) {
    case "int":
    case "slice":
    case "tensor":
      return 1;
    case "mask":
      return p.mask.ndim;
    default:
      return 0;
  }
}

const SLICE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function sliceOf(op: string, start?: number | null, stop?: number | null, step?: number | null): ParsedItem {
  const parts = [start, stop, step];
  if (parts.some((v) => v !== undefined && v !== null && !Number.isInteger(v))) {
    throw new TypeError(`${op}: slice bounds and step must be integers, got ${parts.map(String).join(":")}`);
  }
  const s = step ?? 1;
  if (s === 0) throw new RangeError(`${op}: slice step cannot be zero`);
  if (s < 0)
    throw new RangeError(`${op}: slice step must be positive, got ${s} (PyTorch takes no negative steps; use flip)`);
  return { kind: "slice", start: start ?? 0, stop: stop ?? undefined, step: s };
}

function parseString(op: string, item: string): ParsedItem {
  if (item.trim() === "...") return { kind: "ellipsis" };
  const m = SLICE.exec(item);
  if (!m) {
    throw new TypeError(
      `${op}: '${item}' is not a slice or an ellipsis (write "start:stop:step" with any part left out, or "...")`,
    );
  }
  const int = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  return sliceOf(op, int(m[1]), int(m[2]), int(m[3]));
}

function parseTensor(op: string, t: Tensor): ParsedItem {
  if (t.dtype === "bool") {
    // a 0-d mask adds a dim, of size 1 where it is true and 0 where false (Python's x[True])
    return t.ndim === 0 ? { kind: "newAxis", size: t.item() ? 1 : 0 } : { kind: "mask", mask: t };
  }
  if (t.dtype !== "int32") {
    throw new TypeError(
      `${op}: tensors used as indices must be int32 or bool, got ${t.dtype} of shape ${fmtShape(t.shape)}`,
    );
  }
  return { kind: "tensor", tensor: t };
}

function parseArray(op: string, item: NestedIndex): ParsedItem {
  const flat = (item as unknown[]).flat(Infinity);
  if (flat.length && flat.every((v) => typeof v === "boolean")) return parseTensor(op, tensor(item as boolean[]));
  if (flat.some((v) => typeof v !== "number" || !Number.isInteger(v))) {
    throw new TypeError(`${op}: an array index must hold integers or booleans only, got ${JSON.stringify(item)}`);
  }
  return parseTensor(op, tensor(item as number[], { dtype: "int32" }));
}

const SLICE_KEYS = ["start", "stop", "step"];

function parseItem(op: string, item: IndexItem): ParsedItem {
  if (item === null) return { kind: "newAxis", size: 1 };
  if (typeof item === "boolean") return { kind: "newAxis", size: item ? 1 : 0 };
  if (typeof item === "number") {
    if (!Number.isInteger(item)) throw new TypeError(`${op}: an integer index must be an integer, got ${item}`);
    return { kind: "int", index: item };
  }
  if (typeof item === "string") return parseString(op, item);
  if (item instanceof TensorBase) return parseTensor(op, item);
  if (Array.isArray(item)) return parseArray(op, item as NestedIndex);
  if (typeof item === "object") {
    const unknown = Object.keys(item).filter((k) => !SLICE_KEYS.includes(k));
    if (unknown.length) {
      throw new TypeError(`${op}: a slice object takes start, stop and step; got the key '${unknown[0]}'`);
    }
    const s = item as SliceSpec;
    return sliceOf(op, s.start, s.stop, s.step);
  }
  throw new TypeError(`${op}: cannot index with ${String(item)} (${typeof item})`);
}

/** Reads the items of an index expression; at most one ellipsis. */
export function parseItems(op: string, items: readonly IndexItem[]): ParsedItem[] {
  const parsed = items.map((item) => parseItem(op, item));
  if (parsed.filter((p) => p.kind === "ellipsis").length > 1) {
    throw new RangeError(`${op}: an index can only have a single ellipsis ('...')`);
  }
  return parsed;
}
