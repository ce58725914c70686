import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS, openStore, type Store } from '../../src/store/index.js';

function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2025, 2, 1, 10, 0, tick++));
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

describe('store audit log', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
    seed(store);
  });

  afterEach(() => {
    store.close();
  });

  it('logs decisions and undo with previous values', () => {
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann', note: 'same stand' });
    store.recordItemDecision(1, { verdict: 'different', reviewer: 'ann' });
    store.undoLatestDecision('q1', 'ann');

    const page = store.listAuditLog({ datasetId: 'd' });
    expect(page.total).toBe(3);
    // Newest first. Times are the decision's and the undo's own: the clock ticked 3 times while seeding.
    expect(page.entries.map((entry) => [entry.action, entry.decisionId, entry.actor, entry.verdictBefore, entry.verdictAfter, entry.changedAt])).toEqual([
      ['undo', 2, 'ann', 'different', 'same', '2025-03-01T10:00:05.000Z'],
      ['decide', 2, 'ann', 'same', 'different', '2025-03-01T10:00:04.000Z'],
      ['decide', 1, 'ann', null, 'same', '2025-03-01T10:00:03.000Z'],
    ]);
    expect(page.entries[2]).toEqual({
      auditId: 1,
      datasetId: 'd',
      decisionId: 1,
      action: 'decide',
      actor: 'ann',
      role: 'reviewer',
      sampleA: 'a',
      sampleB: 'b',
      queueId: 'q1',
      verdictBefore: null,
      verdictAfter: 'same',
      note: 'same stand',
      changedAt: '2025-03-01T10:00:03.000Z',
      backfilled: false,
    });

    // The undone decision stays in the history as well as in the log.
    expect(store.listDecisionHistory('d').map((decision) => [decision.decisionId, decision.undoneBy])).toEqual([
      [1, null],
      [2, 'ann'],
    ]);
  });

  it('previous value is per reviewer', () => {
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'different', reviewer: 'bob' });
    const entries = store.listAuditLog({ datasetId: 'd' }).entries;
    expect(entries.map((entry) => [entry.actor, entry.verdictBefore, entry.verdictAfter])).toEqual([
      ['bob', null, 'different'],
      ['ann', null, 'same'],
    ]);
  });

  it('filters by queue, reviewer and pair', () => {
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'bob' });
    store.recordDecision({ datasetId: 'd', sampleA: 'z', sampleB: 'y', verdict: 'different', reviewer: 'ann' });

    expect(store.listAuditLog({ datasetId: 'd', reviewer: ' ann ' }).entries.map((entry) => entry.decisionId)).toEqual([3, 1]);
    expect(store.listAuditLog({ datasetId: 'd', queueId: 'q1' }).total).toBe(2);
    expect(store.listAuditLog({ datasetId: 'd', pair: { sampleA: 'b', sampleB: 'a' } }).entries.map((entry) => entry.decisionId)).toEqual([1]);
    expect(store.listAuditLog({ datasetId: 'other' }).total).toBe(0);
  });

  it('pages newest first', () => {
    for (let i = 0; i < 5; i++) store.recordItemDecision(3, { verdict: i % 2 === 0 ? 'same' : 'unsure', reviewer: 'ann' });
    const page = store.listAuditLog({ datasetId: 'd', offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.entries.map((entry) => entry.decisionId)).toEqual([4, 3]);
    expect(() => store.listAuditLog({ datasetId: 'd', limit: 0 })).toThrow('Invalid audit log page: offset 0, limit 0.');
  });

  it('a failed decision leaves no log entry', () => {
    expect(() => store.recordDecision({ datasetId: 'd', sampleA: 'a', sampleB: 'b', verdict: 'same', reviewer: 'ann', queueId: 'missing' })).toThrow(
      /not in the store/,
    );
    expect(store.listAuditLog({ datasetId: 'd' }).total).toBe(0);
  });
});

