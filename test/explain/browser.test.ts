// The viewer in a real browser: Debian's chromium (headless, fresh profile) driven by
// playwright-core opens the served 3-4-2 page, checks the layout (modules left to right in data
// order, one name per parameter, no empty boxes, numbers never broken across lines), clicks
// through the whole forward pass, backward pass and update, checking the highlighted node, title,
// gates and every number shown against the frames computed here in Node; then edits an input, a
// weight and the target and checks that everything was recomputed; and saves a screenshot.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "../../src/index.js";
import { serveViewer } from "../../src/explain/node/viewer-page.js";
import { launchChromium, skipWithoutChromium } from "../chromium.js";

/** What the page shows for the current frame. */
interface Shown {
  title: string;
  node: string | null;
  gates: string[];
  values: [string, string][];
  position: string;
  /** Numbers the page drew across two lines. */
  brokenNumbers: string[];
}

const expectedFrames = (scenario: cr.explain.Scenario) =>
  cr.explain.framesOf(cr.explain.explainScenario(scenario).trace);

type Page = import("playwright-core").Page;

/** Modules in data order, each parameter under one name, no empty box, no number split in a narrow window. */
async function checkLayout(page: Page): Promise<void> {
  const boxes = await page.$$eval(".cluster", (cs) =>
    cs.map((c) => {
      const r = c.getBoundingClientRect();
      return { module: c.getAttribute("data-module")!, left: r.left, right: r.right };
    }),
  );
  const byX = [...boxes].sort((a, b) => a.left - b.left);
  assert.deepEqual(
    byX.map((b) => b.module),
    ["0", "1", "2", "3", "loss"],
    "modules left to right in data order",
  );
  byX.slice(1).forEach((b, i) => assert.ok(byX[i]!.right <= b.left, `module ${b.module} right of ${byX[i]!.module}`));
  // the first frame lists the leaves: no empty text box under them
  assert.equal(await page.textContent("#cr-frame-title"), "Inputs and parameters");
  assert.equal(await page.$eval("#cr-lines", (e) => e.getBoundingClientRect().height), 0);
  // the editors, the first frame and the graph call each leaf by the same name
  const names = (labels: string[]) => labels.map((l) => l.replace(/ \(.*\)$/, "")).sort();
  const legends = names(await page.$$eval("#cr-editors legend", (ls) => ls.map((l) => l.textContent!)));
  const listed = names(await page.$$eval("#cr-values dt", (ds) => ds.map((d) => d.textContent!)));
  const drawn = names(
    await page.$$eval(".node.parameter, .node.input", (ns) => ns.map((n) => n.querySelector("tspan")!.textContent!)),
  );
  assert.deepEqual(listed, ["0.bias", "0.weight", "2.bias", "2.weight", "a0", "y"]);
  assert.deepEqual(drawn, listed);
  assert.deepEqual(legends, [...listed, "learning rate"].sort());
  // in a narrow window the weights wrap, between numbers only
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 800, height: size.height });
  const lines = await page.$eval('#cr-values dd[data-label="0.weight (parameter)"]', (dd) => {
    const n = dd.querySelectorAll(".cr-num");
    return { first: n[0]!.getBoundingClientRect().top, last: n[n.length - 1]!.getBoundingClientRect().top };
  });
  assert.ok(lines.last > lines.first, "0.weight's numbers wrap onto a second line");
  const broken = await page.$$eval(".cr-num", (ns) => ns.filter((n) => n.getClientRects().length > 1).length);
  assert.equal(broken, 0, "no number is broken across lines");
  await page.setViewportSize(size);
}

