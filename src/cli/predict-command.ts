// `chainrule predict`: rebuilds the model a weights file describes (its __metadata__ holds the
// config, preprocessing and class names), runs it on samples (inline JSON, a JSON or a CSV file)
// and prints the predicted classes with their probabilities (and the accuracy given labels).

import { type Command, Option } from "commander";
import { noGrad } from "../graph/grad-mode.js";
import { loadFile } from "../io/index.js";
import type { Tensor } from "../api/tensor.js";
import { buildModel, type ModelConfig, modelInput } from "./models.js";
import { positiveInt } from "./parsers.js";
import { readSamples } from "./sample-input.js";
import { applyPreprocess, type Preprocess } from "./task-data.js";
import { METADATA_KEY } from "./train-command.js";

/** What `chainrule train` stores in the weights file's metadata. */
export interface RunInfo {
  model: ModelConfig;
  preprocess: Preprocess;
  classes: string[];
  dataset: string;
}

/** Loads a weights file written by `chainrule train` and rebuilds its model. */
export async function loadRun(weights: string, expectKind?: string) {
  const { tensors, metadata } = await loadFile(weights);
  const raw = metadata[METADATA_KEY];
  if (!raw) {
    throw new Error(`predict: ${weights} has no '${METADATA_KEY}' metadata; it was not written by chainrule train`);
  }
  const info = JSON.parse(raw) as RunInfo;
  if (info.model.kind === "gpt") {
    throw new Error(
      `predict: ${weights} holds a character-level GPT (trained on --dataset ${info.dataset}); ` +
        "predict classifies samples and does not run a text model",
    );
  }
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
    return model.call(modelInput(info.model, prepared)).softmax(1);
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
  const { x, labels, source } = await readSamples(f.input, features);
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
  console.log(`${info.model.kind} trained on ${info.dataset}; ${n} sample${n === 1 ? "" : "s"} from ${source}`);
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
      "--input <json|file>",
      'samples: inline JSON (one sample, a list, or {"x": [...], "y": [labels]}), a .json file, ' +
        "or CSV (optionally gzip, optionally with a label column)",
    )
    .addOption(new Option("--model <kind>", "check that the weights hold this kind of model").choices(["mlp", "cnn"]))
    .option("--top <k>", "how many classes to list per sample", positiveInt, 3)
    .option("--show <n>", "how many samples to print", positiveInt, 20)
    .option("--json", "print all predictions as JSON")
    .action((flags: PredictFlags) => runPredict(flags));
}
