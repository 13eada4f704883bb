// Builds the page bundles dist/web/viewer.js and dist/web/playground.js (web/<name>.ts with
// chainrule and the wasm module, bundled for the browser by esbuild), which the compiled CLI reads
// for `explain --html`/`--serve` and `playground`, so an installed package needs neither esbuild
// nor the sources. Part of `npm run build`.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { packageRoot } from "../src/explain/node/package-root.js";
import { type PageName, pageBuildOptions } from "../src/explain/node/web-page.js";

const root = packageRoot();
const out = join(root, "dist", "web");
await mkdir(out, { recursive: true });
for (const name of ["viewer", "playground"] satisfies PageName[]) {
  const result = await esbuild.build({ ...pageBuildOptions(join(root, "web", `${name}.ts`)), metafile: true });
  const inputs = Object.keys(result.metafile!.inputs);
  const loaders = inputs.filter((f) => /backend\/(node|native\/index|wasm\/node)\.ts$/.test(f));
  if (loaders.length > 0) {
    // a page loads the wasm backend through initWasm; Node's loaders in the bundle mean the stub stopped matching
    console.error(`web/build.ts: the ${name} bundle includes Node's backend loaders: ${loaders.join(", ")}`);
    process.exit(1);
  }
  const js = result.outputFiles![0]!.contents;
  await writeFile(join(out, `${name}.js`), js);
  console.log(`dist/web/${name}.js: ${(js.length / 1024).toFixed(0)} KiB from ${inputs.length} modules`);
}
