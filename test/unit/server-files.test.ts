import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { startServer, type ResolvedFile, type RunningServer } from '../../src/server/server.js';
import { rawRequest } from './server-http-client.js';

let server: RunningServer;
let root: string;
const pngBytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);

// Tokens stand for files the way the engine's do: a lookup table, with unknown tokens rejected.
function resolveFile(token: string): ResolvedFile {
  const table: Record<string, ResolvedFile> = {
    'sample 1/bev': { path: join(root, 'bev.png'), contentType: 'image/png' },
    gone: { path: join(root, 'deleted.png'), contentType: 'image/png' },
  };
  const file = table[token];
  if (file === undefined) {
    throw new ApronError('not-found', `Unknown file token "${token}"`, { hint: 'Reload the pair to get fresh tokens.' });
  }
  return file;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'apron-server-files-'));
  writeFileSync(join(root, 'bev.png'), pngBytes);
  server = await startServer({
    dispatch: () => Promise.resolve({ ok: true, value: [] }),
    resolveFile,
    staticDir: root,
  });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /files/<token>', () => {
  it('streams the file with its content type', async () => {
    const response = await rawRequest(`${server.url}/files/${encodeURIComponent('sample 1/bev')}`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['content-length']).toBe(String(pngBytes.length));
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.equals(pngBytes)).toBe(true);
  });

  it('answers HEAD with headers only', async () => {
    const response = await rawRequest(`${server.url}/files/${encodeURIComponent('sample 1/bev')}`, { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(pngBytes.length));
    expect(response.body.length).toBe(0);
  });

  it('answers 404 for an unknown token', async () => {
    const response = await rawRequest(`${server.url}/files/nope`);

    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'Unknown file token "nope"', hint: 'Reload the pair to get fresh tokens.' },
    });
  });

  it('answers 404 naming a missing file', async () => {
    const response = await rawRequest(`${server.url}/files/gone`);

    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ ok: false, error: { code: 'not-found', path: join(root, 'deleted.png') } });
    expect((response.json as { error: { message: string } }).error.message).toContain('deleted.png');
  });

  it('rejects a token that is not valid percent-encoding', async () => {
    const response = await rawRequest(`${server.url}/files/%E0%A4%A`);

    expect(response.status).toBe(400);
  });

  it('rejects writes', async () => {
    const response = await rawRequest(`${server.url}/files/gone`, { method: 'DELETE' });

    expect(response.status).toBe(405);
  });
});
