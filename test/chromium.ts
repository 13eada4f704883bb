// Debian's chromium, headless with a fresh profile, driven by playwright-core: the browser the
// viewer and the browser-entry tests run in. CI installs it; without it those tests skip.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";

/** Where Debian installs chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Skips test t, saying why, when chromium is not installed; true when it did. */
export function skipWithoutChromium(t: { skip(message: string): void }): boolean {
  if (existsSync(CHROMIUM)) return false;
  t.skip(`${CHROMIUM} is missing: install Debian's chromium to run the browser test`);
  return true;
}

/** A headless chromium context on a fresh profile (removed when it closes), quiet on the network. */
export async function launchChromium(viewport?: { width: number; height: number }): Promise<BrowserContext> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "cr-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(viewport ? { viewport } : {}),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  // the profile goes once the browser has let go of it, not on the close event, while it still writes
  const close = context.close.bind(context);
  context.close = async (options) => {
    await close(options);
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  };
  return context;
}
