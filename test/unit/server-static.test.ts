import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { resolveStaticPath } from '../../src/server/static-files.js';
import { rawRequest } from './server-http-client.js';

const indexHtml = '<!doctype html><title>Apron</title><div id="root"></div>';
let parent: string;
let staticDir: string;
let server: RunningServer;

beforeAll(async () => {
  // The secret sits beside the static folder, where a path traversal would reach it.
  parent = mkdtempSync(join(tmpdir(), 'apron-server-static-'));
  staticDir = join(parent, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), indexHtml);
  writeFileSync(join(staticDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(parent, 'secret.txt'), 'do not serve');
  server = await startServer({
    dispatch: () => Promise.resolve({ ok: true, value: [] }),
    resolveFile: () => {
      throw new ApronError('not-found', 'no files');
    },
    staticDir,
  });
});

afterAll(async () => {
  await server.close();
  rmSync(parent, { recursive: true, force: true });
});

describe('static renderer files', () => {
  it('serves index.html at the root with a CSP', async () => {
    const response = await rawRequest(`${server.url}/`);

    expect(response.status).toBe(200);
    expect(response.text).toBe(indexHtml);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('serves hashed assets as immutable', async () => {
    const response = await rawRequest(`${server.url}/assets/index-abc123.js`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toContain('immutable');
  });

  it('serves other files with revalidation', async () => {
    const response = await rawRequest(`${server.url}/favicon.svg`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('falls back to index.html for client routes', async () => {
    const response = await rawRequest(`${server.url}/queues/q1/pairs/3?x=1`);

    expect(response.status).toBe(200);
    expect(response.text).toBe(indexHtml);
  });

  it('answers 404 for a missing file with an extension', async () => {
    const response = await rawRequest(`${server.url}/assets/missing.js`);

    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ ok: false, error: { code: 'not-found', message: 'Not found: /assets/missing.js' } });
  });

  it('never serves files outside the folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const response = await rawRequest(`${server.url}${path}`);

      expect(response.text, path).not.toContain('do not serve');
      expect([200, 400, 404], path).toContain(response.status);
    }
  });

  it('rejects other methods', async () => {
    const response = await rawRequest(`${server.url}/`, { method: 'PUT', body: 'x' });

    expect(response.status).toBe(405);
  });
});

describe('resolveStaticPath', () => {
  it('keeps paths inside the root', () => {
    expect(resolveStaticPath('/srv/ui', '/assets/a.js')).toBe('/srv/ui/assets/a.js');
    expect(resolveStaticPath('/srv/ui', '/')).toBe('/srv/ui');
    expect(resolveStaticPath('/srv/ui', 'index.html')).toBe('/srv/ui/index.html');
  });

  it('rejects escapes and bad encodings', () => {
    expect(resolveStaticPath('/srv/ui', '/..%2f..%2fetc/passwd')).toBeNull();
    expect(resolveStaticPath('/srv/ui', '/../ui-other/x')).toBeNull();
    expect(resolveStaticPath('/srv/ui', '/a%00.js')).toBeNull();
    expect(resolveStaticPath('/srv/ui', '/%E0%A4%A')).toBeNull();
  });
});

describe('a build that is missing', () => {
  it('says how to build the UI', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'apron-server-empty-'));
    const bare = await startServer({
      dispatch: () => Promise.resolve({ ok: true, value: [] }),
      resolveFile: () => ({ path: '/nonexistent', contentType: 'image/png' }),
      staticDir: empty,
    });
    try {
      const response = await rawRequest(`${bare.url}/`);

      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ ok: false, error: { code: 'not-found', hint: 'Run `npm run build`, then reload this page.' } });
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
