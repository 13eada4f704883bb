// `chainrule playground`: a self-contained page that trains an MLP on the bundled digits in the
// browser (web/playground.ts, with chainrule, the wasm module and the data embedded), written to
// a file or served on localhost, cross-origin isolated so the wasm backend runs threads.

import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { loadDigits } from "../data/index.js";
import { pageHtml, servePage, serveUntilStopped } from "../explain/node/web-page.js";
import { fileWithExtension, intInRange, port, positiveInt, positiveNumber } from "./parsers.js";

/** How the page trains until the user changes it. */
export interface PlaygroundSettings {
  /** Width of the MLP's hidden layer. */
  hidden: number;
  lr: number;
  /** Adam, or SGD with momentum 0.9. */
  optimizer: "adam" | "sgd";
  epochs: number;
  batchSize: number;
}

/** What the page embeds: the digits as bytes and the starting settings. */
export interface PlaygroundData {
  title: string;
  dataset: {
    name: string;
    rows: number;
    height: number;
    width: number;
    classes: string[];
    /** Grey levels 0…16, one byte each, row after row, in base64. */
    pixels: string;
    /** One byte per image, in base64. */
    labels: string;
    /** What the grey levels are multiplied by (1/16, as `chainrule train` scales them). */
    scale: number;
  };
  settings: PlaygroundSettings;
}

/** The settings a page starts with when no option changes them. */
export const DEFAULT_SETTINGS: PlaygroundSettings = {
  hidden: 64,
  lr: 0.01,
  optimizer: "adam",
  epochs: 10,
  batchSize: 64,
};

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/** The page's data: the bundled digits (8×8 grey levels 0…16 fit a byte each) and `settings`. */
export async function playgroundData(settings: PlaygroundSettings = DEFAULT_SETTINGS): Promise<PlaygroundData> {
  const d = await loadDigits();
  return {
    title: "chainrule playground: an MLP learns the digits",
    dataset: {
      name: d.name,
      rows: d.x.shape[0]!,
      height: 8,
      width: 8,
      classes: d.classes,
      pixels: base64(Uint8Array.from(d.x.dataSync())),
      labels: base64(Uint8Array.from(d.y.dataSync())),
      scale: 1 / 16,
    },
    settings,
  };
}

/** The self-contained playground page. */
export async function playgroundHtml(settings?: PlaygroundSettings): Promise<string> {
  const data = await playgroundData(settings);
  return pageHtml("playground", { title: data.title, dataId: "cr-data", data });
}

/** Where the command prints (stdout unless a caller, such as a test, redirects it). */
type Printer = (text: string) => void;

/** Registers `playground` on the chainrule program (printing to `say`). */
export function registerPlaygroundCommand(program: Command, say: Printer = (t) => void process.stdout.write(t)): void {
  program
    .command("playground")
    .description("train an MLP on the digits in the browser, with live loss and accuracy curves")
    .option("--html <file>", "write the self-contained page", fileWithExtension(".html", ".htm"))
    .option("--serve", "serve the page on 127.0.0.1, cross-origin isolated so the wasm backend runs threads")
    .option("--port <port>", "port for --serve (0: any free port)", port, 8322)
    .option("--lifetime <seconds>", "stop serving after this many seconds", positiveNumber)
    .option("--hidden <n>", "the page's starting hidden width", intInRange(1, 4096), DEFAULT_SETTINGS.hidden)
    .option("--lr <rate>", "the page's starting learning rate", positiveNumber, DEFAULT_SETTINGS.lr)
    .addOption(
      new Option("--optimizer <name>", "the page's starting optimiser (sgd: momentum 0.9)")
        .choices(["adam", "sgd"])
        .default(DEFAULT_SETTINGS.optimizer),
    )
    .option("--epochs <n>", "the page's starting epochs", intInRange(1, 1000), DEFAULT_SETTINGS.epochs)
    .option("--batch-size <n>", "the page's starting batch size", positiveInt, DEFAULT_SETTINGS.batchSize)
    .action(async (opts: PlaygroundSettings & { html?: string; serve?: boolean; port: number; lifetime?: number }) => {
      if (!opts.html && !opts.serve) throw new Error("playground: give --html <file> to write the page, or --serve");
      if (opts.lifetime !== undefined && !opts.serve) throw new Error("playground: --lifetime goes with --serve");
      const { hidden, lr, optimizer, epochs, batchSize } = opts;
      const html = await playgroundHtml({ hidden, lr, optimizer, epochs, batchSize });
      if (opts.html) {
        await writeFile(opts.html, html, "utf8");
        say(`wrote ${opts.html}\n`);
      }
      if (opts.serve) {
        const server = await servePage(html, { port: opts.port, lifetime: opts.lifetime });
        await serveUntilStopped(server, "the playground", opts.lifetime, say);
      }
    });
}
