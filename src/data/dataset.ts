// Datasets: anything with a length and an indexed get (PyTorch's map-style Dataset). A dataset
// may also offer getBatch, which the DataLoader prefers to stacking items one by one.

import { creation, functions } from "../api/functions.js";
import { Tensor } from "../api/tensor.js";

/** A map-style dataset: `length` items, item i from `get(i)`. */
export interface Dataset<T> {
  /** The number of items. */
  readonly length: number;
  /** Item `index`, 0 ≤ index < length. */
  get(index: number): T;
  /** Optional fast path: the items at `indices`, already collated into a batch. */
  getBatch?(indices: Int32Array): T;
}

/** Rows of equally long tensors, indexed along their first dim (torch.utils.data.TensorDataset). */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors, which all share their first dimension. */
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new RangeError("TensorDataset: needs at least one tensor");
    const n = tensors[0]!.shape[0];
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new RangeError(
          `TensorDataset: all tensors need the same first dimension; tensor 0 has ${n} rows, tensor ${i} has shape [${t.shape.join(", ")}]`,
        );
      }
    });
    this.tensors = tensors;
  }

  /** The number of rows. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row `index` of every tensor. */
  get(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < -this.length || index >= this.length) {
      throw new RangeError(`TensorDataset: index ${index} is out of range for ${this.length} rows`);
    }
    const i = index < 0 ? index + this.length : index;
    return this.tensors.map((t) => t.select(0, i));
  }

  /** The rows at `indices` of every tensor, gathered in one op per tensor. */
  getBatch(indices: Int32Array): Tensor[] {
    const idx = creation.tensor(indices, { shape: [indices.length] });
    return this.tensors.map((t) => t.indexSelect(0, idx));
  }
}

/** A batch made from items: tensors are stacked, numbers become a tensor, arrays/objects are collated field by field. */
export function defaultCollate<T>(items: T[]): T {
  const first = items[0] as unknown;
  if (first instanceof Tensor) return functions.stack(items as Tensor[]) as T;
  if (typeof first === "number") return creation.tensor(items as number[]) as T;
  if (Array.isArray(first)) {
    return first.map((_, k) => defaultCollate(items.map((it) => (it as unknown[])[k]))) as T;
  }
  if (typeof first === "object" && first !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = defaultCollate(items.map((it) => (it as Record<string, unknown>)[key]));
    return out as T;
  }
  return items as T;
}
