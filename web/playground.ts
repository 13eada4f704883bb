// The training playground (browser entry, bundled with chainrule and the wasm module by esbuild):
// trains an MLP on the digits embedded in the page, drawing the training loss per step and the
// held-out accuracy per epoch as it goes, with the backend, its threads and the time per step in
// view. The loop yields to the browser after every step: the page stays responsive, and the wasm
// backend gets back the memory of the tensors each step dropped.

import * as cr from "../src/index.browser.js";
import type { PlaygroundData, PlaygroundSettings } from "../src/cli/playground-command.js";
import relaxed from "../wasm/chainrule-relaxed.wasm";
import simd from "../wasm/chainrule.wasm";

const CSS = `
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #212529; background: #f8f9fa; }
header { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; padding: 8px 12px; background: #fff; border-bottom: 1px solid #dee2e6; }
header h1 { font-size: 16px; margin: 0; }
.cr-stat { font-variant-numeric: tabular-nums; white-space: nowrap; }
.cr-stat b { font-family: ui-monospace, monospace; }
#cr-note { color: #c92a2a; padding: 0 12px; }
#cr-note:empty { display: none; }
#cr-controls { display: flex; gap: 12px; align-items: end; flex-wrap: wrap; padding: 8px 12px; }
#cr-controls label { display: flex; flex-direction: column; font-size: 12px; color: #495057; }
#cr-controls input, #cr-controls select { font: 13px ui-monospace, monospace; width: 90px; }
#cr-controls button { font: inherit; padding: 4px 14px; border: 1px solid #adb5bd; border-radius: 4px; background: #fff; cursor: pointer; }
#cr-controls button:disabled { opacity: .4; cursor: default; }
#cr-charts { display: flex; gap: 12px; flex-wrap: wrap; padding: 0 12px 12px; }
#cr-charts svg { background: #fff; border: 1px solid #dee2e6; border-radius: 6px; }
#cr-about { padding: 0 12px; color: #495057; }
`;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

/** Bytes from base64. */
const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/**
 * Resolves in the next task: unlike setTimeout, a posted message is not clamped to 4 ms, so the
 * time per step stays the step's own, while the browser still renders and collects in between.
 */
const nextTask = (() => {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(0);
    });
})();

const W = 460;
const H = 220;
const PAD = { left: 48, right: 12, top: 24, bottom: 28 };

