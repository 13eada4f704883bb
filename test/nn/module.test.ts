// Module: registration by property, PyTorch state-dict keys, train/eval, zeroGrad, loading with
// its error report, hooks (forward, pre-forward, full backward), apply, dtype conversion, containers.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const { nn } = cr;

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  bn = new nn.BatchNorm1d(3);
  act = new nn.ReLU();
  fc2 = new nn.Linear(3, 2, { bias: false });
  scale: cr.nn.Parameter;
  constructor() {
    super();
    this.scale = new nn.Parameter(cr.ones([2]));
    this.registerBuffer("steps", cr.zeros([1]));
    this.registerBuffer("scratch", cr.zeros([2]), false);
  }
  forward(x: cr.Tensor): cr.Tensor {
    return this.fc2.call(this.act.call(this.bn.call(this.fc1.call(x)))).mul(this.scale);
  }
}

test("parameters, buffers and state-dict keys follow PyTorch's naming and order", () => {
  const net = new Net();
  assert.deepEqual(
    [...net.namedParameters()].map(([n]) => n),
    ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight"],
  );
  assert.deepEqual(Object.keys(net.stateDict()), [
    "scale",
    "steps",
    "fc1.weight",
    "fc1.bias",
    "bn.weight",
    "bn.bias",
    "bn.running_mean",
    "bn.running_var",
    "bn.num_batches_tracked",
    "fc2.weight",
  ]);
  assert.deepEqual(
    [...net.namedBuffers()].map(([n]) => n),
    ["steps", "scratch", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"],
  );
  assert.deepEqual(
    [...net.namedChildren()].map(([n]) => n),
    ["fc1", "bn", "act", "fc2"],
  );
  assert.deepEqual(
    [...net.namedModules()].map(([n]) => n),
    ["", "fc1", "bn", "act", "fc2"],
  );
  assert.equal([...net.parameters()].length, 6);
  assert.equal(net.getSubmodule("bn"), net.bn);
  assert.throws(() => net.getSubmodule("fc3"), /Net\(\) has no submodule 'fc3'/);
  const sd = net.stateDict();
  assert.ok(!sd["fc1.weight"]!.requiresGrad, "state dict tensors are detached");
  assert.equal(sd["fc1.weight"]!.storage, net.fc1.weight.storage, "and share storage");
});

test("a call names parameters by their module path (for explain/)", () => {
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh(), new nn.Linear(2, 1));
  const y: cr.Tensor = model.call(cr.randn([3, 2]));
  assert.deepEqual(y.shape, [3, 1]);
  assert.deepEqual(
    [...model.parameters()].map((p) => p.name),
    ["0.weight", "0.bias", "2.weight", "2.bias"],
  );
});

test("train() and eval() switch every submodule", () => {
  const net = new Net();
  assert.ok(net.training && net.bn.training);
  assert.equal(net.eval(), net);
  assert.ok([...net.modules()].every((m) => !m.training));
  net.train();
  assert.ok([...net.modules()].every((m) => m.training));
});

test("zeroGrad clears to null or to zeros", () => {
  const net = new Net();
  net
    .call(cr.randn([5, 4]))
    .sum()
    .backward();
  assert.ok([...net.parameters()].every((p) => p.grad));
  net.zeroGrad(false);
  assert.ok([...net.parameters()].every((p) => p.grad!.abs().sum().item() === 0));
  net.zeroGrad();
  assert.ok([...net.parameters()].every((p) => p.grad === null));
});

test("loadStateDict copies in place and reports missing, unexpected and mis-shaped keys", () => {
  const a = new Net();
  const b = new Net();
  const w = b.fc1.weight;
  b.loadStateDict(a.stateDict());
  assert.equal(b.fc1.weight, w, "parameter identity is kept");
  assertClose(b.fc1.weight, a.fc1.weight, { atol: 0 });
  const sd = a.stateDict();
  delete sd["fc2.weight"];
  sd["extra.bias"] = cr.zeros([1]);
  sd["fc1.bias"] = cr.zeros([5]);
  const before = b.fc1.weight.clone();
  assert.throws(
    () => b.loadStateDict(sd),
    (e: Error) => {
      assert.match(e.message, /error\(s\) in loading the state dict for Net\(\)/);
      assert.match(e.message, /Missing key\(s\): "fc2\.weight"\./);
      assert.match(e.message, /Unexpected key\(s\): "extra\.bias"\./);
      assert.match(e.message, /size mismatch for fc1\.bias: copying a tensor of shape \[5\].*current model is \[3\]/);
      return true;
    },
  );
  assertClose(b.fc1.weight, before, { atol: 0, msg: "nothing copied on failure" });
  sd["fc1.bias"] = cr.zeros([3]);
  const r = b.loadStateDict(sd, { strict: false });
  assert.deepEqual(r, { missingKeys: ["fc2.weight"], unexpectedKeys: ["extra.bias"] });
  assertClose(b.fc1.bias!, [0, 0, 0]);
  assert.throws(
    () => b.loadStateDict({ ...a.stateDict(), "fc1.bias": cr.zeros([4]) }, { strict: false }),
    /size mismatch/,
  );
});

test("forward pre-hooks and forward hooks may replace inputs and outputs; handles remove them", () => {
  const lin = new nn.Linear(2, 2);
  const seen: unknown[] = [];
  const h1 = lin.registerForwardPreHook((_m, [x]) => [(x as cr.Tensor).mul(0)]);
  const h2 = lin.registerForwardHook((m, inputs, out) => {
    seen.push(m, inputs.length);
    return (out as cr.Tensor).add(1);
  });
  const y = lin.call(cr.ones([1, 2]));
  assertClose(y, lin.bias!.add(1));
  assert.deepEqual(seen, [lin, 1]);
  h1.remove();
  h2.remove();
  assertClose(lin.call(cr.ones([1, 2])), lin.forward(cr.ones([1, 2])));
});

