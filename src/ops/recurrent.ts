// The pointwise parts of the LSTM and GRU cells as primitives: each is one fused kernel forward
// (all gates' activations, the new state) and one backward, instead of a dozen recorded
// elementwise ops each way per time step. The recurrent products stay matmuls, the layer's. The
// forward keeps the activations it computed, so the fused backward is plain arithmetic; the
// reference backward recomputes them with recorded ops, so it can be differentiated again.

import type { View } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isFloat } from "../core/dtype.js";
import { fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add, mul, sub } from "./arithmetic.js";
import { defineOp } from "./define.js";
import type { ExplainRule } from "./explain-rule.js";
import { catOp } from "./index-ops.js";
import { sigmoid, tanh } from "./math.js";
import type { Sample } from "./samples.js";
import { zerosRaw } from "./unrecorded.js";
import { select, slice } from "./view.js";

/** Checks that the operands are 2-D [N, widths[k]·H] of one float dtype; returns [N, H]. */
function cellShape(op: string, xs: Tensor[], widths: number[], names: string[]): [number, number] {
  const k = widths.indexOf(1);
  const [n, h] = [xs[0]!.shape[0] ?? -1, xs[k]!.shape[1] ?? -1];
  const ok = xs.every(
    (x, i) => x.ndim === 2 && x.shape[0] === n && x.shape[1] === widths[i]! * h && x.dtype === xs[0]!.dtype,
  );
  if (!ok || !isFloat(xs[0]!.dtype)) {
    const got = xs.map((x, i) => `${names[i]} ${fmtShape(x.shape)} ${x.dtype}`).join(", ");
    const want = names.map((s, i) => `${s} [N, ${widths[i] === 1 ? "" : widths[i]}H]`).join(", ");
    throw new RangeError(`${op}: expected ${want} of one float dtype, got ${got}`);
  }
  return [n, h];
}

/** The kernel view of rows [N, H] of a contiguous [..., N, H] buffer, starting `at` elements in. */
function part(t: Tensor, n: number, h: number, at: number): View {
  return { handle: t.storage.handle, dtype: t.dtype, shape: [n, h], strides: [h, 1], offset: at };
}

/** The kernel view of t[k] for a 3-D t (a gradient [2, N, H] of any strides). */
function planeOf(t: Tensor, k: number): View {
  const v = t._view();
  return { ...v, shape: t.shape.slice(1), strides: t.strides.slice(1), offset: t.offset + k * t.strides[0]! };
}

/** The q-th of `count` equal column blocks of a 2-D t, as a recorded slice. */
const gate = (t: Tensor, q: number, count: number) => {
  const w = t.shape[1]! / count;
  return slice(t, 1, q * w, (q + 1) * w);
};

/** σ'(x) from s = σ(x): s·(1 − s). */
const dSigmoid = (s: Tensor) => mul(s, sub(1, s));
/** tanh'(x) from t = tanh(x): 1 − t². */
const dTanh = (t: Tensor) => sub(1, mul(t, t));
const cat1 = (xs: Tensor[]) => catOp(xs, { dim: 1, sizes: xs.map((x) => x.shape[1]!) });

const cellRule = (name: string, formula: string): ExplainRule => ({
  text: (a) => `${name}(${a.join(", ")})`,
  tex: (a) => `\\operatorname{${name}}(${a.join(", ")})`,
  rule: formula,
  ruleTex: `\\text{${formula}}`,
});

/** Gates [N, 4H] and c [N, H] of the samples, for `n` rows and `h` features, with the PyTorch call. */
function lstmSample(n: number, h: number, note?: string): Sample<undefined> {
  return {
    inputs: [{ shape: [n, 4 * h] }, { shape: [n, h] }],
    attrs: undefined,
    torch:
      "(lambda i, f, g, o, c: (lambda c2: torch.stack([o.sigmoid() * c2.tanh(), c2]))" +
      "(f.sigmoid() * c + i.sigmoid() * g.tanh()))(*x0.chunk(4, 1), x1)",
    ...(note ? { note } : {}),
  };
}

/**
 * The LSTM cell's pointwise part: from the gate pre-activations [N, 4H] (i f g o, as PyTorch) and
 * c [N, H], the stacked [2, N, H] of h' = σ(o)·tanh(c') and c' = σ(f)·c + σ(i)·tanh(g).
 */
