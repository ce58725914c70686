// The recall matrix and the failure grid on the hand-made angle case of retrieval-fixture.ts,
// through the API handlers, with the expected ranks worked out by hand in each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { createApiHandlers, type ApiHandlers } from '../../src/api/handlers.js';
import type { RecallCell, RecallMatrix } from '../../src/retrieval/api-types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { addAngleDataset, cosDegrees } from './retrieval-fixture.js';

function cellOf(matrix: RecallMatrix, query: string, database: string): RecallCell {
  const cell = matrix.cells.find((entry) => entry.queryCondition === query && entry.databaseCondition === database);
  if (cell === undefined) throw new Error(`no cell ${query} -> ${database}`);
  return cell;
}

function recallOf(cell: RecallCell): Array<number | null> {
  return cell.recall.map((entry) => entry.recall);
}

describe('retrieval recall matrix', () => {
  let dir: string;
  let store: Store;
  let handlers: ApiHandlers;
  const placeRule = { kind: 'place' } as const;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-retrieval-'));
    store = openStore(':memory:');
    addAngleDataset(store, dir);
    handlers = createApiHandlers(store, { manifests: new ManifestCache() });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches the hand-computed recall', async () => {
    const matrix = await handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule });

    expect(matrix.conditionField).toBe('weather');
    expect(matrix.embeddingVersionId).toBe('emb-angles');
    expect(matrix.conditions).toEqual(['sunny', 'rain']);
    expect(matrix.cells).toHaveLength(4);

    // Rain queries against sunny. r1 (10°) ranks s1 first. r2 (100°) ranks s3 (20° away) before s2
    // (40° away), so its match has rank 2. r3 (170°) ranks s3 first. r4 (place P4) has no sunny partner.
    const rainToSunny = cellOf(matrix, 'rain', 'sunny');
    expect(rainToSunny.queriesWithMatch).toBe(3);
    expect(rainToSunny.queriesWithoutMatch).toBe(1);
    expect(rainToSunny.databaseSize).toBe(3);
    expect(rainToSunny.recall.map((entry) => entry.hits)).toEqual([2, 3, 3]);
    expect(recallOf(rainToSunny)).toEqual([2 / 3, 1, 1]);

    // Sunny queries against rain. s1 ranks r1 first. s2 (60°) ranks r4 (35°) before r2 (100°), and
    // s3 (120°) ranks r2 (100°) before r3 (170°).
    const sunnyToRain = cellOf(matrix, 'sunny', 'rain');
    expect(sunnyToRain.queriesWithMatch).toBe(3);
    expect(sunnyToRain.queriesWithoutMatch).toBe(0);
    expect(recallOf(sunnyToRain)).toEqual([1 / 3, 1, 1]);

    // Within one condition every place occurs once, so no query has a true match.
    for (const condition of ['sunny', 'rain']) {
      const cell = cellOf(matrix, condition, condition);
      expect(cell.queriesWithMatch).toBe(0);
      expect(recallOf(cell)).toEqual([null, null, null]);
    }
  });

  it('counts a same decision from the failure grid', async () => {
    const before = cellOf(await handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule }), 'rain', 'sunny');
    expect(before.recall[0]!.hits).toBe(2);

    // The rule makes r2's first result s3 a different place, and the reviewer decides it is the same.
    const decision = await handlers.markRetrievedSame({ datasetId: 'angles', sampleA: 'r2', sampleB: 's3', reviewer: 'ana' });
    expect(decision.verdict).toBe('same');
    expect(decision.sampleA).toBe('r2');

    const after = cellOf(await handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule }), 'rain', 'sunny');
    expect(after.queriesWithMatch).toBe(3);
    expect(after.recall[0]!.hits).toBe(3);
    expect(after.recall[0]!.recall).toBe(1);
  });

  it('gives a query without match its first one', async () => {
    // r4 (35°) had no sunny partner; its first result is s2 (60°, 25° away) before s1 (35° away).
    await handlers.markRetrievedSame({ datasetId: 'angles', sampleA: 'r4', sampleB: 's2', reviewer: 'ana' });
    const matrix = await handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule });
    const cell = cellOf(matrix, 'rain', 'sunny');
    expect(cell.queriesWithMatch).toBe(4);
    expect(cell.queriesWithoutMatch).toBe(0);
    expect(cell.recall[0]!.hits).toBe(3);
    expect(matrix.decidedSame).toBe(1);

    // Transitively r4 ~ s2 and s2 ~ r2 (a second decision) make r4 ~ r2 inside the rain condition.
    await handlers.markRetrievedSame({ datasetId: 'angles', sampleA: 's2', sampleB: 'r2', reviewer: 'ana' });
    const rainToRain = cellOf(await handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule }), 'rain', 'rain');
    expect(rainToRain.queriesWithMatch).toBe(2);
  });

  it('lets a different decision override the rule', async () => {
    store.recordDecision({ datasetId: 'angles', sampleA: 'r1', sampleB: 's1', verdict: 'different', reviewer: 'ana' });
    const matrix = await handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule });
    const cell = cellOf(matrix, 'rain', 'sunny');
    expect(cell.queriesWithMatch).toBe(2);
    expect(cell.queriesWithoutMatch).toBe(2);
    // r2 is at rank 2 and r3 at rank 1.
    expect(cell.recall[0]!.hits).toBe(1);
    expect(matrix.decidedDifferent).toBe(1);
  });

  it('excludes neighbour frames of the same sequence', async () => {
    // Under a 60 m pose rule nothing has a pose, so truth comes from decisions only: r1 ~ r2 (1 s apart).
    await handlers.markRetrievedSame({ datasetId: 'angles', sampleA: 'r1', sampleB: 'r2', reviewer: 'ana' });
    const poseRule = { kind: 'pose', radiusMetres: 60 } as const;
    const open = cellOf(await handlers.getRecallMatrix({ datasetId: 'angles', rule: poseRule }), 'rain', 'rain');
    expect(open.queriesWithMatch).toBe(2);

    const excluded = await handlers.getRecallMatrix({ datasetId: 'angles', rule: poseRule, excludeSameSequenceSeconds: 1 });
    expect(excluded.excludeSameSequenceSeconds).toBe(1);
    expect(cellOf(excluded, 'rain', 'rain').queriesWithMatch).toBe(0);
  });

  it('rejects an unknown condition field value', async () => {
    await expect(
      handlers.getRetrievalFailures({ datasetId: 'angles', rule: placeRule, queryCondition: 'snow', databaseCondition: 'sunny', offset: 0, limit: 10, k: 5 }),
    ).rejects.toThrow('No embedded sample has weather "snow"');
  });
});

