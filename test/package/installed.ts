// chainrule as a user gets it: packed from the working tree by `npm pack` (its prepack builds
// dist/, the viewer bundle and the prebuilt addon) and installed from the tarball into a fresh
// project by `npm install`, with no C++ compiler on the PATH. Packing runs in a copy of the
// working tree, so the rebuild of build/ that prebuildify makes never disturbs tests that load
// the clone's own addon meanwhile. Done once per process; tests share the result.

import { execFile } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

/** The installed project, and what made it. */
export interface InstalledProject {
  /** The project's folder: package.json, node_modules/chainrule and its dependencies. */
  dir: string;
  /** The packed tarball. */
  tarball: string;
  /** The paths inside the tarball, relative to the package root. */
  files: string[];
  /** An environment for running commands there: PATH holds node, npm, npx and sh but no compiler. */
  env: NodeJS.ProcessEnv;
  /** What `npm install` printed, install scripts included. */
  installLog: string;
}

/** The tools the project's commands may use; compilers (cc, c++, g++, gcc, make) and python stay out. */
const TOOLS = ["node", "npm", "npx", "sh"];

/** The first executable named `name` on the PATH. */
function which(name: string): string {
  if (name === "node") return process.execPath;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`installed: no ${name} on the PATH`);
}

/** The environment without npm's per-script variables (a nested npm would read them as its own config). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== "NODE_TEST_CONTEXT" && k !== "CHAINRULE_BACKEND") env[k] = v;
  }
  return env;
}

/** The working tree's files (tracked and untracked, not ignored) copied to `to`, node_modules linked. */
async function copyTree(to: string): Promise<void> {
  const { stdout } = await exec("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  for (const file of new Set(stdout.split("\0").filter(Boolean))) {
    // tracked files deleted in the working tree are listed too
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(root, file), join(to, file));
  }
  symlinkSync(join(root, "node_modules"), join(to, "node_modules"), "dir");
}

async function packAndInstall(): Promise<InstalledProject> {
  const base = mkdtempSync(join(tmpdir(), "cr-package-"));
  process.once("exit", () => rmSync(base, { recursive: true, force: true }));
  const tree = join(base, "tree");
  await copyTree(tree);
  const env = cleanEnv();

  // JOBS: node-gyp compiles the addon's files in parallel
  const packed = await exec("npm", ["pack", "--json", "--pack-destination", base], {
    cwd: tree,
    env: { ...env, JOBS: "max" },
    maxBuffer: 64 << 20,
    timeout: 600_000,
  });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as [
    { filename: string; files: { path: string }[] },
  ];
  const tarball = join(base, info.filename);

  const bin = join(base, "bin");
  mkdirSync(bin);
  for (const tool of TOOLS) symlinkSync(which(tool), join(bin, tool));
  const toolEnv = { ...env, PATH: bin };
  const dir = join(base, "project");
  mkdirSync(dir);
  // allowScripts: where npm holds dependencies' install scripts back, chainrule's runs all the
  // same, so that it is tried too (with a prebuilt addon that fits, it must build nothing)
  const manifest = { name: "uses-chainrule", private: true, type: "module", allowScripts: { chainrule: true } };
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest));
  const install = await exec("npm", ["install", "--no-audit", "--no-fund", "--foreground-scripts", tarball], {
    cwd: dir,
    env: toolEnv,
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });
  const files = info.files.map((f) => f.path);
  return { dir, tarball, files, env: toolEnv, installLog: install.stdout + install.stderr };
}

let installed: Promise<InstalledProject> | null = null;

/** Packs chainrule and installs it into a fresh project, once per process. */
export function installedProject(): Promise<InstalledProject> {
  installed ??= packAndInstall();
  return installed;
}
