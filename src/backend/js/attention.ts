// Fused scaled dot-product attention in the reference backend: softmax(q·kᵀ·scale + mask)·v one
// query row at a time, keeping only each row's logsumexp for the backward, which recomputes the
// probabilities from it. Sums run in double; a row whose every key is masked gives NaN, as the
// composed softmax does (e^(−∞ + ∞)), and a row with no keys at all gives zeros.

import type { TypedArray } from "../../core/dtype.js";
import type { AttentionBackwardViews, AttentionViews, View } from "../kernels.js";

const arr = (v: View) => v.handle as TypedArray;

/** Calls body with each view's offset for every index of the batch dims (all but the last two). */
function forEachBatch(views: readonly View[], body: (offsets: number[]) => void): void {
  const batch = views[0]!.shape.slice(0, -2);
  const count = batch.reduce((a, b) => a * b, 1);
  for (let b = 0; b < count; b++) {
    const offsets = views.map((v) => v.offset);
    for (let d = batch.length - 1, rest = b; d >= 0; d--) {
      const i = rest % batch[d]!;
      rest = (rest - i) / batch[d]!;
      for (let k = 0; k < views.length; k++) offsets[k]! += i * views[k]!.strides[d]!;
    }
    body(offsets);
  }
}

/** The strides of a view's last two dims: [rows, columns]. */
const lastTwo = (v: View): [number, number] => [v.strides.at(-2)!, v.strides.at(-1)!];

/**
 * The scores of query row i in batch offsets `o` ([q, k, mask]) into s (length S): q_i·k_j·scale
 * plus the mask, −∞ past the diagonal when causal. Returns their maximum (NaN if any is NaN).
 */
function scoresOf(a: AttentionViews, o: readonly number[], i: number, s: Float64Array): number {
  const { q, k, mask, scale, causal } = a;
  const [e, len] = [q.shape.at(-1)!, k.shape.at(-2)!];
  const [qs, ks, ms] = [arr(q), arr(k), mask ? arr(mask) : null];
  const [[qr, qc], [kr, kc]] = [lastTwo(q), lastTwo(k)];
  const [mr, mc] = mask ? lastTwo(mask) : [0, 0];
  let max = -Infinity;
  for (let j = 0; j < len; j++) {
    let dot = 0;
    for (let c = 0; c < e; c++) dot += qs[o[0]! + i * qr + c * qc]! * ks[o[1]! + j * kr + c * kc]!;
    let v = dot * scale;
    if (ms) v += ms[o[2]! + i * mr + j * mc]!;
    if (causal && j > i) v = -Infinity;
    s[j] = v;
    if (v !== v || max !== max) max = NaN;
    else if (v > max) max = v;
  }
  return max;
}

/** out = softmax(q·kᵀ·scale + mask)·v and lse = each row's log Σ e^score. */
export function attentionInto(a: AttentionViews): void {
  const { q, k, v, mask, out, lse } = a;
  const [l, len, ev] = [q.shape.at(-2)!, k.shape.at(-2)!, v.shape.at(-1)!];
  const [vs, os, ls] = [arr(v), arr(out), arr(lse)];
  const [[vr, vc], [or, oc]] = [lastTwo(v), lastTwo(out)];
  const lc = lse.strides.at(-1)!;
  const s = new Float64Array(len);
  const acc = new Float64Array(ev);
  const views = [q, k, mask ?? q, v, out, lse];
  forEachBatch(views, (o) => {
    for (let i = 0; i < l; i++) {
      const max = scoresOf(a, o, i, s);
      acc.fill(0);
      let sum = 0;
      for (let j = 0; j < len; j++) {
        const p = Math.exp(s[j]! - max);
        sum += p;
        for (let c = 0; c < ev; c++) acc[c] = acc[c]! + p * vs[o[3]! + j * vr + c * vc]!;
      }
      // no keys: an empty sum, zeros as the composed product gives
      const inv = len === 0 ? 0 : 1 / sum;
      for (let c = 0; c < ev; c++) os[o[4]! + i * or + c * oc] = acc[c]! * inv;
      ls[o[5]! + i * lc] = max + Math.log(sum);
    }
  });
}

/**
 * The gradients of attention from the output's gradient gOut, recomputing the probabilities
 * P = e^(score − lse): gv = Pᵀ·gOut, gs = P∘(gOut·vᵀ − rowsum(gOut∘out)), gq = gs·k·scale,
 * gk = gsᵀ·q·scale.
 */
export function attentionBackwardInto(a: AttentionBackwardViews): void {
  const { q, k, v, mask, out, lse, gOut, gq, gk, gv, scale } = a;
  const [l, len, e, ev] = [q.shape.at(-2)!, k.shape.at(-2)!, q.shape.at(-1)!, v.shape.at(-1)!];
  const [qs, ks, vs, os, ls, gs] = [arr(q), arr(k), arr(v), arr(out), arr(lse), arr(gOut)];
  const [gqs, gks, gvs] = [arr(gq), arr(gk), arr(gv)];
  const [[qr, qc], [kr, kc], [vr, vc], [or, oc]] = [lastTwo(q), lastTwo(k), lastTwo(v), lastTwo(out)];
  const [[gr, gc], [gqr, gqc], [gkr, gkc], [gvr, gvc]] = [lastTwo(gOut), lastTwo(gq), lastTwo(gk), lastTwo(gv)];
  const lc = lse.strides.at(-1)!;
  const s = new Float64Array(len);
  const dq = new Float64Array(e);
  const dk = new Float64Array(len * e);
  const dv = new Float64Array(len * ev);
  forEachBatch([q, k, mask ?? q, v, out, lse, gOut, gq, gk, gv], (o) => {
    dk.fill(0);
    dv.fill(0);
    for (let i = 0; i < l; i++) {
      scoresOf(a, o, i, s);
      const shift = ls[o[5]! + i * lc]!;
      let d = 0;
      for (let c = 0; c < ev; c++) d += gs[o[6]! + i * gr + c * gc]! * os[o[4]! + i * or + c * oc]!;
      dq.fill(0);
      for (let j = 0; j < len; j++) {
        const p = Math.exp(s[j]! - shift);
        let dp = 0;
        for (let c = 0; c < ev; c++) {
          const g = gs[o[6]! + i * gr + c * gc]!;
          dv[j * ev + c] = dv[j * ev + c]! + p * g;
          dp += g * vs[o[3]! + j * vr + c * vc]!;
        }
        const ds = p * (dp - d) * scale;
        for (let c = 0; c < e; c++) {
          dq[c] = dq[c]! + ds * ks[o[1]! + j * kr + c * kc]!;
          dk[j * e + c] = dk[j * e + c]! + ds * qs[o[0]! + i * qr + c * qc]!;
        }
      }
      for (let c = 0; c < e; c++) gqs[o[7]! + i * gqr + c * gqc] = dq[c]!;
    }
    for (let j = 0; j < len; j++) {
      for (let c = 0; c < e; c++) gks[o[8]! + j * gkr + c * gkc] = dk[j * e + c]!;
      for (let c = 0; c < ev; c++) gvs[o[9]! + j * gvr + c * gvc] = dv[j * ev + c]!;
    }
  });
}
