// Connectionist temporal classification loss (torch.nn.functional.ctc_loss): the forward algorithm
// over the blank-interleaved targets, in log space and recorded, so the gradient comes from the
// recursion itself. PyTorch's gradient with respect to the log-probabilities is the recursion's plus
// exp(log-probability) at every time step inside the input (the two agree once a log-softmax is
// differentiated too); one term with value 0 adds that part, so the gradients are PyTorch's.

import { creation, functions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { checkReduction, type Reduction } from "./loss.js";

const { where } = functions;

/** Lengths as a tensor of integers or a list of numbers. */
export type Lengths = Tensor | readonly number[] | number;

/** Options of ctcLoss. */
export interface CTCLossOptions {
  /** The blank class (default 0). */
  blank?: number;
  /** 'mean' (default) divides each loss by its target length, then averages over the batch. */
  reduction?: Reduction;
  /** Infinite losses (no alignment fits the input) and their gradients become 0. */
  zeroInfinity?: boolean;
}

const lengthsOf = (l: Lengths): number[] =>
  typeof l === "number" ? [l] : Array.isArray(l) ? [...(l as number[])] : Array.from((l as Tensor).dataSync(), Number);

/** An int32 tensor of the given shape. */
const intGrid = (values: ArrayLike<number>, shape: number[]) => creation.tensor(Int32Array.from(values), { shape });

/** log Σ e^x along dim, which is −∞ with gradient 0 (never NaN) where every term is −∞. */
function logSumExp(x: Tensor, dim: number): Tensor {
  const m = x.detach().amax(dim, true);
  const shift = where(m.isfinite(), m, 0);
  const s = x.sub(shift).exp().sum(dim);
  const some = s.gt(0);
  return where(some, where(some, s, 1).log(), -Infinity).add(shift.squeeze(dim));
}

/**
 * The CTC loss of log-probabilities [T, N, C] (or [T, C] unbatched) against targets padded [N, S]
 * or concatenated 1-D (int32), with each input's and target's length.
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Lengths,
  targetLengths: Lengths,
  opts: CTCLossOptions = {},
): Tensor {
  checkOptions("ctcLoss", opts, ["blank", "reduction", "zeroInfinity"]);
  const { blank = 0, reduction = "mean", zeroInfinity = false } = opts;
  checkReduction(reduction, "ctcLoss");
  const unbatched = logProbs.ndim === 2;
  if (logProbs.ndim !== 3 && !unbatched) {
    throw new RangeError(`ctcLoss: logProbs must be [T, N, C] or [T, C], got ${fmtShape(logProbs.shape)}`);
  }
  const lp = unbatched ? logProbs.unsqueeze(1) : logProbs;
  const [T, N, C] = lp.shape as [number, number, number];
  if (targets.dtype !== "int32") throw new TypeError(`ctcLoss: targets must be int32, got ${targets.dtype}`);
  if (!(Number.isInteger(blank) && blank >= 0 && blank < C)) {
    throw new RangeError(`ctcLoss: blank ${blank} must be a class index in [0, ${C})`);
  }
  const inLen = lengthsOf(inputLengths);
  const tgLen = lengthsOf(targetLengths);
  for (const [name, l] of [
    ["inputLengths", inLen],
    ["targetLengths", tgLen],
  ] as const) {
    if (l.length !== N) throw new RangeError(`ctcLoss: ${name} has ${l.length} entries for a batch of ${N}`);
  }
  inLen.forEach((t, n) => {
    if (!(Number.isInteger(t) && t >= 1 && t <= T)) {
      throw new RangeError(
        `ctcLoss: inputLengths[${n}] = ${t} must be in [1, ${T}] for logProbs ${fmtShape(logProbs.shape)}`,
      );
    }
  });
  const labels = targetsOf(targets, tgLen, unbatched, C);

  // the extended targets: blank, l1, blank, l2, …, blank, padded with blanks to L = 2·max S + 1
  const L = 2 * Math.max(0, ...tgLen) + 1;
  const ext = new Array<number>(N * L).fill(blank);
  const skip = new Array<number>(N * L).fill(0);
  labels.forEach((lab, n) =>
    lab.forEach((c, k) => {
      ext[n * L + 2 * k + 1] = c;
      // a label may follow the one before it directly unless the two are equal
      if (k > 0 && lab[k - 1] !== c) skip[n * L + 2 * k + 1] = 1;
    }),
  );
  const emit = lp.gather(2, intGrid(ext, [1, N, L]).expand([T, N, L]));
  const canSkip = intGrid(skip, [N, L]).bool();
  // a path starts on the first blank or the first label
  const starts = intGrid(
    tgLen.flatMap((s) => Array.from({ length: L }, (_, k) => (k === 0 || (k === 1 && s > 0) ? 1 : 0))),
    [N, L],
  ).bool();
  const inLenT = intGrid(inLen, [N, 1]);

  let alpha = where(starts, emit.select(0, 0), -Infinity);
  for (let t = 1; t < T; t++) {
    const one = alpha.pad([1, 0], -Infinity).narrow(1, 0, L);
    const two = where(canSkip, alpha.pad([2, 0], -Infinity).narrow(1, 0, L), -Infinity);
    const next = logSumExp(functions.stack([alpha, one, two], 2), 2).add(emit.select(0, t));
    // past its input's end, a sequence's α stays where it ended
    alpha = where(inLenT.gt(t), next, alpha);
  }
  // a path ends on the last label or the blank after it
  const last = intGrid(
    tgLen.flatMap((s) => [2 * s, Math.max(2 * s - 1, 0)]),
    [N, 2],
  );
  const endOk = intGrid(
    tgLen.flatMap((s) => [1, s > 0 ? 1 : 0]),
    [N, 2],
  ).bool();
  let nll = logSumExp(where(endOk, alpha.gather(1, last), -Infinity), 1).neg();

  // value 0; gradient exp(log p) at each (t, n, c) inside input n, the part PyTorch's gradient adds
  // (a log-probability of −∞ adds nothing: its lp − lp would be NaN)
  const lpd = lp.detach();
  const inside = creation
    .arange(T)
    .reshape([T, 1])
    .lt(inLenT.reshape([1, N]))
    .unsqueeze(2);
  const live = inside.logicalAnd(lpd.isfinite());
  const extra = where(live, lp.sub(lpd).mul(lpd.exp()), 0).sum([0, 2]);
  const infinite = nll.eq(Infinity);
  if (zeroInfinity) nll = where(infinite, 0, nll.add(extra));
  else {
    // NOTE: PyTorch's gradient of an infinite loss is NaN: √|u| at u = 0 is 0, with derivative NaN;
    // `where` keeps that NaN to the infinite sequences (its unselected branch gets no gradient)
    const u = where(infinite.reshape([1, N, 1]).logicalAnd(live), lp.sub(lpd), 0);
    nll = nll.add(where(infinite, u.abs().sqrt().sum([0, 2]), extra));
  }

  if (reduction === "mean") {
    const lens = creation.tensor(
      tgLen.map((s) => Math.max(s, 1)),
      { dtype: nll.dtype },
    );
    return nll.div(lens).mean();
  }
  if (reduction === "sum") return nll.sum();
  return unbatched ? nll.squeeze(0) : nll;
}

/** Each sequence's labels, from padded [N, S] or concatenated 1-D targets, checked against C. */
function targetsOf(targets: Tensor, tgLen: number[], unbatched: boolean, C: number): number[][] {
  const data = Array.from(targets.dataSync(), Number);
  let labels: number[][];
  if (targets.ndim === 2 || (unbatched && targets.ndim === 1)) {
    const S = targets.shape[targets.ndim - 1]!;
    if (targets.ndim === 2 && targets.shape[0] !== tgLen.length) {
      throw new RangeError(
        `ctcLoss: padded targets ${fmtShape(targets.shape)} must have a row per sequence (${tgLen.length})`,
      );
    }
    labels = tgLen.map((s, n) => {
      if (!(Number.isInteger(s) && s >= 0 && s <= S)) {
        throw new RangeError(
          `ctcLoss: targetLengths[${n}] = ${s} must be in [0, ${S}] for targets ${fmtShape(targets.shape)}`,
        );
      }
      return data.slice(n * S, n * S + s);
    });
  } else if (targets.ndim === 1) {
    const total = tgLen.reduce((a, b) => a + b, 0);
    if (tgLen.some((s) => !(Number.isInteger(s) && s >= 0)) || total > data.length) {
      throw new RangeError(
        `ctcLoss: targetLengths [${tgLen.join(", ")}] must be non-negative and sum to at most the ${data.length} concatenated targets`,
      );
    }
    let at = 0;
    labels = tgLen.map((s) => data.slice(at, (at += s)));
  } else {
    throw new RangeError(`ctcLoss: targets must be padded [N, S] or concatenated 1-D, got ${fmtShape(targets.shape)}`);
  }
  for (const c of labels.flat()) {
    if (!(c >= 0 && c < C)) throw new RangeError(`ctcLoss: target class ${c} is out of range for ${C} classes`);
  }
  return labels;
}

const ints = (shape: number[], values: number[]) => ({ shape, values, domain: "index" as const });
const ctcTorch = (opts = "") => `torch.nn.functional.ctc_loss(x0.log_softmax(-1), x1, x2, x3${opts})`;

/**
 * ctcLoss's table entry. The samples pass logits through logSoftmax first, where PyTorch's
 * gradient is the true one that finite differences check (test/nn/activations-losses.test.ts
 * holds the gradient with respect to log-probabilities themselves).
 */
export const ctcLossComposite = defineComposite<CTCLossOptions>({
  name: "ctcLoss",
  call: ([x, t, il, tl], o) => ctcLoss((x as Tensor).logSoftmax(-1), t as Tensor, il as Tensor, tl as Tensor, o),
  options: {
    keys: ["blank", "reduction", "zeroInfinity"],
    call: ([x, t, il, tl], o) => ctcLoss(x as Tensor, t as Tensor, il as Tensor, tl as Tensor, o),
  },
  // the recursion's second derivative is not PyTorch's (it has none): first order only
  secondOrder: false,
  samples: [
    {
      inputs: [{ shape: [5, 2, 4] }, ints([2, 3], [1, 2, 2, 3, 1, 0]), ints([2], [5, 4]), ints([2], [3, 2])],
      attrs: {},
      torch: ctcTorch(),
      note: "padded targets, a repeated label, a shorter input",
    },
    {
      inputs: [{ shape: [6, 2, 3] }, ints([5], [1, 2, 1, 1, 2]), ints([2], [6, 5]), ints([2], [3, 2])],
      attrs: { reduction: "sum" },
      torch: ctcTorch(", reduction='sum'"),
      note: "concatenated targets",
    },
    {
      inputs: [{ shape: [4, 3, 4] }, ints([3, 2], [1, 1, 0, 2, 2, 0]), ints([3], [4, 3, 4]), ints([3], [2, 0, 1])],
      attrs: { blank: 3, reduction: "none" },
      torch: ctcTorch(", blank=3, reduction='none'"),
      note: "blank last, an empty target",
    },
    {
      inputs: [{ shape: [4, 2, 3] }, ints([2, 2], [1, 1, 2, 1]), ints([2], [2, 4]), ints([2], [2, 2])],
      attrs: { zeroInfinity: true, reduction: "none" },
      torch: ctcTorch(", zero_infinity=True, reduction='none'"),
      note: "no alignment of [1, 1] fits 2 steps: an infinite loss, zeroed",
    },
    {
      inputs: [{ shape: [5, 4] }, ints([3], [3, 1, 3]), ints([], [5]), ints([], [3])],
      attrs: { reduction: "mean" },
      torch: ctcTorch(),
      note: "unbatched",
    },
  ],
});
