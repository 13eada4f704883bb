// Node side of the browser viewer: the viewer's script (web/viewer.ts with chainrule, bundled
// for the browser), a self-contained HTML page around it with the scenario embedded, and a
// server for that page on localhost for a bounded time. Node-only: not part of cr.explain.

import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NotesFigure } from "../render-walkthrough.js";
import type { Scenario } from "../scenario.js";
import { xmlEscape } from "../graph-svg.js";
import { packageRoot } from "./package-root.js";

/** What the page shows: a scenario with its title, intro lines and the note's printed figures. */
export interface PageData {
  title: string;
  intro?: string[];
  scenario: Scenario;
  notes?: NotesFigure[];
}

let bundled: Promise<string> | null = null;

/**
 * The viewer's JavaScript: the bundle `npm run build` writes next to the compiled modules
 * (dist/web/viewer.js), or, run from src/ in a clone, web/viewer.ts bundled now by esbuild (a
 * devDependency, so an installed package never reaches it).
 */
export function viewerBundle(): Promise<string> {
  bundled ??= (async () => {
    // from dist/explain/node this is dist/web/viewer.js; from src/explain/node, a file that never exists
    const prebuilt = fileURLToPath(new URL("../../web/viewer.js", import.meta.url));
    if (existsSync(prebuilt)) return readFile(prebuilt, "utf8");
    const entry = join(packageRoot(), "web", "viewer.ts");
    if (!existsSync(entry)) throw new Error(`viewer: ${prebuilt} is missing; 'npm run build' writes it`);
    const esbuild = await import("esbuild");
    const result = await esbuild.build(viewerBuildOptions(entry));
    return result.outputFiles![0]!.text;
  })();
  return bundled;
}

/**
 * Replaces Node's backend loader (the addon, and the wasm module read from a file) with an empty
 * module: a page loads the wasm backend itself, from the bytes embedded in it, through initWasm.
 */
const noNodeBackends = {
  name: "no-node-backends",
  setup(build: { onResolve: Function; onLoad: Function }) {
    build.onResolve({ filter: /backend\/node\.js$/ }, () => ({
      path: "node-backends",
      namespace: "cr-empty",
    }));
    build.onLoad({ filter: /.*/, namespace: "cr-empty" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

/** esbuild options for the viewer bundle (shared with web/build.ts). */
export function viewerBuildOptions(entry: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "browser" as const,
    format: "iife" as const,
    target: "es2022",
    minify: true,
    write: false,
    // NOTE: cr.data and cr.io import node: modules lazily inside Node-only functions; the browser never calls them
    external: ["node:*"],
    plugins: [noNodeBackends],
    logLevel: "silent" as const,
  };
}

/** Keeps "</script" out of inline script text. */
const inline = (s: string) => s.replace(/<\/script/gi, "<\\/script");

/** The self-contained HTML page of the viewer. */
export async function viewerHtml(data: PageData): Promise<string> {
  const js = await viewerBundle();
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>chainrule explain: ${xmlEscape(data.title)}</title>`,
    "</head>",
    "<body>",
    '<div id="cr-app"></div>',
    `<script type="application/json" id="cr-scenario">${inline(JSON.stringify(data))}</script>`,
    `<script>${inline(js)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Writes the viewer page to `file`. */
export async function writeViewerPage(file: string, data: PageData): Promise<void> {
  await writeFile(file, await viewerHtml(data), "utf8");
}

/** A running viewer server. */
export interface ViewerServer {
  url: string;
  /** Stops serving now. */
  close(): Promise<void>;
  /** Resolves when the server has stopped (closed, or its lifetime ran out). */
  closed: Promise<void>;
}

/** Options of serveViewer. */
export interface ServeOptions {
  /** Port on 127.0.0.1 (0 picks a free one; default 8321). */
  port?: number;
  /** Seconds to serve before stopping by itself (default: until closed). */
  lifetime?: number;
}

/** Serves the viewer page at http://127.0.0.1:port/ until closed or its lifetime ends. */
export async function serveViewer(data: PageData, opts: ServeOptions = {}): Promise<ViewerServer> {
  const html = await viewerHtml(data);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(html);
    } else if (path === "/scenario.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(data));
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8321, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
  const close = async () => {
    if (timer) clearTimeout(timer);
    if (!server.listening) return closed;
    server.closeAllConnections();
    server.close();
    return closed;
  };
  if (opts.lifetime !== undefined) timer = setTimeout(() => void close(), opts.lifetime * 1000);
  return { url: `http://127.0.0.1:${port}/`, close, closed };
}
