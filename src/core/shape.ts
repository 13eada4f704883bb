// Pure shape arithmetic: broadcasting, strides, dimension normalisation. No tensors here.

/** Shapes are plain arrays of non-negative integers. */
export type Shape = readonly number[];

/** Number of elements of a shape. */
export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/** True when `strides` walk `shape` in row-major order without gaps. */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** Formats a shape for error messages, e.g. `[2, 3]`. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Equality of shapes. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of several shapes; throws naming the op (or a context built on failure) and the shapes. */
export function broadcastShapes(op: string | (() => string), ...shapes: Shape[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = s[s.length - 1 - i]!;
      const j = nd - 1 - i;
      if (d === out[j]) continue;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1) {
        throw new RangeError(
          `${typeof op === "string" ? op : op()}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together ` +
            `(dimension ${j - nd} is ${out[j]} in one and ${d} in another; sizes must match or be 1)`,
        );
      }
    }
  }
  return out;
}

/**
 * Resolves a possibly negative dim against `ndim` (or a shape, which the error then names); throws
 * with the op name when out of range.
 */
export function normDim(op: string, dim: number, ndimOrShape: number | Shape): number {
  const ndim = typeof ndimOrShape === "number" ? ndimOrShape : ndimOrShape.length;
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    const what = typeof ndimOrShape === "number" ? `a ${ndim}-d tensor` : `a tensor of shape ${fmtShape(ndimOrShape)}`;
    throw new RangeError(`${op}: dimension ${dim} is out of range for ${what} (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Resolves `dim` (number, list, or undefined for all) into sorted unique dims. */
export function normDims(
  op: string,
  dim: number | readonly number[] | undefined,
  ndimOrShape: number | Shape,
): number[] {
  const ndim = typeof ndimOrShape === "number" ? ndimOrShape : ndimOrShape.length;
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : dim;
  const out = [...new Set(list.map((d) => normDim(op, d, ndimOrShape)))];
  if (out.length !== list.length) throw new RangeError(`${op}: dimension list ${fmtShape(list)} repeats a dimension`);
  return out.sort((a, b) => a - b);
}

/**
 * Strides that view a tensor of (`shape`, `strides`) as `newShape` without copying, or null
 * when the memory layout does not allow it (PyTorch's computeStride).
 */
export function viewStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  const numel = numelOf(shape);
  if (numel === 0 || isContiguous(shape, strides)) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** Resolves a single -1 in a requested shape against `numel` (the input's shape, when given, is named in errors). */
export function inferShape(op: string, shape: Shape, numel: number, from?: Shape): number[] {
  // the message's wording is built only when one is thrown: reshape runs this on every call
  const input = () => (from ? `input of shape ${fmtShape(from)} (size ${numel})` : `input of size ${numel}`);
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (out.some((s, i) => (s < 0 && i !== neg) || !Number.isInteger(s)) || out.lastIndexOf(-1) !== neg) {
    throw new RangeError(
      `${op}: invalid shape ${fmtShape(shape)} (sizes must be non-negative integers, at most one -1)`,
    );
  }
  if (neg >= 0) {
    const rest = numelOf(out.filter((_, i) => i !== neg));
    if (rest === 0 || numel % rest !== 0) {
      throw new RangeError(`${op}: shape ${fmtShape(shape)} is invalid for ${input()}`);
    }
    out[neg] = numel / rest;
  }
  if (numelOf(out) !== numel) throw new RangeError(`${op}: shape ${fmtShape(shape)} is invalid for ${input()}`);
  return out;
}
