// Indexing as PyTorch evaluates x[1:3, None, ..., idx]. The basic items (integers, slices, new
// axes, the ellipsis) are applied left to right with the view ops (select, slice, unsqueeze), so
// their result shares x's storage. Integer tensors and masks then index together (advanced
// indexing): they broadcast to one shape B, which replaces the indexed dims where they are
// adjacent and leads the result otherwise. That part is one gather over the indexed dims
// flattened into one, so it is a copy whose gradient scatters back, adding where indices repeat.

import { broadcastShapes, fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, lt, mul } from "./arithmetic.js";
import { defineComposite } from "./composite.js";
import { checkIndexRange, gather, indexAlong } from "./index-ops.js";
import { dimsUsed, type IndexItem, parseItems } from "./index-parse.js";
import { nonzero } from "./masked.js";
import { permute, reshape, select, slice, unsqueeze, view } from "./view.js";
import { where } from "./where.js";

/** An advanced index: the dim it indexes in the basic result, and x's dim it came from. */
interface Advanced {
  readonly dim: number;
  readonly srcDim: number;
  readonly index: Tensor;
  /** False for a mask's nonzero positions, which are in range by construction. */
  readonly check: boolean;
}

/** Applies the basic items as views; returns the view and the advanced indices left for it. */
function applyBasic(op: string, x: Tensor, items: readonly IndexItem[]): { base: Tensor; advanced: Advanced[] } {
  const parsed = parseItems(op, items);
  const specified = parsed.reduce((n, p) => n + dimsUsed(p), 0);
  if (specified > x.ndim) {
    throw new RangeError(
      `${op}: too many indices for a tensor of shape ${fmtShape(x.shape)}: ${specified} dims indexed, it has ${x.ndim}`,
    );
  }
  let t = x;
  // dim walks the result, srcDim the dims of x the items consume
  let dim = 0;
  let srcDim = 0;
  const advanced: Advanced[] = [];
  for (const p of parsed) {
    switch (p.kind) {
      case "int": {
        const size = t.shape[dim]!;
        if (p.index < -size || p.index >= size) {
          throw new RangeError(
            `${op}: index ${p.index} is out of range for dim ${srcDim} of size ${size} (input shape ${fmtShape(x.shape)})`,
          );
        }
        t = select(t, dim, p.index);
        srcDim++;
        break;
      }
      case "slice":
        t = slice(t, dim++, p.start, p.stop, p.step);
        srcDim++;
        break;
      case "newAxis":
        t = unsqueeze(t, dim);
        if (p.size === 0) t = slice(t, dim, 0, 0);
        dim++;
        break;
      case "ellipsis":
        dim += x.ndim - specified;
        srcDim += x.ndim - specified;
        break;
      case "tensor":
        advanced.push({ dim: dim++, srcDim: srcDim++, index: p.tensor, check: true });
        break;
      case "mask": {
        const k = p.mask.ndim;
        const covered = t.shape.slice(dim, dim + k);
        if (covered.length !== k || covered.some((s, i) => s !== p.mask.shape[i])) {
          throw new RangeError(
            `${op}: the mask's shape ${fmtShape(p.mask.shape)} does not match the shape ${fmtShape(covered)} ` +
              `of the dims it indexes (dims ${srcDim}..${srcDim + k - 1} of the input's shape ${fmtShape(x.shape)})`,
          );
        }
        // a mask over k dims is its k columns of nonzero positions
        nonzero(p.mask, { asTuple: true }).forEach((index) => {
          advanced.push({ dim: dim++, srcDim: srcDim++, index, check: false });
        });
        break;
      }
    }
  }
  return { base: t, advanced };
}

