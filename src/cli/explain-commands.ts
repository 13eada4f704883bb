// The explain commands: `chainrule explain` (the notes' worked examples, an expression, or a
// user's own MLP, as text, Markdown, JSON, an HTML viewer page or a local server), `chainrule
// graph` (the gradFn graph as DOT, Mermaid, JSON or SVG), `chainrule diagnose` (gradient flow
// over a few training steps) and `chainrule saliency` (input-gradient heatmaps for digits/MNIST).

import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { loadFile } from "../io/index.js";
import { creation } from "../api/functions.js";

const { tensor } = creation;
import {
  SEEDS,
  isSeedName,
  explainScenario,
  explanationJSON,
  runMlp,
  runExpression,
  mlpNames,
  graphOf,
  graphOfTrace,
  toDot,
  toMermaid,
  toGraphJSON,
  toSvg,
  flowReportText,
  flowReportSvg,
  saliency,
  heatmapSvg,
  heatmapPng,
  type Scenario,
  type LossKind,
  type Trace,
} from "../explain/index.js";
import type { Tensor } from "../api/tensor.js";
import {
  layersFromStateDict,
  mlpScenario,
  parseModelSpec,
  randomLayers,
  type ModelSpec,
} from "../explain/model-spec.js";
import { type PageData, serveViewer, writeViewerPage } from "../explain/node/viewer-page.js";
import { serveUntilStopped } from "../explain/node/web-page.js";
import { DIAGNOSE_NETS, type DiagnoseNet, diagnoseDigits, trainClassifier } from "../explain/node/demo-models.js";
import { applyPreprocess } from "./task-data.js";
import type { RunInfo } from "./predict-command.js";
import { fileWithExtension, intInRange, nonNegativeInt, port, positiveInt, positiveNumber } from "./parsers.js";
import { jsonArg, sampleRows } from "./sample-input.js";
import { METADATA_KEY } from "./train-command.js";

/** Options that pick what to explain, shared by explain and graph. */
interface SourceOptions {
  expr?: string;
  vars?: string;
  weights?: string;
  model?: string;
  input?: string;
  target?: string;
  loss?: LossKind;
  lr?: number;
}

const EXAMPLES = Object.keys(SEEDS).join(", ");

/** A class index of the digits and MNIST: 0 to 9. */
const digit = intInRange(0, 9);

/** "x=-2,y=5" -> { x: -2, y: 5 }. */
export function parseVars(list: string): Record<string, number> {
  return Object.fromEntries(
    list
      .split(",")
      .filter((s) => s.trim())
      .map((pair) => {
        const [k, v] = pair.split("=").map((s) => s.trim());
        if (!k || v === undefined || !Number.isFinite(Number(v)))
          throw new Error(`--vars: '${pair}' is not name=number`);
        return [k, Number(v)];
      }),
  );
}

/** The model spec and layers from --model and/or --weights (a chainrule train file describes itself). */
async function modelOf(
  opts: SourceOptions,
): Promise<{ spec: ModelSpec; layers: ReturnType<typeof layersFromStateDict | typeof randomLayers>; info?: RunInfo }> {
  if (!opts.weights) {
    if (!opts.model)
      throw new Error("explain: give --model <spec> (e.g. mlp:3-4-2:sigmoid:softmax), with --weights to load them");
    const spec = parseModelSpec(opts.model);
    return { spec, layers: randomLayers(spec) };
  }
  const { tensors, metadata } = await loadFile(opts.weights);
  const info = metadata[METADATA_KEY] ? (JSON.parse(metadata[METADATA_KEY]) as RunInfo) : undefined;
  let spec: ModelSpec;
  if (opts.model) spec = parseModelSpec(opts.model);
  else if (info?.model.kind === "mlp") {
    const features = info.model.sampleShape.reduce((a, b) => a * b, 1);
    spec = {
      sizes: [features, ...(info.model.hidden ?? []), info.model.numClasses],
      hidden: "relu",
      output: "identity",
    };
  } else throw new Error(`explain: ${opts.weights} does not describe an MLP; give --model <spec>`);
  return { spec, layers: layersFromStateDict(tensors, spec), info };
}

