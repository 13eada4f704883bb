// chainrule's model training steps for `npm run bench` (residual CNN block, LSTM, a small GPT, a
// transformer encoder) and the long-sequence attention case. bench/torch_peer.py builds the very
// same models with PyTorch's defaults: change one side, change the other.

import type * as CR from "../src/index.browser.js";

/** chainrule's API as the workloads use it: Node's entry and the browser's both fit (their file I/O differs). */
export type Cr = Omit<typeof CR, "io" | "data" | "save" | "load">;
type Tensor = CR.Tensor;

/** A training step: zero the gradients, forward and loss, backward, optimiser step. */
function trainer(opt: { zeroGrad(): void; step(): unknown }, loss: () => Tensor): () => void {
  return () => {
    opt.zeroGrad();
    loss().backward();
    opt.step();
  };
}

/** The parameters of several modules, for one optimiser. */
const paramsOf = (...modules: CR.nn.Module[]) => modules.flatMap((m) => [...m.parameters()]);

/**
 * A ResNet basic block on a stem: conv3×3 3→16 + BN + ReLU, then two conv3×3 16→16 with BN, the
 * skip added before the last ReLU, global average pool, Linear(16, 10); input [32, 3, 32, 32].
 */
function resnet(cr: Cr): () => void {
  const { nn } = cr;
  const conv = (cin: number, cout: number) => new nn.Conv2d(cin, cout, 3, { padding: 1 });
  const stem = new nn.Sequential(conv(3, 16), new nn.BatchNorm2d(16), new nn.ReLU());
  const branch = new nn.Sequential(
    conv(16, 16),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    conv(16, 16),
    new nn.BatchNorm2d(16),
  );
  const head = new nn.Sequential(new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(16, 10));
  const opt = new cr.optim.SGD(paramsOf(stem, branch, head), { lr: 0.01, momentum: 0.9 });
  const x = cr.randn([32, 3, 32, 32]);
  const y = cr.randint(0, 10, [32]);
  return trainer(opt, () => {
    const h = stem.call(x) as Tensor;
    const out = (branch.call(h) as Tensor).add(h).relu();
    return nn.functional.crossEntropy(head.call(out) as Tensor, y);
  });
}

/** LSTM(64 → 128, batchFirst) over [32, 50, 64], its last step → Linear(128, 10); Adam. */
function lstm(cr: Cr): () => void {
  const { nn } = cr;
  const rnn = new nn.LSTM(64, 128, { batchFirst: true });
  const head = new nn.Linear(128, 10);
  const opt = new cr.optim.Adam(paramsOf(rnn, head), { lr: 1e-3 });
  const x = cr.randn([32, 50, 64]);
  const y = cr.randint(0, 10, [32]);
  return trainer(opt, () => {
    const [out] = rnn.call(x);
    return nn.functional.crossEntropy(head.call(out.select(1, 49)), y);
  });
}

/**
 * An encoder layer of width 128, 4 heads, feed-forward 512, no dropout, batch first: pre-norm
 * GELU (the GPT's) or post-norm ReLU (PyTorch's default).
 */
function encoderLayer(cr: Cr, normFirst: boolean) {
  return new cr.nn.TransformerEncoderLayer(128, 4, {
    dimFeedforward: 512,
    dropout: 0,
    batchFirst: true,
    ...(normFirst ? { normFirst, activation: "gelu" as const } : {}),
  });
}

/**
 * A small GPT: Embedding(96, 128), two pre-norm GELU encoder layers under a causal mask,
 * Linear(128, 96) to next-token logits; 16 sequences of 128 tokens; AdamW.
 */
