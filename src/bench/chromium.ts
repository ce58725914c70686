/**
 * Debian's Chromium driven by playwright-core, for the end-to-end tests and the pair-view benchmark.
 * The flags keep it off the network: on a machine without outside access, background services
 * such as component updates open many connections that are refused.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env['APRON_CHROMIUM'] ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL without a GPU goes through SwiftShader, which recent Chromium enables only on request.
  '--enable-unsafe-swiftshader',
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Starts Chromium with a fresh profile in `profileDir` and a desktop-sized window. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
}
