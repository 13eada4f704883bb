// Batch norm and layer norm as primitives: one statistics pass and one output pass forward, one
// reduction pass and one gradient pass backward, instead of the eight or so recorded ops (each a
// full pass over x) of the composed formula. The reference backward is that formula's gradient
// written with recorded ops, the statistics recomputed from x, so double backward sees how they
// depend on it; the fused kernels serve the usual backward that records nothing. Batch norm may
// also take the ReLU after it (nn.Sequential's batch norm + ReLU): applied in the output pass, its
// mask read from the kept output in the backward's passes.

import type { View } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { numelOf } from "../core/shape.js";
import { observers } from "../graph/observe.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, mul, sub } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { defineOp } from "./define.js";
import type { ExplainRule } from "./explain-rule.js";
import { writeInto } from "./inplace.js";
import { rsqrt, square } from "./math.js";
import { reluBackward } from "./relu-backward.js";
import { mean } from "./reduce.js";
import type { Sample } from "./samples.js";
import { cloneRaw, wrap, zerosRaw } from "./unrecorded.js";
import { reshape } from "./view.js";

/** The size and stride of dims [from, to) of a view seen as one dim, or null when they do not merge. */
function mergedDim(shape: readonly number[], strides: readonly number[], from: number, to: number): number[] | null {
  let [size, stride] = [1, 1];
  let expect: number | null = null;
  for (let d = to - 1; d >= from; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    if (expect === null) stride = strides[d]!;
    else if (strides[d] !== expect) return null;
    expect = strides[d]! * n;
    size *= n;
  }
  return [size, stride];
}

/**
 * t's kernel view with its dims grouped as `groups` (ends of consecutive ranges): [N, C, ΠS] is
 * [1, 2, ndim], rows [R, D] are [ndim − k, ndim]. A t whose groups do not merge is copied first;
 * the copy, if any, is returned to be freed after the kernel.
 */
function groupedView(t: Tensor, groups: readonly number[]): { view: View; copy: Tensor | null } {
  const dims = (v: Tensor) => groups.map((end, i) => mergedDim(v.shape, v.strides, i ? groups[i - 1]! : 0, end));
  let merged = dims(t);
  let copy: Tensor | null = null;
  if (merged.some((m) => m === null)) {
    copy = cloneRaw(t);
    merged = dims(copy);
  }
  const base = (copy ?? t)._view();
  return { view: { ...base, shape: merged.map((m) => m![0]!), strides: merged.map((m) => m![1]!) }, copy };
}

/**
 * t [N, C, ...S] as the [N, C, ΠS] view the batch norm kernels take; with no spatial extent,
 * [1, C, N] instead, so that each channel is one run of N (not N runs of one).
 */
function channelView(t: Tensor): { view: View; copy: Tensor | null } {
  const grouped = groupedView(t, [1, 2, t.ndim]);
  const { shape, strides } = grouped.view;
  if (shape[2] !== 1) return grouped;
  return {
    view: { ...grouped.view, shape: [1, shape[1]!, shape[0]!], strides: [0, strides[1]!, strides[0]!] },
    copy: grouped.copy,
  };
}

/** Frees a kernel's temporary at once unless an observer may hold it. */
function free(t: Tensor | null): void {
  if (t && observers.length === 0) t.dispose();
}

/** A 1-d tensor's kernel view, or null. */
const viewOrNull = (t: Tensor | null) => (t ? t._view() : null);

/** A [2, C] float64 stats tensor's view: `rows` picks two rows of a taller one ([3, C]: mean and invstd). */
function statsRows(stats: Tensor, rows: readonly [number, number]): View {
  const v = stats._view();
  const c = stats.shape[1]!;
  return { ...v, shape: [2, c], strides: [(rows[1] - rows[0]) * c, 1], offset: v.offset + rows[0] * c };
}

