import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiReply, ApiResults } from '../../src/api/contract.js';
import { startEngineWorker, type EngineClient } from '../../electron/engine-client.js';
import { createReviewFixture, type ReviewFixture } from '../e2e/review-fixture.js';

// `npm start` runs the engine in a child Node.js process (APRON_ENGINE_NODE), so the better-sqlite3
// build for Node.js serves Electron too. These tests drive that path with tsx's loader.
const projectRoot = join(import.meta.dirname, '..', '..');
const script = pathToFileURL(join(projectRoot, 'electron', 'engine-worker.ts'));

function valueOf<M extends ApiMethod>(reply: ApiReply<ApiMethod>): ApiResults[M] {
  if (!reply.ok) throw new Error(`expected an ok reply, got ${reply.error.code}: ${reply.error.message}`);
  return reply.value as ApiResults[M];
}

describe('engine in a child process', () => {
  let root: string;
  let fixture: ReviewFixture;
  let engine: EngineClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-engine-child-'));
    fixture = await createReviewFixture(root);
    engine = startEngineWorker({ workspaceRoot: fixture.workspace.root, workerUrl: script, execArgv: ['--import', 'tsx'], nodeBinary: process.execPath });
  });

  afterAll(async () => {
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers API calls and records decisions', async () => {
    const datasets = valueOf<'listDatasets'>(await engine.dispatch('listDatasets', {}));
    const page = valueOf<'getQueueItems'>(await engine.dispatch('getQueueItems', { queueId: fixture.queueId, limit: 1 }));
    const item = page.items[0];
    if (item === undefined) throw new Error('the fixture queue is empty');
    const decision = valueOf<'decide'>(await engine.dispatch('decide', { queueItemId: item.queueItemId, verdict: 'same', reviewer: 'child' }));

    expect(datasets.map((dataset) => dataset.datasetId)).toEqual([fixture.datasetId]);
    expect(decision.verdict).toBe('same');
    expect(decision.reviewer).toBe('child');
  });

  it('resolves file tokens', async () => {
    const pair = valueOf<'getPair'>(await engine.dispatch('getPair', { queueId: fixture.queueId, position: 0 }));
    const token = pair.sampleA.images[0]?.token;
    if (token === undefined) throw new Error('the fixture sample has no image');

    const file = await engine.resolveFile(token);

    if (!('path' in file)) throw new Error('a camera image resolves to a path');
    expect(file.path.startsWith(fixture.workspace.root) || file.path.includes(root)).toBe(true);
    expect(file.contentType).toBe('image/png');
  });

  it('fails pending calls after close', async () => {
    const second = startEngineWorker({ workspaceRoot: fixture.workspace.root, workerUrl: script, execArgv: ['--import', 'tsx'], nodeBinary: process.execPath });
    await second.close();

    const reply = await second.dispatch('listDatasets', {});

    expect(reply.ok).toBe(false);
  });
});
