import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { hostNameOf, isLoopbackHost, isLoopbackHostHeader } from '../../src/server/loopback.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { postApi, rawRequest } from './server-http-client.js';

let server: RunningServer;
let staticDir: string;
let port: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'apron-server-host-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  server = await startServer({
    dispatch: () => Promise.resolve({ ok: true, value: [] }),
    resolveFile: () => {
      throw new ApronError('not-found', 'no files');
    },
    staticDir,
  });
  port = new URL(server.url).port;
});

afterAll(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('DNS-rebinding guard', () => {
  it('binds to 127.0.0.1 on a free port by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(port)).toBeGreaterThan(0);
  });

  it('accepts loopback host names', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      const response = await rawRequest(`${server.url}/`, { headers: { Host: host } });

      expect(response.status, host).toBe(200);
    }
  });

  it('rejects a foreign host name on pages and API calls', async () => {
    const page = await rawRequest(`${server.url}/`, { headers: { Host: `attacker.example:${port}` } });
    const call = await postApi(server.url, 'listDatasets', {}, { Host: `attacker.example:${port}`, Origin: `http://attacker.example:${port}` });

    expect(page.status).toBe(403);
    expect(page.json).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect((page.json as { error: { message: string } }).error.message).toContain('attacker.example');
    expect(call.status).toBe(403);
  });

  it('rejects a host name that only starts like a loopback one', async () => {
    const response = await rawRequest(`${server.url}/`, { headers: { Host: `127.0.0.1.attacker.example:${port}` } });

    expect(response.status).toBe(403);
  });
});

describe('loopback helpers', () => {
  it('recognise loopback addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.4')).toBe(false);
    expect(isLoopbackHost('127.example.com')).toBe(false);
  });

  it('split the port off a Host header', () => {
    expect(hostNameOf('localhost:5173')).toBe('localhost');
    expect(hostNameOf('[::1]:80')).toBe('[::1]');
    expect(hostNameOf('example.com')).toBe('example.com');
  });

  it('reject a missing Host header', () => {
    expect(isLoopbackHostHeader(undefined)).toBe(false);
    expect(isLoopbackHostHeader('')).toBe(false);
  });
});

describe('listening', () => {
  it('reports a port in use with a hint', async () => {
    const port = Number(new URL(server.url).port);
    const attempt = startServer({
      port,
      dispatch: () => Promise.resolve({ ok: true, value: [] }),
      resolveFile: () => {
        throw new ApronError('not-found', 'no files');
      },
      staticDir,
    });

    await expect(attempt).rejects.toMatchObject({ code: 'conflict', message: `Cannot listen on 127.0.0.1:${port}: the port is already in use.` });
  });
});
