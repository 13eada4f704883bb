// nn.Sequential frees an activation it handed between two built-in layers once backward has
// released every saved tensor holding it (at once where nothing saved it). These tests check what
// is freed and when, that the values and gradients are those of the same layers called one by
// one, and that nothing a user, a hook, an observer or a retained graph can still reach is freed.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { kernels } from "../../src/backend/registry.js";
import { observers } from "../../src/graph/observe.js";
import type { GradFn } from "../../src/tensor/tensor.js";
import { assertClose, freedDuring } from "../helpers.js";

const { nn } = cr;
const skipWhy = () => `the ${kernels().name} backend frees nothing early`;

/** conv → BN → ReLU → conv → Flatten → Linear, seeded; activations large enough to live in backend buffers. */
function model(seed: number, ...extra: cr.nn.Module[]): cr.nn.Sequential {
  cr.manualSeed(seed);
  return new nn.Sequential(
    new nn.Conv2d(3, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.Conv2d(4, 4, 3, { padding: 1 }),
    new nn.Flatten(),
    new nn.Linear(4 * 12 * 12, 5),
    ...extra,
  );
}

/** The same layers called one by one from user code, which keeps every activation. */
function byHand(m: cr.nn.Sequential, x: cr.Tensor): cr.Tensor {
  let y = x;
  for (const layer of m) y = layer.call(y as never) as cr.Tensor;
  return y;
}

/**
 * The storages of the activations y's graph saved for backward: not x's, a parameter's, nor what
 * an op made for its own backward (its node owns and frees those whatever this does).
 */
function savedActivations(y: cr.Tensor, x: cr.Tensor, m: cr.nn.Module): Set<unknown> {
  const skip = new Set([x, ...m.parameters()].map((t) => t.storage.handle));
  const out = new Set<unknown>();
  const seen = new Set<unknown>();
  const walk = (f: GradFn | null): void => {
    if (!f || seen.has(f)) return;
    seen.add(f);
    const node = f as unknown as { saved: { unpack(): cr.Tensor; owned: boolean }[] | null };
    for (const s of node.saved ?? []) {
      const h = s.unpack().storage.handle;
      if (!skip.has(h) && !s.owned && s.unpack().numel() > 64) out.add(h);
    }
    for (const [next] of f.nextFunctions) walk(next);
  };
  walk(y.gradFn);
  return out;
}

const input = () => {
  cr.manualSeed(1);
  return cr.randn([6, 3, 12, 12], { requiresGrad: true });
};

test("the activations between built-in layers are freed by backward, with the gradients of the layers called by hand", (t) => {
  const x = input();
  const seq = model(2);
  const y = seq.call(x);
  const saved = savedActivations(y, x, seq);
  const freed = freedDuring(() => y.square().sum().backward());
  if (!freed) return t.skip(skipWhy());
  // conv → BN (its input), BN + ReLU → conv (its input), conv → Flatten → Linear (its input, a view)
  assert.equal(saved.size, 3);
  for (const h of saved) assert.ok(freed.includes(h), "an activation only the graph held outlived backward");
  const grads = [x.grad!.clone(), ...[...seq.parameters()].map((p) => p.grad!.clone())];

  const ref = model(2);
  const x2 = input();
  const inner: cr.Tensor[] = [];
  ref.at(1).registerForwardHook((_m, _i, out) => void inner.push(out as cr.Tensor));
  const y2 = byHand(ref, x2);
  assertClose(y, y2);
  const savedByHand = savedActivations(y2, x2, ref);
  const freedByHand = freedDuring(() => y2.square().sum().backward())!;
  assertClose(x2.grad!, grads[0]!);
  [...ref.parameters()].forEach((p, i) => assertClose(p.grad!, grads[i + 1]!));
  // by hand the user's code holds every activation: the collector frees them, not backward
  for (const h of savedByHand) assert.ok(!freedByHand.includes(h), "an activation the user holds was freed");
  assert.ok(!freed.includes(x.storage.handle), "the Sequential's input was freed");
  assert.equal(Number.isNaN(inner[0]!.sum().item()), false, "a hooked activation stays readable");
});

test("in eval under noGrad each activation is freed as soon as the next layer has returned", (t) => {
  const seq = model(3).eval();
  const x = input();
  let y: cr.Tensor | null = null;
  const freed = cr.noGrad(() => freedDuring(() => (y = seq.call(x))));
  if (!freed) return t.skip(skipWhy());
  const ref = model(3).eval();
  let y2: cr.Tensor | null = null;
  const freedByHand = cr.noGrad(() => freedDuring(() => (y2 = byHand(ref, input()))))!;
  // conv's, BN + ReLU's (one fused op), and the last conv's (its flattened view went into Linear)
  assert.equal(freed.length - freedByHand.length, 3, `freed ${freed.length}, by hand ${freedByHand.length}`);
  assertClose(y!, y2!);
  assert.ok(!freed.includes(x.storage.handle), "the Sequential's input was freed");
  assert.ok(!freed.includes(y!.storage.handle), "the output was freed");
});

/** A user layer that keeps what it is given and what it returns. */
class Keeper extends nn.Module {
  seen: cr.Tensor[] = [];
  forward(x: cr.Tensor): cr.Tensor {
    const y = x.mul(2);
    this.seen.push(x, y);
    return y;
  }
}

test("what a user layer, a hook, a subclass of a built-in layer or a nested user layer keeps stays readable", (t) => {
  const keeper = new Keeper();
  class MyConv extends nn.Conv2d {
    last: cr.Tensor | null = null;
    override forward(x: cr.Tensor): cr.Tensor {
      return (this.last = super.forward(x));
    }
  }
  cr.manualSeed(4);
  const sub = new MyConv(4, 4, 3, { padding: 1 });
  const hookedOut: cr.Tensor[] = [];
  const relu = new nn.ReLU();
  relu.registerForwardHook((_m, _i, out) => void hookedOut.push(out as cr.Tensor));
  const nested = new nn.Sequential(new nn.Conv2d(4, 4, 1), new Keeper());
  const seq = new nn.Sequential(
    new nn.Conv2d(3, 4, 3, { padding: 1 }),
    keeper,
    new nn.BatchNorm2d(4),
    relu,
    sub,
    new nn.Tanh(),
    nested,
    new nn.Sigmoid(),
  );
  const x = input();
  const y = seq.call(x);
  const freed = freedDuring(() => y.sum().backward());
  if (!freed) return t.skip(skipWhy());
  const kept = [...keeper.seen, ...hookedOut, sub.last!, ...(nested.at(1) as Keeper).seen];
  for (const k of kept) assert.ok(!freed.includes(k.storage.handle), `a kept tensor of shape [${k.shape}] was freed`);
  for (const k of kept) assert.equal(Number.isNaN(k.sum().item()), false);
});

test("a retained graph keeps its activations until the last backward, and an observer keeps them all", (t) => {
  const seq = model(5);
  const x = input();
  const y = seq.call(x);
  const saved = savedActivations(y, x, seq);
  const loss = y.square().sum();
  const first = freedDuring(() => loss.backward(undefined, { retainGraph: true }));
  if (!first) return t.skip(skipWhy());
  for (const h of saved) assert.ok(!first.includes(h), "an activation of a retained graph was freed");
  const g = x.grad!.clone();
  x.grad = null;
  const second = freedDuring(() => loss.backward())!;
  assertClose(x.grad!, g);
  for (const h of saved) assert.ok(second.includes(h), "an activation outlived the last backward");

  // an observer is shown every op's output: a Sequential run while one watches frees nothing early
  const watch = { forward: () => {} };
  observers.push(watch);
  let y2: cr.Tensor;
  const x2 = input();
  try {
    y2 = seq.call(x2);
  } finally {
    observers.splice(observers.indexOf(watch), 1);
  }
  const watchedSaved = savedActivations(y2, x2, seq);
  const watched = freedDuring(() => y2.sum().backward())!;
  assert.ok(watchedSaved.size >= 3);
  for (const h of watchedSaved) assert.ok(!watched.includes(h), "an activation an observer was shown was freed");
});

/** A two-layer encoder (pre- or post-norm, dropout off), seeded, and its input. */
function encoder(normFirst: boolean, activation: "gelu" | ((x: cr.Tensor) => cr.Tensor) = "gelu") {
  cr.manualSeed(6);
  const layer = new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, dropout: 0, normFirst, activation });
  return new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(32) });
}
const tokens = () => {
  cr.manualSeed(8);
  return cr.randn([12, 3, 32], { requiresGrad: true });
};
/** Output and every gradient of one step, with an observer watching (which frees nothing early) or not. */
function encoderStep(normFirst: boolean, watched: boolean) {
  const model = encoder(normFirst);
  const x = tokens();
  const watch = { forward: () => {} };
  if (watched) observers.push(watch);
  let y: cr.Tensor;
  try {
    y = model.call(x);
  } finally {
    if (watched) observers.splice(observers.indexOf(watch), 1);
  }
  const saved = savedActivations(y, x, model);
  const freed = freedDuring(() => y.square().sum().backward());
  return { y, freed, saved, grads: [x.grad!, ...[...model.parameters()].map((p) => p.grad!)] };
}

