// One direction of an LSTM or GRU layer over a whole sequence as one primitive: per time step the
// recurrent product and the fused cell (recurrent.ts), writing each step's state straight into
// the output, and one graph node for all steps. Its fused backward walks the steps back with one
// cell kernel and one product each, writes the gates' gradients for every step into one tensor
// (the input projection's gradient, with no stacking), and makes W_hh's gradient one product
// over all steps instead of a sum of per-step ones. The reference backward replays the steps with
// recorded ops and the cells' own rules, so it can be differentiated again.

import type { View } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isFloat } from "../core/dtype.js";
import { fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { add } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { defineOp, type OpCtx } from "./define.js";
import { stack } from "./index-ops.js";
import { addmm, matmul } from "./linalg.js";
import { gruCellOp, lstmCellOp } from "./recurrent.js";
import type { Sample } from "./samples.js";
import { cloneRaw, zerosRaw } from "./unrecorded.js";
import { reshape, select, transpose } from "./view.js";

/** Which cell the layer runs, and whether it runs from the last step to the first. */
export interface RecurrenceAttrs {
  cell: "lstm" | "gru";
  reverse: boolean;
}

/** A [rows, cols] kernel view into t at element `at` with strides s (default: contiguous rows). */
function view2(t: Tensor, rows: number, cols: number, at: number, s: [number, number] = [cols, 1]): View {
  return { handle: t.storage.handle, dtype: t.dtype, shape: [rows, cols], strides: s, offset: at };
}

/** Plane [N, W] number `t` of a 3-D tensor t3 [L, N, W] of any strides, as a kernel view. */
function stepOf(t3: Tensor, t: number, lead = 0): View {
  const [s0, s1, s2] = t3.strides.slice(-3) as [number, number, number];
  const [n, w] = t3.shape.slice(-2) as [number, number];
  return view2(t3, n, w, t3.offset + lead + t * s0, [s1, s2]);
}

/** Checks shapes and dtypes; returns [L, N, H]. */
function layerShape(xs: Tensor[], a: RecurrenceAttrs): [number, number, number] {
  const [pre, , h0] = xs as [Tensor, Tensor, Tensor];
  const g = a.cell === "lstm" ? 4 : 3;
  const [len, n, gh] = pre.shape as [number, number, number];
  const h = h0.shape[1] ?? -1;
  const want = [[len, n, g * h], [g * h, h], [n, h], a.cell === "lstm" ? [n, h] : [g * h]];
  const ok =
    pre.ndim === 3 &&
    (xs.length === 4 || (xs.length === 3 && a.cell === "gru")) &&
    gh === g * h &&
    isFloat(pre.dtype) &&
    xs.every((x) => x.dtype === pre.dtype) &&
    xs.every((x, i) => x.ndim === want[i]!.length && x.shape.every((s, d) => s === want[i]![d]));
  if (!ok) {
    const names = ["pre", "W_hh", "h0", a.cell === "lstm" ? "c0" : "b_hh"];
    const got = xs.map((x, i) => `${names[i]} ${fmtShape(x.shape)} ${x.dtype}`).join(", ");
    throw new RangeError(
      `recurrence (${a.cell}): expected pre [L, N, ${g}H], W_hh [${g}H, H], h0 [N, H], ` +
        `${a.cell === "lstm" ? "c0 [N, H]" : "optional b_hh [3H]"} of one float dtype, got ${got}`,
    );
  }
  return [len, n, h];
}

/** The state before each step, [L, N, H] contiguous: h0 before the first, h_{t∓1} before the others. */
function statesBefore(out: Tensor, h0: Tensor, reverse: boolean, lstm: boolean): Tensor {
  const [len, n, h] = out.shape.slice(lstm ? 1 : 0) as [number, number, number];
  const before = zerosRaw([len, n, h], out.dtype);
  const k = kernels();
  const shift = { handle: out.storage.handle, dtype: out.dtype, shape: [len - 1, n, h], strides: [n * h, h, 1] };
  const into = { ...before._view(), shape: [len - 1, n, h] };
  // forward: before[1..] = out[..L−1], before[0] = h0; reverse: before[..L−1] = out[1..], before[L−1] = h0
  if (len > 1) k.copy({ ...shift, offset: reverse ? n * h : 0 }, { ...into, offset: reverse ? 0 : n * h });
  k.copy(h0._view(), view2(before, n, h, reverse ? (len - 1) * n * h : 0));
  return before;
}

/** The steps in the order they run. */
const order = (len: number, reverse: boolean) => Array.from({ length: len }, (_, k) => (reverse ? len - 1 - k : k));

/**
 * The layer's steps: h_t, c_t = cell(pre_t + h_{t-1}·W_hhᵀ, c_{t-1}) for the LSTM, h_t =
 * cell(pre_t, h_{t-1}·W_hhᵀ + b_hh, h_{t-1}) for the GRU. Output: LSTM [2, L, N, H] (every h, every c),
 * GRU [L, N, H].
 */
export const recurrenceOp = defineOp<RecurrenceAttrs>({
  name: "recurrence",
  forward: (xs, a, keep) => {
    const [len, n, h] = layerShape(xs, a);
    const [pre, w, h0, extra] = xs as [Tensor, Tensor, Tensor, Tensor | undefined];
    const lstm = a.cell === "lstm";
    const g = (lstm ? 4 : 3) * h;
    const dt = pre.dtype;
    const out = zerosRaw(lstm ? [2, len, n, h] : [len, n, h], dt);
    const acts = zerosRaw([len, n, (lstm ? 5 : 4) * h], dt);
    keep(acts);
    if (len * n * h === 0) return out;
    const k = kernels();
    const gates = zerosRaw([n, g], dt);
    const gv = gates._view();
    // W_hhᵀ made contiguous once: a product with a column-major operand would repack it every step
    const wTc = cloneRaw(transpose(w, 0, 1));
    const wT = wTc._view();
    const bias = !lstm && extra ? { ...extra._view(), shape: [n, g], strides: [0, extra.strides[0]!] } : null;
    let hPrev = h0._view();
    let cPrev = lstm ? extra!._view() : null;
    for (const t of order(len, a.reverse)) {
      const [hv, av] = [stepOf(out, t), stepOf(acts, t)];
      k.matmul(hPrev, wT, gates.storage.handle, dt);
      if (lstm) {
        const cv = stepOf(out, t, len * n * h);
        k.axpy(1, stepOf(pre, t), gv);
        k.lstmCell(gv, cPrev!, hv, cv, av);
        cPrev = cv;
      } else {
        if (bias) k.axpy(1, bias, gv);
        k.gruCell(stepOf(pre, t), gv, hPrev, hv, av);
      }
      hPrev = hv;
    }
    gates.dispose();
    wTc.dispose();
    return out;
  },
  save: { inputs: (needs) => needs.map((_, i) => i), output: true },
  // replays the steps with recorded ops, then goes back through them with the cells' reference
  // rules: dh_{t-1} = dGates_t·W_hh (+ the GRU's direct path), dW_hh = Σ_t dGates_tᵀ·h_{t-1}
  backward: (grad, { inputs, attrs: a }) => {
    const [pre, w, h0, extra] = inputs as [Tensor, Tensor, Tensor, Tensor | undefined];
    const lstm = a.cell === "lstm";
    const wT = transpose(w, 0, 1);
    const steps = order(pre.shape[0]!, a.reverse);
    const cellInputs: Tensor[][] = [];
    const hPrev: Tensor[] = [];
    let [h, c] = [h0, extra];
    for (const t of steps) {
      const p = select(pre, 0, t);
      hPrev[t] = h;
      if (lstm) {
        cellInputs[t] = [addmm(p, h, wT), c!];
        const hc = lstmCellOp(cellInputs[t]!, undefined);
        [h, c] = [select(hc, 0, 0), select(hc, 0, 1)];
      } else {
        cellInputs[t] = [p, extra ? addmm(extra, h, wT) : matmul(h, wT), h];
        h = gruCellOp(cellInputs[t]!, undefined);
      }
    }
    const dPre: Tensor[] = [];
    let [dh, dc, dw, db]: [Tensor | null, Tensor | null, Tensor | null, Tensor | null] = [null, null, null, null];
    const plus = (x: Tensor | null, y: Tensor) => (x ? add(x, y) : y);
    for (const t of steps.reverse()) {
      const ins = cellInputs[t]!;
      const needsInputGrad = ins.map(() => true);
      const ctx: OpCtx<undefined> = { inputs: ins, output: ins[0]!, kept: [], attrs: undefined, needsInputGrad };
      const gH = plus(dh, select(lstm ? select(grad, 0, 0) : grad, 0, t));
      let dGates: Tensor;
      if (lstm) {
        const gC = plus(dc, select(select(grad, 0, 1), 0, t));
        [dGates, dc] = lstmCellOp.def.backward!(stack([gH, gC]), ctx) as [Tensor, Tensor];
        dPre[t] = dGates;
        dh = matmul(dGates, w);
      } else {
        const [dGi, dGh, dDirect] = gruCellOp.def.backward!(gH, ctx) as [Tensor, Tensor, Tensor];
        [dPre[t], dGates] = [dGi, dGh];
        db = plus(db, sum(dGh, 0));
        dh = add(matmul(dGh, w), dDirect);
      }
      dw = plus(dw, matmul(transpose(dGates, 0, 1), hPrev[t]!));
    }
    return [stack(dPre, 0), dw, dh, lstm ? dc : db];
  },
  fastBackward: (grad, { inputs, output, kept: [acts], attrs: a }) => {
    const [pre, w, h0, extra] = inputs as [Tensor, Tensor, Tensor, Tensor | undefined];
    const lstm = a.cell === "lstm";
    const [len, n, g] = pre.shape as [number, number, number];
    const h = h0.shape[1]!;
    const dt = pre.dtype;
    const dGi = zerosRaw([len, n, g], dt);
    const dGh = lstm ? dGi : zerosRaw([len, n, g], dt);
    const [dh, dc] = [zerosRaw([n, h], dt), zerosRaw([n, h], dt)];
    const dw = zerosRaw([g, h], dt);
    if (len * n * h === 0) return [dGi, dw, dh, lstm ? dc : extra ? zerosRaw([g], dt) : null];
    const k = kernels();
    const [dhv, dcv] = [dh._view(), dc._view()];
    const wv = w._view();
    const steps = order(len, a.reverse).reverse();
    const first = steps[steps.length - 1]!;
    const prevOf = (t: number) => (a.reverse ? t + 1 : t - 1);
    for (const t of steps) {
      k.axpy(1, stepOf(grad, t), dhv);
      const av = stepOf(acts!, t);
      if (lstm) {
        k.axpy(1, stepOf(grad, t, grad.strides[0]!), dcv);
        const cPrev = t === first ? extra!._view() : stepOf(output, prevOf(t), len * n * h);
        // dc is read as c_t's gradient and overwritten with c_{t-1}'s
        k.lstmCellBackward(av, cPrev, dhv, dcv, stepOf(dGi, t), dcv);
        k.matmul(stepOf(dGi, t), wv, dh.storage.handle, dt);
      } else {
        const hPrev = t === first ? h0._view() : stepOf(output, prevOf(t));
        k.gruCellBackward(av, hPrev, dhv, stepOf(dGi, t), stepOf(dGh, t), dcv);
        k.matmul(stepOf(dGh, t), wv, dh.storage.handle, dt);
        k.axpy(1, dcv, dhv);
      }
    }
    // W_hh's gradient as one product over every step: dGatesᵀ [G, L·N] · the states before them [L·N, H]
    const before = statesBefore(output, h0, a.reverse, lstm);
    k.matmul(view2(dGh, g, len * n, 0, [1, g]), view2(before, len * n, h, 0), dw.storage.handle, dt);
    before.dispose();
    if (lstm) return [dGi, dw, dh, dc];
    // the GRU's dc held each step's direct gradient, a temporary no one else sees
    dc.dispose();
    return [dGi, dw, dh, extra ? sum(reshape(dGh, [len * n, g]), 0) : null];
  },
  explain: {
    text: (args, at) => `recurrence[${(at as RecurrenceAttrs).cell}](${args.join(", ")})`,
    tex: (args) => `\\operatorname{recurrence}(${args.join(", ")})`,
    rule: "back through the steps: each cell's rule, then the recurrent product's",
    ruleTex: "\\text{back through the steps}",
  },
  samples: [
    recurrenceSample("lstm", 3, 2, 2, false, true),
    recurrenceSample("lstm", 2, 1, 3, true, true),
    recurrenceSample("gru", 3, 2, 2, false, true),
    recurrenceSample("gru", 2, 2, 1, true, false),
  ],
});

/**
 * A sample of `len` steps over `n` rows of `h` features, with the same steps in PyTorch: a fold
 * over the time steps of the cell's formula (reversed, then flipped back, for `reverse`).
 */
function recurrenceSample(
  cell: "lstm" | "gru",
  len: number,
  n: number,
  h: number,
  reverse: boolean,
  withLast: boolean,
): Sample<RecurrenceAttrs> {
  const g = (cell === "lstm" ? 4 : 3) * h;
  const seq = reverse ? "pre.flip(0).unbind(0)" : "pre.unbind(0)";
  const fold = (step: string, init: string) =>
    `__import__('functools').reduce(lambda acc, p: acc + [${step}], ${seq}, [${init}])[1:]`;
  const lstmStep =
    "(lambda i, f, g, o: (lambda c2: (o.sigmoid() * c2.tanh(), c2))(f.sigmoid() * acc[-1][1] + i.sigmoid() * g.tanh()))" +
    "(*(p + acc[-1][0] @ w.t()).chunk(4, 1))";
  const gruStep =
    "(lambda gh: (lambda ir, iz, inn, hr, hz, hn: (lambda r, z: (lambda n: n + z * (acc[-1] - n))((inn + r * hn).tanh()))" +
    `((ir + hr).sigmoid(), (iz + hz).sigmoid()))(*p.chunk(3, 1), *gh.chunk(3, 1)))(acc[-1] @ w.t()${withLast ? " + x" : ""})`;
  const torch =
    cell === "lstm"
      ? `(lambda pre, w, h0, x: (lambda st: torch.stack([torch.stack([s[0] for s in st]), torch.stack([s[1] for s in st])])${reverse ? ".flip(1)" : ""})(${fold(lstmStep, "(h0, x)")}))(x0, x1, x2, x3)`
      : `(lambda pre, w, h0, x=None: torch.stack(${fold(gruStep, "h0")})${reverse ? ".flip(0)" : ""})(${withLast ? "x0, x1, x2, x3" : "x0, x1, x2"})`;
  const last = cell === "lstm" ? [n, h] : [g];
  return {
    inputs: [
      { shape: [len, n, g] },
      { shape: [g, h], domain: "small" },
      { shape: [n, h] },
      ...(withLast ? [{ shape: last }] : []),
    ],
    attrs: { cell, reverse },
    torch,
  };
}
