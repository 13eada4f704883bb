// The Chromium run of `npm run bench`: bench/browser-mlp.ts bundled by esbuild with the wasm
// module embedded, served on 127.0.0.1 with the headers that make a page cross-origin isolated
// (so the wasm backend gets Web Workers over its shared memory), and timed in Debian's chromium,
// headless, launched by playwright-core with the flags of test/chromium.ts.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { CHROMIUM, launchChromium } from "../test/chromium.js";
import type { Budget } from "./harness.js";
import type { BrowserMlpResult } from "./browser-mlp.js";

/** The page's whole run, launch to result, may take this long. */
const TIMEOUT_MS = 180_000;

/** A measured browser run: the page's report and the browser's version. */
export interface ChromiumRun extends BrowserMlpResult {
  version: string;
}

/** The page script: bench/browser-mlp.ts and chainrule's browser entry, the module's bytes inside. */
async function bundle(): Promise<string> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./browser-mlp.ts", import.meta.url))],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    write: false,
    loader: { ".wasm": "binary" },
    // NOTE: cr.data and cr.io reach node: modules only inside Node-only functions the page never calls
    external: ["node:*"],
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** Serves the page and its script with COOP/COEP, on a free port of 127.0.0.1. */
async function serve(script: string): Promise<{ server: Server; url: string }> {
  const html = '<!doctype html><html><head><meta charset="utf-8"><script src="/bench.js"></script></head></html>';
  const server = createServer((req, res) => {
    const isolated = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    if (req.url === "/") res.writeHead(200, { ...isolated, "Content-Type": "text/html" }).end(html);
    else if (req.url === "/bench.js")
      res.writeHead(200, { ...isolated, "Content-Type": "text/javascript" }).end(script);
    else res.writeHead(404, isolated).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** chromium --version's first line (the browser's own report lacks the distribution's words). */
export function chromiumVersion(): string {
  const r = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8" });
  return r.stdout.trim().split("\n")[0] ?? "chromium (version unknown)";
}

/**
 * Times the MLP training step at `batch` in headless Chromium; a string says why it did not run
 * (chromium absent, or the page failed).
 */
export async function chromiumMlp(budget: Budget, batch: number): Promise<ChromiumRun | string> {
  if (!existsSync(CHROMIUM)) return `Chromium: ${CHROMIUM} is absent, the browser run was skipped`;
  let served: { server: Server; url: string } | undefined;
  const browser = await launchChromium();
  const errors: string[] = [];
  try {
    served = await serve(await bundle());
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.waitForFunction(() => "crBenchMlp" in globalThis, undefined, { timeout: 30_000 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    });
    const run = page.evaluate(
      ([b, n]) =>
        (globalThis as unknown as { crBenchMlp(b: Budget, n: number): Promise<BrowserMlpResult> }).crBenchMlp(b, n),
      [budget, batch] as const,
    );
    const result = await Promise.race([run, timeout]).finally(() => clearTimeout(timer));
    return { ...result, version: chromiumVersion() };
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    return `Chromium: the MLP page failed: ${why}${errors.length ? ` (page: ${errors[0]})` : ""}`;
  } finally {
    await browser.close();
    served?.server.close();
  }
}
