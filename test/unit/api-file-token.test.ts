import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFileToken, encodeFileToken, resolveFileToken } from '../../src/api/file-token.js';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { ApronError } from '../../src/core/errors.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import type { SampleInput } from '../../src/dataset/manifest.js';
import { openStore, type Store } from '../../src/store/index.js';

function errorOf(action: () => unknown): ApronError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApronError) return error;
    throw error;
  }
  throw new Error('expected an ApronError, but nothing was thrown');
}

/**
 * Layout in a temp dir:
 *   data/img/ok.png, data/img/..hidden.jpg, data/img/link-in.png -> ok.png,
 *   data/img/link-out.png -> ../../outside/secret.png, outside/secret.png,
 *   data-link -> data (the manifest of dataset `linked` names this as its root).
 */
describe('resolveFileToken', () => {
  let dir: string;
  let store: Store;
  const manifests = new ManifestCache();

  const camera = (sampleId: string, path: string): SampleInput => ({
    sampleId,
    sequenceId: 'A',
    timestampNs: 0,
    cameras: [{ name: 'front', path }],
  });
  const token = (sampleId: string, datasetId = 'd'): string => encodeFileToken({ datasetId, sampleId, kind: 'camera', index: 0 });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-file-token-'));
    mkdirSync(join(dir, 'data', 'img'), { recursive: true });
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'data', 'img', 'ok.png'), 'png bytes');
    writeFileSync(join(dir, 'data', 'img', '..hidden.jpg'), 'jpeg bytes');
    writeFileSync(join(dir, 'outside', 'secret.png'), 'secret');
    symlinkSync('ok.png', join(dir, 'data', 'img', 'link-in.png'));
    symlinkSync('../../outside/secret.png', join(dir, 'data', 'img', 'link-out.png'));
    symlinkSync('data', join(dir, 'data-link'));

    const samples = [
      camera('ok', 'img/ok.png'),
      camera('dots-in-name', 'img/..hidden.jpg'),
      camera('link-in', 'img/link-in.png'),
      camera('link-out', 'img/link-out.png'),
      camera('dot-dot', '../outside/secret.png'),
      camera('absolute', join(dir, 'outside', 'secret.png')),
      camera('missing', 'img/missing.png'),
      camera('folder', 'img'),
    ];
    const manifest = { format: 'apron-manifest' as const, version: 1 as const, name: 'D', root: join(dir, 'data'), samples };
    const manifestPath = writeManifest(join(dir, 'ws', 'd.json'), manifest);
    const linkedPath = writeManifest(join(dir, 'ws', 'linked.json'), { ...manifest, root: join(dir, 'data-link') });

    store = openStore(':memory:');
    store.addDataset({ datasetId: 'd', name: 'D', manifestPath, root: join(dir, 'data'), sampleCount: samples.length });
    store.addDataset({ datasetId: 'linked', name: 'L', manifestPath: linkedPath, root: join(dir, 'data-link'), sampleCount: samples.length });
  });

  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('file inside the root resolves', () => {
    expect(resolveFileToken(store, token('ok'), manifests)).toEqual({ path: join(dir, 'data', 'img', 'ok.png'), contentType: 'image/png' });
    expect(resolveFileToken(store, token('dots-in-name'), manifests)).toEqual({
      path: join(dir, 'data', 'img', '..hidden.jpg'),
      contentType: 'image/jpeg',
    });
  });

  it('symlink inside the root resolves to its target', () => {
    expect(resolveFileToken(store, token('link-in'), manifests).path).toBe(join(dir, 'data', 'img', 'ok.png'));
  });

  it('root given through a symlink', () => {
    expect(resolveFileToken(store, token('ok', 'linked'), manifests).path).toBe(join(dir, 'data', 'img', 'ok.png'));
    expect(errorOf(() => resolveFileToken(store, token('link-out', 'linked'), manifests)).code).toBe('invalid-input');
  });

  it('paths that escape the root are rejected', () => {
    for (const sampleId of ['dot-dot', 'absolute', 'link-out']) {
      const error = errorOf(() => resolveFileToken(store, token(sampleId), manifests));
      expect(error.code).toBe('invalid-input');
      expect(error.message).toBe(`Image front of sample "${sampleId}" lies outside the dataset root ${join(dir, 'data')}.`);
    }
  });

  it('missing file and folder are not found', () => {
    const missing = errorOf(() => resolveFileToken(store, token('missing'), manifests));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe(`Image front of sample "missing" is missing: ${join(dir, 'data', 'img', 'missing.png')}`);
    expect(errorOf(() => resolveFileToken(store, token('folder'), manifests)).code).toBe('not-found');
  });

  it('unknown dataset, sample and index are not found', () => {
    expect(errorOf(() => resolveFileToken(store, token('ok', 'ghost'), manifests)).message).toBe('Dataset "ghost" is not in the store.');
    expect(errorOf(() => resolveFileToken(store, token('nobody'), manifests)).message).toBe('Sample "nobody" is not in dataset "d".');
    const bev = encodeFileToken({ datasetId: 'd', sampleId: 'ok', kind: 'bev', index: 0 });
    expect(errorOf(() => resolveFileToken(store, bev, manifests)).message).toBe('Sample "ok" has no bev image number 0.');
  });

  it('malformed tokens are invalid input', () => {
    const forged = [
      'not base64 at all!',
      '',
      Buffer.from('{"path":"/etc/passwd"}').toString('base64url'),
      Buffer.from(JSON.stringify([1, 'd', 'ok', 'lidar', 0])).toString('base64url'),
      Buffer.from(JSON.stringify([1, 'd', 'ok', 'camera', -1])).toString('base64url'),
      Buffer.from(JSON.stringify([2, 'd', 'ok', 'camera', 0])).toString('base64url'),
    ];
    for (const value of forged) {
      const error = errorOf(() => resolveFileToken(store, value, manifests));
      expect(error.code).toBe('invalid-input');
      expect(error.message).toBe(`File token "${value}" is not valid.`);
    }
  });

  it('token round trip', () => {
    const fields = { datasetId: 'kitti/00', sampleId: '00:000123', kind: 'projection' as const, index: 2, extra: 1 };
    const value = encodeFileToken(fields);
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFileToken(value)).toEqual(fields);
  });
});