describe('store adjudication', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
    seed(store);
  });

  afterEach(() => {
    store.close();
  });

  it('unresolved disagreement is masked as same', () => {
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'different', reviewer: 'bob' });
    expect(store.listDecisionPairs('d', 'same')).toEqual([{ a: 'c', b: 'd' }]);
    expect(store.listDecisionPairs('d', 'different')).toEqual([]);
  });

  it('different against unsure is unsure', () => {
    store.recordItemDecision(3, { verdict: 'different', reviewer: 'ann' });
    store.recordItemDecision(3, { verdict: 'unsure', reviewer: 'bob' });
    expect(store.listDecisionPairs('d', 'different')).toEqual([]);
    expect(store.listDecisionPairs('d', 'unsure')).toEqual([{ a: 'e', b: 'f' }]);
  });

  it('adjudicator verdict resolves the pair', () => {
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(2, { verdict: 'different', reviewer: 'bob' });
    store.recordDecision({ datasetId: 'd', sampleA: 'd', sampleB: 'c', verdict: 'different', reviewer: 'judge', role: 'adjudicator', queueId: 'q1' });

    expect(store.listDecisionPairs('d', 'same')).toEqual([]);
    expect(store.listDecisionPairs('d', 'different')).toEqual([{ a: 'c', b: 'd' }]);
    // A later reviewer verdict does not override the adjudication.
    store.recordItemDecision(2, { verdict: 'same', reviewer: 'bob' });
    expect(store.listDecisionPairs('d', 'different')).toEqual([{ a: 'c', b: 'd' }]);

    const entry = store.listAuditLog({ datasetId: 'd', reviewer: 'judge' }).entries[0];
    expect([entry?.role, entry?.verdictBefore, entry?.verdictAfter]).toEqual(['adjudicator', null, 'different']);

    // Undoing the adjudication brings the reviewers' verdicts back, now both same.
    expect(store.undoLatestDecision('q1', 'judge')?.reviewer).toBe('judge');
    expect(store.listDecisionPairs('d', 'same')).toEqual([{ a: 'c', b: 'd' }]);
  });

  it('active decisions of a queue', () => {
    store.recordItemDecision(1, { verdict: 'same', reviewer: 'ann' });
    store.recordDecision({ datasetId: 'd', sampleA: 'x', sampleB: 'y', verdict: 'same', reviewer: 'ann' });
    store.recordItemDecision(3, { verdict: 'same', reviewer: 'ann' });
    store.undoLatestDecision('q1', 'ann');

    expect(store.listActiveDecisions('d').map((decision) => decision.decisionId)).toEqual([1, 2]);
    expect(store.listActiveDecisions('d', 'q1').map((decision) => [decision.decisionId, decision.role])).toEqual([[1, 'reviewer']]);
    expect(() => store.listActiveDecisions('d', 'nope')).toThrow('Queue "nope" is not in the store.');
  });
});

describe('store audit backfill', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-audit-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('migration 3 logs existing decisions', () => {
    const path = join(dir, 'apron.db');
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    applyMigrations(db, MIGRATIONS.slice(0, 2), path);
    db.prepare("INSERT INTO datasets VALUES ('d', 'D', NULL, '/m.json', '/', 3, '2025-01-01T00:00:00.000Z')").run();
    const insert = db.prepare(
      `INSERT INTO decisions (dataset_id, sample_a, sample_b, verdict, reviewer, decided_at, undone_at, undone_by)
       VALUES ('d', 'a', 'b', ?, ?, ?, ?, ?)`,
    );
    insert.run('same', 'ann', '2025-01-01T10:00:00.000Z', null, null);
    insert.run('different', 'ann', '2025-01-01T10:01:00.000Z', '2025-01-01T10:03:00.000Z', 'ann');
    insert.run('unsure', 'bob', '2025-01-01T10:02:00.000Z', null, null);
    db.close();

    const store = openStore(path);
    try {
      expect(store.schemaVersion).toBe(3);
      const entries = store.listAuditLog({ datasetId: 'd' }).entries.reverse();
      expect(entries.map((entry) => [entry.action, entry.decisionId, entry.actor, entry.verdictBefore, entry.verdictAfter, entry.changedAt, entry.backfilled])).toEqual([
        ['decide', 1, 'ann', null, 'same', '2025-01-01T10:00:00.000Z', true],
        ['decide', 2, 'ann', 'same', 'different', '2025-01-01T10:01:00.000Z', true],
        ['decide', 3, 'bob', null, 'unsure', '2025-01-01T10:02:00.000Z', true],
        ['undo', 2, 'ann', 'different', 'same', '2025-01-01T10:03:00.000Z', true],
      ]);
      // Old decisions read back as reviewer verdicts; ann (same) and bob (unsure) disagree, so the pair is masked.
      expect(store.listActiveDecisions('d').map((decision) => decision.role)).toEqual(['reviewer', 'reviewer']);
      expect(store.listDecisionPairs('d', 'same')).toEqual([{ a: 'a', b: 'b' }]);
    } finally {
      store.close();
    }
  });
});