test("a transformer encoder's activations are freed by backward, with the gradients of a run that frees none", (t) => {
  for (const normFirst of [true, false]) {
    const fast = encoderStep(normFirst, false);
    if (!fast.freed) return t.skip(skipWhy());
    const ref = encoderStep(normFirst, true);
    assertClose(fast.y, ref.y, { rtol: 0, atol: 0 });
    fast.grads.forEach((g, i) => assertClose(g, ref.grads[i]!, { rtol: 0, atol: 0 }));
    // layer norms', attention's and the feed-forward's inputs, in both layers and the final norm
    assert.ok(fast.saved.size >= 10, `${fast.saved.size} activations saved`);
    for (const h of fast.saved)
      assert.ok(fast.freed.includes(h), `normFirst ${normFirst}: an activation outlived backward`);
    for (const h of ref.saved) assert.ok(!ref.freed!.includes(h), "an activation an observer was shown was freed");
  }
});

test("in eval under noGrad an encoder frees its activations as it goes, and what a user's activation keeps stays", (t) => {
  const model = encoder(true).eval();
  const x = tokens();
  let y: cr.Tensor | null = null;
  const freed = cr.noGrad(() => freedDuring(() => (y = model.call(x))));
  if (!freed) return t.skip(skipWhy());
  assert.ok(freed.length > 10, `${freed.length} freed`);
  assert.ok(!freed.includes(x.storage.handle) && !freed.includes(y!.storage.handle));
  const kept: cr.Tensor[] = [];
  const keeping = encoder(true, (h) => {
    const out = h.relu();
    kept.push(h, out);
    return out;
  });
  const x2 = tokens();
  const y2 = keeping.call(x2);
  const freed2 = freedDuring(() => y2.sum().backward())!;
  assert.equal(kept.length, 4);
  for (const k of kept) {
    assert.ok(!freed2.includes(k.storage.handle), "what the user's activation kept was freed");
    assert.equal(Number.isNaN(k.sum().item()), false);
  }
});
