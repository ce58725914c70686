import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { MANIFEST_FILE_NAME, primaryImagePath, readManifest, resolveSamplePath, writeManifest } from '../../src/dataset/manifest-io.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'apron-manifest-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

let folderCount = 0;
function freshFolder(): string {
  const path = join(tempRoot, `case-${folderCount++}`);
  mkdirSync(path, { recursive: true });
  return path;
}

function validManifest(): ManifestInput {
  return {
    format: 'apron-manifest',
    version: 1,
    name: 'stand-12',
    root: 'files',
    conditionFields: ['weather'],
    samples: [
      {
        sampleId: 'log1/0001',
        sequenceId: 'log1',
        // Past 2^53: only the string form keeps every digit.
        timestampNs: '1700000000123456789',
        weather: 'rain',
        pose: { x: 1.5, y: -2, yaw: 0.25 },
        cameras: [{ name: 'front', path: 'log1/front/0001.jpg', width: 1920, height: 1200 }],
        bev: [{ name: 'bev', path: 'log1/bev/0001.png', metresPerPixel: 0.2 }],
      },
      { sampleId: 'log1/0002', sequenceId: 'log1', timestampNs: 1_700_000_000, cameras: [{ name: 'front', path: '/abs/0002.jpg' }] },
      { sampleId: 'log2/0001', sequenceId: 'log2', timestampNs: 0 },
    ],
  };
}

/** Write raw text as a manifest and return the ApronError that reading it raises. */
function readError(text: string): ApronError {
  const path = join(freshFolder(), MANIFEST_FILE_NAME);
  writeFileSync(path, text);
  try {
    readManifest(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ApronError);
    return error as ApronError;
  }
  throw new Error('readManifest succeeded but an error was expected');
}

describe('manifest round trip', () => {
  it('keeps every field and the full timestamp', () => {
    const folder = freshFolder();
    const path = writeManifest(join(folder, MANIFEST_FILE_NAME), validManifest());
    const dataset = readManifest(path);
    const [first, second, third] = dataset.manifest.samples;

    expect(dataset.manifestPath).toBe(path);
    expect(dataset.root).toBe(join(folder, 'files'));
    expect(dataset.manifest.conditionFields).toEqual(['weather']);
    expect(first!.timestampNs).toBe(1_700_000_000_123_456_789n);
    expect(first!.pose).toEqual({ x: 1.5, y: -2, z: 0, yaw: 0.25 });
    expect(first!.bev[0]!.frame).toBe('ego');
    expect(second!.timestampNs).toBe(1_700_000_000n);
    expect(third!.cameras).toEqual([]);
    expect(dataset.indexOf.get('log2/0001')).toBe(2);
  });

  it('writes a parsed manifest again unchanged', () => {
    const folder = freshFolder();
    const first = readManifest(writeManifest(join(folder, 'a.json'), validManifest()));
    const secondPath = writeManifest(join(folder, 'b.json'), first.manifest);
    const second = readManifest(secondPath);
    expect(second.manifest).toEqual(first.manifest);
    expect(readFileSync(secondPath, 'utf8')).toContain('"timestampNs": "1700000000123456789"');
  });

  it('finds the manifest inside a folder', () => {
    const folder = freshFolder();
    writeManifest(join(folder, MANIFEST_FILE_NAME), validManifest());
    expect(readManifest(folder).manifest.name).toBe('stand-12');
  });

  it('resolves sample paths against the root', () => {
    const folder = freshFolder();
    const dataset = readManifest(writeManifest(join(folder, MANIFEST_FILE_NAME), validManifest()));
    const [first, second, third] = dataset.manifest.samples;
    // The BEV raster comes first, then the first camera; absolute paths stay as they are.
    expect(primaryImagePath(dataset, first!)).toBe(join(folder, 'files', 'log1/bev/0001.png'));
    expect(primaryImagePath(dataset, second!)).toBe('/abs/0002.jpg');
    expect(primaryImagePath(dataset, third!)).toBeUndefined();
    expect(resolveSamplePath(dataset, 'x/y.png')).toBe(join(folder, 'files', 'x/y.png'));
  });

  it('rejects writing an invalid manifest', () => {
    const manifest = { ...validManifest(), samples: [] };
    expect(() => writeManifest(join(freshFolder(), MANIFEST_FILE_NAME), manifest)).toThrow(/invalid manifest: samples: a dataset needs at least one sample/);
  });
});

describe('readManifest errors', () => {
  it('names a path that does not exist', () => {
    const path = join(tempRoot, 'absent.json');
    expect(() => readManifest(path)).toThrow(`Manifest not found: ${path}`);
  });

  it('names a folder without a manifest', () => {
    const folder = freshFolder();
    expect(() => readManifest(folder)).toThrow(`No apron-manifest.json in folder ${folder}`);
  });

  it('names invalid JSON', () => {
    const error = readError('{ "format": "apron-manifest", ');
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toMatch(/apron-manifest\.json is not valid JSON: /);
    expect(error.path).toMatch(/apron-manifest\.json$/);
  });

  it('lists schema errors with their field paths', () => {
    const manifest = { ...validManifest(), samples: [{ sampleId: 'a', timestampNs: '12.5' }] };
    const error = readError(JSON.stringify(manifest));
    expect(error.message).toContain('samples.0.sequenceId: Invalid input: expected string, received undefined');
    expect(error.message).toContain('samples.0.timestampNs: must be an integer number of nanoseconds');
  });

  it('counts schema errors past the first five', () => {
    const bad = { sampleId: 'a' };
    const manifest = { ...validManifest(), samples: [bad, bad, bad, bad] };
    // Each sample lacks sequenceId and timestampNs: eight problems, five listed.
    expect(readError(JSON.stringify(manifest)).message).toMatch(/\(and 3 more\)$/);
  });

  it('rejects a manifest without samples', () => {
    const manifest = { ...validManifest(), samples: [] };
    expect(readError(JSON.stringify(manifest)).message).toContain('samples: a dataset needs at least one sample');
  });

  it('rejects a JSON array', () => {
    expect(readError('[1, 2]').message).toContain('(top level): Invalid input: expected object, received array');
  });

  it('names a newer format version', () => {
    const manifest = { ...validManifest(), version: 2 };
    expect(readError(JSON.stringify(manifest)).message).toMatch(/has format version 2, but this Apron reads version 1$/);
  });

  it('names a duplicate sampleId', () => {
    const manifest = validManifest();
    manifest.samples.push({ sampleId: 'log1/0002', sequenceId: 'log9', timestampNs: 5 });
    const error = readError(JSON.stringify(manifest));
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toMatch(/lists sampleId "log1\/0002" twice$/);
  });
});
