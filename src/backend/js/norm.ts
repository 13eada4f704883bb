// Batch and layer normalisation in the reference backend. Batch norm sees x as [N, C, S] (the
// spatial dims merged) and normalises each channel over N and S; layer norm sees x as rows [R, D]
// and normalises each row. Statistics are accumulated in double, two passes (mean, then squared
// deviations), so a large mean costs no precision; per-channel and per-row values arrive as views
// of any float dtype.

import type { TypedArray } from "../../core/dtype.js";
import type { Handle, View } from "../kernels.js";

const arr = (h: Handle) => h as TypedArray;

/** Element i of a 1-d view, or `fallback` with no view. */
function at(v: View | null, i: number, fallback: number): number {
  return v ? arr(v.handle)[v.offset + i * v.strides[0]!]! : fallback;
}

/** Row r, element i of a 2-d view. */
function at2(v: View, r: number, i: number): number {
  return arr(v.handle)[v.offset + r * v.strides[0]! + i * v.strides[1]!]!;
}

function set2(v: View, r: number, i: number, value: number): void {
  arr(v.handle)[v.offset + r * v.strides[0]! + i * v.strides[1]!] = value;
}

/** Calls f(offset) for every element of channel c of a 3-d [N, C, S] view. */
function eachOfChannel(v: View, c: number, f: (off: number) => void): void {
  const [n, , s] = v.shape as [number, number, number];
  const [sn, sc, ss] = v.strides as [number, number, number];
  for (let i = 0; i < n; i++) {
    const base = v.offset + i * sn + c * sc;
    for (let j = 0; j < s; j++) f(base + j * ss);
  }
}

/** stats [3, C] (float64) = each channel's mean, biased variance and 1/√(variance + eps) over x [N, C, S]. */
export function batchNormStatsInto(x: View, eps: number, stats: View): void {
  const xs = arr(x.handle);
  const [n, c, s] = x.shape as [number, number, number];
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    eachOfChannel(x, ch, (o) => (sum += xs[o]!));
    const mean = sum / m;
    let sq = 0;
    eachOfChannel(x, ch, (o) => (sq += (xs[o]! - mean) ** 2));
    const variance = sq / m;
    set2(stats, 0, ch, mean);
    set2(stats, 1, ch, variance);
    set2(stats, 2, ch, 1 / Math.sqrt(variance + eps));
  }
}

/**
 * out = (x − mean)·invstd·weight + bias per channel of x [N, C, S], or with `relu` its ReLU (NaN
 * kept); stats [2, C] holds mean and invstd.
 */
export function batchNormForwardInto(
  x: View,
  stats: View,
  weight: View | null,
  bias: View | null,
  out: View,
  relu: boolean,
): void {
  const [xs, os] = [arr(x.handle), arr(out.handle)];
  const [n, c, s] = x.shape as [number, number, number];
  for (let ch = 0; ch < c; ch++) {
    const scale = at2(stats, 1, ch) * at(weight, ch, 1);
    const shift = at(bias, ch, 0) - at2(stats, 0, ch) * scale;
    for (let i = 0; i < n; i++) {
      const xo = x.offset + i * x.strides[0]! + ch * x.strides[1]!;
      const oo = out.offset + i * out.strides[0]! + ch * out.strides[1]!;
      for (let j = 0; j < s; j++) {
        const v = xs[xo + j * x.strides[2]!]! * scale + shift;
        os[oo + j * out.strides[2]!] = relu && !(v > 0) && v === v ? 0 : v;
      }
    }
  }
}

/**
 * The gradient of batch norm from g (x's shape [N, C, S]): dwb [2, C] = Σ g·x̂ and Σ g per
 * channel (x̂ = (x − mean)·invstd), and dx = w·invstd·(g − Σg/M − x̂·Σg·x̂/M) over the M = N·S
 * values of a channel, or w·invstd·g when the statistics were constants (not `training`). With
 * `relu` (a batch norm fused with a ReLU, with this bias), g is taken as 0 where the forward's
 * x·scale + shift was not positive.
 */