export const lstmCellOp = defineOp<undefined>({
  name: "lstmCell",
  forward: ([gates, c], _a, keep) => {
    const [n, h] = cellShape("lstmCell", [gates!, c!], [4, 1], ["gates", "c"]);
    const out = zerosRaw([2, n, h], c!.dtype);
    const acts = zerosRaw([n, 5 * h], c!.dtype);
    if (n * h) kernels().lstmCell(gates!._view(), c!._view(), part(out, n, h, 0), part(out, n, h, n * h), acts._view());
    keep(acts);
    return out;
  },
  save: { inputs: [0, 1] },
  // c' = σf·c + σi·tg, h' = σo·tanh c': dc' = gc + gh·σo·(1 − tanh²c'), di = dc'·tg·σi(1 − σi),
  // df = dc'·c·σf(1 − σf), dg = dc'·σi·(1 − tg²), do = gh·tanh c'·σo(1 − σo), dc = dc'·σf
  backward: (grad, { inputs: [gates, c] }) => {
    const [si, sf, so] = [0, 1, 3].map((q) => sigmoid(gate(gates!, q, 4))) as [Tensor, Tensor, Tensor];
    const tg = tanh(gate(gates!, 2, 4));
    const tc = tanh(add(mul(sf, c!), mul(si, tg)));
    const [gh, gc] = [select(grad, 0, 0), select(grad, 0, 1)];
    const dc2 = add(gc, mul(mul(gh, so), dTanh(tc)));
    const dGates = cat1([
      mul(mul(dc2, tg), dSigmoid(si)),
      mul(mul(dc2, c!), dSigmoid(sf)),
      mul(mul(dc2, si), dTanh(tg)),
      mul(mul(gh, tc), dSigmoid(so)),
    ]);
    return [dGates, mul(dc2, sf)];
  },
  fastBackward: (grad, { inputs: [gates, c], kept: [acts] }) => {
    const dGates = zerosRaw(gates!.shape, c!.dtype);
    const dc = zerosRaw(c!.shape, c!.dtype);
    if (c!.numel()) {
      kernels().lstmCellBackward(
        acts!._view(),
        c!._view(),
        planeOf(grad, 0),
        planeOf(grad, 1),
        dGates._view(),
        dc._view(),
      );
    }
    return [dGates, dc];
  },
  explain: cellRule("lstmCell", "through σ, tanh and the products of the cell, gate by gate"),
  samples: [lstmSample(2, 3), lstmSample(3, 1), lstmSample(0, 2, "an empty batch")],
});

/** gi and gh [N, 3H] and h [N, H] of the samples, with the PyTorch call. */
function gruSample(n: number, h: number, note?: string): Sample<undefined> {
  return {
    inputs: [{ shape: [n, 3 * h] }, { shape: [n, 3 * h] }, { shape: [n, h] }],
    attrs: undefined,
    torch:
      "(lambda ir, iz, inn, hr, hz, hn, h: (lambda r, z: (lambda n: n + z * (h - n))" +
      "((inn + r * hn).tanh()))((ir + hr).sigmoid(), (iz + hz).sigmoid()))(*x0.chunk(3, 1), *x1.chunk(3, 1), x2)",
    ...(note ? { note } : {}),
  };
}

/**
 * The GRU cell's pointwise part: from gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh [N, 3H] (r z n, as
 * PyTorch) and h [N, H]: h' = n + z·(h − n) with r = σ(gi_r + gh_r), z = σ(gi_z + gh_z),
 * n = tanh(gi_n + r·gh_n).
 */
export const gruCellOp = defineOp<undefined>({
  name: "gruCell",
  forward: ([gi, gh, h], _a, keep) => {
    const [n, hs] = cellShape("gruCell", [gi!, gh!, h!], [3, 3, 1], ["gi", "gh", "h"]);
    const out = zerosRaw([n, hs], h!.dtype);
    const acts = zerosRaw([n, 4 * hs], h!.dtype);
    if (n * hs) kernels().gruCell(gi!._view(), gh!._view(), h!._view(), out._view(), acts._view());
    keep(acts);
    return out;
  },
  save: { inputs: [0, 1, 2] },
  // h' = n + z·(h − n): dn = g·(1 − z), dz = g·(h − n), dh = g·z; through n = tanh(gi_n + r·gh_n):
  // dgi_n = dn·(1 − n²), dgh_n = dgi_n·r, dr = dgi_n·gh_n; r and z through σ, the same for gi and gh
  backward: (grad, { inputs: [gi, gh, h] }) => {
    const r = sigmoid(add(gate(gi!, 0, 3), gate(gh!, 0, 3)));
    const z = sigmoid(add(gate(gi!, 1, 3), gate(gh!, 1, 3)));
    const ghn = gate(gh!, 2, 3);
    const nn = tanh(add(gate(gi!, 2, 3), mul(r, ghn)));
    const dpn = mul(mul(grad, sub(1, z)), dTanh(nn));
    const dpr = mul(mul(dpn, ghn), dSigmoid(r));
    const dpz = mul(mul(grad, sub(h!, nn)), dSigmoid(z));
    return [cat1([dpr, dpz, dpn]), cat1([dpr, dpz, mul(dpn, r)]), mul(grad, z)];
  },
  fastBackward: (grad, { inputs: [gi, gh, h], kept: [acts] }) => {
    const [dGi, dGh] = [zerosRaw(gi!.shape, h!.dtype), zerosRaw(gh!.shape, h!.dtype)];
    const dh = zerosRaw(h!.shape, h!.dtype);
    if (h!.numel())
      kernels().gruCellBackward(acts!._view(), h!._view(), grad._view(), dGi._view(), dGh._view(), dh._view());
    return [dGi, dGh, dh];
  },
  explain: cellRule("gruCell", "through σ, tanh and the interpolation of the cell, gate by gate"),
  samples: [gruSample(2, 3), gruSample(1, 2), gruSample(0, 3, "an empty batch")],
});
