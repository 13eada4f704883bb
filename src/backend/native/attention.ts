// The native backend's fused attention kernels: ten views share the one descriptor, so views
// with more dims than fit there (and calls whose operands are all tiny typed arrays) run on the
// reference kernels, over typed copies written back.

import { allocArray, type TypedArray } from "../../core/dtype.js";
import { numelOf } from "../../core/shape.js";
import type { AttentionBackwardViews, AttentionViews, Handle, Kernels, View } from "../kernels.js";
import { referenceKernels } from "../js/reference.js";
import type { NativeAddon, NativeBuffer } from "./addon.js";

/** Attention's views have at most this many dims in the addon (ten of them share the descriptor). */
const MAX_DIMS = 12;

/** What the attention kernels need of the native backend: its descriptor writer and its copies. */
export interface NativeAccess {
  /** Starts a new descriptor. */
  reset(): void;
  /** Appends a view's geometry to the descriptor and returns its buffer. */
  put(v: View): NativeBuffer;
  /** A view of a typed copy of v's buffer. */
  typed(v: View): View;
  /** Writes data over the buffer behind h. */
  writeBack(h: Handle, data: TypedArray): void;
  /** True for a tiny tensor's typed array. */
  tiny(h: Handle): boolean;
}

/** attention and attentionBackward of the native backend, on `addon`. */
export function nativeAttention(
  addon: NativeAddon,
  io: NativeAccess,
): Pick<Kernels, "attention" | "attentionBackward"> {
  const onReference = (views: (View | null)[]) =>
    views.every((v) => !v || io.tiny(v.handle)) || views.some((v) => v && v.shape.length > MAX_DIMS);
  /** The reference kernel over typed copies of the inputs and fresh outputs, written back after. */
  function viaReference<A extends AttentionViews>(a: A, outs: (keyof A & string)[], run: (copy: A) => void): void {
    const copy = { ...a } as Record<string, unknown>;
    for (const [key, value] of Object.entries(a) as [keyof A & string, unknown][]) {
      if (value && typeof value === "object" && "handle" in value) {
        const v = value as View;
        copy[key] = outs.includes(key) ? { ...v, handle: allocArray(v.dtype, numelOf(v.shape)) } : io.typed(v);
      }
    }
    run(copy as A);
    for (const key of outs) io.writeBack((a[key] as View).handle, (copy[key] as View).handle as TypedArray);
  }
  return {
    attention(a) {
      const { q, k, v, mask, out, lse } = a;
      if (onReference([q, k, v, mask, out, lse]))
        return viaReference(a, ["out", "lse"], (c) => referenceKernels.attention(c));
      io.reset();
      const h = [io.put(q), io.put(k), io.put(v), mask ? io.put(mask) : null] as const;
      addon.attention(...h, io.put(out), io.put(lse), a.scale, a.causal ? 1 : 0);
    },
    attentionBackward(a: AttentionBackwardViews) {
      const { q, k, v, mask, out, lse, gOut, gq, gk, gv } = a;
      if (onReference([q, k, v, mask, out, lse, gOut, gq, gk, gv]))
        return viaReference(a, ["gq", "gk", "gv"], (c) => referenceKernels.attentionBackward(c));
      io.reset();
      const h = [io.put(q), io.put(k), io.put(v), mask ? io.put(mask) : null, io.put(out), io.put(lse)] as const;
      addon.attentionBackward(...h, io.put(gOut), io.put(gq), io.put(gk), io.put(gv), a.scale, a.causal ? 1 : 0);
    },
  };
}