/** A line chart of `ys` (x from 1 to `xMax`) as SVG markup, y axis from `lo` to `hi`. */
function lineChart(title: string, ys: number[], xMax: number, lo: number, hi: number, xLabel: string): string {
  const x = (i: number) => PAD.left + ((i + 1) / Math.max(xMax, 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) =>
    H - PAD.bottom - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e9ecef"/>` +
        `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#868e96">${+v.toFixed(2)}</text>`,
    )
    .join("");
  const points = ys.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const dots = ys.length <= 50 ? ys.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="2.5" fill="#1c7ed6"/>`) : [];
  return [
    `<text x="${PAD.left}" y="16" font-size="13" font-weight="600">${title}</text>`,
    grid,
    `<text x="${W - PAD.right}" y="${H - 8}" text-anchor="end" font-size="11" fill="#868e96">${xLabel}</text>`,
    `<polyline points="${points}" fill="none" stroke="#1c7ed6" stroke-width="1.5"/>`,
    ...dots,
  ].join("");
}

/** The digits as tensors, split 80/20 (seeded) and scaled to 0…1 as `chainrule train` does. */
function digitsSplit(d: PlaygroundData["dataset"]): cr.data.Split {
  const pixels = bytesOf(d.pixels);
  const features = d.height * d.width;
  const x = cr.tensor(
    Float32Array.from(pixels, (v) => v * d.scale),
    { shape: [d.rows, features] },
  );
  const y = cr.tensor(Int32Array.from(bytesOf(d.labels)), { shape: [d.rows] });
  return cr.data.trainTestSplit({ name: d.name, x, y, classes: d.classes }, { testFraction: 0.2, seed: 0 });
}

/** The settings' controls: [id, label, attributes of its input]. */
const FIELDS: [Exclude<keyof PlaygroundSettings, "optimizer">, string, Record<string, string>][] = [
  ["hidden", "hidden width", { type: "number", min: "1", max: "4096", step: "1" }],
  ["lr", "learning rate", { type: "number", min: "0", step: "any" }],
  ["epochs", "epochs", { type: "number", min: "1", max: "1000", step: "1" }],
  ["batchSize", "batch size", { type: "number", min: "1", step: "1" }],
];

/** The page: controls, figures, charts, and the training run they show. */
class Playground {
  /** Bumped by every Train and Stop: a run whose number is no longer current stops at its next step. */
  private run = 0;
  private losses: number[] = [];
  private accuracies: number[] = [];
  private stepMs: number[] = [];
  private settings: PlaygroundSettings;
  private drawPending = false;
  private readonly split: cr.data.Split;

  constructor(
    private readonly data: PlaygroundData,
    private readonly root: HTMLElement,
    note: string,
  ) {
    this.settings = { ...data.settings };
    this.split = digitsSplit(data.dataset);
    this.build(note);
    this.setState("ready");
    this.draw();
  }

  private $<T extends HTMLElement = HTMLElement>(id: string): T {
    return this.root.querySelector<T>(`#${id}`)!;
  }

  private build(note: string): void {
    document.head.append(el("style", {}, CSS));
    const header = el("header");
    const stat = (label: string, id: string, value = "–") => {
      const s = el("span", { class: "cr-stat" }, `${label} `);
      s.append(el("b", { id }, value));
      return s;
    };
    const threads = cr.getNumThreads();
    header.append(
      el("h1", {}, this.data.title),
      stat("backend", "cr-backend", cr.getBackend()),
      stat("threads", "cr-threads", String(threads)),
      stat("ms/step", "cr-ms-per-step"),
      stat("epoch", "cr-epoch"),
      stat("train loss", "cr-loss"),
      stat("test accuracy", "cr-accuracy"),
      stat("", "cr-state", "ready"),
    );
    // the page checks the values itself, so a bad one is named in the note rather than in a passing bubble
    const form = el("form", { id: "cr-controls", novalidate: "" });
    for (const [key, label, attrs] of FIELDS) {
      const l = el("label", {}, label);
      l.append(el("input", { id: `cr-${kebab(key)}`, value: String(this.settings[key]), ...attrs }));
      form.append(l);
    }
    const opt = el("label", {}, "optimiser");
    const select = el("select", { id: "cr-optimizer" });
    for (const [value, text] of [
      ["adam", "Adam"],
      ["sgd", "SGD, momentum 0.9"],
    ] as const)
      select.append(el("option", { value }, text));
    select.value = this.settings.optimizer;
    opt.append(select);
    const train = el("button", { id: "cr-train", type: "submit" }, "Train");
    const stop = el("button", { id: "cr-stop", type: "button" }, "Stop");
    stop.disabled = true;
    form.append(opt, train, stop);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.train();
    });
    stop.addEventListener("click", () => this.stop("stopped"));
    const charts = el("div", { id: "cr-charts" });
    for (const id of ["cr-loss-chart", "cr-accuracy-chart"]) {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("id", id);
      svg.setAttribute("width", String(W));
      svg.setAttribute("height", String(H));
      charts.append(svg);
    }
    const n = this.split.train.x.shape[0]!;
    const about = el("p", { id: "cr-about" });
    about.textContent =
      `${this.data.dataset.rows} ${this.data.dataset.height}×${this.data.dataset.width} images of digits: ` +
      `${n} train, ${this.split.test.x.shape[0]} held out. Model: Linear(64, hidden) → ReLU → Linear(hidden, 10), ` +
      `cross-entropy loss.`;
    this.root.append(header, el("div", { id: "cr-note" }, note), form, charts, about);
  }

  /** The settings from the controls, or an error naming the control that is off. */
  private readSettings(): PlaygroundSettings {
    const s = { ...this.settings, optimizer: this.$<HTMLSelectElement>("cr-optimizer").value as "adam" | "sgd" };
    for (const [key, label] of FIELDS) {
      const v = Number(this.$<HTMLInputElement>(`cr-${kebab(key)}`).value);
      const ok = key === "lr" ? Number.isFinite(v) && v > 0 : Number.isInteger(v) && v >= 1;
      if (!ok) throw new Error(`${label}: expected ${key === "lr" ? "a positive number" : "a positive integer"}`);
      s[key] = v;
    }
    return s;
  }

  private setState(state: "ready" | "training" | "done" | "stopped" | "failed"): void {
    const s = this.$("cr-state");
    s.textContent = state;
    s.dataset.state = state;
    this.$<HTMLButtonElement>("cr-stop").disabled = state !== "training";
  }

  /** Stops the current run (it ends at its next step). */
  stop(state: "stopped" | "failed"): void {
    this.run++;
    this.setState(state);
  }

  /** Trains from scratch with the controls' settings, to the last epoch or until stopped. */
  async train(): Promise<void> {
    const note = this.$("cr-note");
    try {
      this.settings = this.readSettings();
    } catch (e) {
      note.textContent = (e as Error).message;
      return;
    }
    note.textContent = note.dataset.fallback ?? "";
    const run = ++this.run;
    const { hidden, lr, optimizer, epochs, batchSize } = this.settings;
    [this.losses, this.accuracies, this.stepMs] = [[], [], []];
    this.setState("training");
    cr.manualSeed(0);
    const { train, test } = this.split;
    const [features, classes] = [train.x.shape[1]!, this.data.dataset.classes.length];
    const model = new cr.nn.Sequential(
      new cr.nn.Linear(features, hidden),
      new cr.nn.ReLU(),
      new cr.nn.Linear(hidden, classes),
    );
    const opt =
      optimizer === "adam"
        ? new cr.optim.Adam(model.parameters(), { lr })
        : new cr.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
    const loader = new cr.data.DataLoader(new cr.data.TensorDataset(train.x, train.y), {
      batchSize,
      shuffle: true,
      seed: 0,
    });
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        this.$("cr-epoch").textContent = `${epoch} / ${epochs}`;
        for (const [xb, yb] of loader) {
          const t0 = performance.now();
          const loss = cr.nn.functional.crossEntropy(model.call(xb!), yb!);
          opt.zeroGrad();
          loss.backward();
          opt.step();
          this.losses.push(loss.item());
          this.stepMs.push(performance.now() - t0);
          this.scheduleDraw();
          await nextTask();
          if (run !== this.run) return;
        }
        const correct = cr.noGrad(() => model.call(test.x).argmax(1).eq(test.y).sum().item());
        this.accuracies.push(correct / test.x.shape[0]!);
        this.scheduleDraw();
      }
      this.setState("done");
    } catch (e) {
      note.textContent = `training failed: ${(e as Error).message}`;
      this.stop("failed");
    } finally {
      this.draw();
    }
  }

  /** Redraws at the next frame, once however many steps finish before it. */
  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.drawPending = false;
    const { epochs, batchSize } = this.settings;
    const steps = epochs * Math.ceil(this.split.train.x.shape[0]! / batchSize);
    // the median of the last 20 steps: a garbage collection or another tab's burst moves it little
    const recent = this.stepMs.slice(-20).sort((a, b) => a - b);
    if (recent.length > 0) this.$("cr-ms-per-step").textContent = recent[recent.length >> 1]!.toFixed(2);
    const lastLoss = this.losses.at(-1);
    if (lastLoss !== undefined) this.$("cr-loss").textContent = lastLoss.toFixed(4);
    const acc = this.accuracies.at(-1);
    this.$("cr-accuracy").textContent = acc === undefined ? "–" : acc.toFixed(4);
    // the first loss is about ln 10 ≈ 2.3; a whole number on top keeps the grid's labels short
    const top = Math.max(2, Math.ceil(this.losses[0] ?? 0));
    this.$("cr-loss-chart").innerHTML = lineChart("training loss per step", this.losses, steps, 0, top, "step");
    this.$("cr-accuracy-chart").innerHTML = lineChart(
      "held-out accuracy per epoch",
      this.accuracies,
      epochs,
      0,
      1,
      "epoch",
    );
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Loads the wasm backend (saying so where it cannot, and training on the JS backend), then the page. */
async function start(): Promise<void> {
  const dataEl = document.getElementById("cr-data");
  const app = document.getElementById("cr-app");
  if (!dataEl || !app) return;
  let note = "";
  try {
    // both builds ride along: the relaxed-SIMD one where the browser runs it (its products are faster)
    await cr.initWasm({ simd, relaxed });
  } catch (e) {
    note = `The wasm backend did not load (${(e as Error).message}); training runs on the JS backend, more slowly.`;
  }
  const page = new Playground(JSON.parse(dataEl.textContent ?? "{}") as PlaygroundData, app, note);
  if (note) app.querySelector<HTMLElement>("#cr-note")!.dataset.fallback = note;
  (window as unknown as { crPlayground: Playground }).crPlayground = page;
}

void start();
