import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { canonicalPair, compareSampleIds, openStore, type Store } from '../../src/store/index.js';

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

/** Dataset `d`, embedding `emb-1`, and queue `q1` of three items: (b,a), (c,d), (e,f). */
function seed(store: Store): void {
  store.addDataset({ datasetId: 'd', name: 'D', manifestPath: '/m.json', root: '/', sampleCount: 6 });
  store.addEmbeddingVersion({ embeddingVersionId: 'emb-1', datasetId: 'd', vectorsPath: '/v', dimension: 4, count: 6 });
  const evidence = { similarity: 0.8, rank: 1, timeGapSeconds: null, sameSequence: false, distanceMetres: null, headingDifferenceDegrees: null };
  store.createQueue({
    queueId: 'q1',
    datasetId: 'd',
    embeddingVersionId: 'emb-1',
    items: [
      { sampleA: 'b', sampleB: 'a', evidence },
      { sampleA: 'c', sampleB: 'd', evidence },
      { sampleA: 'e', sampleB: 'f', evidence },
    ],
  });
}

describe('store decisions', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
    seed(store);
  });

  afterEach(() => {
    store.close();
  });

  it('item decision is stored in canonical order', () => {
    const decision = store.recordItemDecision(1, { verdict: 'same', reviewer: '  ann ', note: 'same stand, other day' });
    expect(decision).toEqual({
      decisionId: 1,
      datasetId: 'd',
      queueItemId: 1,
      sampleA: 'a',
      sampleB: 'b',
      verdict: 'same',
      reviewer: 'ann',
      note: 'same stand, other day',
      embeddingVersionId: 'emb-1',
      queueId: 'q1',
      decidedAt: '2025-03-01T10:00:03.000Z',
      undoneAt: null,
      undoneBy: null,
    });
    expect(store.getQueueItemAt('q1', 0).decision).toEqual(decision);
  });

  it('undo marks undone and the previous decision shows again', () => {
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(1, { verdict: 'different', reviewer: 'ann' });
    expect(store.getQueueItemAt('q1', 0).decision?.verdict).toBe('different');

    const undone = store.undoLatestDecision('q1', 'ann');
    expect(undone?.decisionId).toBe(2);
    expect(undone?.undoneAt).toBe('2025-03-01T10:00:05.000Z');
    expect(undone?.undoneBy).toBe('ann');
    expect(store.getQueueItemAt('q1', 0).decision?.decisionId).toBe(1);
    expect(store.getQueueItemAt('q1', 0).decision?.verdict).toBe('same');

    expect(store.undoLatestDecision('q1', 'ann')?.decisionId).toBe(1);
    expect(store.getQueueItemAt('q1', 0).decision).toBeNull();
    expect(store.undoLatestDecision('q1', 'ann')).toBeNull();

    // History keeps both, marked undone.
    expect(store.listDecisionHistory('d').map((d) => [d.decisionId, d.verdict, d.undoneBy])).toEqual([
      [1, 'same', 'ann'],
      [2, 'different', 'ann'],
    ]);
  });

  it('undo touches only the reviewer', () => {
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'different', reviewer: 'bob' });
    expect(store.undoLatestDecision('q1', 'ann')?.decisionId).toBe(1);
    expect(store.undoLatestDecision('q1', 'carol')).toBeNull();
    expect(store.getQueueItemAt('q1', 1).decision?.reviewer).toBe('bob');
  });

  it('undo of an unknown queue is not found', () => {
    expect(errorOf(() => store.undoLatestDecision('nope', 'ann')).message).toBe('Queue "nope" is not in the store.');
  });

  it('latest decision wins for training pairs', () => {
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(1, { verdict: 'different', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'different', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'bob' });
    store.recordItemDecision(3, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(3, { verdict: 'unsure', reviewer: 'ann' });

    expect(store.listDecisionPairs('d', 'same')).toEqual([{ a: 'c', b: 'd' }]);
    expect(store.listDecisionPairs('d', 'different')).toEqual([{ a: 'a', b: 'b' }]);
    expect(store.listDecisionPairs('d', 'unsure')).toEqual([{ a: 'e', b: 'f' }]);

    // Undoing the latest brings the earlier verdict back into the training lists.
    store.undoLatestDecision('q1', 'ann');
    expect(store.listDecisionPairs('d', 'same')).toEqual([
      { a: 'c', b: 'd' },
      { a: 'e', b: 'f' },
    ]);
    expect(store.listDecisionPairs('d', 'unsure')).toEqual([]);
  });

  it('decision outside a queue', () => {
    const decision = store.recordDecision({ datasetId: 'd', sampleA: 'z9', sampleB: 'z10', verdict: 'same', reviewer: 'cli' });
    expect([decision.sampleA, decision.sampleB, decision.queueId, decision.note]).toEqual(['z10', 'z9', null, null]);
    expect(store.listDecisionPairs('d', 'same')).toEqual([{ a: 'z10', b: 'z9' }]);
  });

  it('invalid decisions are rejected', () => {
    const base = { datasetId: 'd', sampleA: 'a', sampleB: 'b', verdict: 'same' as const, reviewer: 'ann' };
    expect(errorOf(() => store.recordDecision({ ...base, sampleB: 'a' })).message).toBe('A decision pairs two different samples, got "a" twice.');
    expect(errorOf(() => store.recordDecision({ ...base, reviewer: '   ' })).message).toBe('A reviewer name is required.');
    expect(errorOf(() => store.recordDecision({ ...base, verdict: 'maybe' as 'same' })).message).toBe(
      'Verdict "maybe" is not one of same, different, unsure.',
    );
    expect(errorOf(() => store.recordDecision({ ...base, datasetId: 'x' })).code).toBe('not-found');
    const unknownQueue = errorOf(() => store.recordDecision({ ...base, queueId: 'ghost' }));
    expect(unknownQueue.code).toBe('not-found');
    expect(unknownQueue.message).toContain('queue ghost');
    expect(errorOf(() => store.recordItemDecision(42, { verdict: 'same', reviewer: 'ann' })).message).toBe('Queue item 42 is not in the store.');
    expect(store.listDecisionHistory('d')).toEqual([]);
  });
});