/** The two rows of a fused backward's [2, n] parameter gradients as separate contiguous tensors. */
function splitRows(dwb: Tensor, wantW: boolean, wantB: boolean): [Tensor | null, Tensor | null] {
  const n = dwb.shape[1]!;
  const row = (r: number) => {
    const out = zerosRaw([n], dwb.dtype);
    kernels().copy({ ...dwb._view(), shape: [n], strides: [1], offset: r * n }, out._view());
    return out;
  };
  return [wantW ? row(0) : null, wantB ? row(1) : null];
}

/** Whether a batch norm call is fused with the ReLU after it. */
const withRelu = (attrs: unknown) => (attrs as BatchNormAttrs | undefined)?.relu === true;

const batchNormExplain: ExplainRule = {
  text: (a, attrs) => (withRelu(attrs) ? `relu(batchNorm(${a.join(", ")}))` : `batchNorm(${a.join(", ")})`),
  tex: (a, attrs) =>
    withRelu(attrs)
      ? `\\operatorname{ReLU}(\\operatorname{BN}(${a.join(", ")}))`
      : `\\operatorname{BN}(${a.join(", ")})`,
  rule:
    "∂ batch norm, per channel with x̂ = (x − μ)/σ: dx = w/σ·(G − mean G − x̂·mean(G·x̂)) with batch " +
    "statistics, w/σ·G with running ones; dw = Σ G·x̂, db = Σ G (fused with a ReLU: G only where the output is > 0)",
  ruleTex:
    "\\frac{\\partial L}{\\partial x} = \\frac{w}{\\sigma}\\big(G - \\overline{G} - \\hat x\\,\\overline{G \\hat x}\\big)",
};

const layerNormExplain: ExplainRule = {
  text: (a) => `layerNorm(${a.join(", ")})`,
  tex: (a) => `\\operatorname{LN}(${a.join(", ")})`,
  rule:
    "∂ layer norm, per row with x̂ = (x − μ)/σ and Gw = G·w: dx = (Gw − mean Gw − x̂·mean(Gw·x̂))/σ; " +
    "dw = Σ G·x̂, db = Σ G over the rows",
  ruleTex:
    "\\frac{\\partial L}{\\partial x} = \\frac{1}{\\sigma}\\big(G_w - \\overline{G_w} - \\hat x\\,\\overline{G_w \\hat x}\\big)",
};

/** Batch norm's attributes; the inputs are x, then weight and bias where present, then (eval) running mean and var. */
export interface BatchNormAttrs {
  training: boolean;
  eps: number;
  weight: boolean;
  bias: boolean;
  /** Training only: running statistics to update in place with the batch's (unbiased variance). */
  update?: { mean: Tensor | null; var: Tensor | null; momentum: number };
  /** Fused with the ReLU after it: the output is relu(batch norm), and the backward masks by it. */
  relu?: boolean;
}

/** Positions of the optional inputs of a batch norm call. */
function bnInputs(inputs: readonly Tensor[], a: BatchNormAttrs) {
  const at = 1 + Number(a.weight) + Number(a.bias);
  const w = a.weight ? inputs[1]! : null;
  const b = a.bias ? inputs[at - 1]! : null;
  const [rm, rv] = a.training ? [null, null] : [inputs[at]!, inputs[at + 1]!];
  return { x: inputs[0]!, w, b, rm, rv };
}

/** Running statistics as the [2, C] float64 mean and 1/√(var + eps) a kernel reads (eval mode). */
function runningStats(rm: Tensor, rv: Tensor, eps: number): Tensor {
  const [m, v] = [rm.dataSync(), rv.dataSync()];
  const c = m.length;
  const data = new Float64Array(2 * c);
  for (let i = 0; i < c; i++) [data[i], data[c + i]] = [m[i]!, 1 / Math.sqrt(v[i]! + eps)];
  return wrap(kernels().upload("float64", data), "float64", [2, c]);
}

/** r ← (1 − momentum)·r + momentum·batch for each running statistic, computed in double. */
function updateRunning(stats: Tensor, m: number, update: NonNullable<BatchNormAttrs["update"]>): void {
  const s = stats.dataSync();
  const c = stats.shape[1]!;
  const unbiased = m / (m - 1);
  for (const [t, row, scale] of [
    [update.mean, 0, 1],
    [update.var, 1, unbiased],
  ] as const) {
    if (!t) continue;
    const old = t.dataSync();
    const next = Float64Array.from(
      old,
      (r, i) => (1 - update.momentum) * r + update.momentum * scale * s[row * c + i]!,
    );
    writeInto(t, wrap(kernels().upload(t.dtype, next), t.dtype, [c]), "batchNorm");
  }
}

