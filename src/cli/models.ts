// The models `chainrule train` builds, from a small config that travels in the weights file's
// metadata so `chainrule predict` can rebuild the same network. Both are nn.Sequential, so their
// state-dict keys ("1.weight", ...) match the same nn.Sequential in PyTorch.

import * as nn from "../nn/index.js";
import type { Tensor } from "../api/tensor.js";

/** What to build: the layer sizes and the shape of one sample. */
export interface ModelConfig {
  kind: "mlp" | "cnn";
  /** One raw sample's shape: [features] or [rows, cols]. */
  sampleShape: number[];
  numClasses: number;
  /** MLP hidden widths. */
  hidden?: number[];
  /** CNN channels of its two conv blocks. */
  channels?: [number, number];
}

/** The default config for a task: MLP 128-64, CNN 8-16 channels (small enough for the JS backend). */
export function modelConfig(kind: string, sampleShape: number[], numClasses: number): ModelConfig {
  if (kind === "mlp") return { kind, sampleShape, numClasses, hidden: [128, 64] };
  if (kind === "cnn") {
    if (sampleShape.length !== 2) {
      throw new Error(`--model cnn needs image data (rows × cols); this dataset's samples have shape [${sampleShape}]`);
    }
    return { kind, sampleShape, numClasses, channels: [8, 16] };
  }
  throw new Error(`unknown model '${kind}': use mlp or cnn`);
}

/**
 * MLP: Flatten → (Linear → ReLU)* → Linear. CNN: (Conv 3×3 pad 1 → ReLU → MaxPool 2)×2 →
 * Flatten → Linear. Both output class logits.
 */
export function buildModel(c: ModelConfig): nn.Sequential {
  const features = c.sampleShape.reduce((a, b) => a * b, 1);
  if (c.kind === "mlp") {
    const layers: nn.Module[] = [new nn.Flatten()];
    let width = features;
    for (const h of c.hidden ?? []) {
      layers.push(new nn.Linear(width, h), new nn.ReLU());
      width = h;
    }
    layers.push(new nn.Linear(width, c.numClasses));
    return new nn.Sequential(...layers);
  }
  const [c1, c2] = c.channels ?? [8, 16];
  const [rows, cols] = c.sampleShape as [number, number];
  const side = (n: number) => Math.floor(Math.floor(n / 2) / 2);
  return new nn.Sequential(
    new nn.Conv2d(1, c1, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(c1, c2, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(c2 * side(rows) * side(cols), c.numClasses),
  );
}

/** Samples [n, ...sampleShape] as the model wants them: CNNs take one input channel. */
export function modelInput(c: ModelConfig, x: Tensor): Tensor {
  return c.kind === "cnn" ? x.unsqueeze(1) : x;
}
