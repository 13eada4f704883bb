// Assignment through an index expression, PyTorch's x[items] = value and x[items] += value
// (index_put with accumulate). The elements the items pick are found by indexing x's own flat
// positions with the same items, so every kind of item works alike; the value then goes there
// with scatter (or scatterAdd), whose gradients route it back. indexPut_ writes the result into
// x through the in-place machinery: version bump, and x takes over the result's graph node.

import { checkOptions } from "../core/options.js";
import { fmtShape } from "../core/shape.js";
import { arange } from "../tensor/create.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { expand } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { scatterAdd } from "./index-ops.js";
import { type IndexItem } from "./index-parse.js";
import { index, sampleItems } from "./indexing.js";
import { inplace } from "./inplace.js";
import { scatter } from "./scatter.js";
import { fullRaw } from "./unrecorded.js";
import { reshape, to } from "./view.js";

/** Options of indexPut and indexPut_. */
export interface IndexPutOptions {
  /** Add value where the items point instead of overwriting (repeated positions add up). */
  accumulate?: boolean;
}

/** value as x[items]'s elements: x's dtype, leading size-1 dims dropped, broadcast to `shape`. */
function valueFor(op: string, x: Tensor, value: Tensor | number, shape: readonly number[]): Tensor {
  if (!(value instanceof TensorBase)) return expand(fullRaw([], value, x.dtype), shape);
  let v = value;
  while (v.ndim > shape.length && v.shape[0] === 1) v = reshape(v, v.shape.slice(1));
  const fits = v.ndim <= shape.length && v.shape.every((s, i) => s === 1 || s === shape[shape.length - v.ndim + i]);
  if (!fits) {
    throw new RangeError(
      `${op}: value of shape ${fmtShape(value.shape)} cannot be broadcast to the indexed shape ${fmtShape(shape)}`,
    );
  }
  return expand(to(v, x.dtype), shape);
}

/**
 * A copy of x with value written at x[items] (any items `index` takes), or added there with
 * accumulate: `indexPut(x, [mask], 0)` is PyTorch's x[mask] = 0. Where items repeat a position
 * without accumulate, the last write wins (PyTorch leaves it undefined).
 */
export function indexPut(
  x: Tensor,
  items: readonly IndexItem[],
  value: Tensor | number,
  opts: IndexPutOptions = {},
): Tensor {
  checkOptions("indexPut", opts, ["accumulate"]);
  return put("indexPut", x, items, value, opts.accumulate ?? false);
}

function put(op: string, x: Tensor, items: readonly IndexItem[], value: Tensor | number, accumulate: boolean): Tensor {
  if (!Array.isArray(items)) throw new TypeError(`${op}: items must be an array of index items, got ${typeof items}`);
  const n = x.numel();
  const positions = index(reshape(arange(0, n, 1, { dtype: "int32" }), x.shape), ...items);
  const at = reshape(positions, [positions.numel()]);
  const v = reshape(valueFor(op, x, value, positions.shape), [positions.numel()]);
  const flat = reshape(x, [n]);
  return reshape(accumulate ? scatterAdd(flat, 0, at, v) : scatter(flat, 0, at, v), x.shape);
}

/** x[items] = value in place (x[items] += value with accumulate), recorded like every in-place op. */
export function indexPut_(
  x: Tensor,
  items: readonly IndexItem[],
  value: Tensor | number,
  opts: IndexPutOptions = {},
): Tensor {
  checkOptions("indexPut_", opts, ["accumulate"]);
  return inplace(x, "indexPut_", (current) => put("indexPut_", current, items, value, opts.accumulate ?? false));
}

/** The sample declarations of indexPut. */
export const indexPutComposite = defineComposite<{ items: IndexItem[]; value?: number; accumulate?: boolean }>({
  name: "indexPut",
  call: ([x, ...rest], { items, value, accumulate }) =>
    indexPut(x!, sampleItems(items, [x!, ...rest]), value ?? rest.at(-1)!, { accumulate }),
  samples: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 4], domain: "bool" }],
      attrs: { items: ["x1"], value: 0.5 },
      torch: "x0.masked_fill(x1, 0.5)",
      note: "x[mask] = 0.5",
    },
    {
      inputs: [{ shape: [4, 3] }, { shape: [2], domain: "index", values: [2, 0] }, { shape: [2, 2] }],
      attrs: { items: ["1:3", "x1"] },
      torch: "torch.index_put(x0, (torch.arange(1, 3)[:, None], x1.long()), x2)",
      note: "x[1:3, idx] = t",
    },
    {
      inputs: [{ shape: [4, 3] }, { shape: [3], domain: "index", values: [1, 3, 1] }, { shape: [3] }],
      attrs: { items: ["x1"], accumulate: true },
      torch: "torch.index_put(x0, (x1.long(),), x2, accumulate=True)",
      note: "x[idx] += t with a repeated index adds both",
    },
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 4], domain: "bool" }, { shape: [] }],
      attrs: { items: ["x1"] },
      torch: "x0.masked_fill(x1, x2)",
      note: "x[mask] = t for a 0-d t, which gets the gradient of every element it filled",
    },
    {
      inputs: [{ shape: [2, 3, 4] }, { shape: [2] }],
      attrs: { items: [-1, "...", "::2"] },
      torch: "torch.select_scatter(x0, torch.slice_scatter(x0[-1], x1.expand(3, 2), 1, 0, None, 2), 0, -1)",
      note: "basic items only: x[-1, ..., ::2] = t",
    },
  ],
  options: {
    keys: ["accumulate"],
    call: ([x, mask], o) => indexPut(x!, [mask!], 0, o),
  },
});
