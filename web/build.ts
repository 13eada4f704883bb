// Builds the viewer bundle dist/web/viewer.js (web/viewer.ts with chainrule, bundled for the
// browser by esbuild), which the compiled CLI reads for `explain --html` and `--serve`, so an
// installed package needs neither esbuild nor the sources. Part of `npm run build`.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { packageRoot } from "../src/explain/node/package-root.js";
import { viewerBuildOptions } from "../src/explain/node/viewer-page.js";

const root = packageRoot();
const out = join(root, "dist", "web");
await mkdir(out, { recursive: true });
const result = await esbuild.build({ ...viewerBuildOptions(join(root, "web", "viewer.ts")), metafile: true });
const inputs = Object.keys(result.metafile!.inputs);
const loaders = inputs.filter((f) => /backend\/(node|native\/index|wasm\/node)\.ts$/.test(f));
if (loaders.length > 0) {
  // a page loads the wasm backend through initWasm; Node's loaders in the bundle mean the stub stopped matching
  console.error(`web/build.ts: the viewer bundle includes Node's backend loaders: ${loaders.join(", ")}`);
  process.exit(1);
}
const js = result.outputFiles![0]!.contents;
await writeFile(join(out, "viewer.js"), js);
console.log(`dist/web/viewer.js: ${(js.length / 1024).toFixed(0)} KiB from ${inputs.length} modules`);
