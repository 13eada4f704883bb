// einsum: sums of products written as index equations (torch.einsum). Each operand first loses
// what concerns it alone: repeated indices become diagonals, dims broadcast from size 1 are
// dropped, indices no one else needs are summed. Then operands are contracted two at a time, the
// pair with the smallest result first, each pair as one batched matmul over permuted and
// reshaped views (a product with nothing to sum is a broadcast multiply). Every step is a
// recorded op, so gradients of any order come from theirs.

import { numelOf } from "../core/shape.js";
import { TensorBase, type TensorBase as Tensor } from "../tensor/tensor.js";
import { mul } from "./arithmetic.js";
import { sum } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { diagonal } from "./diagonal.js";
import { parseEinsum } from "./einsum-parse.js";
import { matmul } from "./linalg.js";
import { permute, reshape } from "./view.js";

/** An operand on its way through the contraction: a tensor and the label of each of its dims. */
interface Term {
  t: Tensor;
  labels: string[];
}

/**
 * The sum of products the equation describes (torch.einsum): einsum("ij,jk->ik", a, b) is a
 * matrix product, "ii" a trace, "ii->i" a diagonal, "...ij,...jk" a batched product. Without
 * "->" the output holds the indices used once, in alphabetical order (upper case first). The
 * operands may also come as one array.
 */
export function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor {
  const xs = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  xs.forEach((x, k) => {
    if (!(x instanceof TensorBase)) throw new TypeError(`einsum("${equation}"): operand ${k} is not a tensor`);
  });
  const spec = parseEinsum(
    equation,
    xs.map((x) => x.shape),
  );
  const { output, sizes } = spec;
  let terms: Term[] = xs.map((t, k) => ({ t, labels: [...spec.inputs[k]!] }));
  /** Labels still needed outside `skip`: by the output or by another term. */
  const neededBeyond = (skip: readonly Term[]) => {
    const needed = new Set(output);
    for (const term of terms) if (!skip.includes(term)) for (const l of term.labels) needed.add(l);
    return needed;
  };
  terms = terms.map((term) => ownLabelsOut(diagonals(dropBroadcast(term, sizes)), neededBeyond([term])));
  while (terms.length > 1) {
    const [i, j] = cheapestPair(terms, neededBeyond, sizes);
    const [a, b] = [terms[i]!, terms[j]!];
    const joined = contract(a, b, neededBeyond([a, b]), sizes);
    terms = [...terms.filter((t) => t !== a && t !== b), joined];
  }
  const last = ownLabelsOut(terms[0]!, new Set(output));
  const order = output.map((l) => last.labels.indexOf(l));
  return order.every((d, i) => d === i) ? last.t : permute(last.t, ...order);
}

/** Drops the dims of size 1 whose label is larger elsewhere: broadcasting, the value is the same for every index. */
function dropBroadcast(term: Term, sizes: ReadonlyMap<string, number>): Term {
  const keep = term.labels.map((l, d) => !(term.t.shape[d] === 1 && sizes.get(l) !== 1));
  if (keep.every(Boolean)) return term;
  return {
    t: reshape(
      term.t,
      term.t.shape.filter((_, d) => keep[d]),
    ),
    labels: term.labels.filter((_, d) => keep[d]),
  };
}

/** Replaces each label repeated within the term by its diagonal (the diagonal's dim goes last). */
function diagonals(term: Term): Term {
  let { t, labels } = term;
  for (let d = 0; d < labels.length; d++) {
    const again = labels.indexOf(labels[d]!, d + 1);
    if (again < 0) continue;
    t = diagonal(t, { dim1: d, dim2: again });
    labels = [...labels.filter((_, i) => i !== d && i !== again), labels[d]!];
    d = -1;
  }
  return { t, labels };
}

/** Sums the dims whose labels nothing beyond this term needs. */
function ownLabelsOut(term: Term, needed: ReadonlySet<string>): Term {
  const dims = term.labels.flatMap((l, d) => (needed.has(l) ? [] : [d]));
  if (!dims.length) return term;
  return { t: sum(term.t, dims), labels: term.labels.filter((l) => needed.has(l)) };
}

/** The pair whose contraction gives the fewest elements (the first such pair on ties). */
function cheapestPair(
  terms: readonly Term[],
  neededBeyond: (skip: readonly Term[]) => Set<string>,
  sizes: ReadonlyMap<string, number>,
): [number, number] {
  let best: [number, number] = [0, 1];
  let bestSize = Infinity;
  for (let i = 0; i < terms.length; i++) {
    for (let j = i + 1; j < terms.length; j++) {
      const needed = neededBeyond([terms[i]!, terms[j]!]);
      const kept = new Set([...terms[i]!.labels, ...terms[j]!.labels].filter((l) => needed.has(l)));
      const size = numelOf([...kept].map((l) => sizes.get(l)!));
      if (size < bestSize) [best, bestSize] = [[i, j], size];
    }
  }
  return best;
}

/**
 * Contracts two terms into one: labels in both and still needed are batch dims, labels in both
 * and needed no more are summed by the matmul, the rest are the matmul's rows and columns.
 */
