// The interactive backward-pass viewer (browser entry, bundled with chainrule by esbuild). It
// reads a scenario from the page, runs it with chainrule itself, draws the gradFn graph and lets
// the user step forward through the forward pass and back through the backward pass; editing
// an input, a weight or the target re-runs everything and every number is recomputed. It runs on
// the wasm backend from the module embedded in the bundle, or on the JS backend where that fails.

import * as cr from "../src/index.js";
import wasm from "../wasm/chainrule.wasm";

type Scenario = cr.explain.Scenario;
type Frame = cr.explain.Frame;

/** What the page embeds: the scenario, its title and the note's printed figures (if any). */
interface PageData {
  title: string;
  intro?: string[];
  scenario: Scenario;
  notes?: cr.explain.NotesFigure[];
}

const CSS = `
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #212529; background: #f8f9fa; }
#cr-app { display: grid; grid-template-columns: minmax(360px, 1fr) 420px; grid-template-rows: auto fit-content(50vh) 1fr; height: 100vh; }
header { grid-column: 1 / 3; display: flex; gap: 8px; align-items: center; padding: 8px 12px; background: #fff; border-bottom: 1px solid #dee2e6; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
header button { font: inherit; padding: 4px 10px; border: 1px solid #adb5bd; border-radius: 4px; background: #fff; cursor: pointer; }
header button:disabled { opacity: .4; cursor: default; }
#cr-position { font-variant-numeric: tabular-nums; color: #495057; }
#cr-loss { margin-left: auto; font-family: ui-monospace, monospace; white-space: nowrap; }
#cr-backend { color: #868e96; font-size: 12px; }
#cr-graph { grid-column: 1 / 3; overflow: auto; padding: 8px; background: #fff; border-bottom: 1px solid #dee2e6; }
#cr-side { overflow: auto; padding: 8px 12px; }
#cr-editors { overflow: auto; padding: 0 12px; border-left: 1px solid #dee2e6; }
#cr-frame-title { font-size: 15px; margin: 4px 0; }
#cr-frame { background: #fff; border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 10px; }
#cr-frame[data-phase=backward] { border-color: #e8590c; }
.cr-gate { display: inline-block; margin: 2px 4px 2px 0; padding: 1px 8px; border-radius: 10px; background: #fff3bf; border: 1px solid #f08c00; font-size: 12px; }
#cr-rule { font-family: ui-monospace, monospace; color: #5f3dc4; margin: 4px 0; }
#cr-values { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 6px 0; font-family: ui-monospace, monospace; font-size: 12px; }
#cr-values dt { color: #495057; } #cr-values dd { margin: 0; }
/* lines break between numbers, never inside one */
.cr-num { white-space: nowrap; }
#cr-lines { font-size: 12px; white-space: pre-wrap; background: #f1f3f5; padding: 6px; border-radius: 4px; }
#cr-lines:empty, #cr-rule:empty, #cr-gates:empty { display: none; }
#cr-notes pre { font-size: 12px; white-space: pre; overflow-x: auto; background: #f1f3f5; padding: 6px; border-radius: 4px; }
#cr-editors fieldset { border: 1px solid #dee2e6; border-radius: 6px; margin: 8px 0; padding: 6px 8px; }
#cr-editors input { width: 64px; font: 12px ui-monospace, monospace; margin: 1px; }
#cr-editors input.cr-source { width: 100%; }
#cr-error { color: #c92a2a; white-space: pre-wrap; }
.cr-graph .node.done rect { stroke: #1c7ed6; stroke-width: 2; }
.cr-graph .node.current rect { stroke: #f08c00; stroke-width: 4; }
.cr-graph .node.grad rect { stroke: #e8590c; stroke-width: 2; }
.cr-graph .edge.active path { stroke: #f08c00; stroke-width: 3; }
.cr-graph .edge.back path { stroke: #e8590c; stroke-width: 3; stroke-dasharray: 6 3; }
`;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

/** Numbers as printed by cr.explain (fmt): 0.413382, -1e-7, inf, nan. */
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?inf|nan/g;

