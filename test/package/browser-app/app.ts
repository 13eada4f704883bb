// A web page's use of chainrule, bundled for the browser by test/package/browser.test.ts: train an
// MLP on the digits the page embeds as JSON, save the weights to bytes, load them into a fresh
// model (from a Blob and from a fetch Response), and leave what happened on document.body.

import * as cr from "chainrule";

/** What the page reports in document.body.dataset.result. */
export interface AppResult {
  backend: string;
  losses: number[];
  trainAccuracy: number;
  testAccuracy: number;
  /** The saved safetensors file, byte by byte. */
  saved: number[];
  /** The trained weights by name, as numbers. */
  weights: Record<string, number[]>;
  /** Whether the model loaded from the saved bytes has exactly the trained weights, per way of loading. */
  reloadedEqual: { blob: boolean; response: boolean; bytes: boolean };
  /** The reloaded model's test predictions equal the trained one's. */
  samePredictions: boolean;
  metadata: Record<string, string>;
  /** What load says when given a path. */
  pathError: string;
}

interface Digits {
  x: number[][];
  y: number[];
}

const makeModel = () => new cr.nn.Sequential(new cr.nn.Linear(64, 32), new cr.nn.ReLU(), new cr.nn.Linear(32, 10));

const valuesOf = (sd: Record<string, cr.Tensor>) =>
  Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, Array.from(t.dataSync(), Number)]));

const sameWeights = (a: Record<string, cr.Tensor>, b: Record<string, cr.Tensor>) =>
  JSON.stringify(valuesOf(a)) === JSON.stringify(valuesOf(b));

async function main(): Promise<AppResult> {
  const digits = JSON.parse(document.getElementById("digits")!.textContent!) as Digits;
  cr.manualSeed(0);
  const all: cr.data.ClassificationData = {
    name: "digits",
    x: cr.tensor(digits.x).div(16),
    y: cr.tensor(digits.y, { dtype: "int32" }),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
  };
  const { train, test } = cr.data.trainTestSplit(all, { testFraction: 0.25, seed: 0 });
  const model = makeModel();
  const optimizer = new cr.optim.Adam(model.parameters(), { lr: 1e-2 });
  const lossFn = new cr.nn.CrossEntropyLoss();
  const loader = new cr.data.DataLoader(new cr.data.TensorDataset(train.x, train.y), {
    batchSize: 32,
    shuffle: true,
    seed: 0,
  });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 15; epoch++) {
    let total = 0;
    for await (const [xb, yb] of loader) {
      const loss = lossFn.call(model.call(xb!), yb!);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      total += loss.item() * yb!.shape[0]!;
    }
    losses.push(total / train.x.shape[0]!);
  }
  const predict = (m: cr.nn.Sequential, x: cr.Tensor) => cr.noGrad(() => (m.call(x) as cr.Tensor).argmax(1));
  const accuracy = (m: cr.nn.Sequential, d: cr.data.ClassificationData) =>
    predict(m, d.x).eq(d.y).to("float32").mean().item();

  const trained = model.stateDict();
  const saved = await cr.save(trained, { app: "browser" });
  const reload = async (source: Blob | Response | Uint8Array) => {
    const fresh = makeModel();
    fresh.loadStateDict(await cr.load(source));
    return fresh;
  };
  const fromBlob = await reload(new Blob([saved]));
  const fromResponse = await reload(new Response(saved.slice()));
  const fromBytes = await reload(saved);
  const pathError = await cr.load("model.safetensors").then(
    () => "no error",
    (e: Error) => e.message,
  );
  return {
    backend: cr.getBackend(),
    losses,
    trainAccuracy: accuracy(model, train),
    testAccuracy: accuracy(model, test),
    saved: Array.from(saved),
    weights: valuesOf(trained),
    reloadedEqual: {
      blob: sameWeights(fromBlob.stateDict(), trained),
      response: sameWeights(fromResponse.stateDict(), trained),
      bytes: sameWeights(fromBytes.stateDict(), trained),
    },
    samePredictions: String(predict(fromBlob, test.x).toArray()) === String(predict(model, test.x).toArray()),
    metadata: await cr.io.loadMetadata(new Blob([saved])),
    pathError,
  };
}

main().then(
  (result) => {
    document.body.dataset.result = JSON.stringify(result);
  },
  (e: Error) => {
    document.body.dataset.error = e.stack ?? String(e);
  },
);