test("full backward hooks see the gradients of the module's inputs and outputs and may replace them", () => {
  const lin = new nn.Linear(3, 2).double();
  const x = cr.randn([4, 3], { dtype: "float64", requiresGrad: true });
  const up = cr.randn([4, 2], { dtype: "float64" });
  let got: [cr.Tensor | null, cr.Tensor | null] = [null, null];
  const h = lin.registerFullBackwardHook((m, gradInput, gradOutput) => {
    assert.equal(m, lin);
    got = [gradInput[0]!, gradOutput[0]!];
    return [gradInput[0]!.mul(2)];
  });
  lin.call(x).mul(up).sum().backward();
  assertClose(got[1]!, up, { atol: 1e-12 });
  assertClose(got[0]!, up.matmul(lin.weight), { atol: 1e-12 });
  assertClose(x.grad!, up.matmul(lin.weight).mul(2), { atol: 1e-12, msg: "the replacement reaches x" });
  assertClose(lin.weight.grad!, up.t().matmul(x), { atol: 1e-12, msg: "parameter grads unaffected" });
  h.remove();
  // an input that needs no gradient: the hook still fires, with null for it
  const calls: (cr.Tensor | null)[][] = [];
  lin.registerFullBackwardHook((_m, gi, go) => void calls.push([...gi, ...go]));
  lin
    .call(cr.randn([2, 3], { dtype: "float64" }))
    .sum()
    .backward();
  assert.equal(calls.length, 1);
  assert.equal(calls[0]![0], null);
  assert.deepEqual(calls[0]![1]!.shape, [2, 2]);
});

test("apply visits children before the parent; requiresGrad_ toggles all parameters", () => {
  const net = new Net();
  const order: string[] = [];
  net.apply((m) => order.push(m.constructor.name));
  assert.deepEqual(order, ["Linear", "BatchNorm1d", "ReLU", "Linear", "Net"]);
  net.apply((m) => {
    if (m instanceof nn.Linear) nn.init.constant(m.weight, 0.5);
  });
  assertClose(net.fc2.weight, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  net.requiresGrad_(false);
  assert.ok([...net.parameters()].every((p) => !p.requiresGrad));
});

test("to(dtype) converts floating state in place and keeps parameter identity; ints stay ints", () => {
  const net = new Net();
  const w = net.fc1.weight;
  net.double();
  assert.equal(net.fc1.weight, w);
  assert.equal(w.dtype, "float64");
  assert.equal(net.bn.running_mean!.dtype, "float64");
  assert.equal(net.bn.num_batches_tracked!.dtype, "int32");
  const y = net.call(cr.randn([3, 4], { dtype: "float64" }));
  assert.equal(y.dtype, "float64");
  y.sum().backward();
  assert.equal(w.grad!.dtype, "float64");
  net.float();
  assert.equal(w.dtype, "float32");
  assert.equal(w.grad!.dtype, "float32");
});

test("shared submodules: parameters once, state dict under every name (weight tying)", () => {
  class Tied extends nn.Module {
    a = new nn.Linear(2, 2);
    b = this.a;
    forward(x: cr.Tensor) {
      return this.b.call(this.a.call(x));
    }
  }
  const t = new Tied();
  assert.equal([...t.parameters()].length, 2);
  assert.deepEqual(Object.keys(t.stateDict()), ["a.weight", "a.bias", "b.weight", "b.bias"]);
  t.loadStateDict(t.stateDict());
});

test("Sequential, ModuleList and ModuleDict keep insertion order and PyTorch's keys", () => {
  const seq = new nn.Sequential({ conv: new nn.Conv2d(1, 2, 3), flat: new nn.Flatten() });
  assert.deepEqual(Object.keys(seq.stateDict()), ["conv.weight", "conv.bias"]);
  assert.deepEqual(seq.call(cr.randn([2, 1, 4, 4])).shape, [2, 8]);
  const list = new nn.ModuleList([new nn.Linear(1, 1)]).append(new nn.Linear(1, 2)).insert(0, new nn.Linear(2, 1));
  assert.equal(list.length, 3);
  assert.equal(list.at(-1).outFeatures, 2);
  assert.deepEqual(
    Object.keys(list.stateDict()).filter((k) => k.endsWith("weight")),
    ["0.weight", "1.weight", "2.weight"],
  );
  assert.deepEqual(
    [...list].map((m) => m.inFeatures),
    [2, 1, 1],
  );
  assert.throws(() => list.forward(), /ModuleList: has no forward/);
  const dict = new nn.ModuleDict({ z: new nn.Identity(), 10: new nn.Linear(1, 1), a: new nn.Linear(1, 1) });
  dict.set("5", new nn.Tanh());
  assert.deepEqual([...dict.keys()], ["10", "z", "a", "5"]);
  assert.deepEqual(Object.keys(dict.stateDict()), ["10.weight", "10.bias", "a.weight", "a.bias"]);
  assert.throws(() => dict.get("b"), /no module under key 'b'/);
});

test("the repr is a tree like PyTorch's", () => {
  const seq = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2));
  assert.equal(
    seq.toString(),
    [
      "Sequential(",
      "  (0): Conv2d(1, 4, kernelSize=[3, 3], padding=[1])",
      "  (1): ReLU()",
      "  (2): MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)",
      ")",
    ].join("\n"),
  );
});
