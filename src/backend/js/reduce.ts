// Row reductions of the reference backend over contiguous input: `inner` elements per row.

import type { TypedArray } from "../../core/dtype.js";
import type { ReduceOp } from "../kernels.js";

/** out[r] = op(x[off + r·inner .. off + (r+1)·inner]). */
export function reduceRows(op: ReduceOp, x: TypedArray, off: number, inner: number, out: TypedArray): void {
  const rows = out.length;
  for (let r = 0, base = off; r < rows; r++, base += inner) {
    const end = base + inner;
    switch (op) {
      case "sum": {
        let acc = 0;
        for (let i = base; i < end; i++) acc += x[i]!;
        out[r] = acc;
        break;
      }
      case "prod": {
        let acc = 1;
        for (let i = base; i < end; i++) acc *= x[i]!;
        out[r] = acc;
        break;
      }
      case "max":
      case "argmax": {
        // NaN wins, as in PyTorch: a NaN anywhere makes the max NaN and its index the argmax
        let best = -Infinity;
        let at = 0;
        for (let i = base; i < end; i++) {
          const v = x[i]!;
          if (v > best || v !== v) {
            best = v;
            at = i - base;
            if (v !== v) break;
          }
        }
        out[r] = op === "max" ? (inner === 0 ? NaN : best) : at;
        break;
      }
      case "min":
      case "argmin": {
        let best = Infinity;
        let at = 0;
        for (let i = base; i < end; i++) {
          const v = x[i]!;
          if (v < best || v !== v) {
            best = v;
            at = i - base;
            if (v !== v) break;
          }
        }
        out[r] = op === "min" ? (inner === 0 ? NaN : best) : at;
        break;
      }
    }
  }
}
