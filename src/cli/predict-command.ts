// `chainrule predict`: rebuilds the model a weights file describes (its __metadata__ holds the
// config, preprocessing and class names), runs it on samples from a JSON or CSV file and prints
// the predicted classes with their probabilities (and the accuracy when the CSV has labels).

import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { noGrad } from "../graph/grad-mode.js";
import { readBytes, parseCsv } from "../data/index.js";
import { loadFile } from "../io/index.js";
import { creation } from "../api/functions.js";

const { tensor } = creation;
import type { Tensor } from "../api/tensor.js";
import { buildModel, type ModelConfig, modelInput } from "./models.js";
import { applyPreprocess, type Preprocess } from "./task-data.js";
import { METADATA_KEY, positiveInt } from "./train-command.js";

/** What `chainrule train` stores in the weights file's metadata. */
export interface RunInfo {
  model: ModelConfig;
  preprocess: Preprocess;
  classes: string[];
  dataset: string;
}

/** Raw samples [n, features] and their labels when the input had a label column. */
export interface Samples {
  x: Tensor;
  labels: number[] | null;
}

/** Reads samples: JSON (one sample or a list; nested arrays are flattened) or CSV (plain or gzip). */
export async function readSamples(file: string, features: number): Promise<Samples> {
  if (/\.json$/i.test(file)) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, "utf8"));
    } catch (e) {
      throw new Error(`predict: cannot read JSON from ${file}: ${(e as Error).message}`, { cause: e });
    }
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);
    const list = Array.isArray(value) && value.length && flat(value[0]).length === features ? value : [value];
    const rows = list.map((s, i) => {
      const r = flat(s);
      if (r.length !== features || r.some((v) => !Number.isFinite(v))) {
        throw new RangeError(`predict: ${file}: sample ${i} has ${r.length} numbers, the model expects ${features}`);
      }
      return r;
    });
    return { x: tensor(rows.length ? rows : [[]]).reshape([rows.length, features]), labels: null };
  }
  const text = new TextDecoder().decode(await readBytes(file, "predict"));
  let table;
  try {
    table = parseCsv(text, { labelColumn: null }, file);
  } catch (e) {
    // a first line of names (like the iris file's "150,4,setosa,...") is a header: skip it
    if (!/: line 1: /.test((e as Error).message)) throw e;
    table = parseCsv(text, { labelColumn: null, headerLines: 1 }, file);
  }
  const cols = table.features.shape[1]!;
  if (cols === features) return { x: table.features, labels: null };
  if (cols === features + 1) {
    return {
      x: table.features.narrow(1, 0, features),
      labels: Array.from(table.features.select(1, features).dataSync()),
    };
  }
  throw new RangeError(
    `predict: ${file} has ${cols} columns; the model expects ${features} (or ${features + 1} with a label)`,
  );
}

/** Loads a weights file written by `chainrule train` and rebuilds its model. */
export async function loadRun(weights: string, expectKind?: string) {
  const { tensors, metadata } = await loadFile(weights);
  const raw = metadata[METADATA_KEY];
  if (!raw) {
    throw new Error(`predict: ${weights} has no '${METADATA_KEY}' metadata; it was not written by chainrule train`);
  }
  const info = JSON.parse(raw) as RunInfo;
  if (expectKind && expectKind !== info.model.kind) {
    throw new Error(
      `predict: ${weights} holds a model of kind ${info.model.kind}, not ${expectKind} (drop --model or fix it)`,
    );
  }
  const model = buildModel(info.model);
  model.loadStateDict(tensors);
  model.eval();
  return { model, info };
}

/** Class probabilities [n, classes] for raw samples [n, features]. */
export function predictProbabilities(model: ReturnType<typeof buildModel>, info: RunInfo, x: Tensor): Tensor {
  return noGrad(() => {
    const prepared = applyPreprocess(info.preprocess, x.to("float32")).reshape([
      x.shape[0]!,
      ...info.model.sampleShape,
    ]);
    return (model._call(modelInput(info.model, prepared)) as Tensor).softmax(1);
  });
}

interface PredictFlags {
  weights: string;
  input: string;
  model?: string;
  top: number;
  show: number;
  json?: boolean;
}

async function runPredict(f: PredictFlags): Promise<void> {
  const { model, info } = await loadRun(f.weights, f.model);
  const features = info.model.sampleShape.reduce((a, b) => a * b, 1);
  const { x, labels } = await readSamples(f.input, features);
  const probs = predictProbabilities(model, info, x);
  const n = x.shape[0]!;
  const k = Math.min(f.top, info.classes.length);
  const rows = probs.toArray() as number[][];
  const results = rows.map((p, i) => {
    const order = p.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]);
    return {
      index: i,
      predicted: order[0]![1],
      class: info.classes[order[0]![1]]!,
      probability: order[0]![0],
      top: order.slice(0, k).map(([v, c]) => ({ class: info.classes[c]!, probability: v })),
      ...(labels ? { label: labels[i]! } : {}),
    };
  });
  const correct = labels ? results.filter((r) => r.predicted === r.label).length : 0;
  if (f.json) {
    console.log(
      JSON.stringify(
        {
          model: info.model.kind,
          dataset: info.dataset,
          predictions: results,
          ...(labels ? { accuracy: correct / n } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(`${info.model.kind} trained on ${info.dataset}; ${n} sample${n === 1 ? "" : "s"} from ${f.input}`);
  for (const r of results.slice(0, f.show)) {
    const top = r.top.map((t) => `${t.class} ${(100 * t.probability).toFixed(1)}%`).join(", ");
    const mark = labels ? (r.predicted === r.label ? "  ✓" : `  ✗ (label ${info.classes[r.label!] ?? r.label})`) : "";
    console.log(`#${r.index}: ${r.class}  (p=${r.probability.toFixed(3)})  top: ${top}${mark}`);
  }
  if (n > f.show) console.log(`… ${n - f.show} more (--show ${n} prints all, --json gives everything)`);
  if (labels) console.log(`accuracy ${((100 * correct) / n).toFixed(1)}% (${correct}/${n})`);
}

/** Adds `predict` to the program. */
export function registerPredictCommand(program: Command): void {
  program
    .command("predict")
    .description("run weights saved by `chainrule train` on samples and print classes and probabilities")
    .requiredOption("--weights <file>", "a model.safetensors written by chainrule train")
    .requiredOption(
      "--input <file>",
      "samples: JSON (one or a list) or CSV, optionally gzip, optionally with a label column",
    )
    .addOption(new Option("--model <kind>", "check that the weights hold this kind of model").choices(["mlp", "cnn"]))
    .option("--top <k>", "how many classes to list per sample", positiveInt, 3)
    .option("--show <n>", "how many samples to print", positiveInt, 20)
    .option("--json", "print all predictions as JSON")
    .action((flags: PredictFlags) => runPredict(flags));
}