describe('retrieval failure grid', () => {
  let dir: string;
  let store: Store;
  let handlers: ApiHandlers;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-retrieval-'));
    store = openStore(':memory:');
    addAngleDataset(store, dir);
    handlers = createApiHandlers(store, { manifests: new ManifestCache() });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const failures = (k: number, offset = 0, limit = 10) =>
    handlers.getRetrievalFailures({ datasetId: 'angles', rule: { kind: 'place' }, queryCondition: 'rain', databaseCondition: 'sunny', offset, limit, k });

  it('ranks the true match of each query', async () => {
    const page = await failures(5);
    expect(page.total).toBe(3);
    // r2 (true match at rank 2) first; r1 and r3 both at rank 1 with no margin, so by id.
    expect(page.failures.map((failure) => failure.querySampleId)).toEqual(['r2', 'r1', 'r3']);

    const r2 = page.failures[0]!;
    expect(r2.results.map((result) => result.sampleId)).toEqual(['s3', 's2', 's1']);
    expect(r2.results.map((result) => result.isTrueMatch)).toEqual([false, true, false]);
    expect(r2.results.map((result) => result.rank)).toEqual([1, 2, 3]);
    expect(r2.results[0]!.similarity).toBeCloseTo(cosDegrees(20), 6);
    expect(r2.trueMatch).toEqual({ sampleId: 's2', similarity: expect.closeTo(cosDegrees(40), 6), rank: 2 });
  });

  it('reports a true match beyond k', async () => {
    const page = await failures(1);
    const r2 = page.failures[0]!;
    expect(r2.querySampleId).toBe('r2');
    expect(r2.results).toHaveLength(1);
    expect(r2.trueMatch?.rank).toBeNull();
    expect(page.failures[1]!.trueMatch?.rank).toBe(1);
  });

  it('pages the sorted queries', async () => {
    const page = await failures(5, 1, 1);
    expect(page.total).toBe(3);
    expect(page.failures.map((failure) => failure.querySampleId)).toEqual(['r1']);
  });
});
