// Walking strided views row by row: the outer dimensions are stepped with counters, the
// innermost run is handed to a tight loop with its own strides. No per-element callbacks.

import type { Shape } from "../../core/shape.js";
import type { View } from "../kernels.js";

/** A shape and the strides of several views over it, with mergeable dims folded together. */
export interface Walk {
  shape: number[];
  strides: number[][];
}

/** Merges adjacent dims that every view steps through as one, and drops size-1 dims. */
export function coalesce(shape: Shape, strides: ReadonlyArray<readonly number[]>): Walk {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, v) => outStrides[v]![last] === s[d]! * size);
    if (mergeable) {
      outShape[last]! *= size;
      strides.forEach((s, v) => (outStrides[v]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, v) => outStrides[v]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(offsets, n)` once per innermost run. `offsets[v]` is where view v's run starts;
 * the run's strides are `walk.strides[v][last]`. The offsets array is reused between calls.
 */
export function forEachRow(walk: Walk, start: readonly number[], row: (offsets: number[], n: number) => void): void {
  const { shape, strides } = walk;
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  if (shape.some((s) => s === 0)) return;
  const offsets = [...start];
  const counter = new Array<number>(nd).fill(0);
  const nv = offsets.length;
  for (;;) {
    row(offsets, inner);
    let d = nd - 2;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let v = 0; v < nv; v++) offsets[v]! += strides[v]![d]!;
      if (counter[d]! < shape[d]!) break;
      for (let v = 0; v < nv; v++) offsets[v]! -= strides[v]![d]! * shape[d]!;
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

/**
 * Calls row(offsets) for every row along the last dim of views of one shape: offsets[v] is
 * where view v's row starts; its elements are views[v].strides.at(-1) apart.
 */
export function forEachLastDimRow(views: readonly View[], row: (offsets: readonly number[]) => void): void {
  const shape = views[0]!.shape;
  if (shape.some((s) => s === 0)) return;
  const outer = shape.slice(0, -1);
  const walk = coalesce(
    outer,
    views.map((v) => v.strides.slice(0, -1)),
  );
  const steps = walk.strides.map((s) => s.at(-1)!);
  const at = views.map(() => 0);
  forEachRow(
    walk,
    views.map((v) => v.offset),
    (off, n) => {
      for (let i = 0; i < n; i++) {
        for (let v = 0; v < at.length; v++) at[v] = off[v]! + i * steps[v]!;
        row(at);
      }
    },
  );
}