test("viewer: step through the 3-4-2 network's forward and backward pass, edit, recompute", async (t) => {
  if (skipWithoutChromium(t)) return;
  const seed = cr.explain.SEEDS["seed-3-4-2"];
  const server = await serveViewer(
    { title: seed.title, scenario: seed.scenario, notes: seed.notes },
    { port: 0, lifetime: 80 },
  );
  const shots = mkdtempSync(join(tmpdir(), "cr-viewer-shot-"));
  const context = await launchChromium({ width: 1400, height: 950 });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector("#cr-frame-title");
    // one round trip per frame: optionally click a button (a DOM click, as a user's), then read the frame
    const shown = (click?: string) =>
      page.evaluate((button): Shown => {
        if (button) (document.querySelector(button) as HTMLButtonElement).click();
        return {
          title: document.querySelector("#cr-frame-title")!.textContent!,
          node: document.querySelector(".node.current")?.getAttribute("data-id") ?? null,
          gates: Array.from(document.querySelectorAll(".cr-gate")).map((g) => g.textContent!),
          values: Array.from(document.querySelectorAll("#cr-values dd")).map((d) => [
            d.getAttribute("data-label")!,
            d.textContent!,
          ]),
          position: document.querySelector("#cr-position")!.textContent!,
          brokenNumbers: Array.from(document.querySelectorAll(".cr-num"))
            .filter((n) => n.getClientRects().length > 1)
            .map((n) => n.textContent!),
        };
      }, click);
    const frames = expectedFrames(seed.scenario);
    assert.equal(await page.textContent("#cr-loss"), "L = 0.2344");
    await checkLayout(page);
    const phases = new Set<string>();
    await page.click("#cr-next");
    await page.click("#cr-prev");
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const s = await shown(i ? "#cr-next" : undefined);
      assert.equal(s.position, `${i + 1} / ${frames.length}`);
      assert.equal(s.title, f.title, `frame ${i + 1}`);
      assert.equal(s.node, f.node ?? null, `highlighted node of ${f.title}`);
      assert.deepEqual(s.gates, f.gates, `gates of ${f.title}`);
      assert.deepEqual(s.values, f.values, `numbers of ${f.title}`);
      assert.deepEqual(s.brokenNumbers, [], `numbers of ${f.title} on one line each`);
      phases.add(f.phase);
    }
    assert.deepEqual([...phases], ["start", "forward", "backward", "update"]);
    assert.ok(await page.isDisabled("#cr-next"), "Next is disabled at the end");
    // the softmax's z2 is used twice (x − logsumexp x): its AddBackward shows the copy gate
    const backward = frames.filter((f) => f.phase === "backward");
    assert.ok(backward.some((f) => f.gates.includes("copy adds") && f.title.includes("AddBackward")));
    assert.ok(backward.some((f) => f.gates.includes("mul swaps")));

    // back to the sigmoid's backward node, then edit an input, a weight and the target
    const sigmoidAt = frames.findIndex((f) => f.title.endsWith("SigmoidBackward"));
    await page.click("#cr-first");
    for (let i = 0; i < sigmoidAt; i++) await shown("#cr-next");
    const edited = structuredClone(seed.scenario) as cr.explain.MlpScenario;
    const edits: [string, number][] = [
      ["input.0.0", 2],
      ["layers.1.weight.0.0", -0.5],
      ["target.0.0", 0],
      ["target.0.1", 1],
    ];
    for (const [path, value] of edits) {
      await page.fill(`input[data-path="${path}"]`, String(value));
      await page.dispatchEvent(`input[data-path="${path}"]`, "change");
      const keys = path.split(".");
      let obj = edited as unknown as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
      obj[keys.at(-1)!] = value;
      const trace = cr.explain.explainScenario(structuredClone(edited)).trace;
      const loss = await page.textContent("#cr-loss");
      assert.equal(loss, `L = ${cr.explain.fmtSnapshot(trace.loss.data)}`, `loss after editing ${path}`);
      const now = await shown();
      const f = cr.explain.framesOf(trace)[sigmoidAt]!;
      assert.equal(now.title, f.title);
      assert.deepEqual(now.values, f.values, `sigmoid's gradients after editing ${path}`);
    }
    assert.notEqual(await page.textContent("#cr-loss"), "L = 0.2344", "the edits changed the loss");
    assert.deepEqual(errors, [], "no errors in the page");
    const shot = join(shots, "viewer-3-4-2.png");
    await page.screenshot({ path: shot, fullPage: false });
    console.log(`# viewer screenshot: ${shot}`);
  } finally {
    await context.close();
    await server.close();
  }
});
