// The jax-js peer on its WebAssembly device: the same workloads, written the jax way (pure loss
// functions, jit(valueAndGrad(...)), explicit .ref ownership so nothing leaks).

import { blockUntilReady, defaultDevice, init, jit, lax, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { type Budget, gflops, timeAsync } from "./harness.js";

type Arr = np.Array;

/** Starts jax-js on its wasm device; returns why it failed, or null. */
export async function useJax(): Promise<string | null> {
  try {
    const devices = await init("wasm");
    if (!devices.includes("wasm")) return `jax-js has no wasm device (found ${devices.join(", ")})`;
    defaultDevice("wasm");
    return null;
  } catch (e) {
    return `jax-js: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function randn(shape: number[], scale = 1): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - Math.random())) * scale;
    const t = 2 * Math.PI * Math.random();
    data[i] = r * Math.cos(t);
    if (i + 1 < n) data[i + 1] = r * Math.sin(t);
  }
  return np.array(data).reshape(shape);
}

function oneHot(batch: number): Arr {
  const data = new Float32Array(batch * 10);
  for (let i = 0; i < batch; i++) data[i * 10 + Math.floor(Math.random() * 10)] = 1;
  return np.array(data).reshape([batch, 10]);
}

type Params = Record<string, Arr>;

/** A step closure: SGD on params with the gradient of loss(params, x, y), jitted. */
function trainer(params: Params, loss: (p: Params, x: Arr, y: Arr) => Arr, x: Arr, y: Arr): () => Promise<void> {
  const vg = jit(valueAndGrad(loss));
  let p = params;
  return async () => {
    const [value, grads] = vg(tree.ref(p), x.ref, y.ref) as [Arr, Params];
    p = tree.map((w: Arr, g: Arr) => w.sub(g.mul(0.01)), p, grads) as Params;
    await blockUntilReady(value);
    value.dispose();
  };
}

/** Cross-entropy of logits [B, 10] against one-hot y, averaged over the batch. */
const crossEntropy = (logits: Arr, y: Arr, batch: number) =>
  nn
    .logSoftmax(logits, -1)
    .mul(y)
    .sum()
    .mul(-1 / batch);

function mlp(batch: number) {
  const params = {
    w1: randn([784, 256], 1 / 28),
    b1: np.zeros([256]),
    w2: randn([256, 128], 1 / 16),
    b2: np.zeros([128]),
    w3: randn([128, 10], 1 / 11.3),
    b3: np.zeros([10]),
  };
  const loss = (p: Params, x: Arr, y: Arr) => {
    const h1 = nn.relu(np.matmul(x, p.w1!).add(p.b1!));
    const h2 = nn.relu(np.matmul(h1, p.w2!).add(p.b2!));
    return crossEntropy(np.matmul(h2, p.w3!).add(p.b3!), y, batch);
  };
  return trainer(params, loss, randn([batch, 784]), oneHot(batch));
}

/** 2x2 max pooling of NCHW via reduceWindow. */
const maxPool = (x: Arr) => lax.reduceWindow(x, (w: Arr) => w.max(), [1, 1, 2, 2], [1, 1, 2, 2]);

function cnn(batch: number) {
  const params = {
    k1: randn([8, 1, 3, 3], 1 / 3),
    c1: np.zeros([1, 8, 1, 1]),
    k2: randn([16, 8, 3, 3], 1 / 8.5),
    c2: np.zeros([1, 16, 1, 1]),
    w: randn([400, 10], 1 / 20),
    b: np.zeros([10]),
  };
  const loss = (p: Params, x: Arr, y: Arr) => {
    const h1 = maxPool(nn.relu(lax.conv(x, p.k1!, [1, 1], "VALID").add(p.c1!)));
    const h2 = maxPool(nn.relu(lax.conv(h1, p.k2!, [1, 1], "VALID").add(p.c2!)));
    return crossEntropy(np.matmul(h2.reshape([batch, 400]), p.w!).add(p.b!), y, batch);
  };
  return trainer(params, loss, randn([batch, 1, 28, 28]), oneHot(batch));
}

/** Measures one workload on jax-js's wasm device. */
export async function runJax(key: string, budget: Budget): Promise<number> {
  if (key.startsWith("sgemm-")) {
    const n = Number(key.slice(6));
    const a = randn([n, n]);
    const b = randn([n, n]);
    const ms = await timeAsync(async () => {
      const c = np.matmul(a.ref, b.ref);
      await blockUntilReady(c);
      c.dispose();
    }, budget);
    a.dispose();
    b.dispose();
    return gflops(n, ms);
  }
  if (key.startsWith("mlp-")) return timeAsync(mlp(Number(key.slice(4))), budget);
  if (key.startsWith("cnn-")) return timeAsync(cnn(Number(key.slice(4))), budget);
  if (key === "scalar") {
    const f = (v: Arr) => {
      let y = v;
      for (let i = 0; i < 500; i++) y = y.mul(0.999).add(0.001);
      return y;
    };
    const g = valueAndGrad(f);
    const x = np.array(0.5);
    return timeAsync(async () => {
      const [v, dx] = g(x.ref) as [Arr, Arr];
      await blockUntilReady(dx);
      v.dispose();
      dx.dispose();
    }, budget);
  }
  throw new Error(`bench: unknown workload ${key}`);
}