/** t indexed by the advanced indices: one gather over their dims flattened into one. */
function applyAdvanced(op: string, x: Tensor, t: Tensor, advanced: readonly Advanced[]): Tensor {
  for (const a of advanced) if (a.check) checkIndexRange(op, a.index, a.srcDim, x.shape);
  const b = broadcastShapes(
    () => `${op} (indices of shapes ${advanced.map((a) => fmtShape(a.index.shape)).join(", ")})`,
    ...advanced.map((a) => a.index.shape),
  );
  const dims = advanced.map((a) => a.dim);
  // the flat position over the indexed dims, negative indices counted from the end
  let flat: Tensor | undefined;
  for (const { dim, index } of advanced) {
    const size = t.shape[dim]!;
    const i = where(lt(index, 0), add(index, size), index);
    flat = flat === undefined ? i : add(mul(flat, size), i);
  }
  const positions = reshape(flat!, [flat!.numel()]);
  const n = positions.numel();
  const lead = dims.reduce((k, d) => k * t.shape[d]!, 1);
  const at = dims[0]!;
  if (dims.every((d, i) => d === at + i)) {
    // adjacent indexed dims keep their place: merge them (a view where the layout allows) and
    // gather along the merged dim, reading t in place
    const pre = t.shape.slice(0, at);
    const post = t.shape.slice(at + dims.length);
    const merged = reshape(t, [...pre, lead, ...post]);
    const picked = gather(merged, at, indexAlong(positions, at, [...pre, n, ...post]));
    return reshape(picked, [...pre, ...b, ...post]);
  }
  // split ones lead the result, as in NumPy and PyTorch
  const rest = t.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const restShape = rest.map((d) => t.shape[d]!);
  const source = reshape(permute(t, ...dims, ...rest), [lead, ...restShape]);
  const picked = gather(source, 0, indexAlong(positions, 0, [n, ...restShape]));
  return reshape(picked, [...b, ...restShape]);
}

/**
 * x[items] as PyTorch evaluates it: `x.index("1:3", null, "...", idx)` is x[1:3, None, ..., idx].
 * Integers, slices, null and "..." give a view sharing x's storage; integer tensors (or arrays)
 * and bool masks index together and give a copy. See IndexItem for every kind of item.
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  const { base, advanced } = applyBasic("index", x, items);
  if (advanced.length) return applyAdvanced("index", x, base, advanced);
  // x[...] and x[:] are new views of x, never x itself
  return base === x ? view(x, x.shape) : base;
}

/** A sample's items: the strings "x1", "x2", … stand for its tensor inputs. */
export function sampleItems(items: readonly IndexItem[], inputs: readonly Tensor[]): IndexItem[] {
  return items.map((it) => (typeof it === "string" && /^x\d+$/.test(it) ? inputs[Number(it.slice(1))]! : it));
}

/** The sample declarations of index. */
export const indexComposite = defineComposite<{ items: IndexItem[] }>({
  name: "index",
  call: (inputs, { items }) => index(inputs[0]!, ...sampleItems(items, inputs)),
  samples: [
    { inputs: [{ shape: [4, 5] }], attrs: { items: [1, "1:-1:2"] }, torch: "x0[1, 1:-1:2]" },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { items: [-1, null, "...", "::3"] },
      torch: "x0[-1, None, ..., ::3]",
      note: "a negative integer, a new axis and an ellipsis",
    },
    {
      inputs: [{ shape: [4, 2, 3] }, { shape: [2], domain: "index", values: [0, 2] }],
      attrs: { items: ["1:3", null, "...", "x1"] },
      torch: "x0[1:3, None, ..., x1.long()]",
    },
    {
      inputs: [
        { shape: [3, 4, 5] },
        { shape: [2, 1], domain: "index", values: [1, -1] },
        { shape: [3], domain: "index", values: [0, 4, 0] },
      ],
      attrs: { items: [":", "x1", "x2"] },
      torch: "x0[:, x1.long(), x2.long()]",
      note: "adjacent indices broadcast and stay in place; a repeated one gets both gradients",
    },
    {
      inputs: [
        { shape: [3, 4, 5] },
        { shape: [2], domain: "index", values: [2, 0] },
        { shape: [2], domain: "index", values: [1, 3] },
      ],
      attrs: { items: ["x1", "1:3", "x2"] },
      torch: "x0[x1.long(), 1:3, x2.long()]",
      note: "indices split by a slice lead the result",
    },
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 4], domain: "bool" }],
      attrs: { items: ["x1"] },
      torch: "x0[x1]",
    },
    {
      inputs: [{ shape: [2, 3, 4] }, { shape: [3], values: [1, 0, 1], domain: "bool" }],
      attrs: { items: [{ start: 1 }, "x1", [[3], [0]]] },
      torch: "x0[1:, x1, [[3], [0]]]",
      note: "a slice object, a mask over one dim and a nested array",
    },
    {
      inputs: [{ shape: [3, 2] }],
      attrs: { items: ["...", null, [0, -1, 0]] },
      torch: "x0[..., None, [0, -1, 0]]",
    },
  ],
});
