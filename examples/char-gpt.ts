// A character-level GPT on the US Constitution (examples/data/us-constitution.txt): a decoder-only
// transformer learns to predict the next character, draws a progress bar, writes its loss curve
// as SVG and ends with samples drawn at a temperature from a seeded generator.
// Token + position Embedding → 2 pre-norm GELU TransformerEncoderLayers under a causal mask →
// LayerNorm → Linear to the vocabulary; AdamW with a cosine schedule and gradient clipping.
//
//   node --import tsx examples/char-gpt.ts [steps] [curve.svg]

import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import cliProgress from "cli-progress";
import * as cr from "chainrule";

const steps = Number(process.argv[2] ?? 400);
const svgPath = process.argv[3] ?? "runs/char-gpt-loss.svg";
const blockSize = 64;
const batchSize = 32;
const evalEvery = 50;
cr.manualSeed(0);

const text = await cr.data.loadText(fileURLToPath(new URL("./data/us-constitution.txt", import.meta.url)));
const vocab = [...new Set(text)].sort();
const index = new Map(vocab.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c)!);
// the last tenth is held out: the loss there says whether the model generalises
const cut = Math.round(ids.length * 0.9);
const [trainIds, testIds] = [ids.subarray(0, cut), ids.subarray(cut)];
console.log(`${text.length} characters (${cut} to train on), vocabulary of ${vocab.length}`);

class CharGpt extends cr.nn.Module {
  tokEmbed = new cr.nn.Embedding(vocab.length, 64);
  posEmbed = new cr.nn.Embedding(blockSize, 64);
  blocks = new cr.nn.ModuleList(
    Array.from(
      { length: 2 },
      () =>
        new cr.nn.TransformerEncoderLayer(64, 4, {
          dimFeedforward: 256,
          dropout: 0,
          activation: "gelu",
          batchFirst: true,
          normFirst: true,
        }),
    ),
  );
  norm = new cr.nn.LayerNorm(64);
  head = new cr.nn.Linear(64, vocab.length);
  /** tokens [N, L] → next-character logits [N, L, vocab]. */
  forward(tokens: cr.Tensor): cr.Tensor {
    const len = tokens.shape[1]!;
    // true above the diagonal: position i sees positions ≤ i only
    const causal = cr.ones([len, len]).triu(1).bool();
    let h = this.tokEmbed.call(tokens).add(this.posEmbed.call(cr.arange(len)));
    for (const block of this.blocks) h = block.call(h, { srcMask: causal });
    return this.head.call(this.norm.call(h));
  }
}

const model = new CharGpt();
const parameters = [...model.parameters()].reduce((n, p) => n + p.numel(), 0);
const optimizer = new cr.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
const schedule = new cr.optim.lrScheduler.CosineAnnealingLR(optimizer, steps, 3e-4);
const rng = new cr.Generator(1);

/** Random windows of `source`: inputs [N, L] and the characters that follow each [N, L]. */
function batch(source: Int32Array, n: number): [cr.Tensor, cr.Tensor] {
  const x = new Int32Array(n * blockSize);
  const y = new Int32Array(n * blockSize);
  for (let b = 0; b < n; b++) {
    const start = rng.int(0, source.length - blockSize - 1);
    x.set(source.subarray(start, start + blockSize), b * blockSize);
    y.set(source.subarray(start + 1, start + blockSize + 1), b * blockSize);
  }
  return [cr.tensor(x, { shape: [n, blockSize] }), cr.tensor(y, { shape: [n, blockSize] })];
}

const lossOf = (x: cr.Tensor, y: cr.Tensor) =>
  cr.nn.functional.crossEntropy(model.call(x).reshape([-1, vocab.length]), y.reshape([-1]));

/** Mean next-character loss over the held-out text, window after window. */
function heldOutLoss(): number {
  return cr.noGrad(() => {
    const n = Math.floor((testIds.length - 1) / blockSize);
    const x = new Int32Array(n * blockSize);
    const y = new Int32Array(n * blockSize);
    for (let i = 0; i < n; i++) {
      x.set(testIds.subarray(i * blockSize, (i + 1) * blockSize), i * blockSize);
      y.set(testIds.subarray(i * blockSize + 1, (i + 1) * blockSize + 1), i * blockSize);
    }
    return lossOf(cr.tensor(x, { shape: [n, blockSize] }), cr.tensor(y, { shape: [n, blockSize] })).item();
  });
}

