/**
 * Debian's Chromium driven by playwright-core, for the end-to-end tests and the pair-view benchmark.
 * The flags keep it off the network: on a machine without outside access, background services
 * such as component updates open many connections that are refused.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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

/**
 * Returns the first page of `context` and records into `errors` every console error and uncaught
 * exception of that page, which a test expects to stay empty.
 */
export async function pageWithErrors(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}
