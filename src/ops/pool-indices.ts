// Max pooling's indices and their inverse. maxPoolIndices finds where each window's first maximum
// is, as a flat position in the input's pooled plane (PyTorch's returnIndices); the values are then
// gathered there, so their gradient goes to those positions. maxUnpool writes values back to such
// positions in a zero plane, the last write winning, and its gradient reads them back (PyTorch's).

import { kernels } from "../backend/registry.js";
import { contiguousStrides, fmtShape, numelOf, sameShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { type ValuesIndices, valuesIndices } from "../tensor/values-indices.js";
import { defineOp } from "./define.js";
import { genericRule } from "./explain-rule.js";
import { gather } from "./index-ops.js";
import { paddedGeometry, type PaddedGeometry, type PoolNdOptions } from "./pool.js";
import type { Sample } from "./samples.js";
import { cloneRaw, viewOf, wrap, zerosRaw } from "./unrecorded.js";
import { reshape } from "./view.js";
import { padSpatial, type WindowGeometry, windowCounts } from "./windows.js";

/**
 * The position in the unpadded plane of each window's first maximum: the kernel's position in the
 * padded plane, moved by the padding. A window whose every tap is -inf picks its first tap, which
 * may be padding; PyTorch then names the window's first tap inside the input, and so does this.
 */
function unpaddedPositions(pos: ArrayLike<number>, g: WindowGeometry, pads: readonly [number, number][]): Int32Array {
  const k = g.kernel.length;
  const size = g.size.map((s, i) => s - pads[i]![0] - pads[i]![1]);
  const out = new Int32Array(pos.length);
  for (let j = 0; j < pos.length; j++) {
    let rest = pos[j]!;
    let flat = 0;
    let step = 1;
    for (let i = k - 1; i >= 0; i--) {
      let c = (rest % g.size[i]!) - pads[i]![0];
      rest = Math.floor(rest / g.size[i]!);
      if (c < 0) c += Math.ceil(-c / g.dilation[i]!) * g.dilation[i]!;
      flat += c * step;
      step *= size[i]!;
    }
    out[j] = flat;
  }
  return out;
}

/** The attributes of maxPoolIndices: the geometry over the padded input, and that padding. */
export type MaxPoolIndicesAttrs = PaddedGeometry;

/** The sample call of maxPoolIndices on an input of `shape`: PyTorch's returned indices. */
function indicesSample(shape: number[], kernel: number[], opts: PoolNdOptions, torch: string, values?: number[]) {
  return {
    inputs: [{ shape, values }],
    attrs: paddedGeometry(shape, kernel, opts),
    torch: `torch.nn.functional.${torch}[1]`,
  };
}

const noPadding = (k: number, stride: number[], ceilMode = false): PoolNdOptions => ({
  stride,
  padding: new Array<number>(k).fill(0),
  dilation: new Array<number>(k).fill(1),
  ceilMode,
});

/**
 * Where each window's first maximum is, as a flat position in x's (unpadded) pooled plane per
 * lead index: the int32 indices max pooling returns with returnIndices. No gradient.
 */
export const maxPoolIndicesOp = defineOp<MaxPoolIndicesAttrs>({
  name: "maxPoolIndices",
  forward: ([x], { geometry: g, pads }) => {
    const xp = padSpatial(x!, pads, -Infinity);
    const shape = [...x!.shape.slice(0, x!.ndim - g.kernel.length), ...windowCounts(g)];
    const values = zerosRaw(shape, x!.dtype);
    const positions = zerosRaw(shape, "int32");
    if (values.numel() > 0) kernels().maxPool(xp._view(), g, values.storage.handle, positions.storage.handle);
    const out = unpaddedPositions(positions.dataSync(), g, pads);
    for (const t of xp === x ? [values, positions] : [values, positions, xp]) t.dispose();
    return wrap(kernels().upload("int32", out), "int32", shape);
  },
  explain: genericRule("maxPoolIndices"),
  samples: [
    indicesSample([1, 2, 4, 4], [2, 2], noPadding(2, [2, 2]), "max_pool2d(x0, 2, return_indices=True)"),
    indicesSample(
      [2, 7],
      [3],
      { stride: [2], padding: [1], dilation: [1], ceilMode: true },
      "max_pool1d(x0, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)",
    ),
    indicesSample(
      [1, 5, 6],
      [2, 2],
      { stride: [1, 2], padding: [1, 1], dilation: [2, 1], ceilMode: false },
      "max_pool2d(x0, 2, stride=(1, 2), padding=1, dilation=(2, 1), return_indices=True)",
    ),
    indicesSample(
      [1, 1, 3, 4, 4],
      [2, 3, 2],
      noPadding(3, [1, 1, 2], true),
      "max_pool3d(x0, (2, 3, 2), stride=(1, 1, 2), ceil_mode=True, return_indices=True)",
    ),
    {
      ...indicesSample(
        [1, 2, 4],
        [2],
        noPadding(1, [1]),
        "max_pool1d(x0, 2, stride=1, return_indices=True)",
        [1, 1, 2, 2, -3, -3, 0.5, 0.5],
      ),
      note: "ties go to the first maximum",
    },
  ],
});

/** Max pooling that also returns where each maximum is (its flat position in x's pooled plane). */
export function maxPoolWithIndices(x: Tensor, kernel: readonly number[], opts: PoolNdOptions): ValuesIndices {
  const attrs = paddedGeometry(x.shape, kernel, opts);
  const indices = maxPoolIndicesOp([x], attrs);
  const k = kernel.length;
  const lead = x.shape.slice(0, -k);
  // the values are x at those positions: gathered, so the gradient goes to each first maximum
  const flat = gather(reshape(x, [...lead, numelOf(x.shape.slice(-k))]), -1, reshape(indices, [...lead, -1]));
  return valuesIndices(reshape(flat, indices.shape), indices);
}

/** The attributes of maxUnpool: the size of the output plane (its trailing dims; x's are as many). */
export interface MaxUnpoolAttrs {
  size: readonly number[];
}

/**
 * The flat positions of each row of `indices` [B, n] with every position but the last that writes
 * to it moved to `plane`, a spare slot past the plane; null when no position repeats.
 */
function lastWrites(
  indices: ArrayLike<number>,
  rows: number,
  n: number,
  plane: number,
  shape: string,
): Int32Array | null {
  let out: Int32Array | null = null;
  const seen = new Set<number>();
  for (let b = 0; b < rows; b++) {
    seen.clear();
    for (let j = n - 1; j >= 0; j--) {
      const at = indices[b * n + j]!;
      if (!(at >= 0 && at < plane)) {
        throw new RangeError(`maxUnpool: index ${at} is outside the output plane ${shape}`);
      }
      if (!seen.has(at)) {
        seen.add(at);
        continue;
      }
      out ??= Int32Array.from(indices);
      out[b * n + j] = plane;
    }
  }
  return out;
}

/** The max-unpooling primitive: x [...lead, ...S] and int32 indices of x's shape into the plane `size`. */
export const maxUnpoolOp = defineOp<MaxUnpoolAttrs>({
  name: "maxUnpool",
  forward: ([x, indices], { size }) => {
    const k = size.length;
    const lead = x!.shape.slice(0, x!.ndim - k);
    const [rows, n, plane] = [numelOf(lead), numelOf(x!.shape.slice(-k)), numelOf(size)];
    const moved = lastWrites(indices!.dataSync(), rows, n, plane, fmtShape(size));
    // repeated positions write to a spare column past the plane, which is cut off after
    const width = moved ? plane + 1 : plane;
    const out = zerosRaw([rows, width], x!.dtype);
    if (rows * n > 0) {
      const index = moved ? wrap(kernels().upload("int32", moved), "int32", [rows, n]) : indices!;
      const [idx, src] = [index, x!].map((t) => (t.isContiguous() ? t : cloneRaw(t))) as [Tensor, Tensor];
      const rowsOf = (t: Tensor) => ({ ...t._view(), shape: [rows, n], strides: [n, 1] });
      kernels().scatterAdd(out.storage.handle, [rows, width], 1, rowsOf(idx), rowsOf(src));
      // the copies and the uploaded index are this forward's own temporaries
      for (const t of new Set([index, idx, src])) if (t !== indices && t !== x) t.dispose();
    }
    if (!moved) return reshape(out, [...lead, ...size]);
    const plain = [...contiguousStrides(lead).map((s) => s * width), ...contiguousStrides(size)];
    const result = cloneRaw(viewOf(out, [...lead, ...size], plain, 0));
    out.dispose();
    return result;
  },
  save: { inputs: [1] },
  // PyTorch's rule: every input reads the gradient at its position, repeated positions included
  backward: (grad, { inputs: [, indices], attrs: { size } }) => {
    const lead = indices!.shape.slice(0, indices!.ndim - size.length);
    const flat = gather(reshape(grad, [...lead, numelOf(size)]), -1, reshape(indices!, [...lead, -1]));
    return [reshape(flat, indices!.shape), null];
  },
  explain: genericRule("maxUnpool"),
  samples: [
    unpoolSample([1, 2, 2, 2], [4, 4], [0, 3, 9, 14, 5, 2, 12, 11], "2"),
    unpoolSample([2, 3], [6], [0, 2, 5, 1, 3, 4], "3, stride=2, padding=1, output_size=(6,)"),
    unpoolSample([1, 1, 2, 1, 2], [3, 2, 3], [17, 2, 9, 0], "(2, 2, 2), output_size=(3, 2, 3)"),
    {
      ...unpoolSample([1, 1, 4], [8], [1, 1, 3, 1], "2", false),
      note: "a repeated position keeps the last value written there",
    },
  ],
});

/** A sample of maxUnpool: values of `shape`, indices with the given values, and PyTorch's call. */
function unpoolSample(
  shape: number[],
  size: number[],
  indices: number[],
  args: string,
  grad = true,
): Sample<MaxUnpoolAttrs> {
  return {
    inputs: [
      { shape, grad },
      { shape, dtype: "int32", values: indices },
    ],
    attrs: { size },
    torch: `torch.nn.functional.max_unpool${size.length}d(x0, x1, ${args})`,
  };
}

/** Writes x [...lead, ...S] into zero planes of `size` at the int32 `indices` (x's shape): max pooling's inverse. */
export function maxUnpool(x: Tensor, indices: Tensor, size: readonly number[]): Tensor {
  if (indices.dtype !== "int32") throw new TypeError(`maxUnpool: indices must be int32, got ${indices.dtype}`);
  if (!sameShape(x.shape, indices.shape)) {
    throw new RangeError(
      `maxUnpool: indices of shape ${fmtShape(indices.shape)} must have the input's shape ${fmtShape(x.shape)}`,
    );
  }
  return maxUnpoolOp([x, indices], { size: [...size] });
}
