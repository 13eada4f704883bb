// The fused recurrent cells (lstmCell, gruCell) against the elementwise formulas they replace, and
// the recurrent layers built on them against the same layers composed step by step from those
// formulas: values and gradients, float32 and float64, odd sizes, strided inputs, empty batches.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gruCellOp, lstmCellOp } from "../../src/ops/recurrent.js";
import { recurrenceOp } from "../../src/ops/recurrent-layer.js";
import { assertClose, throwsNaming } from "../helpers.js";

type DType = "float32" | "float64";

/** The LSTM cell as the elementwise ops it replaces: stacked [h', c']. */
function lstmComposed(gates: Tensor, c: Tensor): Tensor {
  const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return cr.stack([o.sigmoid().mul(c2.tanh()), c2]);
}

/** The GRU cell as the elementwise ops it replaces. */
function gruComposed(gi: Tensor, gh: Tensor, h: Tensor): Tensor {
  const [ir, iz, inn] = gi.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = gh.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const r = ir.add(hr).sigmoid();
  const z = iz.add(hz).sigmoid();
  const n = inn.add(r.mul(hn)).tanh();
  return n.add(z.mul(h.sub(n)));
}

const lstmFused = (gates: Tensor, c: Tensor) => lstmCellOp([gates, c], undefined) as Tensor;
const gruFused = (gi: Tensor, gh: Tensor, h: Tensor) => gruCellOp([gi, gh, h], undefined) as Tensor;

const tol = (dtype: DType) => (dtype === "float64" ? { atol: 1e-12, rtol: 1e-10 } : { atol: 2e-6, rtol: 1e-4 });

/**
 * Leaves of the given shapes (scaled to reach the activations' saturated tails), each seen by the
 * cell through `view` (a strided view, say); returns the two functions' outputs and the leaves'
 * gradients for one random cotangent.
 */
function compare(
  shapes: number[][],
  dtype: DType,
  fused: (...xs: Tensor[]) => Tensor,
  composed: (...xs: Tensor[]) => Tensor,
  view: (x: Tensor, k: number) => Tensor = (x) => x,
): void {
  const leaves = shapes.map((s) => cr.randn(s, { dtype }).mul(3).requiresGrad_());
  const results = [fused, composed].map((fn) => {
    const out = fn(...leaves.map(view));
    cr.manualSeed(7);
    const w = cr.randn(out.shape, { dtype });
    const grads = cr.autograd.grad(out.mul(w).sum(), leaves);
    return { out, grads };
  });
  const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
  assert.equal(a.out.dtype, dtype);
  assertClose(a.out, b.out, tol(dtype));
  a.grads.forEach((g, k) => assertClose(g!, b.grads[k]!, { ...tol(dtype), msg: `gradient of input ${k}` }));
}

for (const dtype of ["float32", "float64"] as const) {
  for (const [n, h] of [
    [3, 7],
    [1, 1],
    [5, 16],
    [0, 4],
  ] as const) {
    test(`lstmCell matches the composed cell, N=${n} H=${h}, ${dtype}`, () => {
      cr.manualSeed(n * 10 + h);
      compare(
        [
          [n, 4 * h],
          [n, h],
        ],
        dtype,
        lstmFused,
        lstmComposed,
      );
    });
    test(`gruCell matches the composed cell, N=${n} H=${h}, ${dtype}`, () => {
      cr.manualSeed(n * 10 + h + 1);
      compare(
        [
          [n, 3 * h],
          [n, 3 * h],
          [n, h],
        ],
        dtype,
        gruFused,
        gruComposed,
      );
    });
  }

  test(`the cells read strided inputs (transposed gates, every other column), ${dtype}`, () => {
    cr.manualSeed(5);
    const h = 7;
    // gates arrive transposed ([G, N] stored), states as every other column of a wider tensor
    const lstmView = (x: Tensor, k: number) => (k === 0 ? x.t() : x.slice(1, 0, 2 * h, 2));
    compare(
      [
        [4 * h, 3],
        [3, 2 * h],
      ],
      dtype,
      lstmFused,
      lstmComposed,
      lstmView,
    );
    const gruView = (x: Tensor, k: number) => (k < 2 ? x.t() : x.slice(1, 1, 2 * h, 2));
    compare(
      [
        [3 * h, 3],
        [3 * h, 3],
        [3, 2 * h],
      ],
      dtype,
      gruFused,
      gruComposed,
      gruView,
    );
  });
}