/**
 * A batch norm sample over x [N, C, ...S] with weight and bias, in training or (with running
 * stats) eval mode, or fused with the ReLU after it.
 */
function bnSample(x: number[], training: boolean, torch: string, relu = false): Sample<BatchNormAttrs> {
  const c = [x[1]!];
  const running = training
    ? []
    : [
        { shape: c, grad: false },
        { shape: c, domain: "positive" as const, grad: false },
      ];
  return {
    inputs: [{ shape: x }, { shape: c }, { shape: c }, ...running],
    attrs: { training, eps: 1e-5, weight: true, bias: true, ...(relu ? { relu } : {}) },
    torch: relu ? `torch.relu(torch.nn.functional.batch_norm(${torch}))` : `torch.nn.functional.batch_norm(${torch})`,
  };
}

// NOTE: a primitive, not the composite of mean, sub, square, mean, add, rsqrt, mul, mul, add it
// computes: in training one kernel takes each channel's statistics (sums in double: float32's in
// one pass, shifted by one of the channel's values, float64's in two) and then its output (one
// pass as x·scale + shift) while the channel is in cache; only mean and invstd are kept for the
// backward.
/** The batch norm primitive over x [N, C, ...S]: batch statistics (training) or running ones (eval). */
export const batchNormOp = defineOp<BatchNormAttrs>({
  name: "batchNorm",
  forward: (inputs, a, keep) => {
    const { x, w, b, rm, rv } = bnInputs(inputs, a);
    const out = zerosRaw(x.shape, x.dtype);
    const c = x.shape[1]!;
    if (x.numel() === 0) return out;
    const { view, copy } = channelView(x);
    const outView = channelView(out).view;
    const [wv, bv, relu] = [viewOrNull(w), viewOrNull(b), a.relu === true];
    let stats: Tensor;
    if (a.training) {
      stats = zerosRaw([3, c], "float64");
      kernels().batchNormTrain(view, a.eps, stats._view(), wv, bv, outView, relu);
      if (a.update) updateRunning(stats, x.numel() / c, a.update);
    } else {
      stats = runningStats(rm!, rv!, a.eps);
      kernels().batchNormForward(view, statsRows(stats, [0, 1]), wv, bv, outView, relu);
    }
    free(copy);
    if (a.training) keep(stats);
    else free(stats);
    return out;
  },
  save: { inputs: (needs) => needs.map((_, i) => i), output: (a) => a.relu === true },
  // x̂ = (x − μ)·σ⁻¹; dx = w·σ⁻¹·(g − mean g − x̂·mean(g·x̂)) with batch statistics (their
  // dependence on x is the two means), w·σ⁻¹·g with running ones; dw = Σ g·x̂, db = Σ g; fused
  // with a ReLU, g first goes through relu's backward
  backward: (gradOut, { inputs, output, attrs: a, needsInputGrad }) => {
    const { x, w, rm, rv } = bnInputs(inputs, a);
    const g = a.relu ? reluBackward(gradOut, output) : gradOut;
    const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
    const shape = x.shape.map((s, d) => (d === 1 ? s : 1));
    let xhat: Tensor;
    let invstd: Tensor;
    if (a.training) {
      const centred = sub(x, mean(x, dims, true));
      invstd = rsqrt(add(mean(square(centred), dims, true), a.eps));
      xhat = mul(centred, invstd);
    } else {
      invstd = reshape(rsqrt(add(rv!, a.eps)), shape);
      xhat = mul(sub(x, reshape(rm!, shape)), invstd);
    }
    const gw = w ? mul(g, reshape(w, shape)) : g;
    const dx = a.training
      ? mul(invstd, sub(sub(gw, mean(gw, dims, true)), mul(xhat, mean(mul(gw, xhat), dims, true))))
      : mul(gw, invstd);
    const grads: (Tensor | null)[] = [needsInputGrad[0] ? dx : null];
    if (a.weight) grads.push(needsInputGrad[grads.length] ? sum(mul(g, xhat), dims) : null);
    if (a.bias) grads.push(needsInputGrad[grads.length] ? sum(g, dims) : null);
    return grads;
  },
  // the same gradients in two passes over each channel: Σ g and Σ g·x̂, then dx
  fastBackward: (g, { inputs, kept: [kept], attrs: a, needsInputGrad }) => {
    const { x, w, b, rm, rv } = bnInputs(inputs, a);
    const c = x.shape[1]!;
    const wantW = a.weight && needsInputGrad[1]!;
    const wantB = a.bias && needsInputGrad[a.weight ? 2 : 1]!;
    const dx = needsInputGrad[0] ? zerosRaw(x.shape, x.dtype) : null;
    const dwb = wantW || wantB ? zerosRaw([2, c], x.dtype) : null;
    if (x.numel() > 0) {
      const xv = channelView(x);
      const gv = channelView(g);
      const stats = a.training ? kept! : runningStats(rm!, rv!, a.eps);
      const dxView = dx && channelView(dx).view;
      const rows = a.training ? ([0, 2] as const) : ([0, 1] as const);
      kernels().batchNormBackward(
        gv.view,
        xv.view,
        statsRows(stats, rows),
        viewOrNull(w),
        a.training,
        dxView,
        dwb && dwb._view(),
        a.relu === true,
        viewOrNull(b),
      );
      [xv.copy, gv.copy, a.training ? null : stats].forEach(free);
    }
    const [dw, db] = dwb ? splitRows(dwb, wantW, wantB) : [null, null];
    free(dwb);
    const grads: (Tensor | null)[] = [dx];
    if (a.weight) grads.push(dw);
    if (a.bias) grads.push(db);
    return grads;
  },
  explain: batchNormExplain,
  samples: [
    bnSample([3, 3, 2], true, "x0, None, None, x1, x2, training=True"),
    bnSample([2, 3, 2, 3], true, "x0, None, None, x1, x2, training=True"),
    bnSample([4, 2], true, "x0, None, None, x1, x2, training=True"),
    bnSample([2, 3, 2, 1], false, "x0, x3, x4, x1, x2, training=False"),
    bnSample([2, 3, 4, 3], true, "x0, None, None, x1, x2, training=True", true),
    bnSample([3, 2, 5], false, "x0, x3, x4, x1, x2, training=False", true),
  ],
});

