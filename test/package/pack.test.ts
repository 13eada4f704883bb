// The published package, installed as a dependency with no compiler at hand: the tarball holds
// what runs (dist/ with the viewer bundle, the prebuilt addon, data/) and what rebuilds the addon
// (native/, binding.gyp), declarations without internals and source maps that resolve; the
// native backend loads from the prebuild without any install script; the CLI trains, predicts
// and writes the explain viewer page with no devDependency; and the install script, where no
// prebuild fits and nothing can compile, leaves the install working.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";
import { type InstalledProject, installedProject } from "./installed.js";

const exec = promisify(execFile);

// packing builds everything from source whatever the backend, so the default run's check covers both
const skip =
  process.env.CHAINRULE_BACKEND === "js"
    ? "the package does not depend on the backend; the default run checks it"
    : false;

let project: InstalledProject;
let pkg: string;

/** Runs `cmd` in the installed project, with the compiler-free PATH. */
function inProject(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = project.dir) {
  return exec(cmd, args, { cwd, env: { ...project.env, ...env }, timeout: 180_000, maxBuffer: 16 << 20 });
}

/** Every file under `dir`, relative to it. */
async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe("the packed and installed package", { skip, timeout: 900_000 }, () => {
  before(async () => {
    project = await installedProject();
    pkg = join(project.dir, "node_modules", "chainrule");
  });

  test("the tarball holds the build, the prebuilt addon, the native sources, the wasm module, the data and the licence", () => {
    const files = new Set(project.files);
    for (const f of [
      "package.json",
      "README.md",
      "LICENSE",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cli/main.js",
      "dist/web/viewer.js",
      "dist/web/playground.js",
      "prebuilds/linux-x64/chainrule.glibc.node",
      "binding.gyp",
      "native/addon.cc",
      "native/addon.h",
      "wasm/chainrule.wasm",
      "wasm/chainrule-relaxed.wasm",
      "data/digits.csv.gz",
      "data/iris.csv.gz",
    ]) {
      assert.ok(files.has(f), `${f} is in the tarball`);
    }
    const stray = project.files.filter((f) => /^(src|test|web|build|bench|tools|examples|native\/build)\//.test(f));
    assert.deepEqual(stray, [], "sources, tests and build folders stay out");
  });

  test("declarations leave out @internal members, and every source map carries its sources", async () => {
    const dist = join(pkg, "dist");
    const files = await walk(dist);
    const dts = files.filter((f) => f.endsWith(".d.ts"));
    assert.ok(dts.length > 50, `${dts.length} declaration files`);
    for (const f of dts) assert.ok(!(await readFile(join(dist, f), "utf8")).includes("@internal"), `${f}`);
    assert.match(await readFile(join(dist, "tensor", "tensor.d.ts"), "utf8"), /readonly shape: readonly number\[\]/);

    // the page bundles under web/ are inlined into pages, with no map to name
    const js = files.filter((f) => f.endsWith(".js") && !f.startsWith(join("web", "")));
    for (const f of js) {
      const code = await readFile(join(dist, f), "utf8");
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code)?.[1];
      assert.ok(url, `${f} names its map`);
      const map = JSON.parse(await readFile(join(dist, f, "..", url), "utf8")) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      assert.ok(map.sources.length > 0, `${f}'s map has sources`);
      map.sources.forEach((s, i) => assert.ok(map.sourcesContent?.[i], `${f}'s map carries ${s}`));
    }
  });

  test("the native backend loads from the prebuild: nothing compiled, no notice", async () => {
    assert.ok(!existsSync(join(pkg, "build")), "the install compiled nothing");
    assert.doesNotMatch(
      project.installLog,
      /^(gyp |chainrule: )/m,
      "the install script found the prebuild, built nothing",
    );
    const probe = "import * as cr from 'chainrule'; console.log(cr.getBackend());";
    const r = await inProject("node", ["--input-type=module", "-e", probe]);
    assert.equal(r.stdout.trim(), "native");
    assert.equal(r.stderr, "");
  });

  test("the compiler is hidden from the project's commands", async () => {
    await assert.rejects(
      inProject("sh", ["-c", "command -v cc || command -v c++ || command -v g++ || command -v make"]),
    );
  });

  test("chainrule train and predict run from the installed package", async () => {
    const train = await inProject("npx", ["chainrule", "train", "--epochs", "1", "--limit", "200", "--out", "run"]);
    assert.match(train.stdout, /test accuracy \d+\.\d% on 40 held-out samples after 1 epochs/);
    assert.equal(train.stderr, "");
    const weights = join(project.dir, "run", "model.safetensors");
    assert.ok(existsSync(weights));
    const sample = JSON.stringify(Array.from({ length: 64 }, (_, i) => i % 17));
    const predict = await inProject("npx", ["chainrule", "predict", "--weights", weights, "--input", sample]);
    assert.match(predict.stdout, /#0: \d {2}\(p=[01]\.\d{3}\)/);
  });

  test("chainrule explain --html writes the viewer page from the prebuilt bundle", async () => {
    const r = await inProject("npx", ["chainrule", "explain", "seed-2-2-1", "--html", "page.html"]);
    assert.match(r.stdout, /wrote page\.html/);
    const html = await readFile(join(project.dir, "page.html"), "utf8");
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes('id="cr-scenario"'), "the scenario is embedded");
    const viewer = await readFile(join(pkg, "dist", "web", "viewer.js"), "utf8");
    assert.ok(viewer.length > 10_000 && html.includes(viewer.slice(0, 200)), "the viewer bundle is inlined");
  });

  test("the install script succeeds where no prebuild fits and nothing can compile", async () => {
    // npm_config_arch makes node-gyp-build look for an arm64 build; the missing python stops node-gyp
    const r = await inProject("npm", ["run", "install"], { npm_config_arch: "arm64" }, pkg);
    assert.match(r.stdout, /^chainrule: no native addon was built, so the wasm backend runs$/m);
  });

  test("where the addon cannot load, the wasm backend runs from the shipped module", async () => {
    const probe = "import * as cr from 'chainrule'; console.log(cr.getBackend(), cr.getNumThreads());";
    const r = await inProject("node", ["--input-type=module", "-e", probe], {
      CHAINRULE_NATIVE_PATH: "/nonexistent/chainrule.node",
    });
    assert.match(r.stdout.trim(), /^wasm \d+$/);
    assert.match(r.stderr, /^chainrule: native backend not loaded \(.*\); using the wasm backend\n$/);
  });
});
