import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiResults } from '../../src/api/contract.js';
import { createApiHandlers, dispatchApiCall, type ApiHandlers } from '../../src/api/handlers.js';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { openStore, type Store } from '../../src/store/index.js';

function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2025, 2, 1, 10, 0, tick++));
}

const evidence = (similarity: number) => ({
  similarity,
  rank: 1,
  timeGapSeconds: null,
  sameSequence: false,
  distanceMetres: null,
  headingDifferenceDegrees: null,
});

/** Runs a call through argument parsing, as the HTTP server and IPC do, and returns the value. */
async function call<M extends ApiMethod>(handlers: ApiHandlers, method: M, args: unknown): Promise<ApiResults[M]> {
  const reply = await dispatchApiCall(handlers, method, args);
  if (!reply.ok) throw new Error(`${method} failed: ${reply.error.message}`);
  return reply.value as ApiResults[M];
}

describe('review api', () => {
  let dir: string;
  let store: Store;
  let handlers: ApiHandlers;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-review-api-'));
    const manifestPath = writeManifest(join(dir, 'apron-manifest.json'), {
      format: 'apron-manifest',
      version: 1,
      name: 'Review',
      root: '.',
      conditionFields: ['weather'],
      samples: ['s1', 's2', 's3', 's4', 's5', 's6'].map((sampleId, index) => ({
        sampleId,
        sequenceId: index < 3 ? 'A' : 'B',
        timestampNs: index,
        weather: index % 2 === 0 ? 'sunny' : 'rain',
      })),
    });
    store = openStore(':memory:', { now: steppingClock() });
    store.addDataset({ datasetId: 'd', name: 'D', manifestPath, root: dir, sampleCount: 6 });
    store.addEmbeddingVersion({ embeddingVersionId: 'emb-1', datasetId: 'd', vectorsPath: '/v', dimension: 4, count: 6 });
    store.createQueue({
      queueId: 'q1',
      datasetId: 'd',
      embeddingVersionId: 'emb-1',
      items: [
        { sampleA: 's1', sampleB: 's2', evidence: evidence(0.9) },
        { sampleA: 's2', sampleB: 's3', evidence: evidence(0.85) },
        { sampleA: 's1', sampleB: 's3', evidence: evidence(0.8) },
        { sampleA: 's4', sampleB: 's5', evidence: evidence(0.6) },
        { sampleA: 's5', sampleB: 's6', evidence: evidence(0.55) },
      ],
    });
    handlers = createApiHandlers(store, { manifests: new ManifestCache() });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agreement and adjudication of a queue', async () => {
    await call(handlers, 'decide', { queueItemId: 1, verdict: 'same', reviewer: 'ann' });
    await call(handlers, 'decide', { queueItemId: 1, verdict: 'same', reviewer: 'bob' });
    await call(handlers, 'decide', { queueItemId: 4, verdict: 'same', reviewer: 'ann' });
    await call(handlers, 'decide', { queueItemId: 4, verdict: 'different', reviewer: 'bob' });

    const agreement = await call(handlers, 'getAgreement', { queueId: 'q1' });
    expect(agreement.reviewers).toEqual(['ann', 'bob']);
    expect(agreement.pairs).toEqual({ single: 0, agreed: 1, disagreed: 1, adjudicated: 0 });
    expect(agreement.byReviewerPair[0]?.confusion).toEqual([
      [1, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);

    const open = await call(handlers, 'listAdjudication', { queueId: 'q1' });
    expect(open.items.map((entry) => [entry.kind, entry.review.sampleA, entry.review.sampleB, entry.review.resolved])).toEqual([
      ['disagreement', 's4', 's5', 'same'],
    ]);
    expect(open.items[0]?.review.verdicts.map((entry) => `${entry.reviewer}:${entry.verdict}`)).toEqual(['ann:same', 'bob:different']);

    const settled = await call(handlers, 'adjudicate', {
      datasetId: 'd',
      sampleA: 's5',
      sampleB: 's4',
      verdict: 'different',
      adjudicator: 'judge',
      note: 'other stand',
      queueId: 'q1',
    });
    expect([settled.resolved, settled.resolvedBy, settled.adjudication?.note]).toEqual(['different', 'adjudicator', 'other stand']);
    expect((await call(handlers, 'listAdjudication', { datasetId: 'd' })).items).toEqual([]);
    expect((await call(handlers, 'listAdjudication', { datasetId: 'd', includeSettled: true })).items).toHaveLength(1);
    expect(store.listDecisionPairs('d', 'different')).toEqual([{ a: 's4', b: 's5' }]);
  });

  it('conflicts with their chain', async () => {
    await call(handlers, 'decide', { queueItemId: 1, verdict: 'same', reviewer: 'ann' });
    await call(handlers, 'decide', { queueItemId: 2, verdict: 'same', reviewer: 'ann' });
    await call(handlers, 'decide', { queueItemId: 3, verdict: 'different', reviewer: 'bob' });

    const { conflicts } = await call(handlers, 'listConflicts', { datasetId: 'd' });
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.different.sampleA).toBe('s1');
    expect(conflicts[0]?.different.sampleB).toBe('s3');
    expect(conflicts[0]?.path).toEqual(['s1', 's2', 's3']);
    expect(conflicts[0]?.chain.map((link) => [link.sampleA, link.sampleB, link.verdicts[0]?.reviewer])).toEqual([
      ['s1', 's2', 'ann'],
      ['s2', 's3', 'ann'],
    ]);
    const adjudication = await call(handlers, 'listAdjudication', { queueId: 'q1' });
    expect(adjudication.items.map((entry) => entry.kind)).toEqual(['conflict']);
  });

  it('audit log through the api', async () => {
    await call(handlers, 'decide', { queueItemId: 1, verdict: 'same', reviewer: 'ann' });
    await call(handlers, 'undo', { queueId: 'q1', reviewer: 'ann' });
    const log = await call(handlers, 'listAuditLog', { datasetId: 'd', sampleA: 's2', sampleB: 's1' });
    expect(log.entries.map((entry) => [entry.action, entry.verdictBefore, entry.verdictAfter])).toEqual([
      ['undo', 'same', null],
      ['decide', null, 'same'],
    ]);

    const halfPair = await dispatchApiCall(handlers, 'listAuditLog', { datasetId: 'd', sampleA: 's1' });
    expect(halfPair.ok ? '' : halfPair.error.message).toBe(
      'Invalid arguments for listAuditLog: sampleB: give both sampleA and sampleB to filter by pair, or neither.',
    );
    const bothScopes = await dispatchApiCall(handlers, 'listAdjudication', { datasetId: 'd', queueId: 'q1' });
    expect(bothScopes.ok).toBe(false);
    const unknownQueue = await dispatchApiCall(handlers, 'listAuditLog', { datasetId: 'd', queueId: 'nope' });
    expect(unknownQueue.ok ? '' : unknownQueue.error.code).toBe('not-found');
  });

  it('active order and estimate', async () => {
    // Sequence A: the two most similar pairs are different; sequence B has no decision yet.
    await call(handlers, 'decide', { queueItemId: 1, verdict: 'different', reviewer: 'ann' });
    await call(handlers, 'decide', { queueItemId: 2, verdict: 'same', reviewer: 'ann' });

    const similarity = await call(handlers, 'getQueueItems', { queueId: 'q1' });
    expect(similarity.items.map((item) => item.position)).toEqual([0, 1, 2, 3, 4]);
    expect(similarity.estimates).toBeUndefined();

    const active = await call(handlers, 'getQueueItems', { queueId: 'q1', order: 'active', limit: 3 });
    expect(active.total).toBe(5);
    // Undecided first. The curve is one flat block (1 same in 2) and slice factors are 1, so similarity breaks the tie.
    expect(active.items.map((item) => item.position)).toEqual([2, 3, 4]);
    expect(active.estimates).toHaveLength(3);

    const estimate = await call(handlers, 'getReviewEstimate', { queueId: 'q1', threshold: 0.5, maxExpectedRemaining: 0.1, window: 5 });
    expect(estimate.threshold).toBe(0.5);
    expect(estimate.curve.map((block) => [block.minSimilarity, block.maxSimilarity, block.decided, block.same])).toEqual([[0.85, 0.9, 2, 1]]);
    expect(estimate.slices.map((slice) => [slice.field, slice.value, slice.itemsAbove, slice.undecidedAbove])).toEqual([
      ['sequence', 'A', 3, 1],
      ['sequence', 'B', 2, 2],
      ['weather', 'rain', 2, 1],
      ['weather', 'sunny', 3, 2],
    ]);
    expect(estimate.stopping.undecidedAbove).toBe(3);
    expect(estimate.stopping.stop).toBe(false);
  });
});
