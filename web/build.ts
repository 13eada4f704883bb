// Builds the viewer bundle web/dist/viewer.js (chainrule bundled for the browser by esbuild) and a
// demo page web/dist/index.html showing the notes' 3-4-2 network. Run: node --import tsx web/build.ts

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { packageRoot } from "../src/explain/node/package-root.js";
import { viewerBuildOptions, writeViewerPage } from "../src/explain/node/viewer-page.js";
import { SEEDS } from "../src/explain/seeds.js";

const root = packageRoot();
const out = join(root, "web", "dist");
await mkdir(out, { recursive: true });
const result = await esbuild.build({ ...viewerBuildOptions(join(root, "web", "viewer.ts")), metafile: true });
await writeFile(join(out, "viewer.js"), result.outputFiles![0]!.text);
const seed = SEEDS["seed-3-4-2"];
await writeViewerPage(join(out, "index.html"), {
  title: seed.title,
  intro: seed.intro,
  scenario: seed.scenario,
  notes: seed.notes,
});
const inputs = Object.keys(result.metafile!.inputs);
const native = inputs.filter((f) => f.includes("backend/native"));
console.log(
  `web/dist/viewer.js: ${(result.outputFiles![0]!.contents.length / 1024).toFixed(0)} KiB from ${inputs.length} modules`,
);
console.log(`native backend modules in the bundle: ${native.length ? native.join(", ") : "none"}`);