/** Continues `prompt` by `n` characters, each drawn from softmax(logits / temperature). */
function sample(prompt: string, n: number, temperature: number): string {
  return cr.noGrad(() => {
    model.eval();
    const out = Array.from(prompt, (c) => index.get(c) ?? 0);
    for (let i = 0; i < n; i++) {
      const context = out.slice(-blockSize);
      const logits = model.call(cr.tensor(Int32Array.from(context), { shape: [1, context.length] }));
      const probs = logits
        .select(1, context.length - 1)
        .div(temperature)
        .softmax(1)
        .dataSync();
      let r = rng.uniform();
      let next = 0;
      while (next < probs.length - 1 && (r -= probs[next]!) > 0) next++;
      out.push(next);
    }
    model.train();
    return out.map((i) => vocab[i]).join("");
  });
}

/** Train (every step) and held-out (every evalEvery steps) loss against the step, as an SVG line chart. */
function lossSvg(train: number[], heldOut: [number, number][]): string {
  const [w, h, pad] = [640, 360, 48];
  const top = Math.max(...train, ...heldOut.map(([, v]) => v));
  const x = (step: number) => (pad + ((step - 1) / Math.max(1, train.length - 1)) * (w - 2 * pad)).toFixed(1);
  const y = (v: number) => (h - pad - (v / top) * (h - 2 * pad)).toFixed(1);
  const line = (pts: [number, number][], color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([s, v]) => `${x(s)},${y(v)}`).join(" ")}"/>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="24" text-anchor="middle" font-size="15">char-gpt: next-character cross-entropy</text>`,
    ...ticks.map(
      (t) =>
        `<line x1="${pad}" x2="${w - pad}" y1="${y(t)}" y2="${y(t)}" stroke="#e4e4e4"/>` +
        `<text x="${pad - 6}" y="${y(t)}" text-anchor="end" dominant-baseline="middle">${t.toFixed(2)}</text>`,
    ),
    `<text x="${w / 2}" y="${h - 12}" text-anchor="middle">step (1 to ${train.length})</text>`,
    line(
      train.map((v, i) => [i + 1, v]),
      "#1f77b4",
    ),
    line(heldOut, "#d62728"),
    `<text x="${w - pad}" y="${pad}" text-anchor="end" fill="#1f77b4">train (smoothed)</text>`,
    `<text x="${w - pad}" y="${pad + 16}" text-anchor="end" fill="#d62728">held out</text>`,
    "</svg>",
    "",
  ].join("\n");
}

console.log(`${parameters.toLocaleString("en")} parameters; ${steps} steps of ${batchSize} × ${blockSize} characters`);
const bar = new cliProgress.SingleBar(
  {
    format: "[{bar}] {value}/{total} steps | loss {loss} | held out {heldOut} | {eta_formatted} left",
    hideCursor: true,
  },
  cliProgress.Presets.shades_classic,
);
const t0 = performance.now();
const trainCurve: number[] = [];
const heldOutCurve: [number, number][] = [[1, heldOutLoss()]];
let smooth = Math.log(vocab.length);
bar.start(steps, 0, { loss: "-", heldOut: heldOutCurve[0]![1].toFixed(3) });
for (let step = 1; step <= steps; step++) {
  const loss = lossOf(...batch(trainIds, batchSize));
  optimizer.zeroGrad();
  loss.backward();
  cr.nn.utils.clipGradNorm(model.parameters(), 1);
  optimizer.step();
  schedule.step();
  smooth = step === 1 ? loss.item() : 0.95 * smooth + 0.05 * loss.item();
  trainCurve.push(smooth);
  if (step % evalEvery === 0) heldOutCurve.push([step, heldOutLoss()]);
  bar.update(step, { loss: smooth.toFixed(3), heldOut: heldOutCurve.at(-1)![1].toFixed(3) });
}
bar.stop();
const seconds = (performance.now() - t0) / 1000;
console.log(
  `trained in ${seconds.toFixed(1)} s: loss ${smooth.toFixed(3)}, held-out loss ${heldOutCurve.at(-1)![1].toFixed(3)} ` +
    `(uniform guessing: ${Math.log(vocab.length).toFixed(3)})`,
);
await mkdir(dirname(svgPath), { recursive: true });
await writeFile(svgPath, lossSvg(trainCurve, heldOutCurve));
console.log(`loss curve: ${svgPath}\n`);
for (const [prompt, temperature] of [
  ["We the People", 0.8],
  ["The Congress shall have Power", 0.5],
] as const) {
  console.log(`temperature ${temperature}: "${sample(prompt, 240, temperature)}"\n`);
}
