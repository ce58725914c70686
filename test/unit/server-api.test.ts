import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, apiArgs, type ApiMethod, type ApiReply, type DatasetSummary } from '../../src/api/contract.js';
import { ApronError, toErrorInfo } from '../../src/core/errors.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { postApi, rawRequest } from './server-http-client.js';

// A dispatcher built the way the engine's is: check the method, parse the arguments with the
// contract's schemas, run a handler, and turn every failure into an error reply.
const datasets: DatasetSummary[] = [
  { datasetId: 'd1', name: 'airside-stands', importer: 'kitti-bev', sampleCount: 12, createdAt: '2025-01-01T00:00:00Z' },
];

async function dispatch(method: string, rawArgs: unknown): Promise<ApiReply<ApiMethod>> {
  if (!(API_METHODS as string[]).includes(method)) {
    return { ok: false, error: { code: 'not-found', message: `Unknown API method "${method}".` } };
  }
  const parsed = apiArgs[method as ApiMethod].safeParse(rawArgs);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-input', message: `Invalid arguments for ${method}: ${parsed.error.issues[0]?.message ?? ''}` } };
  }
  try {
    if (method === 'listDatasets') return { ok: true, value: datasets };
    if (method === 'getDatasetOverview') {
      const { datasetId } = parsed.data as { datasetId: string };
      if (datasetId === 'explode') throw new Error('database is locked');
      throw new ApronError('not-found', `Dataset ${datasetId} not found`, { hint: 'List datasets first.' });
    }
    throw new ApronError('invalid-input', `${method} is not part of this test`);
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}

let server: RunningServer;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'apron-server-api-'));
  server = await startServer({
    dispatch,
    resolveFile: () => {
      throw new ApronError('not-found', 'no files in this test');
    },
    staticDir,
    maxBodyBytes: 4096,
  });
});

afterAll(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('POST /api/<method>', () => {
  it('returns the ok reply with status 200', async () => {
    const response = await postApi(server.url, 'listDatasets', {});

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json).toEqual({ ok: true, value: datasets });
  });

  it('treats an empty body as no arguments', async () => {
    const response = await rawRequest(`${server.url}/api/listDatasets`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });

    expect(response.status).toBe(200);
  });

  it('maps error codes to statuses', async () => {
    const invalid = await postApi(server.url, 'getDatasetOverview', { datasetId: '' });
    const missing = await postApi(server.url, 'getDatasetOverview', { datasetId: 'nope' });
    const unknown = await postApi(server.url, 'dropTables', {});

    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ ok: false, error: { code: 'not-found', message: 'Dataset nope not found', hint: 'List datasets first.' } });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'not-found', message: 'Unknown API method "dropTables".' } });
  });

  it('answers an internal error with 500', async () => {
    const response = await postApi(server.url, 'getDatasetOverview', { datasetId: 'explode' });

    expect(response.status).toBe(500);
    expect(response.json).toMatchObject({ ok: false, error: { code: 'internal', message: 'database is locked' } });
  });

  it('rejects a body that is not JSON', async () => {
    const response = await rawRequest(`${server.url}/api/listDatasets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"datasetId": ',
    });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect((response.json as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it('rejects a body over the size limit', async () => {
    const note = 'x'.repeat(10_000);
    const response = await postApi(server.url, 'listDatasets', { note });

    expect(response.status).toBe(413);
    expect((response.json as { error: { message: string } }).error.message).toMatch(/larger than the limit of 4096 bytes/);
  });

  it('rejects a chunked body over the size limit', async () => {
    // Without Content-Length the limit has to be enforced while the body streams in.
    const response = await rawRequest(`${server.url}/api/listDatasets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body: JSON.stringify({ note: 'y'.repeat(10_000) }),
    });

    expect(response.status).toBe(413);
  });

  it('rejects methods other than POST', async () => {
    const response = await rawRequest(`${server.url}/api/listDatasets`);

    expect(response.status).toBe(405);
    expect(response.headers['allow']).toBe('POST');
  });

  it('rejects content types a cross-site form can send', async () => {
    const response = await rawRequest(`${server.url}/api/listDatasets`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });

    expect(response.status).toBe(415);
  });

  it('rejects a call from another origin', async () => {
    const foreign = await postApi(server.url, 'listDatasets', {}, { Origin: 'https://example.com' });
    const own = await postApi(server.url, 'listDatasets', {}, { Origin: server.url });

    expect(foreign.status).toBe(403);
    expect((foreign.json as { error: { message: string } }).error.message).toContain('https://example.com');
    expect(own.status).toBe(200);
  });

  it('sends the security headers', async () => {
    const response = await postApi(server.url, 'listDatasets', {});

    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
  });
});

describe('dispatch that throws', () => {
  it('answers 500 with the error info', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'apron-server-throw-'));
    const throwing = await startServer({
      dispatch: () => Promise.reject(new Error('handler table is broken')),
      resolveFile: () => ({ path: '/nonexistent', contentType: 'image/png' }),
      staticDir: directory,
    });
    try {
      const response = await postApi(throwing.url, 'listDatasets', {});

      expect(response.status).toBe(500);
      expect(response.json).toMatchObject({ ok: false, error: { code: 'internal', message: 'handler table is broken' } });
    } finally {
      await throwing.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
