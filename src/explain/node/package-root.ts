// Where the chainrule package lives, found from this module's own location so it works from
// src/ in a clone and from dist/ in an installed package alike (never from the working folder).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What the CLI reads from package.json. */
export interface PackageInfo {
  name: string;
  version: string;
}

function readPackage(dir: string): PackageInfo | undefined {
  const file = join(dir, "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PackageInfo) : undefined;
}

/** The package root: the nearest folder above this file whose package.json names chainrule. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (readPackage(dir)?.name === "chainrule") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no chainrule package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The package's version, as package.json states it. */
export function packageVersion(): string {
  return readPackage(packageRoot())!.version;
}
