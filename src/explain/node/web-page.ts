// Node side of chainrule's browser pages (the explain viewer, the training playground): a page's
// script (web/<name>.ts with chainrule and the wasm module, bundled for the browser), the
// self-contained HTML around it with the page's data embedded, and a localhost server for it,
// cross-origin isolated so the wasm backend may run threads, for a bounded time. Node-only.

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type OutgoingHttpHeaders } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { xmlEscape } from "../graph-svg.js";
import { packageRoot } from "./package-root.js";

/** The pages: each is web/<name>.ts, prebuilt by `npm run build` as dist/web/<name>.js. */
export type PageName = "viewer" | "playground";

const bundles = new Map<PageName, Promise<string>>();

/**
 * A page's JavaScript: the bundle `npm run build` writes next to the compiled modules
 * (dist/web/<name>.js), or, run from src/ in a clone, web/<name>.ts bundled now by esbuild (a
 * devDependency, so an installed package never reaches it).
 */
export function pageBundle(name: PageName): Promise<string> {
  let bundle = bundles.get(name);
  if (!bundle) {
    bundle = (async () => {
      // from dist/explain/node this is dist/web/<name>.js; from src/explain/node, a file that never exists
      const prebuilt = fileURLToPath(new URL(`../../web/${name}.js`, import.meta.url));
      if (existsSync(prebuilt)) return readFile(prebuilt, "utf8");
      const entry = join(packageRoot(), "web", `${name}.ts`);
      if (!existsSync(entry)) throw new Error(`${name}: ${prebuilt} is missing; 'npm run build' writes it`);
      const esbuild = await import("esbuild");
      const result = await esbuild.build(pageBuildOptions(entry));
      return result.outputFiles![0]!.text;
    })();
    bundles.set(name, bundle);
  }
  return bundle;
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

/** esbuild options for a page's bundle (shared with web/build.ts). */
export function pageBuildOptions(entry: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "browser" as const,
    format: "iife" as const,
    target: "es2022",
    minify: true,
    write: false,
    // the page imports wasm/chainrule.wasm and gets its bytes: one file holds the page and the module
    loader: { ".wasm": "binary" as const },
    // NOTE: cr.data and cr.io import node: modules lazily inside Node-only functions; the browser never calls them
    external: ["node:*"],
    plugins: [noNodeBackends],
    logLevel: "silent" as const,
  };
}

/** Keeps "</script" out of inline script text. */
const inline = (s: string) => s.replace(/<\/script/gi, "<\\/script");

/** What a page embeds: its title, the id of the JSON its script reads, and that data. */
export interface PageContent {
  title: string;
  dataId: string;
  data: unknown;
}

/** The self-contained HTML page `name` with its data embedded: no external script, style or fetch. */
export async function pageHtml(name: PageName, content: PageContent): Promise<string> {
  const js = await pageBundle(name);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${xmlEscape(content.title)}</title>`,
    "</head>",
    "<body>",
    '<div id="cr-app"></div>',
    `<script type="application/json" id="${content.dataId}">${inline(JSON.stringify(content.data))}</script>`,
    `<script>${inline(js)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * The headers that make a page cross-origin isolated: only there may Web Workers share the wasm
 * module's memory, so only there does the wasm backend run threads.
 */
export const ISOLATION_HEADERS: OutgoingHttpHeaders = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/** A running page server. */
export interface PageServer {
  url: string;
  /** Stops serving now. */
  close(): Promise<void>;
  /** Resolves when the server has stopped (closed, or its lifetime ran out). */
  closed: Promise<void>;
}

/** Options of servePage. */
export interface ServeOptions {
  /** Port on 127.0.0.1 (0 picks a free one; default 8321). */
  port?: number;
  /** Seconds to serve before stopping by itself (default: until closed). */
  lifetime?: number;
}

/**
 * Serves `html` at http://127.0.0.1:port/ (cross-origin isolated), and any of `extra`'s JSON at
 * its path, until closed or the lifetime ends.
 */
export async function servePage(
  html: string,
  opts: ServeOptions = {},
  extra: Record<string, unknown> = {},
): Promise<PageServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        ...ISOLATION_HEADERS,
      });
      res.end(html);
    } else if (path === "/favicon.ico") {
      // the page has no icon; "none" rather than a 404 in the browser's console
      res.writeHead(204);
      res.end();
    } else if (Object.hasOwn(extra, path)) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(extra[path]));
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

/**
 * Prints where `server` serves `what`, then waits until it stops: its lifetime ends, or Ctrl-C
 * (which stops the server rather than the process, so the command ends as usual).
 */
export async function serveUntilStopped(
  server: PageServer,
  what: string,
  lifetime: number | undefined,
  say: (text: string) => void,
): Promise<void> {
  say(`serving ${what} at ${server.url}${lifetime ? ` for ${lifetime} s` : " (Ctrl-C stops)"}\n`);
  const stop = () => void server.close();
  process.once("SIGINT", stop);
  await server.closed;
  process.off("SIGINT", stop);
}
