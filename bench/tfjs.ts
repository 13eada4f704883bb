// The TensorFlow.js peers: the plain-JS 'cpu' backend and the WebAssembly (SIMD) backend, with
// the same workloads as chainrule's. tfjs needs tidy() to free intermediates; its convolutions
// are NHWC, the layout it supports on these backends.

import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";
import { type Budget, gflops, timeSync } from "./harness.js";

/** Switches tfjs to `name`; returns why it failed, or null. */
export async function useTfjsBackend(name: "cpu" | "wasm"): Promise<string | null> {
  try {
    if (name === "wasm") {
      const dir = fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url));
      setWasmPaths(dir);
    }
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name ? null : `tfjs backend ${name} did not initialise`;
  } catch (e) {
    return `tfjs ${name}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const init = (shape: number[], fanIn: number) => tf.variable(tf.randomNormal(shape, 0, 1 / Math.sqrt(fanIn)));

/** A training step closure: minimises loss() over vars with SGD. */
function trainer(vars: tf.Variable[], loss: () => tf.Scalar): () => void {
  const opt = tf.train.sgd(0.01);
  return () => tf.tidy(() => void opt.minimize(loss, false, vars));
}

function mlp(batch: number): () => void {
  const [w1, b1, w2, b2, w3, b3] = [
    init([784, 256], 784),
    tf.variable(tf.zeros([256])),
    init([256, 128], 256),
    tf.variable(tf.zeros([128])),
    init([128, 10], 128),
    tf.variable(tf.zeros([10])),
  ];
  const x = tf.randomNormal([batch, 784]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32") as tf.Tensor1D, 10);
  return trainer([w1!, b1!, w2!, b2!, w3!, b3!], () => {
    const h1 = tf.relu(tf.add(tf.matMul(x, w1!), b1!));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2!), b2!));
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, w3!), b3!)) as tf.Scalar;
  });
}

function cnn(batch: number): () => void {
  const k1 = init([3, 3, 1, 8], 9);
  const c1 = tf.variable(tf.zeros([8]));
  const k2 = init([3, 3, 8, 16], 72);
  const c2 = tf.variable(tf.zeros([16]));
  const w = init([400, 10], 400);
  const b = tf.variable(tf.zeros([10]));
  const x = tf.randomNormal([batch, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32") as tf.Tensor1D, 10);
  return trainer([k1, c1, k2, c2, w, b], () => {
    const h1 = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(x, k1 as tf.Tensor4D, 1, "valid"), c1)) as tf.Tensor4D,
      2,
      2,
      "valid",
    );
    const h2 = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(h1, k2 as tf.Tensor4D, 1, "valid"), c2)) as tf.Tensor4D,
      2,
      2,
      "valid",
    );
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.reshape(h2, [batch, 400]), w), b)) as tf.Scalar;
  });
}

/** Measures one workload on the current tfjs backend. */
export function runTfjs(key: string, budget: Budget): number {
  if (key.startsWith("sgemm-")) {
    const n = Number(key.slice(6));
    const a = tf.randomNormal([n, n]);
    const b = tf.randomNormal([n, n]);
    const ms = timeSync(() => tf.matMul(a, b).dispose(), budget);
    tf.dispose([a, b]);
    return gflops(n, ms);
  }
  if (key.startsWith("mlp-")) return timeSync(mlp(Number(key.slice(4))), budget);
  if (key.startsWith("cnn-")) return timeSync(cnn(Number(key.slice(4))), budget);
  if (key === "scalar") {
    const x = tf.scalar(0.5);
    const f = (v: tf.Tensor) => {
      let y = v;
      for (let i = 0; i < 500; i++) y = tf.add(tf.mul(y, 0.999), 0.001);
      return y;
    };
    const g = tf.grad(f);
    return timeSync(() => tf.tidy(() => void g(x)), budget);
  }
  throw new Error(`bench: unknown workload ${key}`);
}