test("the cells' gradients pass gradcheck and gradgradcheck (float64, odd H)", () => {
  cr.manualSeed(11);
  const leaf = (s: number[]) => cr.randn(s, { dtype: "float64" }).requiresGrad_();
  const lstm = [leaf([2, 12]), leaf([2, 3])];
  assert.ok(cr.autograd.gradcheck(lstmFused, lstm));
  assert.ok(cr.autograd.gradgradcheck(lstmFused, lstm));
  const gru = [leaf([2, 9]), leaf([2, 9]), leaf([2, 3])];
  assert.ok(cr.autograd.gradcheck(gruFused, gru));
  assert.ok(cr.autograd.gradgradcheck(gruFused, gru));
});

test("the cells name the shapes and dtypes they needed", () => {
  throwsNaming(() => lstmFused(cr.zeros([2, 8]), cr.zeros([2, 3])), RangeError, "lstmCell", "[N, 4H]", "[2, 8]");
  throwsNaming(
    () => gruFused(cr.zeros([2, 6]), cr.zeros([2, 6]), cr.zeros([2, 2], { dtype: "float64" })),
    RangeError,
    "gruCell",
    "float64",
  );
});

type Layer = InstanceType<typeof cr.nn.LSTM> | InstanceType<typeof cr.nn.GRU> | InstanceType<typeof cr.nn.RNN>;

/** One step of the layer as it was composed before the fused cells: linear, chunk and elementwise ops. */
function composedStep(mode: string, pre: Tensor, state: Tensor[], wHh: Tensor, bHh: Tensor | null): Tensor[] {
  const gh = cr.nn.functional.linear(state[0]!, wHh, bHh);
  if (mode === "RNN_TANH") return [pre.add(gh).tanh()];
  if (mode === "RNN_RELU") return [pre.add(gh).relu()];
  if (mode === "LSTM") {
    const hc = lstmComposed(pre.add(gh), state[1]!);
    return [hc.select(0, 0), hc.select(0, 1)];
  }
  return [gruComposed(pre, gh, state[0]!)];
}

/** The layer run by hand from its parameters with the composed steps (input [L, N, F], no dropout). */
function composedLayer(m: Layer, mode: string, x: Tensor, hx: Tensor[]): [Tensor, Tensor[]] {
  const dirs = m.bidirectional ? 2 : 1;
  const finals: Tensor[][] = hx.map(() => []);
  for (let layer = 0; layer < m.numLayers; layer++) {
    const outs: Tensor[] = [];
    for (let d = 0; d < dirs; d++) {
      const sfx = `_l${layer}${d ? "_reverse" : ""}`;
      const pre = cr.nn.functional.linear(x, m.param(`weight_ih${sfx}`)!, m.param(`bias_ih${sfx}`));
      let state = hx.map((s) => s.select(0, layer * dirs + d));
      const hs: Tensor[] = [];
      for (let k = 0; k < x.shape[0]!; k++) {
        const t = d ? x.shape[0]! - 1 - k : k;
        state = composedStep(mode, pre.select(0, t), state, m.param(`weight_hh${sfx}`)!, m.param(`bias_hh${sfx}`));
        hs[t] = state[0]!;
      }
      outs.push(cr.stack(hs));
      state.forEach((s, i) => finals[i]!.push(s));
    }
    x = cr.cat(outs, 2);
  }
  return [x, finals.map((f) => cr.stack(f))];
}

const layers: [string, string, (dtype: DType) => Layer][] = [
  ["LSTM", "LSTM", () => new cr.nn.LSTM(3, 5, { numLayers: 2, bidirectional: true })],
  ["GRU", "GRU", () => new cr.nn.GRU(3, 5, { numLayers: 2, bidirectional: true })],
  ["RNN tanh", "RNN_TANH", () => new cr.nn.RNN(3, 5, { numLayers: 2, bidirectional: true })],
  ["RNN relu", "RNN_RELU", () => new cr.nn.RNN(3, 5, { numLayers: 2, bidirectional: true, nonlinearity: "relu" })],
  ["GRU without bias", "GRU", () => new cr.nn.GRU(3, 5, { bias: false })],
  ["LSTM without bias", "LSTM", () => new cr.nn.LSTM(3, 5, { bias: false, bidirectional: true })],
];

