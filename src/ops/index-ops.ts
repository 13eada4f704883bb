// Indexing and joining: gather/scatterAdd (each the other's gradient), cat and pad (whose
// gradients are slices), and the composites built on them.

import { kernels } from "../backend/registry.js";
import { broadcastShapes, fmtShape, normDim, sameShape } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { expand, reduceRaw } from "./broadcast.js";
import { callRule } from "./explain-rule.js";
import { defineOp } from "./define.js";
import { castRaw, cloneRaw, fullRaw, type Operand, resultType, viewOf, zerosRaw } from "./unrecorded.js";
import { narrow, newDim, reshape, slice, to, unsqueeze } from "./view.js";
import { where } from "./where.js";

/** Checks an index operand of gather/scatter along dim against the input (and src, same shape). */
export function checkIndex(op: string, x: Tensor, dim: number, index: Tensor, other?: Tensor): void {
  if (index.dtype !== "int32") throw new TypeError(`${op}: index must be an int32 tensor, got ${index.dtype}`);
  if (index.ndim !== x.ndim) {
    throw new RangeError(
      `${op}: index ${fmtShape(index.shape)} must have as many dims as the input ${fmtShape(x.shape)}`,
    );
  }
  index.shape.forEach((s, d) => {
    if (d !== dim && s > x.shape[d]!) {
      throw new RangeError(
        `${op}: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} at dim ${d}`,
      );
    }
    if (other && s !== other.shape[d]) {
      throw new RangeError(
        `${op}: index ${fmtShape(index.shape)} and src ${fmtShape(other.shape)} must have the same shape`,
      );
    }
  });
}

/** Runs an indexing kernel; its out-of-range error is re-raised naming the op and both shapes. */
export function withShapes(op: string, x: Tensor, index: Tensor, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const detail = e.message.replace(/^\w+: /, "");
    throw new RangeError(`${op}: ${detail} (input shape ${fmtShape(x.shape)}, index shape ${fmtShape(index.shape)})`, {
      cause: e,
    });
  }
}

/** The gather primitive: x's elements at the positions `index` names along dim. */
export const gatherOp = defineOp<{ dim: number }>({
  name: "gather",
  forward: ([x, index], { dim }) => {
    checkIndex("gather", x!, dim, index!);
    const out = zerosRaw(index!.shape, x!.dtype);
    if (out.numel())
      withShapes("gather", x!, index!, () => kernels().gather(x!._view(), dim, index!._view(), out.storage.handle));
    return out;
  },
  save: { inputs: [0, 1] },
  // gather's gradient scatters back, adding where an index repeats (the copy gate again)
  backward: (g, { inputs: [x, index], attrs: { dim } }) => [
    scatterAdd(fullRaw(x!.shape, 0, g.dtype), dim, index!, g),
    null,
  ],
  explain: callRule(
    "gather",
    2,
    "the gradient goes back to the gathered positions (added where picked twice)",
    "\\frac{\\partial L}{\\partial x} = \\operatorname{scatterAdd}(G)",
    "route",
  ),
  samples: [
    {
      inputs: [{ shape: [2, 4] }, { shape: [2, 3], domain: "index", bound: 4 }],
      attrs: { dim: 1 },
      torch: "torch.gather(x0, 1, x1.long())",
    },
    {
      inputs: [{ shape: [3, 3] }, { shape: [2, 2], domain: "index", bound: 3 }],
      attrs: { dim: 0 },
      torch: "torch.gather(x0, -2, x1.long())",
      note: "an index smaller than the input in the other dims",
    },
  ],
});

/** out[i][j] = x[i][index[i][j]] for dim 1 (torch.gather). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  return gatherOp([x, index], { dim: normDim("gather", dim, x.shape) });
}

/** The scatter-add primitive: a copy of x with src added at the positions `index` names along dim. */
export const scatterAddOp = defineOp<{ dim: number }>({
  name: "scatterAdd",
  forward: ([x, index, src], { dim }) => {
    checkIndex("scatterAdd", x!, dim, index!, src!);
    const dt = resultType([x!, src!]);
    const out = cloneRaw(castRaw(x!, dt));
    if (index!.numel()) {
      const srcView = castRaw(src!, dt)._view();
      withShapes("scatterAdd", x!, index!, () =>
        kernels().scatterAdd(out.storage.handle, out.shape, dim, index!._view(), srcView),
      );
    }
    return out;
  },
  save: { inputs: [1] },
  backward: (g, { inputs: [, index], attrs: { dim } }) => [g, null, gather(g, dim, index!)],
  explain: callRule(
    "scatterAdd",
    3,
    "the target gets the upstream gradient; the source gathers it from the scattered positions",
    "\\frac{\\partial L}{\\partial x} = G,\\; \\frac{\\partial L}{\\partial s} = \\operatorname{gather}(G)",
    "route",
  ),
  samples: [
    {
      inputs: [{ shape: [2, 4] }, { shape: [2, 3], domain: "index", bound: 4 }, { shape: [2, 3] }],
      attrs: { dim: 1 },
      torch: "torch.scatter_add(x0, 1, x1.long(), x2)",
    },
    {
      inputs: [{ shape: [3, 2] }, { shape: [2, 2], domain: "index", bound: 3 }, { shape: [2, 2] }],
      attrs: { dim: 0 },
      torch: "torch.scatter_add(x0, -2, x1.long(), x2)",
    },
  ],
});

