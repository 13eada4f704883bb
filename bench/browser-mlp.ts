// The page side of the Chromium run (bench/browser.ts bundles it with esbuild): chainrule's
// browser entry with the wasm module's bytes embedded, timing the MLP training step of the Node
// rows (bench/cases.ts, with bench/harness.ts's warm-up and median, a turn of the event loop after
// each step). Node calls globalThis.crBenchMlp through playwright and reads what it resolves to.

import * as cr from "../src/index.browser.js";
import bytes from "../wasm/chainrule.wasm";
import { mlpSetup, trainStep } from "./cases.js";
import { type Budget, timeYielding } from "./harness.js";

/** What the page reports back to Node. */
export interface BrowserMlpResult {
  /** Median ms per training step. */
  ms: number;
  threads: number;
  backend: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/** Loads the wasm backend (threads where the page is cross-origin isolated) and times the step at `batch`. */
async function benchMlp(budget: Budget, batch: number): Promise<BrowserMlpResult> {
  await cr.initWasm(bytes);
  const s = mlpSetup(cr, batch);
  const ms = await timeYielding(() => trainStep(s), budget);
  return {
    ms,
    threads: cr.getNumThreads(),
    backend: cr.getBackend(),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

Object.assign(globalThis, { crBenchMlp: benchMlp });