function contract(a: Term, b: Term, needed: ReadonlySet<string>, sizes: ReadonlyMap<string, number>): Term {
  const x = ownLabelsOut(a, new Set([...needed, ...b.labels]));
  const y = ownLabelsOut(b, new Set([...needed, ...a.labels]));
  const shared = x.labels.filter((l) => y.labels.includes(l));
  const batch = shared.filter((l) => needed.has(l));
  const summed = shared.filter((l) => !needed.has(l));
  const left = x.labels.filter((l) => !shared.includes(l));
  const right = y.labels.filter((l) => !shared.includes(l));
  const size = (ls: readonly string[]) => ls.map((l) => sizes.get(l)!);
  const arrange = (term: Term, ls: readonly string[]) => {
    const order = ls.map((l) => term.labels.indexOf(l));
    return order.every((d, i) => d === i) ? term.t : permute(term.t, ...order);
  };
  const labels = [...batch, ...left, ...right];
  const shape = size(labels);
  if (!summed.length) {
    // nothing to sum: an outer product over the batch, as a broadcast multiply
    const ones = (ls: readonly string[]) => ls.map(() => 1);
    const xb = reshape(arrange(x, [...batch, ...left]), [...size(batch), ...size(left), ...ones(right)]);
    const yb = reshape(arrange(y, [...batch, ...right]), [...size(batch), ...ones(left), ...size(right)]);
    return { t: mul(xb, yb), labels };
  }
  const [nb, nl, ns, nr] = [batch, left, summed, right].map((ls) => numelOf(size(ls))) as [
    number,
    number,
    number,
    number,
  ];
  const xm = reshape(arrange(x, [...batch, ...left, ...summed]), [nb, nl, ns]);
  const ym = reshape(arrange(y, [...batch, ...summed, ...right]), [nb, ns, nr]);
  return { t: reshape(matmul(xm, ym), shape), labels };
}

type EinsumAttrs = { equation: string };

/** einsum's samples: products, traces, diagonals, broadcasting, implicit outputs. */
export const einsumComposite = defineComposite<EinsumAttrs>({
  name: "einsum",
  call: (xs, { equation }) => einsum(equation, ...xs),
  samples: [
    {
      inputs: [{ shape: [2, 3] }, { shape: [3, 4] }],
      attrs: { equation: "ij,jk->ik" },
      torch: "torch.einsum('ij,jk->ik', x0, x1)",
    },
    {
      inputs: [{ shape: [2, 2, 3] }, { shape: [2, 3, 4] }],
      attrs: { equation: "bij,bjk->bik" },
      torch: "torch.einsum('bij,bjk->bik', x0, x1)",
    },
    { inputs: [{ shape: [3, 3] }], attrs: { equation: "ii" }, torch: "torch.einsum('ii', x0)", note: "trace" },
    { inputs: [{ shape: [3, 3] }], attrs: { equation: "ii->i" }, torch: "torch.einsum('ii->i', x0)", note: "diagonal" },
    {
      inputs: [{ shape: [3] }, { shape: [4] }],
      attrs: { equation: "i,j->ij" },
      torch: "torch.einsum('i,j->ij', x0, x1)",
    },
    {
      inputs: [{ shape: [2, 1, 2, 3] }, { shape: [3, 3, 2] }],
      attrs: { equation: "...ij,...jk->...ik" },
      torch: "torch.einsum('...ij,...jk->...ik', x0, x1)",
      note: "ellipses of different lengths broadcast",
    },
    {
      inputs: [{ shape: [2, 3, 1] }, { shape: [2, 4] }],
      attrs: { equation: "b...,b...->b..." },
      torch: "torch.einsum('b...,b...->b...', x0, x1)",
    },
    {
      inputs: [{ shape: [2, 3] }, { shape: [3, 4] }, { shape: [4, 2] }],
      attrs: { equation: "ij,jk,kl->il" },
      torch: "torch.einsum('ij,jk,kl->il', x0, x1, x2)",
    },
    {
      inputs: [{ shape: [2, 3] }, { shape: [3, 4] }],
      attrs: { equation: " i j , j k " },
      torch: "torch.einsum(' i j , j k ', x0, x1)",
      note: "implicit output, spaces",
    },
    {
      inputs: [{ shape: [2, 3] }, { shape: [3, 4] }],
      attrs: { equation: "Ba,aA" },
      torch: "torch.einsum('Ba,aA', x0, x1)",
    },
    {
      inputs: [{ shape: [2, 3, 4] }, { shape: [3] }],
      attrs: { equation: "ijk,j->k" },
      torch: "torch.einsum('ijk,j->k', x0, x1)",
      note: "i summed within its one operand",
    },
    {
      inputs: [{ shape: [2, 1] }, { shape: [3, 4] }],
      attrs: { equation: "ij,jk->ik" },
      torch: "torch.einsum('ij,jk->ik', x0, x1)",
      note: "a contracted index of size 1 broadcasts",
    },
    {
      inputs: [{ shape: [2, 2, 3] }, { shape: [3, 2] }],
      attrs: { equation: "iij,ji->j" },
      torch: "torch.einsum('iij,ji->j', x0, x1)",
    },
    {
      inputs: [{ shape: [2, 3, 4] }],
      attrs: { equation: "i...->..." },
      torch: "torch.einsum('i...->...', x0)",
    },
    { inputs: [{ shape: [2, 3, 4] }], attrs: { equation: "ij...->ij" }, torch: "torch.einsum('ij...->ij', x0)" },
    {
      inputs: [{ shape: [2, 3] }, { shape: [] }, { shape: [3] }],
      attrs: { equation: "ij,,j->i" },
      torch: "torch.einsum('ij,,j->i', x0, x1, x2)",
    },
    {
      inputs: [{ shape: [2, 0] }, { shape: [0, 3] }],
      attrs: { equation: "ij,jk->ik" },
      torch: "torch.einsum('ij,jk->ik', x0, x1)",
      note: "an empty sum is 0",
    },
    {
      inputs: [
        { shape: [2, 3], dtype: "int32", values: [1, 2, 3, 4, 5, 6] },
        { shape: [3, 2], dtype: "int32", values: [1, -1, 2, 0, 3, 1] },
      ],
      attrs: { equation: "ij,jk" },
      torch: "torch.einsum('ij,jk', x0, x1)",
    },
  ],
});
