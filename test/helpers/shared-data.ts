// Locate the real datasets beside the checkout. Tests that need them skip with a message when the
// folder is absent, as in a clone without the data beside it.
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of ../shared/data, or of APRON_SHARED_DATA when set. */
export const sharedDataRoot = process.env['APRON_SHARED_DATA'] ?? join(projectRoot, '..', 'shared', 'data');

export function sharedDataPath(...parts: string[]): string {
  return join(sharedDataRoot, ...parts);
}

export function hasSharedData(...parts: string[]): boolean {
  const present = existsSync(sharedDataPath(...parts));
  if (!present) {
    process.stderr.write(`skipping real-data tests: ${sharedDataPath(...parts)} is not present (set APRON_SHARED_DATA to the data folder)\n`);
  }
  return present;
}

/**
 * Declares a suite that reads the shared data in its body. Vitest runs a describe callback even
 * for a skipped suite, so without the data the body must not run. A placeholder skipped test names
 * what is missing instead.
 */
export function describeWithSharedData(parts: string[], name: string, body: () => void): void {
  if (hasSharedData(...parts)) {
    describe(name, body);
    return;
  }
  describe.skip(name, () => {
    it.skip(`needs ${sharedDataPath(...parts)}`, () => undefined);
  });
}
