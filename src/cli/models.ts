// The models `chainrule train` builds, from a small config that travels in the weights file's
// metadata so `chainrule predict` can rebuild the same network. The classifiers are nn.Sequential,
// so their state-dict keys ("1.weight", ...) match the same nn.Sequential in PyTorch; the GPT is a
// character-level next-token model.

import * as nn from "../nn/index.js";
import { creation } from "../api/functions.js";
import type { Tensor } from "../api/tensor.js";

/** The sizes of a character-level GPT. */
export interface GptConfig {
  /** Context length: how many characters the model sees at once. */
  blockSize: number;
  dModel: number;
  heads: number;
  layers: number;
}

/** What to build: the layer sizes and the shape of one sample. */
export interface ModelConfig {
  kind: "mlp" | "cnn" | "gpt";
  /** One raw sample's shape: [features], [rows, cols], or [blockSize] characters for the GPT. */
  sampleShape: number[];
  /** Classes, or the GPT's vocabulary size. */
  numClasses: number;
  /** MLP hidden widths. */
  hidden?: number[];
  /** CNN channels of its two conv blocks. */
  channels?: [number, number];
  /** GPT sizes. */
  gpt?: GptConfig;
}

/**
 * The default config for a task: MLP 128-64, CNN 8-16 channels, GPT of 2 layers of width 64 with
 * 4 heads (all small enough for the JS backend).
 */
export function modelConfig(kind: string, sampleShape: number[], numClasses: number): ModelConfig {
  if (kind === "mlp") return { kind, sampleShape, numClasses, hidden: [128, 64] };
  if (kind === "cnn") {
    if (sampleShape.length !== 2) {
      throw new Error(`--model cnn needs image data (rows × cols); this dataset's samples have shape [${sampleShape}]`);
    }
    return { kind, sampleShape, numClasses, channels: [8, 16] };
  }
  if (kind === "gpt") {
    if (sampleShape.length !== 1) throw new Error(`--model gpt needs text (--dataset text)`);
    return { kind, sampleShape, numClasses, gpt: { blockSize: sampleShape[0]!, dModel: 64, heads: 4, layers: 2 } };
  }
  throw new Error(`unknown model '${kind}': use mlp, cnn or gpt`);
}

/**
 * A decoder-only transformer over characters (GPT-style): token and learned position embeddings,
 * pre-norm GELU encoder layers under a causal mask, a final LayerNorm and a Linear to the
 * vocabulary. tokens [N, L] (L ≤ blockSize) → next-character logits [N, L, vocab].
 */
export class CharGpt extends nn.Module {
  /** Token embedding, vocab → dModel. */
  tokEmbed: nn.Embedding;
  /** Learned position embedding, blockSize → dModel. */
  posEmbed: nn.Embedding;
  /** The transformer blocks. */
  blocks: nn.ModuleList<nn.TransformerEncoderLayer>;
  /** The final norm. */
  norm: nn.LayerNorm;
  /** dModel → vocabulary logits. */
  head: nn.Linear;

  constructor(
    /** Vocabulary size. */
    readonly vocab: number,
    /** The sizes. */
    readonly sizes: GptConfig,
  ) {
    super();
    const { blockSize, dModel, heads, layers } = sizes;
    this.tokEmbed = new nn.Embedding(vocab, dModel);
    this.posEmbed = new nn.Embedding(blockSize, dModel);
    const layer = () =>
      new nn.TransformerEncoderLayer(dModel, heads, {
        dimFeedforward: 4 * dModel,
        dropout: 0,
        activation: "gelu",
        batchFirst: true,
        normFirst: true,
      });
    this.blocks = new nn.ModuleList(Array.from({ length: layers }, layer));
    this.norm = new nn.LayerNorm(dModel);
    this.head = new nn.Linear(dModel, vocab);
  }

  forward(tokens: Tensor): Tensor {
    const len = tokens.shape[1]!;
    if (len > this.sizes.blockSize)
      throw new RangeError(`CharGpt: ${len} tokens exceed the context of ${this.sizes.blockSize}`);
    // true above the diagonal: position i attends to positions ≤ i only
    const causal = creation.ones([len, len]).triu(1).bool();
    let h = this.tokEmbed.call(tokens).add(this.posEmbed.call(creation.arange(len)));
    for (const block of this.blocks) h = block.call(h, { srcMask: causal });
    return this.head.call(this.norm.call(h));
  }
}

/** A model the CLI trains: one tensor in (samples or tokens), logits out. */
export type CliModel = nn.Module & { forward(x: Tensor): Tensor };

/**
 * MLP: Flatten → (Linear → ReLU)* → Linear. CNN: (Conv 3×3 pad 1 → ReLU → MaxPool 2)×2 →
 * Flatten → Linear. Both output class logits. GPT: see CharGpt.
 */
export function buildModel(c: ModelConfig): CliModel {
  if (c.kind === "gpt") return new CharGpt(c.numClasses, c.gpt!);
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
