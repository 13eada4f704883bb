// A character-level LSTM on a short public-domain text (examples/data/public-domain.txt): it
// learns to predict the next character and prints samples as it goes, from gibberish to words.
// Embedding(vocab→32) → LSTM(32→128) → Linear(128→vocab), Adam, gradient clipping.
//
//   node --import tsx examples/char-lstm.ts [steps]

import { readFile } from "node:fs/promises";
import * as cr from "chainrule";

const steps = Number(process.argv[2] ?? 600);
const seqLen = 40;
const batchSize = 16;
cr.manualSeed(0);

const text = (await readFile(new URL("./data/public-domain.txt", import.meta.url), "utf8")).replace(/\s+/g, " ");
const vocab = [...new Set(text)].sort();
const index = new Map(vocab.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c)!);
console.log(`${text.length} characters, vocabulary of ${vocab.length}`);

class CharModel extends cr.nn.Module {
  embed = new cr.nn.Embedding(vocab.length, 32);
  lstm = new cr.nn.LSTM(32, 128, { batchFirst: true });
  head = new cr.nn.Linear(128, vocab.length);
  /** tokens [N, L] → logits [N, L, vocab], and the LSTM state to continue from. */
  forward(tokens: cr.Tensor, state?: [cr.Tensor, cr.Tensor]): [cr.Tensor, [cr.Tensor, cr.Tensor]] {
    const [out, next] = this.lstm.call(this.embed.call(tokens), state) as [cr.Tensor, [cr.Tensor, cr.Tensor]];
    return [this.head.call(out), next];
  }
}

const model = new CharModel();
const optimizer = new cr.optim.Adam(model.parameters(), { lr: 5e-3 });
const rng = new cr.Generator(1);

/** A batch of random windows: inputs [N, L] and the next characters [N, L]. */
function batch(): [cr.Tensor, cr.Tensor] {
  const x = new Int32Array(batchSize * seqLen);
  const y = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    const start = rng.int(0, ids.length - seqLen - 1);
    x.set(ids.subarray(start, start + seqLen), b * seqLen);
    y.set(ids.subarray(start + 1, start + seqLen + 1), b * seqLen);
  }
  return [cr.tensor(x, { shape: [batchSize, seqLen] }), cr.tensor(y, { shape: [batchSize, seqLen] })];
}

/** Generates `n` characters after `prompt`, sampling with a temperature. */
function sample(prompt: string, n: number, temperature = 0.7): string {
  return cr.noGrad(() => {
    model.eval();
    let state: [cr.Tensor, cr.Tensor] | undefined;
    let logits!: cr.Tensor;
    [logits, state] = model.call(
      cr.tensor(
        Int32Array.from(prompt, (c) => index.get(c) ?? 0),
        { shape: [1, prompt.length] },
      ),
    );
    let out = prompt;
    for (let i = 0; i < n; i++) {
      const last = logits
        .select(1, logits.shape[1]! - 1)
        .div(temperature)
        .softmax(1)
        .dataSync();
      let r = rng.uniform();
      let next = 0;
      while (next < last.length - 1 && (r -= last[next]!) > 0) next++;
      out += vocab[next];
      [logits, state] = model.call(cr.tensor(new Int32Array([next]), { shape: [1, 1] }), state);
    }
    model.train();
    return out;
  });
}

const t0 = performance.now();
let smooth = Math.log(vocab.length);
for (let step = 1; step <= steps; step++) {
  const [x, y] = batch();
  const [logits] = model.call(x);
  const loss = cr.nn.functional.crossEntropy(logits.reshape([-1, vocab.length]), y.reshape([-1]));
  optimizer.zeroGrad();
  loss.backward();
  cr.nn.utils.clipGradNorm(model.parameters(), 1);
  optimizer.step();
  smooth = 0.95 * smooth + 0.05 * loss.item();
  if (step % 100 === 0 || step === 1) {
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`\nstep ${step} (${secs} s)  loss ${smooth.toFixed(3)}`);
    console.log(`  "${sample("It was the ", 80)}"`);
  }
}