/** Text as nodes, each number in a span that does not wrap: a line may break between numbers only. */
function withNumbers(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  let at = 0;
  for (const m of text.matchAll(NUMBER)) {
    out.push(text.slice(at, m.index), el("span", { class: "cr-num" }, m[0]));
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return out.filter((n) => n !== "");
}

class Viewer {
  private scenario: Scenario;
  private frames: Frame[] = [];
  private index = 0;
  private explanation?: cr.explain.Explanation;

  constructor(
    private readonly data: PageData,
    private readonly root: HTMLElement,
  ) {
    this.scenario = structuredClone(data.scenario);
    this.build();
    this.recompute();
  }

  private $<T extends HTMLElement = HTMLElement>(id: string): T {
    return this.root.querySelector<T>(`#${id}`)!;
  }

  private build(): void {
    document.head.append(el("style", {}, CSS));
    const header = el("header");
    header.append(el("h1", {}, this.data.title));
    const buttons: [string, string, () => void][] = [
      ["cr-first", "⇤ Start", () => this.go(0)],
      ["cr-prev", "◀ Back", () => this.go(this.index - 1)],
      ["cr-next", "Next ▶", () => this.go(this.index + 1)],
      ["cr-last", "End ⇥", () => this.go(this.frames.length - 1)],
    ];
    for (const [id, label, fn] of buttons) {
      const b = el("button", { id, type: "button" }, label);
      b.addEventListener("click", fn);
      header.append(b);
    }
    const threads = cr.getNumThreads();
    const backend = `${cr.getBackend()}${threads > 1 ? ` · ${threads} threads` : ""}`;
    header.append(
      el("span", { id: "cr-position" }),
      el("span", { id: "cr-loss" }),
      el("span", { id: "cr-backend", title: "the backend computing the page's numbers" }, backend),
    );
    const graph = el("div", { id: "cr-graph" });
    const side = el("div", { id: "cr-side" });
    const frame = el("section", { id: "cr-frame" });
    frame.append(
      el("h2", { id: "cr-frame-title" }),
      el("div", { id: "cr-gates" }),
      el("div", { id: "cr-rule" }),
      el("dl", { id: "cr-values" }),
      el("pre", { id: "cr-lines" }),
    );
    const notes = el("details", { id: "cr-notes" });
    notes.append(el("summary", {}, "Whole pass as text (the notes' flow chart)"), el("pre", { id: "cr-text" }));
    side.append(el("div", { id: "cr-error" }), frame, notes);
    this.root.append(header, graph, side, el("form", { id: "cr-editors" }));
    this.buildEditors();
    document.addEventListener("keydown", (e) => {
      if ((e.target as HTMLElement).tagName === "INPUT") return;
      if (e.key === "ArrowRight") this.go(this.index + 1);
      if (e.key === "ArrowLeft") this.go(this.index - 1);
    });
  }

  /** Number fields for every editable value of the scenario, each tagged with its path. */
  private buildEditors(): void {
    const form = this.$("cr-editors");
    const field = (legend: string, inputs: HTMLElement[]) => {
      const fs = el("fieldset");
      fs.append(el("legend", {}, legend), ...inputs);
      form.append(fs);
    };
    const num = (path: string, value: number, title: string) => {
      const i = el("input", {
        type: "number",
        step: "any",
        class: "cr-edit",
        "data-path": path,
        title,
        value: String(value),
      });
      i.addEventListener("change", () => this.edit(path, Number(i.value)));
      return i;
    };
    const grid = (path: string, rows: number[][], name: string) =>
      rows.flatMap((r, i) => [...r.map((v, j) => num(`${path}.${i}.${j}`, v, `${name}[${i + 1},${j + 1}]`)), el("br")]);
    const s = this.scenario;
    if (s.kind === "expression") {
      const src = el("input", { type: "text", class: "cr-source", "data-path": "source", value: s.source });
      src.addEventListener("change", () => {
        this.root.querySelector("h1")!.textContent = src.value;
        this.edit("source", src.value);
      });
      field("expression", [src]);
      field(
        "variables",
        Object.entries(s.vars).flatMap(([k, v]) => [el("label", {}, ` ${k} = `), num(`vars.${k}`, v, k)]),
      );
    } else {
      // the names the graph and the frames use, so each number is called one thing on the page
      const names = cr.explain.mlpNames(s);
      field(`${names.input} (input)`, grid("input", s.input, names.input));
      field(`${names.target} (target)`, grid("target", s.target, names.target));
      s.layers.forEach((l, i) => {
        const { weight, bias } = names.layers[i]!;
        if (l.weight.length * l.weight[0]!.length <= 64) field(weight, grid(`layers.${i}.weight`, l.weight, weight));
        if (l.bias.length <= 64)
          field(
            bias,
            l.bias.map((v, j) => num(`layers.${i}.bias.${j}`, v, `${bias}[${j + 1}]`)),
          );
      });
    }
    if (s.lr !== undefined) field("learning rate", [num("lr", s.lr, "lr")]);
  }

  /** Sets the value at a dotted path of the scenario and recomputes everything. */
  edit(path: string, value: number | string): void {
    const keys = path.split(".");
    let obj = this.scenario as unknown as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
    obj[keys[keys.length - 1]!] = value;
    this.recompute();
  }

  private recompute(): void {
    const err = this.$("cr-error");
    try {
      this.explanation = cr.explain.explainScenario(structuredClone(this.scenario), {
        title: this.data.title,
        intro: this.data.intro,
        notes: this.data.notes,
      });
      err.textContent = "";
    } catch (e) {
      err.textContent = `Cannot compute: ${(e as Error).message}`;
      return;
    }
    const trace = this.explanation.trace;
    this.frames = cr.explain.framesOf(trace);
    this.$("cr-graph").innerHTML = cr.explain.toSvg(cr.explain.graphOfTrace(trace));
    this.$("cr-text").textContent = this.explanation.text();
    this.$("cr-loss").textContent = `${trace.loss.label} = ${cr.explain.fmtSnapshot(trace.loss.data)}`;
    this.go(Math.min(this.index, this.frames.length - 1));
  }

  /** Shows frame i: highlights its node and edges and lists its rule, gates and numbers. */
  go(i: number): void {
    if (i < 0 || i >= this.frames.length) return;
    this.index = i;
    const f = this.frames[i]!;
    const svg = this.$("cr-graph");
    svg
      .querySelectorAll(".current, .done, .grad, .active, .back")
      .forEach((n) => n.classList.remove("current", "done", "grad", "active", "back"));
    for (const [k, g] of this.frames.slice(0, i).entries()) {
      const cls = g.phase === "backward" ? "grad" : "done";
      if (g.node && k < i) svg.querySelector(`.node[data-id="${g.node}"]`)?.classList.add(cls);
    }
    const current = f.node ? svg.querySelector(`.node[data-id="${f.node}"]`) : null;
    current?.classList.add("current");
    // the graph is wider than the pane: keep the node being explained in view
    current?.scrollIntoView({ block: "nearest", inline: "center" });
    for (const e of f.edges) {
      svg
        .querySelector(`.edge[data-from="${e.from}"][data-to="${e.to}"]`)
        ?.classList.add(f.phase === "backward" ? "back" : "active");
    }
    const frame = this.$("cr-frame");
    frame.dataset.phase = f.phase;
    frame.dataset.index = String(i);
    this.$("cr-frame-title").textContent = f.title;
    this.$("cr-position").textContent = `${i + 1} / ${this.frames.length}`;
    const gates = this.$("cr-gates");
    gates.replaceChildren(...f.gates.map((g) => el("span", { class: "cr-gate" }, g)));
    this.$("cr-rule").textContent = f.rule ? `rule: ${f.rule}` : "";
    const dl = this.$("cr-values");
    dl.replaceChildren(
      ...f.values.flatMap(([k, v]) => {
        const dd = el("dd", { "data-label": k });
        dd.append(...withNumbers(v));
        return [el("dt", {}, k), dd];
      }),
    );
    this.$("cr-lines").replaceChildren(...withNumbers(f.lines.join("\n")));
    (this.$("cr-prev") as HTMLButtonElement).disabled = i === 0;
    (this.$("cr-first") as HTMLButtonElement).disabled = i === 0;
    (this.$("cr-next") as HTMLButtonElement).disabled = i === this.frames.length - 1;
    (this.$("cr-last") as HTMLButtonElement).disabled = i === this.frames.length - 1;
  }
}

/** Loads the wasm backend (the JS backend computes where it cannot load), then the viewer. */
async function start(): Promise<void> {
  const dataEl = document.getElementById("cr-scenario");
  const app = document.getElementById("cr-app");
  if (!dataEl || !app) return;
  try {
    await cr.initWasm(wasm);
  } catch {
    // the numbers are the same on every backend; the page says which one computes them
  }
  const viewer = new Viewer(JSON.parse(dataEl.textContent ?? "{}") as PageData, app);
  (window as unknown as { crViewer: Viewer }).crViewer = viewer;
}

void start();
