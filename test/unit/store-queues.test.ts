import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { openStore, type QueueItemInput, type Store } from '../../src/store/index.js';

function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2025, 2, 1, 10, 0, tick++));
}

function errorOf(action: () => unknown): ApronError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApronError) return error;
    throw error;
  }
  throw new Error('expected an ApronError, but nothing was thrown');
}

/** Item i pairs s<i> with s<i+10>, similarity 0.9 - 0.01 i, rank 1 + i % 3. */
function makeItems(count: number): QueueItemInput[] {
  return Array.from({ length: count }, (_, i) => ({
    sampleA: `s${i}`,
    sampleB: `s${i + 10}`,
    evidence: {
      similarity: 0.9 - 0.01 * i,
      rank: 1 + (i % 3),
      timeGapSeconds: i % 2 === 0 ? 60 * i : null,
      sameSequence: i % 2 === 0,
      distanceMetres: i === 0 ? 2.5 : null,
      headingDifferenceDegrees: i === 0 ? 170 : null,
    },
  }));
}

describe('store queues', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
    store.addDataset({ datasetId: 'd', name: 'D', manifestPath: '/m.json', root: '/', sampleCount: 40 });
    store.addEmbeddingVersion({ embeddingVersionId: 'emb-1', datasetId: 'd', vectorsPath: '/v', dimension: 4, count: 40 });
  });

  afterEach(() => {
    store.close();
  });

  it('create returns the summary', () => {
    const queue = store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', params: { k: 10 }, items: makeItems(25) });
    expect(queue).toEqual({
      queueId: 'q1',
      datasetId: 'd',
      embeddingVersionId: 'emb-1',
      kind: 'false-negative',
      createdAt: '2025-03-01T10:00:02.000Z',
      size: 25,
      decided: 0,
      params: { k: 10 },
    });
    expect(store.listQueues('d').map((q) => q.queueId)).toEqual(['q1']);
    expect(store.listQueues('other')).toEqual([]);
  });

  it('pages in position order', () => {
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(25) });
    const first = store.getQueueItems('q1', 0, 10);
    const last = store.getQueueItems('q1', 20, 10);
    const beyond = store.getQueueItems('q1', 30, 10);

    expect(first.total).toBe(25);
    expect(first.items.map((item) => item.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(last.items.map((item) => item.sampleA)).toEqual(['s20', 's21', 's22', 's23', 's24']);
    expect(beyond.items).toEqual([]);
    expect(first.items[0]).toEqual({
      queueItemId: 1,
      queueId: 'q1',
      datasetId: 'd',
      embeddingVersionId: 'emb-1',
      position: 0,
      sampleA: 's0',
      sampleB: 's10',
      evidence: { similarity: 0.9, rank: 1, timeGapSeconds: 0, sameSequence: true, distanceMetres: 2.5, headingDifferenceDegrees: 170 },
      decision: null,
    });
    expect(first.items[1]?.evidence).toEqual({
      similarity: 0.89,
      rank: 2,
      timeGapSeconds: null,
      sameSequence: false,
      distanceMetres: null,
      headingDifferenceDegrees: null,
    });
  });

  it('item lookup by position and id', () => {
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(3) });
    expect(store.getQueueItemAt('q1', 2).sampleB).toBe('s12');
    expect(store.getQueueItem(2).position).toBe(1);
    expect(store.countQueueItems('q1')).toBe(3);

    const outOfRange = errorOf(() => store.getQueueItemAt('q1', 3));
    expect(outOfRange.code).toBe('not-found');
    expect(outOfRange.message).toBe('Queue "q1" has no item at position 3 (pair 4).');
    expect(outOfRange.hint).toBe('Positions run from 0 to 2 (pairs 1 to 3).');
    expect(errorOf(() => store.getQueueItemAt('nope', 0)).message).toBe('Queue "nope" is not in the store.');
    expect(errorOf(() => store.getQueueItem(99)).message).toBe('Queue item 99 is not in the store.');
    expect(errorOf(() => store.countQueueItems('nope')).code).toBe('not-found');
  });

  it('decided count follows decisions and undo', () => {
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(5) });
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(3, { verdict: 'unsure', reviewer: 'ann' });
    store.recordItemDecision(3, { verdict: 'different', reviewer: 'bob' });
    expect(store.getQueue('q1').decided).toBe(2);
    expect(store.countDecidedItems('q1')).toBe(2);

    store.undoLatestDecision('q1', 'ann');
    expect(store.countDecidedItems('q1')).toBe(2);
    store.undoLatestDecision('q1', 'ann');
    expect(store.countDecidedItems('q1')).toBe(1);
    expect(store.getQueueItemAt('q1', 2).decision?.verdict).toBe('different');
  });

  it('decision on a pair shows in another queue', () => {
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(2) });
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    const reversed = { ...makeItems(1)[0]!, sampleA: 's10', sampleB: 's0' };
    store.createQueue({ queueId: 'q2', datasetId: 'd', embeddingVersionId: 'emb-1', items: [reversed] });

    const item = store.getQueueItemAt('q2', 0);
    expect(item.decision?.decisionId).toBe(1);
    expect(item.decision?.queueId).toBe('q1');
    expect(store.getQueue('q2').decided).toBe(1);
  });

  it('existing id is a conflict unless replaced', () => {
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(3) });
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'ann' });

    const error = errorOf(() => store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(1) }));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('Queue "q1" already exists.');

    const replaced = store.createQueue(
      { queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(4).slice(1) },
      { replace: true },
    );
    expect(replaced.size).toBe(3);
    expect(replaced.decided).toBe(1);
    const items = store.getQueueItems('q1', 0, 10).items;
    // AUTOINCREMENT: the three old items had ids 1..3, so the new ones start at 4.
    expect(items.map((item) => item.queueItemId)).toEqual([4, 5, 6]);
    expect(items[0]?.decision?.verdict).toBe('same');
    expect(items[0]?.decision?.queueItemId).toBeNull();
    expect(items[0]?.decision?.queueId).toBe('q1');
    expect(store.listDecisionHistory('d')).toHaveLength(1);
  });

  it('replace across datasets is a conflict', () => {
    store.addDataset({ datasetId: 'e', name: 'E', manifestPath: '/e.json', root: '/', sampleCount: 1 });
    store.addEmbeddingVersion({ embeddingVersionId: 'emb-e', datasetId: 'e', vectorsPath: '/v', dimension: 4, count: 1 });
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: [] });
    const error = errorOf(() => store.createQueue({ queueId: 'q1', datasetId: 'e', embeddingVersionId: 'emb-e', items: [] }, { replace: true }));
    expect(error.message).toBe('Queue "q1" belongs to dataset "d" and cannot be replaced by a queue of "e".');
  });

  it('invalid input is rejected before writing', () => {
    const bad = makeItems(3);
    bad[2] = { ...bad[2]!, sampleB: 's2' };
    expect(errorOf(() => store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: bad })).message).toBe(
      'Queue item at position 2 (s2, s2) pairs a sample with itself.',
    );
    const badRank = makeItems(1);
    badRank[0] = { ...badRank[0]!, evidence: { ...badRank[0]!.evidence, rank: 0 } };
    expect(errorOf(() => store.createQueue({ datasetId: 'd', embeddingVersionId: 'emb-1', items: badRank })).message).toBe(
      'Queue item at position 0 (s0, s10): rank 0 is not an integer of at least 1.',
    );
    expect(errorOf(() => store.createQueue({ datasetId: 'd', embeddingVersionId: 'ghost', items: [] })).code).toBe('not-found');
    expect(store.listQueues()).toEqual([]);
  });

  it('embedding version of another dataset is rejected', () => {
    store.addDataset({ datasetId: 'e', name: 'E', manifestPath: '/e.json', root: '/', sampleCount: 1 });
    const error = errorOf(() => store.createQueue({ datasetId: 'e', embeddingVersionId: 'emb-1', items: [] }));
    expect(error.message).toBe('Embedding version "emb-1" belongs to dataset "d", not "e".');
  });

  it('invalid page is rejected', () => {
    store.createQueue({ queueId: 'q1', datasetId: 'd', embeddingVersionId: 'emb-1', items: makeItems(1) });
    expect(errorOf(() => store.getQueueItems('q1', -1, 10)).message).toBe('Invalid page: offset -1, limit 10.');
    expect(errorOf(() => store.getQueueItems('q1', 0, 0)).code).toBe('invalid-input');
  });
});
