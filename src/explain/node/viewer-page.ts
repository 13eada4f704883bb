// Node side of the browser viewer: the self-contained HTML page of web/viewer.ts with the
// scenario embedded, written to a file or served on localhost (cross-origin isolated, so the
// page's wasm backend may run threads) for a bounded time. Node-only: not part of cr.explain.

import { writeFile } from "node:fs/promises";
import type { NotesFigure } from "../render-walkthrough.js";
import type { Scenario } from "../scenario.js";
import { type PageServer, type ServeOptions, pageHtml, servePage } from "./web-page.js";

export type { ServeOptions } from "./web-page.js";

/** What the page shows: a scenario with its title, intro lines and the note's printed figures. */
export interface PageData {
  title: string;
  intro?: string[];
  scenario: Scenario;
  notes?: NotesFigure[];
}

/** A running viewer server. */
export type ViewerServer = PageServer;

/** The self-contained HTML page of the viewer. */
export function viewerHtml(data: PageData): Promise<string> {
  return pageHtml("viewer", { title: `chainrule explain: ${data.title}`, dataId: "cr-scenario", data });
}

/** Writes the viewer page to `file`. */
export async function writeViewerPage(file: string, data: PageData): Promise<void> {
  await writeFile(file, await viewerHtml(data), "utf8");
}

/** Serves the viewer page at http://127.0.0.1:port/ (and its data at /scenario.json) until closed or its lifetime ends. */
export async function serveViewer(data: PageData, opts: ServeOptions = {}): Promise<ViewerServer> {
  return servePage(await viewerHtml(data), opts, { "/scenario.json": data });
}