/** What to explain, from a positional example/spec and the options. */
export async function resolveSource(target: string | undefined, opts: SourceOptions): Promise<PageData> {
  if (target && isSeedName(target)) {
    const s = SEEDS[target];
    return { title: s.title, intro: s.intro, scenario: s.scenario, notes: s.notes };
  }
  if (opts.expr) {
    const scenario: Scenario = { kind: "expression", source: opts.expr, vars: parseVars(opts.vars ?? ""), lr: opts.lr };
    return { title: opts.expr, scenario };
  }
  if (target && !/^mlp:/.test(target))
    throw new Error(
      `unknown example '${target}'; the examples are ${EXAMPLES}, or give a model spec such as mlp:3-4-2`,
    );
  if (target && !opts.model) opts.model = target;
  if (!opts.model && !opts.weights)
    throw new Error(`explain: name an example (${EXAMPLES}), --expr, or --model/--weights`);
  const { spec, layers, info } = await modelOf(opts);
  const features = spec.sizes[0]!;
  let rows = opts.input
    ? sampleRows(await jsonArg("--input", opts.input), features).rows
    : [new Array<number>(features).fill(0)];
  if (info && opts.input) rows = applyPreprocess(info.preprocess, tensor(rows)).toArray() as number[][];
  const title = `MLP ${spec.sizes.join("-")}${opts.weights ? ` from ${opts.weights}` : " (random weights, seed 0)"}`;
  let goal: number | number[] | undefined;
  if (opts.target !== undefined) goal = (await jsonArg("--target", opts.target)) as number | number[];
  if (goal === undefined) {
    // no target given: explain the predicted class (or the output itself for a single unit)
    const probe = runMlp(
      mlpScenario(spec, layers, rows, new Array<number>(spec.sizes.at(-1)!).fill(0), { loss: "mse" }),
      {
        backward: false,
      },
    );
    const out = Array.from(probe.tensors.layers.at(-1)!.a.dataSync()).slice(0, spec.sizes.at(-1));
    goal = out.length === 1 ? [Math.round(out[0]!)] : out.indexOf(Math.max(...out));
  }
  const scenario = mlpScenario(spec, layers, rows, goal, { loss: opts.loss, lr: opts.lr, title });
  return { title, intro: [`target: ${JSON.stringify(goal)}, loss: ${scenario.loss}`], scenario };
}

/** Where the commands print (stdout unless a caller, such as a test, redirects it). */
export type Printer = (text: string) => void;

async function emit(say: Printer, text: string | Uint8Array, out?: string): Promise<void> {
  if (out) {
    await writeFile(out, text);
    say(`wrote ${out}\n`);
  } else say(typeof text === "string" ? text : new TextDecoder().decode(text));
}

function sourceOptions(cmd: Command): Command {
  return cmd
    .option("--expr <program>", 'an expression graph, e.g. "q = x + y; f = q * z"')
    .option("--vars <list>", "values of the expression's variables, e.g. x=-2,y=5,z=-4")
    .option("--weights <file>", "a safetensors file (from chainrule train, or keyed like torch.nn.Sequential)")
    .option(
      "--model <spec>",
      "mlp:<sizes>[:<hidden act>[:<output act>]], e.g. mlp:64-32-10 or mlp:3-4-2:sigmoid:softmax",
    )
    .option("--input <json|file>", 'one sample, a list, or {"x": [...]} as JSON, or a .json file')
    .option("--target <json>", "the target: a class index or a JSON list (default: the predicted class)")
    .addOption(new Option("--loss <kind>", "the loss").choices(["bce", "half-sse", "mse", "cross-entropy"]))
    .option("--lr <rate>", "apply one SGD step with this learning rate", positiveNumber);
}

