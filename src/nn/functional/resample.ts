// Resampling (torch.nn.functional.interpolate) with PyTorch's coordinate rules, one spatial dim at
// a time: every output position reads a few input positions along the dim (1 for nearest, 2 for
// linear, 4 for cubic) with fixed weights, so each dim is a handful of index-selects and a weighted
// sum, and the gradient adds back through them. 'area' is adaptive average pooling.

import { creation, nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { asTensors, torchCall } from "./spatial-args.js";

/** How interpolate reads between input positions. */
export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

/** Options of interpolate (torch.nn.functional.interpolate's keywords). */
export interface InterpolateOptions {
  /** The output's spatial size (one for every dim, or per dim); give this or scaleFactor. */
  size?: number | readonly number[] | null;
  /** The output size as a multiple of the input's, rounded down (one, or per dim). */
  scaleFactor?: number | readonly number[] | null;
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Linear and cubic modes: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean | null;
  /** Resample by the rounded output size rather than the given scaleFactor. */
  recomputeScaleFactor?: boolean | null;
  /** Not supported; only false is accepted. */
  antialias?: boolean;
}

const interpolateKeys = ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor", "antialias"] as const;

/** The spatial dims each mode takes. */
const spatialDims: Record<InterpolateMode, readonly number[]> = {
  nearest: [1, 2, 3],
  "nearest-exact": [1, 2, 3],
  area: [1, 2, 3],
  linear: [1],
  bilinear: [2],
  bicubic: [2],
  trilinear: [3],
};

/** What one output position of a dim reads: input positions and their weights, per tap. */
interface Taps {
  index: Int32Array[];
  weight: Float64Array[] | null;
}

/** Source scale of the linear and cubic modes (PyTorch's area_pixel_compute_scale). */
function pixelScale(n: number, out: number, alignCorners: boolean, scale: number | undefined): number {
  if (alignCorners) return out > 1 ? (n - 1) / (out - 1) : 0;
  return scale !== undefined ? 1 / scale : n / out;
}

/**
 * Nearest: position ⌊j·s⌋ (or ⌊(j + ½)·s⌋ for nearest-exact) with s computed in float32, as
 * PyTorch computes it; plain nearest copies when the size is kept and halves when it doubles.
 */
function nearestTaps(exact: boolean, n: number, out: number, scale: number | undefined): Taps {
  const s = Math.fround(scale !== undefined ? 1 / scale : n / out);
  const index = Int32Array.from({ length: out }, (_, j) => {
    if (!exact && out === n) return j;
    if (!exact && out === 2 * n) return j >> 1;
    const at = exact ? Math.fround((j + 0.5) * s) : Math.fround(j * s);
    return Math.min(Math.floor(at), n - 1);
  });
  return { index: [index], weight: null };
}

/** Linear: the two neighbours of the source position (negative positions read position 0). */
function linearTaps(n: number, out: number, alignCorners: boolean, scale: number | undefined): Taps | null {
  if (out === n) return null;
  const s = pixelScale(n, out, alignCorners, scale);
  const [i0, i1] = [new Int32Array(out), new Int32Array(out)];
  const [w0, w1] = [new Float64Array(out), new Float64Array(out)];
  for (let j = 0; j < out; j++) {
    const real = alignCorners ? s * j : Math.max(s * (j + 0.5) - 0.5, 0);
    i0[j] = Math.trunc(real);
    i1[j] = i0[j]! + (i0[j]! < n - 1 ? 1 : 0);
    w1[j] = real - i0[j]!;
    w0[j] = 1 - w1[j]!;
  }
  return { index: [i0, i1], weight: [w0, w1] };
}

// Keys' cubic convolution with A = -0.75, as PyTorch's get_cubic_upsample_coefficients
const A = -0.75;
const cubicNear = (t: number) => ((A + 2) * t - (A + 3)) * t * t + 1;
const cubicFar = (t: number) => ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;

/** Cubic: four neighbours of the source position, clamped to the dim (its ends repeat). */
function cubicTaps(n: number, out: number, alignCorners: boolean, scale: number | undefined): Taps {
  const s = pixelScale(n, out, alignCorners, scale);
  const index = [0, 1, 2, 3].map(() => new Int32Array(out));
  const weight = [0, 1, 2, 3].map(() => new Float64Array(out));
  for (let j = 0; j < out; j++) {
    const real = alignCorners ? s * j : s * (j + 0.5) - 0.5;
    const i = Math.floor(real);
    const t = real - i;
    const w = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
    for (let m = 0; m < 4; m++) {
      index[m]![j] = Math.min(Math.max(i - 1 + m, 0), n - 1);
      weight[m]![j] = w[m]!;
    }
  }
  return { index, weight };
}

/** x resampled along `dim` by its taps: Σ_t x[index_t] · weight_t. */
function resampleDim(x: Tensor, dim: number, taps: Taps): Tensor {
  const out = taps.index[0]!.length;
  const along = [out, ...x.shape.slice(dim + 1).map(() => 1)];
  let y: Tensor | null = null;
  taps.index.forEach((index, t) => {
    let term = x.indexSelect(dim, creation.tensor(index));
    if (taps.weight) term = term.mul(creation.tensor(taps.weight[t]!, { dtype: x.dtype, shape: along }));
    y = y ? y.add(term) : term;
  });
  return y!;
}

/** One value per spatial dim from a number or a list, checked. */
function perDim(name: string, v: number | readonly number[], k: number, integer: boolean): number[] {
  const out = typeof v === "number" ? new Array<number>(k).fill(v) : [...v];
  if (out.length !== k) {
    throw new RangeError(`interpolate: ${name} must have ${k} entries for ${k} spatial dims, got ${JSON.stringify(v)}`);
  }
  if (out.some((s) => !(s > 0 && Number.isFinite(s)) || (integer && !Number.isInteger(s)))) {
    throw new RangeError(
      `interpolate: ${name} must be positive${integer ? " integers" : ""}, got ${JSON.stringify(v)}`,
    );
  }
  return out;
}

/**
 * Resamples the spatial dims of x [N, C, ...S] to a given size or by a scale factor:
 * `interpolate(x, { scaleFactor: 2, mode: "bilinear" })`. The modes are PyTorch's: nearest
 * (1-3 dims), nearest-exact, linear (1), bilinear and bicubic (2), trilinear (3), and area.
 */
export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  checkOptions("interpolate", opts, interpolateKeys);
  const mode = opts.mode ?? "nearest";
  const k = x.ndim - 2;
  if (!(mode in spatialDims)) {
    throw new RangeError(`interpolate: mode must be one of ${Object.keys(spatialDims).join(", ")}; got '${mode}'`);
  }
  if (!spatialDims[mode].includes(k)) {
    const ranks = spatialDims[mode].map((d) => `${d + 2}-d`).join(" or ");
    throw new RangeError(
      `interpolate: mode '${mode}' needs a ${ranks} input [N, C, ...], got shape ${fmtShape(x.shape)}`,
    );
  }
  const interpolating = mode === "linear" || mode === "bilinear" || mode === "bicubic" || mode === "trilinear";
  if (!interpolating && opts.alignCorners !== undefined && opts.alignCorners !== null) {
    throw new RangeError(
      `interpolate: alignCorners can only be set with the linear, bilinear, bicubic and trilinear modes`,
    );
  }
  if (opts.antialias) throw new RangeError("interpolate: antialias is not supported");
  const hasSize = opts.size !== undefined && opts.size !== null;
  const hasScale = opts.scaleFactor !== undefined && opts.scaleFactor !== null;
  if (hasSize === hasScale) throw new RangeError("interpolate: give exactly one of size and scaleFactor");
  if (hasSize && opts.recomputeScaleFactor) {
    throw new RangeError("interpolate: recomputeScaleFactor is not meaningful with an explicit size");
  }
  const size = x.shape.slice(2);
  let scales = hasScale ? perDim("scaleFactor", opts.scaleFactor!, k, false) : undefined;
  const out = scales ? size.map((s, i) => Math.floor(s * scales![i]!)) : perDim("size", opts.size!, k, true);
  // area resamples by the size alone, as recomputeScaleFactor does
  if (opts.recomputeScaleFactor || mode === "area") scales = undefined;
  if (out.some((o) => o < 1) || size.some((s) => s < 1)) {
    throw new RangeError(`interpolate: input ${fmtShape(x.shape)} and output size ${fmtShape(out)} must not be empty`);
  }
  if (mode === "area") return nnFunctions.adaptiveAvgPoolNd(x, out);
  const alignCorners = opts.alignCorners ?? false;
  let y = x;
  size.forEach((n, i) => {
    const scale = scales?.[i];
    const taps =
      mode === "nearest" || mode === "nearest-exact"
        ? nearestTaps(mode === "nearest-exact", n, out[i]!, scale)
        : mode === "bicubic"
          ? cubicTaps(n, out[i]!, alignCorners, scale)
          : linearTaps(n, out[i]!, alignCorners, scale);
    if (taps) y = resampleDim(y, 2 + i, taps);
  });
  return y;
}