export function batchNormBackwardInto(
  g: View,
  x: View,
  stats: View,
  weight: View | null,
  training: boolean,
  dx: View | null,
  dwb: View | null,
  relu: boolean,
  bias: View | null,
): void {
  const [gs, xs] = [arr(g.handle), arr(x.handle)];
  let [scale, shift] = [0, 0];
  // g at (i, ch, j), or 0 where the fused ReLU's output was not positive: batchNormForwardInto's
  // own x·scale + shift, summed again
  const grad = (i: number, ch: number, j: number) => {
    const v = gs[g.offset + i * g.strides[0]! + ch * g.strides[1]! + j * g.strides[2]!]!;
    if (!relu) return v;
    return xs[x.offset + i * x.strides[0]! + ch * x.strides[1]! + j * x.strides[2]!]! * scale + shift > 0 ? v : 0;
  };
  const [n, c, s] = x.shape as [number, number, number];
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    const [mean, invstd] = [at2(stats, 0, ch), at2(stats, 1, ch)];
    scale = invstd * at(weight, ch, 1);
    shift = at(bias, ch, 0) - mean * scale;
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < n; i++) {
      const xo = x.offset + i * x.strides[0]! + ch * x.strides[1]!;
      for (let j = 0; j < s; j++) {
        const gv = grad(i, ch, j);
        sg += gv;
        sgx += gv * (xs[xo + j * x.strides[2]!]! - mean);
      }
    }
    const sgxhat = sgx * invstd;
    if (dwb) {
      set2(dwb, 0, ch, sgxhat);
      set2(dwb, 1, ch, sg);
    }
    if (!dx) continue;
    const k = at(weight, ch, 1) * invstd;
    const [gMean, proj] = training ? [sg / m, (sgxhat / m) * invstd] : [0, 0];
    const ds = dx.strides as [number, number, number];
    for (let i = 0; i < n; i++) {
      const xo = x.offset + i * x.strides[0]! + ch * x.strides[1]!;
      const oo = dx.offset + i * ds[0] + ch * ds[1];
      for (let j = 0; j < s; j++) {
        const xhatScaled = (xs[xo + j * x.strides[2]!]! - mean) * proj;
        arr(dx.handle)[oo + j * ds[2]] = k * (grad(i, ch, j) - gMean - xhatScaled);
      }
    }
  }
}

/** out = (x − mean)·rstd·weight + bias along each row of x [R, D]; stats [2, R] (float64) = mean, rstd. */
export function layerNormForwardInto(
  x: View,
  eps: number,
  weight: View | null,
  bias: View | null,
  out: View,
  stats: View,
): void {
  const [xs, os] = [arr(x.handle), arr(out.handle)];
  const [r, d] = x.shape as [number, number];
  const [sr, sd] = x.strides as [number, number];
  for (let row = 0; row < r; row++) {
    const xo = x.offset + row * sr;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += xs[xo + j * sd]!;
    const mean = sum / d;
    let sq = 0;
    for (let j = 0; j < d; j++) sq += (xs[xo + j * sd]! - mean) ** 2;
    const rstd = 1 / Math.sqrt(sq / d + eps);
    set2(stats, 0, row, mean);
    set2(stats, 1, row, rstd);
    const oo = out.offset + row * out.strides[0]!;
    for (let j = 0; j < d; j++)
      os[oo + j * out.strides[1]!] = (xs[xo + j * sd]! - mean) * rstd * at(weight, j, 1) + at(bias, j, 0);
  }
}

/**
 * The gradient of layer norm from g (x's shape [R, D]): per row, with gw = g·w and x̂ = (x −
 * mean)·rstd, dx = rstd·(gw − Σgw/D − x̂·Σgw·x̂/D); dwb [2, D] = Σ g·x̂ and Σ g over the rows.
 */
export function layerNormBackwardInto(
  g: View,
  x: View,
  stats: View,
  weight: View | null,
  dx: View | null,
  dwb: View | null,
): void {
  const [gs, xs] = [arr(g.handle), arr(x.handle)];
  const [r, d] = x.shape as [number, number];
  const dw = new Float64Array(d);
  const db = new Float64Array(d);
  for (let row = 0; row < r; row++) {
    const [mean, rstd] = [at2(stats, 0, row), at2(stats, 1, row)];
    const go = g.offset + row * g.strides[0]!;
    const xo = x.offset + row * x.strides[0]!;
    let sgw = 0;
    let sgwx = 0;
    for (let j = 0; j < d; j++) {
      const gv = gs[go + j * g.strides[1]!]!;
      const xhat = (xs[xo + j * x.strides[1]!]! - mean) * rstd;
      const gw = gv * at(weight, j, 1);
      sgw += gw;
      sgwx += gw * xhat;
      dw[j] = dw[j]! + gv * xhat;
      db[j] = db[j]! + gv;
    }
    if (!dx) continue;
    const oo = dx.offset + row * dx.strides[0]!;
    for (let j = 0; j < d; j++) {
      const xhat = (xs[xo + j * x.strides[1]!]! - mean) * rstd;
      const gw = gs[go + j * g.strides[1]!]! * at(weight, j, 1);
      arr(dx.handle)[oo + j * dx.strides[1]!] = rstd * (gw - sgw / d - (xhat * sgwx) / d);
    }
  }
  if (dwb)
    for (let j = 0; j < d; j++) {
      set2(dwb, 0, j, dw[j]!);
      set2(dwb, 1, j, db[j]!);
    }
}

/** batchNormStatsInto, then batchNormForwardInto with the statistics' mean and invstd rows (0 and 2). */
export function batchNormTrainInto(
  x: View,
  eps: number,
  stats: View,
  weight: View | null,
  bias: View | null,
  out: View,
  relu: boolean,
): void {
  batchNormStatsInto(x, eps, stats);
  const rows: View = { ...stats, shape: [2, stats.shape[1]!], strides: [2 * stats.strides[0]!, stats.strides[1]!] };
  batchNormForwardInto(x, rows, weight, bias, out, relu);
}