/** Registers explain, graph, diagnose and saliency on the chainrule program (printing to `say`). */
export function registerExplainCommands(program: Command, say: Printer = (t) => void process.stdout.write(t)): void {
  sourceOptions(
    program
      .command("explain")
      .description(`show one forward and backward pass number by number (examples: ${EXAMPLES})`)
      .argument("[example]", `${EXAMPLES}, or a model spec`),
  )
    .addOption(
      new Option("-f, --format <format>", "output format").choices(["text", "markdown", "json"]).default("text"),
    )
    .option("--nodes", "also print the node-by-node trace after the layer walkthrough")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .option("--html <file>", "write the interactive viewer page")
    .option("--serve", "serve the interactive viewer on 127.0.0.1")
    .option("--port <port>", "port for --serve (0: any free port)", port, 8321)
    .option("--lifetime <seconds>", "stop serving after this many seconds", positiveNumber)
    .action(async (example: string | undefined, opts: SourceOptions & Record<string, unknown>) => {
      const data = await resolveSource(example, opts);
      const e = explainScenario(data.scenario, {
        title: data.title,
        intro: data.intro,
        notes: data.notes,
        nodes: !!opts.nodes,
      });
      if (opts.html) await writeViewerPage(opts.html as string, data).then(() => say(`wrote ${opts.html}\n`));
      if (opts.serve) {
        const server = await serveViewer(data, {
          port: opts.port as number,
          lifetime: opts.lifetime as number | undefined,
        });
        await serveUntilStopped(server, "the viewer", opts.lifetime as number | undefined, say);
        return;
      }
      if (opts.html && !opts.out && opts.format === "text") return;
      const text = opts.format === "json" ? explanationJSON(e) : opts.format === "markdown" ? e.markdown() : e.text();
      await emit(say, text, opts.out as string | undefined);
    });

  sourceOptions(
    program
      .command("graph")
      .description("export the gradFn graph of an example, expression or model")
      .argument("[target]", `${EXAMPLES}, or a model spec`),
  )
    .addOption(
      new Option("-f, --format <format>", "output format").choices(["dot", "mermaid", "json", "svg"]).default("dot"),
    )
    .option("--full", "draw the recorded pass: also ops without gradient and inputs that need none")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .action(
      async (target: string | undefined, opts: SourceOptions & { format: string; full?: boolean; out?: string }) => {
        const { scenario } = await resolveSource(target, opts);
        // the tensors graphOf starts from, and the names it gives the leaves
        let root: Tensor, names: Record<string, Tensor>, trace: Trace;
        if (scenario.kind === "mlp") {
          const run = runMlp(scenario, { backward: false });
          const leaf = mlpNames(scenario);
          root = run.tensors.loss;
          names = { [leaf.input]: run.tensors.input, [leaf.target]: run.tensors.target };
          trace = run.trace;
        } else {
          const run = runExpression(scenario, { backward: false });
          [root, names, trace] = [run.output, run.vars, run.trace];
        }
        const g = opts.full ? graphOfTrace(trace) : graphOf(root, names);
        const out = { dot: toDot, mermaid: toMermaid, json: toGraphJSON, svg: toSvg }[opts.format as "dot"](g);
        await emit(say, out, opts.out);
      },
    );

  program
    .command("diagnose")
    .description("train a small net on the digits for a few steps and print its gradient-flow report")
    .addOption(new Option("--net <name>", "which net").choices([...DIAGNOSE_NETS, "all"]).default("healthy"))
    .option("--steps <n>", "SGD steps before the traced one", positiveInt, 3)
    .option("--lr <rate>", "learning rate", positiveNumber, 0.1)
    .option("--svg <file>", "also draw the report as SVG (with --net all: one file per net)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (opts: { net: string; steps: number; lr: number; svg?: string; format: string }) => {
      const nets = opts.net === "all" ? [...DIAGNOSE_NETS] : [opts.net as DiagnoseNet];
      for (const net of nets) {
        const r = await diagnoseDigits(net, { steps: opts.steps, lr: opts.lr });
        if (opts.format === "json") say(`${JSON.stringify(r, null, 2)}\n`);
        else
          say(
            `${r.about}\nlosses over the steps: ${r.losses.map((l) => l.toFixed(4)).join(", ")}\n${flowReportText(r)}\n`,
          );
        if (opts.svg) {
          const file = nets.length > 1 ? opts.svg.replace(/(\.svg)?$/, `-${net}.svg`) : opts.svg;
          await emit(say, flowReportSvg(r, `Gradient flow: ${net}`), file);
        }
      }
    });

  program
    .command("saliency")
    .description("train a quick MLP on the digits (8x8) or MNIST (28x28) and draw |d score / d input| as a heatmap")
    .addOption(new Option("--dataset <name>", "dataset").choices(["digits", "mnist"]).default("digits"))
    .option("--index <n>", "which training image", nonNegativeInt, 0)
    .option("--class <n>", "the class whose score is differentiated, 0 to 9 (default: the predicted one)", digit)
    .option("--epochs <n>", "training epochs", positiveInt)
    .option("--limit <n>", "training images (MNIST default 2000)", positiveInt)
    .option(
      "--mnist-dir <dir>",
      "folder of MNIST IDX files to use instead of the bundled 10k test set (env CHAINRULE_MNIST)",
      process.env.CHAINRULE_MNIST,
    )
    .option("-o, --out <file>", "output image, .svg or .png", fileWithExtension(".svg", ".png"))
    .action(
      async (opts: {
        dataset: "digits" | "mnist";
        index: number;
        class?: number;
        epochs?: number;
        limit?: number;
        mnistDir?: string;
        out?: string;
      }) => {
        const c = await trainClassifier(opts.dataset, {
          epochs: opts.epochs,
          limit: opts.limit,
          mnistDir: opts.mnistDir,
        });
        const n = c.inputs.shape[0]!;
        if (opts.index >= n) throw new Error(`saliency: --index ${opts.index} is past the ${n} training images`);
        const x = c.inputs.narrow(0, opts.index, 1);
        const s = saliency((t) => c.model.call(t), x, opts.class);
        const label = c.data.y.dataSync()[opts.index]!;
        const verdict = `label ${label}, predicted ${s.predicted}${s.predicted === label ? "" : " (wrong)"}`;
        // the accuracy is measured on the very images the model was trained on, and says so
        say(
          `training-set accuracy ${(c.accuracy * 100).toFixed(1)}% (${n} images); ` +
            `image #${opts.index}: ${verdict}; score[${s.target}] = ${s.score.toFixed(4)}\n`,
        );
        const picture = {
          image: Array.from(x.dataSync()),
          title: `${opts.dataset} #${opts.index}: ${verdict}`,
          label: `|d score[${s.target}] / d pixel|`,
        };
        const out = opts.out ?? `saliency-${opts.dataset}-${opts.index}.svg`;
        const file = out.toLowerCase().endsWith(".png")
          ? heatmapPng(s.values, c.height, c.width, picture)
          : heatmapSvg(s.values, c.height, c.width, picture);
        await emit(say, file, out);
      },
    );
}
