// The playground in a real browser: Debian's chromium (headless, fresh profile) driven by
// playwright-core opens the page served cross-origin isolated, checks that a bad setting is named
// and trains nothing, sets a short run (3 epochs of batch 128, Adam at 0.02), clicks Train and
// waits for the end; the page must have run on the wasm backend with all cores, drawn a loss point
// per step and an accuracy point per epoch, and the digits MLP must reach 90% held-out accuracy.
// Then Train again and Stop: the run stops. Where the module cannot load, the page says so and
// trains on the JS backend.

import { test } from "node:test";
import assert from "node:assert/strict";
import { playgroundHtml, DEFAULT_SETTINGS } from "../../src/cli/playground-command.js";
import { servePage } from "../../src/explain/node/web-page.js";
import { launchChromium, skipWithoutChromium } from "../chromium.js";

test("playground: train the digits MLP on the wasm backend with threads, stop a run, fall back to JS", async (t) => {
  if (skipWithoutChromium(t)) return;
  const server = await servePage(await playgroundHtml(DEFAULT_SETTINGS), { port: 0, lifetime: 60 });
  const context = await launchChromium({ width: 1200, height: 800 });
  try {
    const page = await context.newPage();
    /** How many points a chart's line has. */
    const points = (chart: string) =>
      page.$eval(`${chart} polyline`, (p) => p.getAttribute("points")!.trim().split(/\s+/).length);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('#cr-state[data-state="ready"]', { timeout: 15_000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, "the page is cross-origin isolated");
    assert.equal(await page.textContent("#cr-note"), "", "no fallback note");
    // a bad value is named, and nothing trains
    await page.fill("#cr-hidden", "0");
    await page.click("#cr-train");
    assert.equal(await page.textContent("#cr-note"), "hidden width: expected a positive integer");
    assert.equal(await page.getAttribute("#cr-state", "data-state"), "ready");
    const settings = { "#cr-epochs": "3", "#cr-batch-size": "128", "#cr-lr": "0.02", "#cr-hidden": "64" };
    for (const [id, value] of Object.entries(settings)) await page.fill(id, value);
    await page.selectOption("#cr-optimizer", "adam");
    const started = Date.now();
    await page.click("#cr-train");
    await page.waitForSelector('#cr-state[data-state="done"]', { timeout: 25_000 });
    const seconds = (Date.now() - started) / 1000;
    // NOTE: no named functions inside evaluate: tsx's transform would wrap them in a helper the page lacks
    const ids = ["#cr-backend", "#cr-threads", "#cr-ms-per-step", "#cr-epoch", "#cr-accuracy", "#cr-loss"];
    const [backend, threads, msPerStep, epoch, accuracy, loss] = await page.evaluate(
      (list) => list.map((id) => document.querySelector(id)!.textContent!),
      ids,
    );
    const shown = {
      backend,
      threads: Number(threads),
      msPerStep: Number(msPerStep),
      epoch,
      accuracy: Number(accuracy),
      loss: Number(loss),
      lossPoints: await points("#cr-loss-chart"),
      accuracyPoints: await points("#cr-accuracy-chart"),
      cores: await page.evaluate(() => navigator.hardwareConcurrency),
    };
    console.log(
      `# playground: ${shown.backend}, ${shown.threads} threads (${shown.cores} cores), ` +
        `${shown.msPerStep} ms/step at batch 128, accuracy ${shown.accuracy} after 3 epochs, ${seconds.toFixed(1)} s`,
    );
    assert.equal(shown.backend, "wasm");
    assert.equal(shown.threads, shown.cores, "all cores where the page is cross-origin isolated");
    if (shown.cores > 1) assert.ok(shown.threads > 1);
    assert.equal(shown.epoch, "3 / 3");
    // 1438 training images in batches of 128: 12 steps an epoch
    assert.equal(shown.lossPoints, 36, "a loss point per step");
    assert.equal(shown.accuracyPoints, 3, "an accuracy point per epoch");
    assert.ok(shown.accuracy > 0.9, `held-out accuracy ${shown.accuracy} after 3 epochs`);
    assert.ok(shown.loss > 0 && shown.loss < 1, `final training loss ${shown.loss}`);
    assert.ok(shown.msPerStep > 0, "the time per step is shown");

    // a longer run, stopped: it ends where it was and says so
    await page.fill("#cr-epochs", "500");
    await page.click("#cr-train");
    await page.waitForSelector('#cr-state[data-state="training"]');
    await page.click("#cr-stop");
    await page.waitForSelector('#cr-state[data-state="stopped"]');
    const stoppedAt = await points("#cr-loss-chart");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await points("#cr-loss-chart"), stoppedAt, "no step after Stop");
    assert.ok(await page.isDisabled("#cr-stop"));

    // where the module cannot load, the page says so and trains on the JS backend
    const fallback = await context.newPage();
    fallback.on("pageerror", (e) => errors.push(e.message));
    await fallback.addInitScript(() => {
      WebAssembly.compile = () => Promise.reject(new Error("no WebAssembly here"));
    });
    await fallback.goto(server.url);
    await fallback.waitForSelector('#cr-state[data-state="ready"]', { timeout: 15_000 });
    const note = /The wasm backend did not load \(no WebAssembly here\); training runs on the JS backend/;
    assert.match((await fallback.textContent("#cr-note"))!, note);
    assert.equal(await fallback.textContent("#cr-backend"), "js");
    assert.equal(await fallback.textContent("#cr-threads"), "1");
    await fallback.fill("#cr-epochs", "1");
    await fallback.fill("#cr-batch-size", "128");
    await fallback.click("#cr-train");
    await fallback.waitForSelector('#cr-state[data-state="done"]', { timeout: 20_000 });
    assert.match((await fallback.textContent("#cr-note"))!, note, "the note stays through a run");
    assert.ok(Number(await fallback.textContent("#cr-accuracy")) > 0.5);
    assert.deepEqual(errors, [], "no errors in the pages");
  } finally {
    await context.close();
    await server.close();
  }
});
