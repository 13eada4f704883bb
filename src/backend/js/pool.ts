// Max pooling in one pass: each window's taps are fixed offsets from its corner, so every window
// is a short loop over a precomputed list (the native kernel does the same in C++).

import type { TypedArray } from "../../core/dtype.js";
import { contiguousStrides, numelOf } from "../../core/shape.js";
import type { PoolGeometry, View } from "../kernels.js";
import { coalesce, forEachRow } from "./strided.js";

/** See Kernels.maxPool. */
export function maxPoolInto(x: View, g: PoolGeometry, values: TypedArray, positions: TypedArray): void {
  const xs = x.handle as TypedArray;
  const k = g.kernel.length;
  const lead = x.shape.length - k;
  const size = x.shape.slice(lead);
  const inner = x.strides.slice(lead);
  const plane = contiguousStrides(size);
  const counts = size.map((s, i) => Math.floor((s - g.dilation[i]! * (g.kernel[i]! - 1) - 1) / g.stride[i]!) + 1);
  // taps in row-major order, so the first maximum is the first in the window
  const taps = numelOf(g.kernel);
  const tapOffset = new Array<number>(taps).fill(0);
  const tapPlane = new Array<number>(taps).fill(0);
  for (let t = 0; t < taps; t++) {
    for (let rest = t, i = k - 1; i >= 0; i--) {
      const at = (rest % g.kernel[i]!) * g.dilation[i]!;
      rest = Math.floor(rest / g.kernel[i]!);
      tapOffset[t]! += at * inner[i]!;
      tapPlane[t]! += at * plane[i]!;
    }
  }
  // windows: x offset and plane position of each corner; the lead dims move the offset only
  const shape = [...x.shape.slice(0, lead), ...counts];
  const walk = coalesce(shape, [
    [...x.strides.slice(0, lead), ...inner.map((s, i) => s * g.stride[i]!)],
    [...new Array<number>(lead).fill(0), ...plane.map((p, i) => p * g.stride[i]!)],
    contiguousStrides(shape),
  ]);
  const [sx, sp, so] = walk.strides.map((s) => s.at(-1)!) as [number, number, number];
  forEachRow(walk, [x.offset, 0, 0], (off, n) => {
    let [o, p, w] = off as [number, number, number];
    for (let j = 0; j < n; j++, o += sx, p += sp, w += so) {
      let best = xs[o + tapOffset[0]!]!;
      let arg = tapPlane[0]!;
      for (let t = 1; t < taps && best === best; t++) {
        const c = xs[o + tapOffset[t]!]!;
        // a NaN wins and stays; ties keep the first
        if (c > best || c !== c) {
          best = c;
          arg = tapPlane[t]!;
        }
      }
      values[w] = best;
      positions[w] = p + arg;
    }
  });
}
