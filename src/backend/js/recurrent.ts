// The pointwise parts of the LSTM and GRU cells and their gradients, in the reference backend.
// Every operand is a 2-D view [N, k·H] with any strides; the gates sit side by side along the
// row in PyTorch's order (LSTM i f g o, GRU r z n). Forwards also write the activations the
// backward reads, so it needs no transcendental function again.

import type { TypedArray } from "../../core/dtype.js";
import type { View } from "../kernels.js";
import { sigmoid } from "./scalar-math.js";

const arr = (v: View) => v.handle as TypedArray;

/** Where element (r, c) of a 2-D view is. */
const at = (v: View, r: number, c: number) => v.offset + r * v.strides[0]! + c * v.strides[1]!;

/**
 * LSTM cell: from the gate pre-activations [N, 4H] and c [N, H], c' = σ(f)·c + σ(i)·tanh(g) and
 * h' = σ(o)·tanh(c'); acts [N, 5H] gets σ(i), σ(f), tanh(g), σ(o), tanh(c').
 */
export function lstmCellInto(gates: View, c: View, h: View, cNew: View, acts: View): void {
  const [n, hs] = h.shape as [number, number];
  const [gs, cs, ho, co, as] = [gates, c, h, cNew, acts].map(arr) as TypedArray[];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hs; j++) {
      const si = sigmoid(gs![at(gates, r, j)]!);
      const sf = sigmoid(gs![at(gates, r, hs + j)]!);
      const tg = Math.tanh(gs![at(gates, r, 2 * hs + j)]!);
      const so = sigmoid(gs![at(gates, r, 3 * hs + j)]!);
      const c2 = sf * cs![at(c, r, j)]! + si * tg;
      const tc = Math.tanh(c2);
      co![at(cNew, r, j)] = c2;
      ho![at(h, r, j)] = so * tc;
      [si, sf, tg, so, tc].forEach((v, k) => (as![at(acts, r, k * hs + j)] = v));
    }
  }
}

/**
 * The LSTM cell's gradient from its activations, c, and the gradients gh of h' and gc of c':
 * dc' = gc + gh·σ(o)·(1 − tanh²c'), then each gate's through its activation's derivative
 * (σ' = σ(1 − σ), tanh' = 1 − tanh²) into dGates [N, 4H], and dc = dc'·σ(f).
 */
export function lstmCellBackwardInto(acts: View, c: View, gh: View, gc: View, dGates: View, dc: View): void {
  const [n, hs] = c.shape as [number, number];
  const [as, cs, ghs, gcs, dg, dcs] = [acts, c, gh, gc, dGates, dc].map(arr) as TypedArray[];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hs; j++) {
      const [si, sf, tg, so, tc] = [0, 1, 2, 3, 4].map((k) => as![at(acts, r, k * hs + j)]!) as number[];
      const dh = ghs![at(gh, r, j)]!;
      const dc2 = gcs![at(gc, r, j)]! + dh * so! * (1 - tc! * tc!);
      dg![at(dGates, r, j)] = dc2 * tg! * si! * (1 - si!);
      dg![at(dGates, r, hs + j)] = dc2 * cs![at(c, r, j)]! * sf! * (1 - sf!);
      dg![at(dGates, r, 2 * hs + j)] = dc2 * si! * (1 - tg! * tg!);
      dg![at(dGates, r, 3 * hs + j)] = dh * tc! * so! * (1 - so!);
      dcs![at(dc, r, j)] = dc2 * sf!;
    }
  }
}

/**
 * GRU cell: from gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh [N, 3H] and h [N, H], r = σ(gi_r + gh_r),
 * z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h' = n + z·(h − n); acts [N, 4H] gets r, z, n, gh_n.
 */
export function gruCellInto(gi: View, gh: View, h: View, hNew: View, acts: View): void {
  const [n, hs] = h.shape as [number, number];
  const [is, ghs, hv, ho, as] = [gi, gh, h, hNew, acts].map(arr) as TypedArray[];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hs; j++) {
      const rg = sigmoid(is![at(gi, r, j)]! + ghs![at(gh, r, j)]!);
      const z = sigmoid(is![at(gi, r, hs + j)]! + ghs![at(gh, r, hs + j)]!);
      const ghn = ghs![at(gh, r, 2 * hs + j)]!;
      const nn = Math.tanh(is![at(gi, r, 2 * hs + j)]! + rg * ghn);
      ho![at(hNew, r, j)] = nn + z * (hv![at(h, r, j)]! - nn);
      [rg, z, nn, ghn].forEach((v, k) => (as![at(acts, r, k * hs + j)] = v));
    }
  }
}

/**
 * The GRU cell's gradient from its activations, h and the gradient g of h': dn = g·(1 − z),
 * dz = g·(h − n), through the activations into dGi [N, 3H]; dGh equals it but for the n gate,
 * scaled by r; dh = g·z (the direct path; the recurrent product's is the caller's).
 */
export function gruCellBackwardInto(acts: View, h: View, g: View, dGi: View, dGh: View, dh: View): void {
  const [n, hs] = h.shape as [number, number];
  const [as, hv, gs, di, dgh, dhs] = [acts, h, g, dGi, dGh, dh].map(arr) as TypedArray[];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hs; j++) {
      const [rg, z, nn, ghn] = [0, 1, 2, 3].map((k) => as![at(acts, r, k * hs + j)]!) as number[];
      const gv = gs![at(g, r, j)]!;
      const dpn = gv * (1 - z!) * (1 - nn! * nn!);
      const dpr = dpn * ghn! * rg! * (1 - rg!);
      const dpz = gv * (hv![at(h, r, j)]! - nn!) * z! * (1 - z!);
      di![at(dGi, r, j)] = dgh![at(dGh, r, j)] = dpr;
      di![at(dGi, r, hs + j)] = dgh![at(dGh, r, hs + j)] = dpz;
      di![at(dGi, r, 2 * hs + j)] = dpn;
      dgh![at(dGh, r, 2 * hs + j)] = dpn * rg!;
      dhs![at(dh, r, j)] = gv * z!;
    }
  }
}