/** Layer norm's attributes: the count of trailing dims normalised over, eps, and which of weight, bias follow x. */
export interface LayerNormAttrs {
  dims: number;
  eps: number;
  weight: boolean;
  bias: boolean;
}

// NOTE: a primitive for the same reason as batch norm: one pass over each row for its mean and
// rstd (kept, [2, R] float64), one for the output; backward one pass per row and one sum over rows.
/** The layer norm primitive over the trailing `dims` dims of x, with optional elementwise weight and bias. */
export const layerNormOp = defineOp<LayerNormAttrs>({
  name: "layerNorm",
  forward: ([x, ...affine], a, keep) => {
    const [w, b] = [a.weight ? affine[0]! : null, a.bias ? affine[a.weight ? 1 : 0]! : null];
    const out = zerosRaw(x!.shape, x!.dtype);
    const { view, copy } = groupedView(x!, [x!.ndim - a.dims, x!.ndim]);
    const [r, d] = view.shape as [number, number];
    const stats = zerosRaw([2, r], "float64");
    if (x!.numel() > 0) {
      const flat = (t: Tensor | null) => t && { ...t._view(), shape: [d], strides: [1] };
      const outView = { ...out._view(), shape: [r, d], strides: [d, 1] };
      kernels().layerNormForward(
        view,
        a.eps,
        flat(w && contiguousOf(w)),
        flat(b && contiguousOf(b)),
        outView,
        stats._view(),
      );
    }
    free(copy);
    keep(stats);
    return out;
  },
  save: { inputs: (needs) => needs.map((_, i) => i) },
  // per row, x̂ = (x − μ)·σ⁻¹ and gw = g·w: dx = σ⁻¹·(gw − mean gw − x̂·mean(gw·x̂)); dw = Σ g·x̂
  // and db = Σ g over the leading dims
  backward: (g, { inputs: [x, w], attrs: a, needsInputGrad }) => {
    const dims = Array.from({ length: a.dims }, (_, i) => x!.ndim - a.dims + i);
    const lead = Array.from({ length: x!.ndim - a.dims }, (_, i) => i);
    const centred = sub(x!, mean(x!, dims, true));
    const invstd = rsqrt(add(mean(square(centred), dims, true), a.eps));
    const xhat = mul(centred, invstd);
    const gw = a.weight ? mul(g, w!) : g;
    const dx = mul(invstd, sub(sub(gw, mean(gw, dims, true)), mul(xhat, mean(mul(gw, xhat), dims, true))));
    const overRows = (t: Tensor) => (lead.length ? sum(t, lead) : t);
    const grads: (Tensor | null)[] = [needsInputGrad[0] ? dx : null];
    if (a.weight) grads.push(needsInputGrad[1] ? overRows(mul(g, xhat)) : null);
    if (a.bias) grads.push(needsInputGrad[grads.length] ? overRows(g) : null);
    return grads;
  },
  fastBackward: (g, { inputs: [x, w], kept: [stats], attrs: a, needsInputGrad }) => {
    const ns = x!.shape.slice(x!.ndim - a.dims);
    const wantW = a.weight && needsInputGrad[1]!;
    const wantB = a.bias && needsInputGrad[a.weight ? 2 : 1]!;
    const dx = needsInputGrad[0] ? zerosRaw(x!.shape, x!.dtype) : null;
    const dwb = wantW || wantB ? zerosRaw([2, numelOf(ns)], x!.dtype) : null;
    const xv = groupedView(x!, [x!.ndim - a.dims, x!.ndim]);
    const gv = groupedView(g, [g.ndim - a.dims, g.ndim]);
    const [r, d] = xv.view.shape as [number, number];
    if (x!.numel() > 0) {
      const wv = a.weight ? { ...contiguousOf(w!)._view(), shape: [d], strides: [1] } : null;
      const dxView = dx && { ...dx._view(), shape: [r, d], strides: [d, 1] };
      kernels().layerNormBackward(gv.view, xv.view, stats!._view(), wv, dxView, dwb && dwb._view());
    }
    [xv.copy, gv.copy].forEach(free);
    const [dw, db] = dwb ? splitRows(dwb, wantW, wantB).map((t) => t && reshape(t, ns)) : [null, null];
    free(dwb);
    const grads: (Tensor | null)[] = [dx];
    if (a.weight) grads.push(dw!);
    if (a.bias) grads.push(db!);
    return grads;
  },
  explain: layerNormExplain,
  samples: [
    {
      inputs: [{ shape: [3, 5] }, { shape: [5] }, { shape: [5] }],
      attrs: { dims: 1, eps: 1e-5, weight: true, bias: true },
      torch: "torch.nn.functional.layer_norm(x0, [5], x1, x2)",
    },
    {
      inputs: [{ shape: [2, 2, 3] }, { shape: [2, 3] }],
      attrs: { dims: 2, eps: 1e-5, weight: true, bias: false },
      torch: "torch.nn.functional.layer_norm(x0, [2, 3], x1)",
    },
    {
      inputs: [{ shape: [4, 3] }],
      attrs: { dims: 1, eps: 0.1, weight: false, bias: false },
      torch: "torch.nn.functional.layer_norm(x0, [3], eps=0.1)",
    },
  ],
});

/** t itself when dense, else a dense copy: the kernels read weight and bias as one run. */
function contiguousOf(t: Tensor): Tensor {
  return mergedDim(t.shape, t.strides, 0, t.ndim)?.[1] === 1 || t.numel() <= 1 ? t : cloneRaw(t);
}