for (const dtype of ["float32", "float64"] as const) {
  for (const [name, mode, make] of layers) {
    test(`${name}, 2 layers bidirectional, matches its composed steps with initial states (${dtype})`, () => {
      cr.manualSeed(21);
      const m = make(dtype);
      if (dtype === "float64") m.double();
      const dirs = m.bidirectional ? 2 : 1;
      const x = cr.randn([4, 2, 3], { dtype }).requiresGrad_();
      const hx = (mode === "LSTM" ? [0, 1] : [0]).map(() =>
        cr.randn([m.numLayers * dirs, 2, 5], { dtype }).requiresGrad_(),
      );
      const call = m.call.bind(m) as (input: Tensor, state: Tensor | Tensor[]) => [Tensor, Tensor | Tensor[]];
      const fused = call(x, mode === "LSTM" ? hx : hx[0]!);
      const fusedStates = Array.isArray(fused[1]) ? fused[1] : [fused[1]];
      const [out, states] = composedLayer(m, mode, x, hx);
      const leaves = [x, ...hx, ...m.parameters()];
      const loss = (o: Tensor, s: Tensor[]) => s.reduce((acc, t) => acc.add(t.mul(t).sum()), o.sin().sum());
      const gf = cr.autograd.grad(loss(fused[0], fusedStates), leaves);
      const gc = cr.autograd.grad(loss(out, states), leaves);
      assertClose(fused[0], out, tol(dtype));
      fusedStates.forEach((s, i) => assertClose(s, states[i]!, tol(dtype)));
      gf.forEach((g, i) => assertClose(g!, gc[i]!, { ...tol(dtype), msg: `gradient of leaf ${i}` }));
    });
  }
}

test("batchFirst LSTM and GRU match their time-major runs, and an empty batch runs", () => {
  cr.manualSeed(4);
  for (const m of [new cr.nn.LSTM(3, 7, { batchFirst: true }), new cr.nn.GRU(3, 7, { batchFirst: true })]) {
    const x = cr.randn([2, 5, 3]);
    const [a] = m.call(x) as [Tensor, unknown];
    const timeMajor = Object.assign(m, { batchFirst: false });
    const [b] = timeMajor.call(x.transpose(0, 1)) as [Tensor, unknown];
    assertClose(a, b.transpose(0, 1), { atol: 1e-6 });
    const [empty] = m.call(cr.randn([5, 0, 3])) as [Tensor, unknown];
    assert.deepEqual(empty.shape, [5, 0, 7]);
  }
});

/** The recurrence op's steps composed from the cells' formulas: [2, L, N, H] (LSTM) or [L, N, H]. */
function recurrenceComposed(cell: "lstm" | "gru", reverse: boolean, pre: Tensor, w: Tensor, h0: Tensor, x?: Tensor) {
  const len = pre.shape[0]!;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  let [h, c] = [h0, x];
  for (let k = 0; k < len; k++) {
    const t = reverse ? len - 1 - k : k;
    if (cell === "lstm") {
      const hc = lstmComposed(pre.select(0, t).add(h.matmul(w.t())), c!);
      [h, c] = [hc.select(0, 0), hc.select(0, 1)];
      cs[t] = c;
    } else {
      const gh = x ? h.matmul(w.t()).add(x) : h.matmul(w.t());
      h = gruComposed(pre.select(0, t), gh, h);
    }
    hs[t] = h;
  }
  return cell === "lstm" ? cr.stack([cr.stack(hs), cr.stack(cs)]) : cr.stack(hs);
}

for (const dtype of ["float32", "float64"] as const) {
  for (const cell of ["lstm", "gru"] as const) {
    for (const reverse of [false, true]) {
      test(`the ${cell} recurrence over strided inputs matches its composed steps (${reverse ? "reverse, " : ""}${dtype})`, () => {
        cr.manualSeed(reverse ? 8 : 9);
        const [len, n, h] = [4, 3, 5];
        const g = (cell === "lstm" ? 4 : 3) * h;
        // pre stored batch-major, W_hh stored transposed, states and bias as every other column
        const views = [
          (x: Tensor) => x.transpose(0, 1),
          (x: Tensor) => x.t(),
          (x: Tensor) => x.slice(1, 0, 2 * h, 2),
          cell === "lstm" ? (x: Tensor) => x.slice(1, 1, 2 * h, 2) : (x: Tensor) => x.slice(0, 0, 2 * g, 2),
        ];
        const shapes = [[n, len, g], [h, g], [n, 2 * h], cell === "lstm" ? [n, 2 * h] : [2 * g]];
        const fused = (...xs: Tensor[]) => recurrenceOp(xs, { cell, reverse }) as Tensor;
        const composed = (pre: Tensor, w: Tensor, h0: Tensor, x: Tensor) =>
          recurrenceComposed(cell, reverse, pre, w, h0, x);
        compare(shapes, dtype, fused, composed, (x, k) => views[k]!(x.mul(0.3)));
      });
    }
  }
}