describe('store decisions on disk', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-decisions-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('decisions survive close and reopen', () => {
    const path = join(dir, 'apron.db');
    const first = openStore(path, { now: steppingClock() });
    seed(first);
    first.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    first.recordItemDecision(2, { verdict: 'different', reviewer: 'ann' });
    first.undoLatestDecision('q1', 'ann');
    first.close();

    const second = openStore(path);
    expect(second.listDecisionPairs('d', 'same')).toEqual([{ a: 'a', b: 'b' }]);
    expect(second.listDecisionPairs('d', 'different')).toEqual([]);
    expect(second.listDecisionHistory('d').map((d) => [d.decisionId, d.undoneAt])).toEqual([
      [1, null],
      [2, '2025-03-01T10:00:05.000Z'],
    ]);
    expect(second.getQueue('q1').decided).toBe(1);
    second.close();
  });

  it('second connection sees a decision at once', () => {
    const path = join(dir, 'apron.db');
    const writer = openStore(path);
    seed(writer);
    const reader = openStore(path);
    writer.recordItemDecision(3, { verdict: 'same', reviewer: 'ann' });
    expect(reader.getQueueItemAt('q1', 2).decision?.verdict).toBe('same');
    reader.close();
    writer.close();
  });
});

describe('pair order', () => {
  it('follows UTF-8 byte order', () => {
    expect(canonicalPair('b', 'a')).toEqual({ a: 'a', b: 'b' });
    expect(canonicalPair('s10', 's9')).toEqual({ a: 's10', b: 's9' });
    // U+FF5E sorts before U+1F600 in UTF-8, but after it in UTF-16 code units (0xFF5E > 0xD83D).
    expect(compareSampleIds('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });

  it('agrees with Buffer.compare on mixed ids', () => {
    const ids = ['', 'a', 'ab', 'b', 'A', 'é', '\uff5e', '\ue000', '\ud7ff', '\u{1f600}', '\u{10000}', 'a\u{1f600}', 'a\uffff', 's10', 's9'];
    for (const left of ids) {
      for (const right of ids) {
        const expected = Math.sign(Buffer.compare(Buffer.from(left), Buffer.from(right)));
        expect(Math.sign(compareSampleIds(left, right)), `${left} vs ${right}`).toBe(expected);
      }
    }
  });

  it('matches SQLite for characters above U+FFFF', () => {
    const store = openStore(':memory:');
    seed(store);
    const decision = store.recordDecision({ datasetId: 'd', sampleA: '\u{1f600}', sampleB: '\uff5e', verdict: 'same', reviewer: 'ann' });
    expect([decision.sampleA, decision.sampleB]).toEqual(['\uff5e', '\u{1f600}']);
    store.close();
  });
});
