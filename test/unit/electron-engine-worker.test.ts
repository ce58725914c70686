import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiReply, ApiResults } from '../../src/api/contract.js';
import { startEngineWorker, type EngineClient } from '../../electron/engine-client.js';
import { createReviewFixture, type ReviewFixture } from '../e2e/review-fixture.js';

// The worker runs the TypeScript source through tsx's loader, registered inside the worker
// thread, because `--import tsx` in a worker's execArgv does not reach its module loader (Node 20).
const projectRoot = join(import.meta.dirname, '..', '..');
const tsxApi = pathToFileURL(join(projectRoot, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href;
const workerSource = pathToFileURL(join(projectRoot, 'electron', 'engine-worker.ts')).href;
const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(workerSource)});`;
const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);

function valueOf<M extends ApiMethod>(reply: ApiReply<ApiMethod>): ApiResults[M] {
  if (!reply.ok) throw new Error(`expected an ok reply, got ${reply.error.code}: ${reply.error.message}`);
  return reply.value as ApiResults[M];
}

describe('engine worker', () => {
  let root: string;
  let fixture: ReviewFixture;
  let engine: EngineClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-engine-worker-'));
    fixture = await createReviewFixture(root);
    engine = startEngineWorker({ workspaceRoot: fixture.workspace.root, workerUrl });
  });

  afterAll(async () => {
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers API calls from the store', async () => {
    const datasets = valueOf<'listDatasets'>(await engine.dispatch('listDatasets', {}));
    const pair = valueOf<'getPair'>(await engine.dispatch('getPair', { queueId: fixture.queueId, position: 0 }));

    expect(datasets.map((dataset) => dataset.datasetId)).toEqual([fixture.datasetId]);
    expect(pair.total).toBe(6);
    expect([pair.sampleA.sampleId, pair.sampleB.sampleId]).toEqual(['s0', 's3']);
  });

  it('returns error replies for bad calls', async () => {
    const unknown = await engine.dispatch('dropTables', {});
    const invalid = await engine.dispatch('getPair', { queueId: fixture.queueId, position: -1 });

    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('records a decision that a later call sees', async () => {
    const page = valueOf<'getQueueItems'>(await engine.dispatch('getQueueItems', { queueId: fixture.queueId, limit: 1 }));
    const item = page.items[0];
    if (item === undefined) throw new Error('the fixture queue is empty');

    const decision = valueOf<'decide'>(await engine.dispatch('decide', { queueItemId: item.queueItemId, verdict: 'same', reviewer: 'worker test' }));
    const after = valueOf<'getPair'>(await engine.dispatch('getPair', { queueId: fixture.queueId, position: 0 }));

    expect(decision.verdict).toBe('same');
    expect(after.item.decision?.decisionId).toBe(decision.decisionId);
  });

  it('resolves file tokens to files inside the dataset', async () => {
    const pair = valueOf<'getPair'>(await engine.dispatch('getPair', { queueId: fixture.queueId, position: 0 }));
    const bev = pair.sampleA.images.find((image) => image.kind === 'bev');
    if (bev === undefined) throw new Error('sample s0 has no BEV image');

    const file = await engine.resolveFile(bev.token);

    expect(file.contentType).toBe('image/png');
    if (!('path' in file)) throw new Error('a BEV image file resolves to a path');
    expect(file.path.endsWith(join('data', 's0-bev.png'))).toBe(true);
    await expect(engine.resolveFile('not-a-token')).rejects.toMatchObject({ code: 'invalid-input' });
  });
});

describe('engine worker on a broken workspace', () => {
  it('answers every call with the reason the store did not open', async () => {
    const root = mkdtempSync(join(tmpdir(), 'apron-engine-broken-'));
    mkdirSync(join(root, 'workspace'));
    writeFileSync(join(root, 'workspace', 'apron.db'), 'this is not a SQLite database, it is a text file of some length');
    const broken = startEngineWorker({ workspaceRoot: join(root, 'workspace'), workerUrl });
    try {
      const reply = await broken.dispatch('listDatasets', {});

      expect(reply).toMatchObject({ ok: false, error: { code: 'unreadable-file' } });
      expect(reply.ok ? undefined : reply.error.hint).toBeDefined();
      await expect(broken.resolveFile('anything')).rejects.toMatchObject({ code: 'unreadable-file' });
    } finally {
      await broken.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails calls after close', async () => {
    const root = mkdtempSync(join(tmpdir(), 'apron-engine-closed-'));
    const engine = startEngineWorker({ workspaceRoot: root, workerUrl });
    try {
      expect(await engine.dispatch('listDatasets', {})).toEqual({ ok: true, value: [] });
      await engine.close();

      expect(await engine.dispatch('listDatasets', {})).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