/** A copy of x with src added at the positions index names along dim (torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterAddOp([x, index, src], { dim: normDim("scatterAdd", dim, x.shape) });
}

/** Throws when an int32 index tensor holds a value outside -size..size-1 for `dim` of `shape`. */
export function checkIndexRange(op: string, index: Tensor, dim: number, shape: readonly number[]): void {
  if (!index.numel()) return;
  const size = shape[dim < 0 ? dim + shape.length : dim]!;
  // NOTE: unrecorded reductions: a bounds check is not a step of the computation observers see
  const all = index.shape.map((_, i) => i);
  const [lo, hi] = [
    reduceRaw("min", index, all, false, "int32").item(),
    reduceRaw("max", index, all, false, "int32").item(),
  ];
  const bad = lo < -size ? lo : hi >= size ? hi : undefined;
  if (bad !== undefined) {
    throw new RangeError(
      `${op}: index ${bad} is out of range for dim ${dim} of size ${size} (input shape ${fmtShape(shape)})`,
    );
  }
}

/** The entries of `index` (1-D int32) along `dim`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim("indexSelect", dim, x.shape);
  if (index.ndim > 1) throw new RangeError(`indexSelect: index must be 1-D, got shape ${fmtShape(index.shape)}`);
  if (index.dtype !== "int32") throw new TypeError(`indexSelect: index must be an int32 tensor, got ${index.dtype}`);
  checkIndexRange("indexSelect", index, dim, x.shape);
  const outShape = x.shape.map((s, i) => (i === d ? index.numel() : s));
  return gather(x, d, indexAlong(index, d, outShape));
}

/** A 1-D index laid along `dim` and expanded to `shape` (whose dim `dim` is its length): gather's form of it. */
export function indexAlong(index: Tensor, dim: number, shape: readonly number[]): Tensor {
  const along = shape.map((s, i) => (i === dim ? s : 1));
  return expand(reshape(index, along), shape);
}

/** x with `value` where mask is true; the result keeps x's dtype (2.7 fills an int tensor with 2). */
export function maskedFill(x: Tensor, mask: Tensor, value: Operand): Tensor {
  if (mask.dtype !== "bool") throw new TypeError(`maskedFill: mask must be a bool tensor, got ${mask.dtype}`);
  const shape = broadcastShapes("maskedFill", mask.shape, x.shape);
  if (!sameShape(shape, x.shape)) {
    throw new RangeError(
      `maskedFill: mask of shape ${fmtShape(mask.shape)} does not broadcast to the input's shape ${fmtShape(x.shape)}`,
    );
  }
  const v = value instanceof TensorBase ? to(value, x.dtype) : fullRaw([], Number(value), x.dtype);
  return where(mask, v, x);
}

/** The concatenation primitive: tensors joined along an existing dim. */
export const catOp = defineOp<{ dim: number; sizes: number[] }>({
  name: "cat",
  forward: (xs, { dim }) => {
    const first = xs[0]!;
    const dt = resultType(xs);
    xs.forEach((t, k) => {
      if (t.ndim !== first.ndim || t.shape.some((s, d) => d !== dim && s !== first.shape[d])) {
        throw new RangeError(
          `cat: tensor ${k} has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} except in dim ${dim}`,
        );
      }
    });
    const shape = [...first.shape];
    shape[dim] = xs.reduce((n, t) => n + t.shape[dim]!, 0);
    const out = zerosRaw(shape, dt);
    let at = 0;
    for (const t of xs) {
      const part = viewOf(out, t.shape, out.strides, at * out.strides[dim]!);
      if (t.numel()) kernels().copy(t._view(), part._view());
      at += t.shape[dim]!;
    }
    return out;
  },
  // cat's gradient is the matching slice for each input
  backward: (g, { attrs: { dim, sizes } }) => {
    let at = 0;
    return sizes.map((s) => slice(g, dim, at, (at += s)));
  },
  explain: {
    text: (a) => `cat(${a.join(", ")})`,
    tex: (a) => `[${a.join(", ")}]`,
    rule: "each input gets its own slice of the upstream gradient",
    ruleTex: "\\frac{\\partial L}{\\partial x_k} = G[\\text{slice}_k]",
    gate: "reshape",
  },
  samples: [
    {
      inputs: [{ shape: [2, 3] }, { shape: [1, 3] }],
      attrs: { dim: 0, sizes: [2, 1] },
      torch: "torch.cat([x0, x1], 0)",
    },
    {
      inputs: [{ shape: [2, 1] }, { shape: [2, 3] }, { shape: [2, 2] }],
      attrs: { dim: 1, sizes: [1, 3, 2] },
      torch: "torch.cat([x0, x1, x2], -1)",
    },
  ],
});

