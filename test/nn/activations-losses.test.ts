// The activations, distances and losses beyond what the table's samples show: each module against
// its functional form, PReLU's parameter and RReLU's random slope, gradients at the kinks and at the
// ends (exact 0/1 probabilities, clamped norms and variances, infinite CTC losses) against values
// PyTorch 1.13 gave, and the errors bad inputs get.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { assertClose } from "../helpers.js";

const { nn } = cr;
const F = nn.functional;
const f64 = (v: number[] | number[][] | number[][][], requiresGrad = true) =>
  cr.tensor(v, { dtype: "float64", requiresGrad });
const int = (v: number[] | number[][]) => cr.tensor(v, { dtype: "int32" });
const exact = { atol: 1e-12, rtol: 1e-12 };

/** The gradient of sum(f(x)) with respect to x. */
function gradOf(f: (x: Tensor) => Tensor, values: number[]): { y: Tensor; g: Tensor } {
  const x = f64(values);
  const y = f(x);
  y.sum().backward();
  return { y, g: x.grad! };
}

describe("modules match their functional forms", () => {
  const x = cr.randn([2, 4, 2], { dtype: "float64" });
  const cases: [cr.nn.Module & { forward(x: Tensor): Tensor }, (x: Tensor) => Tensor][] = [
    [new nn.CELU(1.5), (x) => F.celu(x, { alpha: 1.5 })],
    [new nn.SELU(), F.selu],
    [new nn.ReLU6(), F.relu6],
    [new nn.Hardtanh(-0.5, 0.25), (x) => F.hardtanh(x, { minVal: -0.5, maxVal: 0.25 })],
    [new nn.Hardswish(), F.hardswish],
    [new nn.Hardsigmoid(), F.hardsigmoid],
    [new nn.Mish(), F.mish],
    [new nn.Softsign(), F.softsign],
    [new nn.Softmin(1), (x) => F.softmin(x, 1)],
    [new nn.Softmin(), (x) => F.softmin(x, 0)],
    [new nn.Tanhshrink(), F.tanhshrink],
    [new nn.Hardshrink(0.3), (x) => F.hardshrink(x, { lambd: 0.3 })],
    [new nn.Softshrink(0.3), (x) => F.softshrink(x, { lambd: 0.3 })],
    [new nn.LogSigmoid(), F.logsigmoid],
    [new nn.GLU(1), (x) => F.glu(x, 1)],
    [new nn.GLU(), (x) => F.glu(x)],
    [new nn.PReLU(), (x) => F.prelu(x, cr.tensor([0.25]))],
    [new nn.RReLU(0.1, 0.3).eval(), (x) => F.rrelu(x, { lower: 0.1, upper: 0.3 })],
  ];
  for (const [m, fn] of cases) {
    test(m.constructor.name, () => {
      assertClose(m.call(x), fn(x), exact);
    });
  }

  test("distance modules", () => {
    const a = cr.randn([3, 4], { dtype: "float64" });
    const b = cr.randn([3, 4], { dtype: "float64" });
    assertClose(new nn.CosineSimilarity({ dim: 0 }).call(a, b), F.cosineSimilarity(a, b, { dim: 0 }), exact);
    const pd = new nn.PairwiseDistance({ p: 1, keepdim: true });
    assertClose(pd.call(a, b), F.pairwiseDistance(a, b, { p: 1, keepdim: true }), exact);
    assert.deepEqual(pd.call(a, b).shape, [3, 1]);
  });

  test("loss modules", () => {
    const a = cr.randn([4, 3], { dtype: "float64" });
    const b = cr.randn([4, 3], { dtype: "float64" });
    const c = cr.randn([4, 3], { dtype: "float64" });
    const y = cr.tensor([1, -1, 1, -1], { dtype: "float64" });
    const m = { margin: 0.1, reduction: "sum" } as const;
    assertClose(new nn.CosineEmbeddingLoss(m).call(a, b, y), F.cosineEmbeddingLoss(a, b, y, m), exact);
    const r = a.select(1, 0);
    const s = b.select(1, 0);
    assertClose(new nn.MarginRankingLoss(m).call(r, s, y), F.marginRankingLoss(r, s, y, m), exact);
    const t = { margin: 0.5, p: 1, swap: true, reduction: "none" } as const;
    assertClose(new nn.TripletMarginLoss(t).call(a, b, c), F.tripletMarginLoss(a, b, c, t), exact);
    const counts = a.abs();
    const p = { logInput: false, full: true } as const;
    assertClose(new nn.PoissonNLLLoss(p).call(counts, b.abs()), F.poissonNllLoss(counts, b.abs(), p), exact);
    const v = c.abs().select(1, 0);
    assertClose(
      new nn.GaussianNLLLoss({ full: true }).call(a, b, v),
      F.gaussianNllLoss(a, b, v, { full: true }),
      exact,
    );
    const w = cr.tensor([1, 2, 0.5], { dtype: "float64" });
    const labels = b.gt(0).double();
    assertClose(
      new nn.MultiLabelSoftMarginLoss({ weight: w }).call(a, labels),
      F.multiLabelSoftMarginLoss(a, labels, { weight: w }),
      exact,
    );
    assert.deepEqual(Object.keys(new nn.MultiLabelSoftMarginLoss({ weight: w }).stateDict()), ["weight"]);
    const lp = cr.randn([5, 2, 4], { dtype: "float64" }).logSoftmax(2);
    const targets = int([
      [1, 2],
      [3, 3],
    ]);
    const ctc = new nn.CTCLoss({ blank: 0, reduction: "sum", zeroInfinity: true });
    assertClose(
      ctc.call(lp, targets, [5, 4], [2, 2]),
      F.ctcLoss(lp, targets, [5, 4], [2, 2], { reduction: "sum" }),
      exact,
    );
  });
});

