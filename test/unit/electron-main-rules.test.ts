import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiReply } from '../../src/api/contract.js';
import { handleApiCall } from '../../electron/api-call.js';
import { fileTokenOf, RENDERER_INDEX_URL, resolveAppAsset } from '../../electron/app-urls.js';
import { fileUrlFor } from '../../electron/bridge.js';
import { isRendererUrl, isTrustedSender } from '../../electron/trusted-sender.js';
import { chooseWorkspaceRoot } from '../../electron/workspace-choice.js';

describe('trusted sender', () => {
  it('accepts the renderer on app://renderer', () => {
    expect(isRendererUrl(RENDERER_INDEX_URL)).toBe(true);
    expect(isRendererUrl('app://renderer/index.html#/queues/q1/pairs/3')).toBe(true);
    expect(isTrustedSender({ url: 'app://renderer/index.html', isMainFrame: true })).toBe(true);
  });

  it('rejects other origins, frames and missing senders', () => {
    expect(isRendererUrl('https://example.com/')).toBe(false);
    expect(isRendererUrl('app://evil/index.html')).toBe(false);
    expect(isRendererUrl('file:///work/main/dist/renderer/index.html')).toBe(false);
    expect(isRendererUrl('')).toBe(false);
    expect(isRendererUrl(undefined)).toBe(false);
    expect(isRendererUrl('not a url')).toBe(false);
    expect(isTrustedSender({ url: 'app://renderer/index.html', isMainFrame: false })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('handleApiCall', () => {
  const calls: [string, unknown][] = [];
  const dispatch = (method: string, args: unknown): Promise<ApiReply<ApiMethod>> => {
    calls.push([method, args]);
    return Promise.resolve({ ok: true, value: [] });
  };

  it('passes calls from the renderer to the engine', async () => {
    const reply = await handleApiCall({ url: RENDERER_INDEX_URL, isMainFrame: true }, 'listDatasets', {}, dispatch);

    expect(reply).toEqual({ ok: true, value: [] });
    expect(calls).toEqual([['listDatasets', {}]]);
  });

  it('rejects calls from another page without dispatching', async () => {
    calls.length = 0;
    const reply = await handleApiCall({ url: 'https://example.com/', isMainFrame: true }, 'decide', {}, dispatch);

    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(reply.ok ? '' : reply.error.message).toContain('https://example.com/');
    expect(calls).toEqual([]);
  });

  it('rejects a method name that is not a string', async () => {
    calls.length = 0;
    const reply = await handleApiCall({ url: RENDERER_INDEX_URL, isMainFrame: true }, 42, {}, dispatch);

    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(calls).toEqual([]);
  });
});

describe('app:// assets', () => {
  let parent: string;
  let rendererDir: string;

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'apron-app-protocol-'));
    rendererDir = join(parent, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    writeFileSync(join(rendererDir, 'assets', 'index-1.js'), '');
    writeFileSync(join(parent, 'secret.txt'), 'outside');
  });

  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('serves files of the build with their type', () => {
    expect(resolveAppAsset(rendererDir, 'app://renderer/assets/index-1.js')).toEqual({
      ok: true,
      path: join(rendererDir, 'assets', 'index-1.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppAsset(rendererDir, RENDERER_INDEX_URL)).toMatchObject({ ok: true, path: join(rendererDir, 'index.html') });
  });

  it('falls back to index.html for paths without an extension', () => {
    expect(resolveAppAsset(rendererDir, 'app://renderer/queues/q1')).toMatchObject({ ok: true, path: join(rendererDir, 'index.html') });
    expect(resolveAppAsset(rendererDir, 'app://renderer/')).toMatchObject({ ok: true, path: join(rendererDir, 'index.html') });
  });

  it('rejects missing files, other hosts and escapes', () => {
    expect(resolveAppAsset(rendererDir, 'app://renderer/assets/gone.js')).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppAsset(rendererDir, 'app://other/index.html')).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppAsset(rendererDir, 'app://renderer/..%2fsecret.txt')).toMatchObject({ ok: false, status: 400 });
  });

  it('says how to build when the build is missing', () => {
    const result = resolveAppAsset(join(parent, 'absent'), RENDERER_INDEX_URL);

    expect(result).toMatchObject({ ok: false, status: 404 });
    expect(result.ok ? '' : result.message).toContain('npm run build');
  });
});

describe('apron-file:// tokens', () => {
  it('round-trip through fileUrlFor', () => {
    const token = 'WzEsInN0YW5kIiwiczAiLCJiZXYiLDBd';

    expect(fileUrlFor(token)).toBe(`apron-file://files/${token}`);
    expect(fileTokenOf(fileUrlFor(token))).toBe(token);
    expect(fileTokenOf(fileUrlFor('a b/c'))).toBe('a b/c');
  });

  it('reject other URLs', () => {
    expect(fileTokenOf('apron-file://other/abc')).toBeNull();
    expect(fileTokenOf('apron-file://files/')).toBeNull();
    expect(fileTokenOf('apron-file://files/a/b')).toBeNull();
    expect(fileTokenOf('https://files/abc')).toBeNull();
    expect(fileTokenOf('apron-file://files/%E0%A4%A')).toBeNull();
  });
});

describe('chooseWorkspaceRoot', () => {
  it('takes --workspace in both spellings, relative to the working folder', () => {
    expect(chooseWorkspaceRoot(['electron', '.', '--workspace', 'ws'], '/home/a')).toBe(resolve('/home/a', 'ws'));
    expect(chooseWorkspaceRoot(['--workspace=/data/apron'], '/home/a')).toBe('/data/apron');
  });

  it('falls back to APRON_HOME', () => {
    const previous = process.env['APRON_HOME'];
    process.env['APRON_HOME'] = '/srv/apron-home';
    try {
      expect(chooseWorkspaceRoot(['electron', '.'], '/home/a')).toBe('/srv/apron-home');
    } finally {
      if (previous === undefined) delete process.env['APRON_HOME'];
      else process.env['APRON_HOME'] = previous;
    }
  });

  it('rejects --workspace without a folder', () => {
    expect(() => chooseWorkspaceRoot(['--workspace'])).toThrow('--workspace needs a folder.');
    expect(() => chooseWorkspaceRoot(['--workspace', '--port', '3'])).toThrow('--workspace needs a folder.');
    expect(() => chooseWorkspaceRoot(['--workspace='])).toThrow('--workspace needs a folder.');
  });
});
