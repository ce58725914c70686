import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';

function manifestNamed(name: string): ManifestInput {
  return {
    format: 'apron-manifest',
    version: 1,
    name,
    root: '.',
    samples: [{ sampleId: 's1', sequenceId: 'A', timestampNs: 0 }],
  };
}

describe('ManifestCache', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-manifest-cache-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the same parse until the file changes', () => {
    const path = writeManifest(join(dir, 'm.json'), manifestNamed('First'));
    const cache = new ManifestCache();
    const first = cache.get(path);
    expect(cache.get(path)).toBe(first);

    writeManifest(path, manifestNamed('Second, longer'));
    const second = cache.get(path);
    expect(second).not.toBe(first);
    expect(second.manifest.name).toBe('Second, longer');
  });

  it('same size but newer mtime is read again', () => {
    const path = writeManifest(join(dir, 'm.json'), manifestNamed('AAAA'));
    const cache = new ManifestCache();
    const first = cache.get(path);
    writeManifest(path, manifestNamed('BBBB'));
    utimesSync(path, new Date(Date.UTC(2030, 0, 1)), new Date(Date.UTC(2030, 0, 1)));
    expect(cache.get(path).manifest.name).toBe('BBBB');
    expect(first.manifest.name).toBe('AAAA');
  });

  it('folder path finds the manifest inside', () => {
    writeManifest(join(dir, 'apron-manifest.json'), manifestNamed('InFolder'));
    const cache = new ManifestCache();
    const loaded = cache.get(dir);
    expect(loaded.manifest.name).toBe('InFolder');
    expect(cache.get(join(dir, 'apron-manifest.json'))).toBe(loaded);
  });

  it('evicts the least recently used', () => {
    const pathOne = writeManifest(join(dir, 'one.json'), manifestNamed('One'));
    const pathTwo = writeManifest(join(dir, 'two.json'), manifestNamed('Two'));
    const pathThree = writeManifest(join(dir, 'three.json'), manifestNamed('Three'));
    const cache = new ManifestCache(2);
    const firstOne = cache.get(pathOne);
    const firstTwo = cache.get(pathTwo);
    cache.get(pathOne);
    cache.get(pathThree);
    expect(cache.get(pathOne)).toBe(firstOne);
    expect(cache.get(pathTwo)).not.toBe(firstTwo);
  });

  it('missing manifest throws not-found', () => {
    const cache = new ManifestCache();
    expect(() => cache.get(join(dir, 'nope.json'))).toThrow(`Manifest not found: ${join(dir, 'nope.json')}`);
  });
});