describe("PReLU and RReLU", () => {
  test("PReLU learns one slope per channel, starting at init", () => {
    const m = new nn.PReLU(3, 0.1);
    assert.equal(m.numParameters, 3);
    assert.deepEqual(Object.keys(m.stateDict()), ["weight"]);
    assert.deepEqual(Array.from(m.weight.dataSync()), [0.1, 0.1, 0.1].map(Math.fround));
    assert.equal(new nn.PReLU().weight.item(), 0.25);
    const x = cr.tensor([
      [-1, 2, -3],
      [4, -5, 0],
    ]);
    const y = m.call(x);
    assertClose(y, [
      [-0.1, 2, -0.3],
      [4, -0.5, 0],
    ]);
    y.sum().backward();
    // ∂/∂w_c = Σ x over the non-positive entries of channel c
    assertClose(m.weight.grad!, [-1, -5, -3]);
    assert.throws(() => m.call(cr.zeros([2, 4])), /prelu: weight \[3\] must hold 1 slope or one per channel \(4/);
    assert.throws(() => new nn.PReLU(0), /PReLU: numParameters must be a positive integer/);
  });

  test("RReLU draws a slope in [lower, upper] per element in train mode, from the seeded generator", () => {
    const m = new nn.RReLU(0.2, 0.4);
    const x = f64(new Array<number>(200).fill(-1));
    cr.manualSeed(7);
    const y = m.call(x);
    const slopes = Array.from(y.dataSync(), (v) => -v);
    assert.ok(slopes.every((s) => s >= 0.2 && s <= 0.4));
    assert.ok(new Set(slopes).size > 100, "slopes differ per element");
    cr.manualSeed(7);
    assert.deepEqual(Array.from(m.call(x).dataSync()), Array.from(y.dataSync()));
    // the gradient is the slope drawn
    y.sum().backward();
    assertClose(x.grad!, slopes, exact);
    // positives pass unchanged; eval uses the mean slope, 0 included
    assertClose(m.call(cr.tensor([0.5, 2])), [0.5, 2]);
    m.eval();
    const { y: ye, g } = gradOf((t) => m.call(t), [-1, 0, 2]);
    assertClose(ye, [-0.3, 0, 2], exact);
    assertClose(g, [0.3, 0.3, 1], exact);
  });
});

describe("gradients at the kinks, as PyTorch's", () => {
  const cases: [string, (x: Tensor) => Tensor, number[], number[]][] = [
    ["relu6", F.relu6, [-1, 0, 6, 7, 3], [0, 0, 0, 0, 1]],
    ["hardtanh", (x) => F.hardtanh(x), [-1, 1, 0, 2, -2], [0, 0, 1, 0, 0]],
    ["hardswish", F.hardswish, [-3, 3, 0, -4, 4], [-0.5, 1.5, 0.5, 0, 1]],
    ["hardsigmoid", F.hardsigmoid, [-3, 3, 0, -4, 4], [0, 0, 0.1666666716337204, 0, 0]],
    ["hardshrink", (x) => F.hardshrink(x), [-0.5, 0.5, 0, 1, -1], [0, 0, 0, 1, 1]],
    ["softshrink", (x) => F.softshrink(x), [-0.5, 0.5, 0, 1, -1], [0, 0, 0, 1, 1]],
    ["logsigmoid", F.logsigmoid, [0, -1000, 1000], [0.5, 1, 0]],
    ["celu", (x) => F.celu(x, { alpha: 2 }), [0], [1]],
    ["selu", F.selu, [0], [1.7580993408473766]],
    ["mish", F.mish, [0, -100, 100], [0.6, -3.682875216260627e-42, 1]],
    ["softsign", F.softsign, [0], [1]],
    ["rrelu (eval)", (x) => F.rrelu(x), [0], [0.22916666666666666]],
    ["prelu", (x) => F.prelu(x, cr.tensor([0.25], { dtype: "float64" })), [0, -2], [0.25, 0.25]],
  ];
  for (const [name, fn, x, expected] of cases) {
    test(name, () => assertClose(gradOf(fn, x).g, expected, { atol: 1e-15, rtol: 1e-12 }));
  }

  test("NaN passes through as in PyTorch 1.13 (softshrink maps it to 0)", () => {
    const nan = cr.tensor([NaN], { dtype: "float64" });
    for (const fn of [
      F.hardtanh,
      F.relu6,
      F.hardswish,
      F.hardsigmoid,
      F.hardshrink,
      F.celu,
      F.selu,
      F.mish,
      F.logsigmoid,
    ]) {
      assert.ok(Number.isNaN((fn as (x: Tensor) => Tensor)(nan).item()), fn.name);
    }
    assert.equal(F.softshrink(nan).item(), 0);
  });
});

describe("binaryCrossEntropy at probabilities exactly 0 and 1", () => {
  const probs = [0, 1, 0, 1, 0.5, 0.25];
  const targets = [0, 1, 1, 0, 0.3, 1];
  test("finite losses and PyTorch's gradients (x(1 − x) floored at 1e-12 as a float32)", () => {
    const x = f64(probs);
    const y = f64(targets);
    const loss = F.binaryCrossEntropy(x, y, { reduction: "none" });
    assertClose(loss, [0, 0, 100, 100, 0.6931471805599453, 1.3862943611198906], exact);
    loss.sum().backward();
    assertClose(x.grad!, [0, 0, -1000000003995.8029, 1000000003995.8029, 0.8, -4], exact);
    assertClose(y.grad!, [Infinity, -Infinity, Infinity, -Infinity, 0, 1.0986122886681096], exact);
    const xm = f64(probs);
    const mean = F.binaryCrossEntropy(xm, y.detach());
    assertClose(mean, [33.67990692361331], exact);
    mean.backward();
    assertClose(
      xm.grad!,
      [0, 0, -166666667332.63382, 166666667332.63382, 0.13333333333333333, -0.6666666666666666],
      exact,
    );
  });

  test("the module agrees, and probabilities outside [0, 1] are refused", () => {
    const x = f64(probs, false);
    const y = f64(targets, false);
    assertClose(
      new nn.BCELoss({ reduction: "sum" }).call(x, y),
      F.binaryCrossEntropy(x, y, { reduction: "sum" }),
      exact,
    );
    assert.throws(
      () => F.binaryCrossEntropy(cr.tensor([0.5, 1.5]), cr.tensor([0, 1])),
      /binaryCrossEntropy: every input must be a probability in \[0, 1\], got values in \[0.5, 1.5\]/,
    );
    assert.throws(
      () => F.binaryCrossEntropy(x, y, { weight: cr.ones([6], { requiresGrad: true }) }),
      /binaryCrossEntropy: the gradient with respect to the weight is not implemented/,
    );
    assert.throws(
      () => F.binaryCrossEntropy(x, y, { weight: cr.ones([2, 6]) }),
      /weight \[2, 6\] must broadcast to the input's shape \[6\]/,
    );
  });
});

describe("clamps kept out of the gradient, as PyTorch's", () => {
  test("cosineSimilarity with norms below eps", () => {
    const a = f64([
      [1e-5, 2e-5, 0.3],
      [1, 2, 3],
    ]);
    const b = f64([
      [3e-5, -1e-5, 0.2],
      [0.5, -1, 2],
    ]);
    const out = F.cosineSimilarity(a, b, { dim: -1, eps: 0.5 });
    assertClose(out, [0.2400000004, 0.524890659167824], exact);
    out.sum().backward();
    const tol = { atol: 1e-15, rtol: 1e-10 };
    assertClose(
      a.grad!,
      [
        [0.000110399999984, -5.9200000032000006e-5, 0.5119999995200001],
        [0.020828994411421588, -0.19162674858507855, 0.1208081675862452],
      ],
      tol,
    );
    assertClose(
      b.grad!,
      [
        [1.1199999952000003e-5, 8.960000001600001e-5, 1.00799999968],
        [0.06665278211654907, 0.33326391058274535, 0.1499687597622354],
      ],
      tol,
    );
  });

  test("gaussianNllLoss with variances below eps", () => {
    const input = f64([0.5, -1, 2, 0.3]);
    const variance = f64([0.5, 1e-9, 2, 0]);
    const out = F.gaussianNllLoss(input, f64([0.1, 0.2, -0.5, 1], false), variance, { eps: 0.01 });
    assertClose(out, [23.404332453502974], exact);
    out.backward();
    assertClose(input.grad!, [0.2, -30, 0.3125, -17.5], exact);
    assertClose(variance.grad!, [0.17, -1787.5, -0.1328125, -600], { atol: 1e-12, rtol: 1e-10 });
  });
});

describe("ctcLoss", () => {
  // log-softmax of fixed logits [T=4, N=2, C=3]; sequence 1 needs 3 steps for [1, 1] but has 2
  const lp = [
    [
      [-1.3142950728206315, -2.0142950728206315, -0.5142950728206315],
      [-0.8859393176684558, -1.0859393176684558, -1.3859393176684558],
    ],
    [
      [-0.5557123323460855, -1.2557123323460857, -1.9557123323460857],
      [-2.0421588491986964, -0.5421588491986965, -1.2421588491986966],
    ],
    [
      [-1.539546203864945, -0.8395462038649449, -1.039546203864945],
      [-0.699675981209848, -1.599675981209848, -1.199675981209848],
    ],
    [
      [-2.1600203655621035, -1.160020365562103, -0.5600203655621032],
      [-0.7989161848417257, -0.7989161848417257, -2.2989161848417257],
    ],
  ];
  const targets = int([
    [1, 2],
    [1, 1],
  ]);

  test("the gradient with respect to the log-probabilities is PyTorch's, NaN for an infinite loss", () => {
    const x = f64(lp);
    const loss = F.ctcLoss(x, targets, [4, 2], [2, 2], { reduction: "none" });
    assertClose(loss, [1.958116647347736, Infinity], exact);
    loss.sum().backward();
    const g = x.grad!.toArray() as number[][][];
    const tol = { atol: 1e-12, rtol: 1e-10 };
    assertClose(
      g.map((r) => r[0]!),
      [
        [-0.3326537653378998, -0.2652681721797563, 0.5979219375176557],
        [0.10613961795888027, -0.21182926896784432, 0.10568965100896352],
        [0.0452976539327784, -0.037754113165220426, -0.007543540767558254],
        [0.05134690981534454, 0.3134797966253298, -0.3648267064406746],
      ],
      tol,
    );
    // inside the infinite sequence's input NaN, past its end 0
    assert.ok(g.slice(0, 2).every((r) => r[1]!.every(Number.isNaN)));
    assertClose(
      g.slice(2).map((r) => r[1]!),
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
    );
  });

  test("zeroInfinity zeroes the infinite loss and its gradient; mean divides by target lengths", () => {
    const x = f64(lp);
    const loss = F.ctcLoss(x, targets, [4, 2], [2, 2], { zeroInfinity: true });
    assertClose(loss, [0.489529161836934], exact);
    loss.backward();
    const g = x.grad!.toArray() as number[][][];
    assertClose(
      g.map((r) => r[0]!),
      [
        [-0.08316344133447495, -0.06631704304493907, 0.1494804843794139],
        [0.026534904489720068, -0.05295731724196108, 0.02642241275224088],
        [0.0113244134831946, -0.009438528291305107, -0.0018858851918895636],
        [0.012836727453836135, 0.07836994915633246, -0.09120667661016865],
      ],
      { atol: 1e-12, rtol: 1e-10 },
    );
    assert.ok(g.every((r) => r[1]!.every((v) => v === 0)));
  });

  test("padded and concatenated targets, tensors and arrays of lengths agree", () => {
    const x = f64(lp, false);
    const padded = F.ctcLoss(x, targets, cr.tensor([4, 3], { dtype: "int32" }), [2, 1], { reduction: "none" });
    const concat = F.ctcLoss(x, int([1, 2, 1]), [4, 3], cr.tensor([2, 1], { dtype: "int32" }), { reduction: "none" });
    assertClose(padded, concat, exact);
    const unbatched = F.ctcLoss(x.select(1, 0), int([1, 2]), 4, 2, { reduction: "none" });
    assert.deepEqual(unbatched.shape, []);
    assertClose(unbatched, [padded.dataSync()[0]!], exact);
  });

  test("errors name the lengths and shapes", () => {
    const x = f64(lp, false);
    const cases: [() => unknown, RegExp][] = [
      [() => F.ctcLoss(x, targets, [4], [2, 2]), /ctcLoss: inputLengths has 1 entries for a batch of 2/],
      [() => F.ctcLoss(x, targets, [4, 2], [2, 2, 1]), /ctcLoss: targetLengths has 3 entries for a batch of 2/],
      [
        () => F.ctcLoss(x, targets, [5, 2], [2, 2]),
        /ctcLoss: inputLengths\[0\] = 5 must be in \[1, 4\] for logProbs \[4, 2, 3\]/,
      ],
      [
        () => F.ctcLoss(x, targets, [4, 2], [3, 2]),
        /ctcLoss: targetLengths\[0\] = 3 must be in \[0, 2\] for targets \[2, 2\]/,
      ],
      [
        () => F.ctcLoss(x, int([1, 2]), [4, 2], [2, 2]),
        /targetLengths \[2, 2\] must be non-negative and sum to at most the 2/,
      ],
      [() => F.ctcLoss(x, targets.double(), [4, 2], [2, 2]), /ctcLoss: targets must be int32, got float64/],
      [() => F.ctcLoss(x, targets, [4, 2], [2, 2], { blank: 3 }), /ctcLoss: blank 3 must be a class index in \[0, 3\)/],
      [
        () =>
          F.ctcLoss(
            x,
            int([
              [1, 5],
              [1, 1],
            ]),
            [4, 2],
            [2, 2],
          ),
        /ctcLoss: target class 5 is out of range for 3 classes/,
      ],
      [
        () => F.ctcLoss(x.select(0, 0), targets, [4, 2], [2, 2]),
        /ctcLoss: inputLengths has 2 entries for a batch of 1/,
      ],
      [() => F.ctcLoss(x, targets, [4, 2], [2, 2], { reduction: "batchmean" as never }), /ctcLoss: reduction must be/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, re);
  });
});

test("errors of the activations, distances and losses name the function and the shapes", () => {
  const x = cr.zeros([2, 3]);
  const cases: [() => unknown, RegExp][] = [
    [() => F.glu(x), /glu: halving dim -1 needs an even size, but input \[2, 3\] has 3 there/],
    [() => F.glu(cr.tensor(1)), /glu: a 0-d input has no dim to halve/],
    [
      () => F.prelu(x, cr.ones([2])),
      /prelu: weight \[2\] must hold 1 slope or one per channel \(3 for input \[2, 3\]\)/,
    ],
    [() => F.prelu(x, cr.ones([1, 3])), /prelu: weight must be 0-d or 1-d, got \[1, 3\]/],
    [() => F.hardtanh(x, { minVal: 1, maxVal: 0 }), /hardtanh: maxVal \(0\) must not be below minVal \(1\)/],
    [() => new nn.Hardtanh(1, 1), /Hardtanh: maxVal \(1\) must be above minVal \(1\)/],
    [() => F.softshrink(x, { lambd: -1 }), /softshrink: lambd must be at least 0, got -1/],
    [() => F.celu(x, { alpha: 0 }), /celu: alpha cannot be 0/],
    [() => F.rrelu(x, { lower: 0.5, upper: 0.1 }), /rrelu: lower \(0.5\) must not be above upper \(0.1\)/],
    [() => F.cdist(x, cr.zeros([4, 2])), /cdist: x1 \[2, 3\] and x2 \[4, 2\] must have the same number of columns/],
    [() => F.cdist(cr.zeros([3]), x), /cdist: expected inputs of at least 2 dims, got \[3\] and \[2, 3\]/],
    [() => F.cdist(x, x, { p: -1 }), /cdist: p must be non-negative, got -1/],
    [() => F.cdist(x, x, { computeMode: "fast" as never }), /cdist: computeMode must be one of/],
    [() => F.cdist(cr.zeros([2, 2, 3]), cr.zeros([3, 2, 3])), /cdist \(batch dims\)/],
    [() => F.cosineSimilarity(x, cr.zeros([4, 3])), /cosineSimilarity/],
    [() => F.normalize(cr.zeros([3])), /normalize/],
    [() => F.gaussianNllLoss(x, x, cr.ones([3])), /gaussianNllLoss: var \[3\] must have the input's shape \[2, 3\]/],
    [() => F.gaussianNllLoss(x, x, cr.tensor([1, -1])), /gaussianNllLoss: var has a negative entry/],
    [
      () => F.cosineEmbeddingLoss(x, x, cr.ones([2, 1])),
      /cosineEmbeddingLoss: target must be 0-d or 1-d, got \[2, 1\]/,
    ],
    [
      () => F.cosineEmbeddingLoss(x, cr.zeros([3]), cr.ones([2])),
      /a 1-d target needs 2-d inputs, got inputs \[2, 3\] and \[3\]/,
    ],
    [
      () => F.marginRankingLoss(x, x, cr.ones([2])),
      /marginRankingLoss: input1 \[2, 3\], input2 \[2, 3\] and target \[2\]/,
    ],
    [
      () => F.tripletMarginLoss(x, cr.zeros([3]), x),
      /tripletMarginLoss: anchor \[2, 3\], positive \[3\] and negative \[2, 3\]/,
    ],
    [
      () => F.multiLabelSoftMarginLoss(x, cr.zeros([3])),
      /multiLabelSoftMarginLoss: target shape \[3\] must match input shape \[2, 3\]/,
    ],
    [
      () => F.klDiv(x, x, { reduction: "avg" as never }),
      /klDiv: reduction must be 'mean', 'sum', 'none', 'batchmean'; got 'avg'/,
    ],
    [() => F.smoothL1Loss(x, x, { beta: -1 }), /smoothL1Loss: beta must not be negative, got -1/],
    [() => F.huberLoss(x, x, { delta: 0 }), /huberLoss: delta must be positive, got 0/],
    [() => F.mseLoss(x, x, { reduction: "avg" as never }), /mseLoss: reduction must be/],
    [
      () => F.nllLoss(x, cr.zeros([2], { dtype: "int32" }), { ignore_index: 1 } as never),
      /nllLoss: unknown option 'ignore_index' \(did you mean 'ignoreIndex'\?\)/,
    ],
    [() => new nn.KLDivLoss({ reduction: "avg" as never }), /KLDivLoss: reduction must be/],
    [
      () => new nn.CTCLoss({ zero_infinity: true } as never),
      /CTCLoss: unknown option 'zero_infinity' \(did you mean 'zeroInfinity'\?\)/,
    ],
    [
      () => new nn.TripletMarginLoss({ swp: true } as never),
      /TripletMarginLoss: unknown option 'swp' \(did you mean 'swap'\?\)/,
    ],
    [() => new nn.CosineSimilarity({ axis: 0 } as never), /CosineSimilarity: unknown option 'axis'/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, re);
});

test("normalize takes every p torch.norm does", () => {
  const x = cr.tensor([[1, 0, -2]], { dtype: "float64" });
  assertClose(F.normalize(x, { p: 0 }), [[0.5, 0, -1]], exact);
  assertClose(
    F.normalize(cr.tensor([[1, 3, -2]], { dtype: "float64" }), { p: -1 }),
    [[1.8333333333333333, 5.5, -3.6666666666666665]],
    exact,
  );
  assertClose(F.normalize(x, { p: Infinity }), [[0.5, 0, -1]], exact);
  assertClose(F.normalize(x, { p: -Infinity }), [[1e12, 0, -2e12]], exact);
});

test("cdist's gradient is 0 where points coincide, on both forms", () => {
  for (const computeMode of ["donot_use_mm_for_euclid_dist", "use_mm_for_euclid_dist"] as const) {
    const a = f64([
      [1, 2],
      [3, 4],
    ]);
    const b = f64([
      [1, 2],
      [0, 0],
    ]);
    const d = F.cdist(a, b, { computeMode });
    assert.equal(d.dataSync()[0], 0);
    d.select(1, 0).sum().backward();
    assertClose(
      a.grad!,
      [
        [0, 0],
        [0.7071067811865475, 0.7071067811865475],
      ],
      { atol: 1e-12, rtol: 1e-10 },
    );
  }
});