function gpt(cr: Cr): () => void {
  const { nn } = cr;
  const [vocab, seq, batch] = [96, 128, 16];
  const embed = new nn.Embedding(vocab, 128);
  const body = new nn.TransformerEncoder(encoderLayer(cr, true), 2);
  const head = new nn.Linear(128, vocab);
  const opt = new cr.optim.AdamW(paramsOf(embed, body, head), { lr: 1e-3 });
  // what nn.Transformer.generate_square_subsequent_mask gives: -inf above the diagonal
  const mask = cr.triu(cr.full([seq, seq], -Infinity), 1);
  const tokens = cr.randint(0, vocab, [batch, seq]);
  const next = cr.randint(0, vocab, [batch * seq]);
  return trainer(opt, () => {
    const h = body.call(embed.call(tokens), { srcMask: mask });
    return nn.functional.crossEntropy(head.call(h).reshape([batch * seq, vocab]), next);
  });
}

/** TransformerEncoderLayer(128, 4, feed-forward 512, no dropout) over [32, 64, 128], mean-pooled → Linear(128, 10); Adam. */
function encoder(cr: Cr): () => void {
  const { nn } = cr;
  const layer = encoderLayer(cr, false);
  const head = new nn.Linear(128, 10);
  const opt = new cr.optim.Adam(paramsOf(layer, head), { lr: 1e-3 });
  const x = cr.randn([32, 64, 128]);
  const y = cr.randint(0, 10, [32]);
  return trainer(opt, () => nn.functional.crossEntropy(head.call(layer.call(x).mean(1)), y));
}

const models: Record<string, (cr: Cr) => () => void> = { resnet, lstm, gpt, encoder };

/** The training step of a model workload, or null when `key` is not one. */
export function modelStep(cr: Cr, key: string): (() => void) | null {
  return models[key]?.(cr) ?? null;
}

/** The shape of q, k and v in the attention workload: [batch, heads, sequence, head size]. */
export const attentionShape = [1, 4, 1024, 32];

/** Random q, k and v that want gradients. */
export function attentionInputs(cr: Cr, shape = attentionShape): Tensor[] {
  return [0, 1, 2].map(() => cr.randn(shape).requiresGrad_());
}

/** Scaled dot-product attention forward and backward (of the output's sum) over q, k, v. */
export function attentionStep(cr: Cr, [q, k, v]: Tensor[]): () => void {
  return () => {
    for (const t of [q!, k!, v!]) t.grad = null;
    cr.nn.functional.scaledDotProductAttention(q!, k!, v!).sum().backward();
  };
}

/** What the model and attention rows are, for the notes beside the table; `memoryRuns`: processes per memory figure. */
export function modelNotes(memoryRuns: number): string[] {
  return [
    "the model steps and the attention case are chainrule (native, wasm) against PyTorch only: tfjs and jax-js lack " +
      "some of their layers (BatchNorm, LSTM, multi-head attention), and chainrule's JS backend sits them out " +
      "to keep the run short; both sides build the same models from PyTorch's defaults (bench/models.ts, " +
      "bench/torch_peer.py), convolutions with their default bias",
    "GPT: Embedding(96, 128), two pre-norm GELU encoder layers (4 heads, feed-forward 512) under a causal mask, " +
      "Linear(128, 96), next-token cross-entropy, AdamW; encoder: one post-norm ReLU layer, mean-pooled, Adam; " +
      "LSTM: last step → Linear(128, 10), Adam; ResNet block: SGD with momentum 0.9",
    "attention: q, k, v [1, 4, 1024, 32], forward and backward of the output's sum; PyTorch 1.13 has no " +
      "F.scaled_dot_product_attention, so its side is softmax(q·kᵀ/√32)·v",
    "peak memory growth: the rise of VmHWM over VmRSS during one step, each side in a fresh process per " +
      `thread count (bench/step-memory.ts${memoryRuns > 1 ? `; the median of ${memoryRuns} processes` : ""}); ` +
      "a model's step runs once before it, so its optimiser state and " +
      "gradients exist and what is measured is a step's transient memory; attention warms up on a small " +
      "input and measures its first full-size step",
  ];
}
