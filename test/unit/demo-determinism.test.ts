// The demo generator's promise: the same options give the same bytes, whatever the worker count.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate.js';
import type { DemoOptions } from '../../src/demo/options.js';

/** Four stands, two visits, one frame per stand: 8 samples. */
const SMALL_RUN: Omit<DemoOptions, 'outDir'> = { size: 'tiny', standCount: 4, visitCount: 2, framesPerStand: 1 };

function hashFolder(folder: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const visit = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) visit(child);
      else hashes.set(relative(folder, child), createHash('sha256').update(readFileSync(child)).digest('hex'));
    }
  };
  visit(folder);
  return hashes;
}

describe('demo determinism', () => {
  let root: string;
  let first: Map<string, string>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-demo-determinism-'));
    await generateDemo({ ...SMALL_RUN, seed: 1, outDir: join(root, 'first'), workers: 1 });
    first = hashFolder(join(root, 'first'));
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('writes every modality for each sample', () => {
    const paths = [...first.keys()];
    expect(paths.filter((path) => path.endsWith('.bin'))).toHaveLength(8);
    expect(paths.filter((path) => path.includes('/camera/'))).toHaveLength(8);
    expect(paths.filter((path) => path.includes('/bev/'))).toHaveLength(8);
    expect(paths).toContain('apron-manifest.json');
    expect(paths).toContain('apron-demo.json');
    expect(paths).toContain(join('calibration', 'demo-vehicle.json'));
  });

  it('same seed gives identical files', async () => {
    await generateDemo({ ...SMALL_RUN, seed: 1, outDir: join(root, 'second'), workers: 1 });
    expect(hashFolder(join(root, 'second'))).toEqual(first);
  });

  it('two workers give identical files', async () => {
    await generateDemo({ ...SMALL_RUN, seed: 1, outDir: join(root, 'workers'), workers: 2 });
    expect(hashFolder(join(root, 'workers'))).toEqual(first);
  });

  it('different seed gives different files', async () => {
    await generateDemo({ ...SMALL_RUN, seed: 2, outDir: join(root, 'other-seed'), workers: 1 });
    const other = hashFolder(join(root, 'other-seed'));
    expect([...other.keys()].sort()).toEqual([...first.keys()].sort());
    const changed = [...other].filter(([path, hash]) => first.get(path) !== hash).map(([path]) => path);
    expect(changed).toContain('apron-manifest.json');
    expect(changed.filter((path) => path.endsWith('.png')).length).toBeGreaterThan(8);
    expect(changed.filter((path) => path.endsWith('.bin'))).toHaveLength(8);
  });
});