const sample = (shape: number[], opts: InterpolateOptions) => ({
  inputs: [{ shape }],
  attrs: opts,
  torch: torchCall("interpolate", ["x0"], opts),
});

/** interpolate's table entry: every mode, sizes and scale factors up and down, alignCorners and recomputed scales. */
export const interpolateComposite = defineComposite<InterpolateOptions>({
  name: "interpolate",
  call: (xs, opts) => interpolate(asTensors(xs)[0]!, opts),
  options: { keys: interpolateKeys },
  samples: [
    sample([1, 2, 4], { scaleFactor: 2 }),
    sample([1, 1, 3, 5], { size: [5, 3], mode: "nearest" }),
    sample([1, 1, 2, 3, 4], { scaleFactor: [1.5, 0.7, 1.3] }),
    sample([1, 2, 5], { scaleFactor: 1.7, recomputeScaleFactor: true }),
    sample([1, 1, 3, 5], { scaleFactor: [1.2, 0.5] }),
    sample([1, 2, 5], { size: 7, mode: "nearest-exact" }),
    sample([1, 1, 4, 3], { scaleFactor: [0.6, 2.5], mode: "nearest-exact" }),
    sample([1, 1, 2, 2, 3], { size: [3, 1, 4], mode: "nearest-exact" }),
    sample([1, 2, 4], { size: 7, mode: "linear" }),
    sample([2, 1, 5], { scaleFactor: 1.7, mode: "linear", alignCorners: true }),
    sample([1, 2, 6], { scaleFactor: 0.6, mode: "linear", alignCorners: false }),
    sample([1, 1, 5], { size: 1, mode: "linear", alignCorners: true }),
    sample([1, 2, 3, 4], { size: [5, 7], mode: "bilinear" }),
    sample([1, 1, 4, 5], { scaleFactor: [1.5, 0.7], mode: "bilinear", alignCorners: true }),
    sample([1, 1, 5, 4], { scaleFactor: 0.45, mode: "bilinear", recomputeScaleFactor: true }),
    sample([1, 1, 3, 4], { scaleFactor: [1.2, 2.5], mode: "bilinear" }),
    sample([1, 2, 3, 4], { size: [5, 6], mode: "bicubic" }),
    sample([1, 1, 4, 5], { scaleFactor: 1.6, mode: "bicubic", alignCorners: true }),
    sample([1, 1, 5, 6], { scaleFactor: [0.7, 0.5], mode: "bicubic" }),
    sample([1, 1, 3, 4], { scaleFactor: [1.2, 1.5], mode: "bicubic" }),
    sample([1, 1, 2, 3, 4], { size: [3, 4, 6], mode: "trilinear" }),
    sample([1, 1, 3, 2, 3], { scaleFactor: [1.5, 2, 0.7], mode: "trilinear", alignCorners: true }),
    sample([1, 2, 5, 7], { size: [3, 4], mode: "area" }),
    sample([1, 1, 6], { scaleFactor: 0.5, mode: "area" }),
  ],
});