/** Concatenates tensors along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!tensors.length) throw new RangeError("cat: expects a non-empty list of tensors");
  const d = normDim("cat", dim, tensors[0]!.shape);
  return catOp([...tensors], { dim: d, sizes: tensors.map((t) => t.shape[d] ?? 0) });
}

/** Stacks tensors of equal shape along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!tensors.length) throw new RangeError("stack: expects a non-empty list of tensors");
  const first = tensors[0]!;
  tensors.forEach((t, k) => {
    if (t.shape.length !== first.ndim || t.shape.some((s, i) => s !== first.shape[i])) {
      throw new RangeError(`stack: tensor ${k} has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)}`);
    }
  });
  const d = newDim("stack", dim, first.shape);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Splits into pieces of `size` (the last may be smaller) or of the listed sizes, along `dim`. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim("split", dim, x.shape);
  const n = x.shape[d]!;
  const sizesList = typeof size === "number" ? piecesOf(n, size) : [...size];
  if (sizesList.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError(
      `split: sizes ${fmtShape(sizesList)} do not add up to ${n}, the size of dim ${dim} of shape ${fmtShape(x.shape)}`,
    );
  }
  let at = 0;
  return sizesList.map((s) => narrow(x, d, (at += s) - s, s));
}

function piecesOf(n: number, size: number): number[] {
  if (!(size > 0)) throw new RangeError(`split: size must be positive, got ${size}`);
  const out: number[] = [];
  for (let at = 0; at < n; at += size) out.push(Math.min(size, n - at));
  return out.length ? out : [0];
}

/** Splits into `chunks` nearly equal pieces along `dim` (torch.chunk). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks < 1) {
    throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks} (input shape ${fmtShape(x.shape)})`);
  }
  const d = normDim("chunk", dim, x.shape);
  return split(x, Math.ceil(x.shape[d]! / chunks), d);
}

/** The constant-padding primitive; `pads` holds (before, after) per dim, first dim first. */
export const padOp = defineOp<{ pads: number[]; value: number }>({
  name: "constantPad",
  forward: ([x], { pads, value }) => {
    const shape = x!.shape.map((s, d) => s + pads[2 * d]! + pads[2 * d + 1]!);
    const out = fullRaw(shape, value, x!.dtype);
    const offset = x!.shape.reduce((o, _, d) => o + pads[2 * d]! * out.strides[d]!, 0);
    if (x!.numel()) kernels().copy(x!._view(), viewOf(out, x!.shape, out.strides, offset)._view());
    return out;
  },
  backward: (g, { attrs: { pads } }) => {
    let r = g;
    g.shape.forEach((s, d) => (r = slice(r, d, pads[2 * d]!, s - pads[2 * d + 1]!)));
    return [r];
  },
  explain: callRule(
    "pad",
    1,
    "the gradient is cropped back to the unpadded region",
    "\\frac{\\partial L}{\\partial x} = G[\\text{crop}]",
    "reshape",
  ),
  samples: [
    {
      inputs: [{ shape: [2, 3] }],
      attrs: { pads: [0, 0, 1, 2], value: 0 },
      torch: "torch.nn.functional.pad(x0, [1, 2])",
    },
    {
      inputs: [{ shape: [2, 3] }],
      attrs: { pads: [0, 2, 1, 0], value: 0.5 },
      torch: "torch.nn.functional.pad(x0, [1, 0, 0, 2], value=0.5)",
    },
  ],
});

/**
 * Pads with a constant. `pads` lists (before, after) pairs starting from the LAST dim, as in
 * torch.nn.functional.pad: [left, right, top, bottom, …].
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  if (pads.length % 2 || pads.length / 2 > x.ndim) {
    throw new RangeError(`pad: needs pairs for at most ${x.ndim} dims, got ${pads.length} values`);
  }
  if (pads.some((p) => !Number.isInteger(p) || p < 0))
    throw new RangeError(`pad: pads must be non-negative integers, got ${fmtShape(pads)}`);
  const perDim = new Array<number>(2 * x.ndim).fill(0);
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.ndim - 1 - k;
    perDim[2 * d] = pads[2 * k]!;
    perDim[2 * d + 1] = pads[2 * k + 1]!;
  }
  return padOp([x], { pads: perDim, value });
}
