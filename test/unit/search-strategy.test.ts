import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { maskRulesSchema } from '../../src/mask/rules.js';
import { mineFalseNegatives, type Suspect } from '../../src/mine/false-negatives.js';
import { buildNeighbourTable } from '../../src/retrieval/neighbour-table.js';
import { describeVersionSearch, openVectorSearch } from '../../src/search/embedding-index.js';
import { HnswIndex, hnswPathFor, readHnswSidecar } from '../../src/search/hnsw.js';
import { chooseSearchKind, describeSearch, resolveExactMaxRows, resolveSearchMode } from '../../src/search/strategy.js';
import { exactSearch } from '../../src/search/vector-search.js';
import { syntheticDrives } from './search-strategy-fixture.js';

const folder = mkdtempSync(join(tmpdir(), 'apron-search-strategy-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** 600 samples: 30 sequences of 20 frames on 6 routes of 10 places, 4 frames per place. */
const drives = syntheticDrives({ sequences: 30, framesPerSequence: 20, routes: 6, placesPerRoute: 10, framesPerPlace: 4, dimension: 16, noise: 0.15, seed: 7 });
const { samples, vectors, dimension } = drives;
const maskRules = maskRulesSchema.parse({});
const positives = { kind: 'temporal', windowSeconds: 2 } as const;
/** Candidate lists this long make HNSW exhaustive on 600 rows, so its results must equal exact search. */
const exhaustive = { m: 16, efConstruction: 400, efSearch: 600 };

/** Suspects as sorted `a-b@rank` keys, so lists that differ only in order compare equal. */
function suspectKeys(suspects: Suspect[]): string[] {
  return suspects.map((s) => `${s.sampleA}-${s.sampleB}@${s.evidence.rank}`).sort();
}

describe('chooseSearchKind', () => {
  it('auto picks by the row threshold', () => {
    expect(chooseSearchKind(20_000, 128, 'auto', 20_000)).toBe('exact');
    expect(chooseSearchKind(20_001, 128, 'auto', 20_000)).toBe('approximate');
  });

  it('auto without threshold uses the N^2 x D budget', () => {
    expect(chooseSearchKind(10_000, 128, 'auto')).toBe('exact');
    expect(chooseSearchKind(12_000, 128, 'auto')).toBe('approximate');
    expect(chooseSearchKind(20_000, 32, 'auto')).toBe('exact');
  });

  it('explicit modes ignore size', () => {
    expect(chooseSearchKind(10, 8, 'approximate')).toBe('approximate');
    expect(chooseSearchKind(1_000_000, 128, 'exact')).toBe('exact');
  });

  it('reads mode and threshold from the environment', () => {
    expect(resolveSearchMode(undefined, {})).toBe('auto');
    expect(resolveSearchMode(undefined, { APRON_SEARCH: 'approximate' })).toBe('approximate');
    expect(resolveSearchMode('exact', { APRON_SEARCH: 'approximate' })).toBe('exact');
    expect(resolveExactMaxRows(undefined, { APRON_EXACT_MAX_ROWS: '500' })).toBe(500);
    expect(resolveExactMaxRows(undefined, {})).toBeUndefined();
  });

  it('rejects an invalid mode or threshold', () => {
    expect(() => resolveSearchMode(undefined, { APRON_SEARCH: 'fast' })).toThrow(ApronError);
    expect(() => resolveExactMaxRows(undefined, { APRON_EXACT_MAX_ROWS: 'many' })).toThrow(/non-negative integer/);
  });
});

describe('openVectorSearch without a file', () => {
  it('opens exact search below the threshold', () => {
    const search = openVectorSearch(null, vectors, dimension, { mode: 'auto', exactMaxRows: 1000 });
    expect(search.info.kind).toBe('exact');
    expect(search.hnsw).toBeUndefined();
  });

  it('opens HNSW above the threshold, with measured recall', () => {
    const search = openVectorSearch(null, vectors, dimension, { mode: 'auto', exactMaxRows: 100, parameters: exhaustive });
    expect(search.info.kind).toBe('approximate');
    expect(search.info.recallQueries).toBe(500);
    expect(search.info.recallAt10).toBe(1);
    expect(describeSearch(search.info)).toBe('approximate index (HNSW) over 600 rows, recall@10 1.000 against exact search on 500 queries');
  });
});

describe('approximate search on a small set', () => {
  const approximate = openVectorSearch(null, vectors, dimension, { mode: 'approximate', parameters: exhaustive });
  const exact = exactSearch(vectors, dimension);

  it('mining finds the same suspects', () => {
    const options = { samples, vectors, dimension, maskRules, positives, perSample: 10 };
    const expected = mineFalseNegatives(options);
    const actual = mineFalseNegatives({ ...options, search: approximate });
    expect(expected.length).toBeGreaterThan(1000);
    // hnswlib scores in float32, so near-equal similarities may swap places in the ranked list.
    expect(suspectKeys(actual)).toEqual(suspectKeys(expected));
    const similarityOf = new Map(expected.map((s) => [`${s.sampleA}-${s.sampleB}`, s.evidence.similarity]));
    for (const suspect of actual) expect(Math.abs(suspect.evidence.similarity - similarityOf.get(`${suspect.sampleA}-${suspect.sampleB}`)!)).toBeLessThan(1e-5);
  });

  it('filtered topKAll equals exact top 10', () => {
    // Odd rows only, so that for every row half of its nearest rows are filtered out.
    const filter = (i: number, j: number): boolean => j % 2 === 1 && Math.abs(i - j) > 3;
    const expected = exact.topKAll(10, { filter });
    const actual = approximate.topKAll(10, { filter });
    for (let row = 0; row < samples.length; row++) {
      expect(actual.neighboursOf(row).map((n) => n.index)).toEqual(expected.neighboursOf(row).map((n) => n.index));
    }
  });

  it('neighbour table equals exact per condition', () => {
    // Condition 0 is sequences 0-4 (100 rows) and condition 1 the other 499 rows; row 5 is neither
    // query nor database sample. With efSearch 400, 100^2 <= 400 x 600 makes condition 0 a plain
    // scan, and 499^2 > 400 x 600 sends condition 1 through the filtered HNSW search.
    const conditionOf = new Int32Array(samples.length).fill(1);
    conditionOf.fill(0, 0, 100);
    conditionOf[5] = -1;
    const input = { vectors, dimension, conditionOf, conditionCount: 2, k: 10, exclude: (i: number, j: number) => Math.floor(i / 20) === Math.floor(j / 20) };
    const index = HnswIndex.build(vectors, dimension, { m: 16, efConstruction: 400, efSearch: 400 });
    const expected = buildNeighbourTable(input);
    const actual = buildNeighbourTable({ ...input, approximate: index });
    for (let row = 0; row < samples.length; row++) {
      for (let condition = 0; condition < 2; condition++) {
        const indices = actual.neighboursOf(row, condition).map((n) => n.index);
        expect(indices).toEqual(expected.neighboursOf(row, condition).map((n) => n.index));
      }
    }
    expect(actual.neighboursOf(5, 0)).toEqual([]);
  });
});

describe('saved HNSW index', () => {
  const vectorsPath = join(folder, 'emb-a.f32');

  it('is built once and reused', () => {
    const first = openVectorSearch(vectorsPath, vectors, dimension, { mode: 'approximate' });
    const sidecar = readHnswSidecar(hnswPathFor(vectorsPath));
    expect(sidecar.count).toBe(600);
    expect(sidecar.build?.recall?.queryRows).toHaveLength(500);
    expect(sidecar.build?.buildMs).toBeGreaterThan(0);

    const second = openVectorSearch(vectorsPath, vectors, dimension, { mode: 'approximate' });
    expect(second.info.builtAt).toBe(first.info.builtAt);
    expect(readFileSync(hnswPathFor(vectorsPath) + '.json', 'utf8')).toBe(JSON.stringify(sidecar, null, 2));
  });

  it('is rebuilt when build parameters differ', async () => {
    const before = readHnswSidecar(hnswPathFor(vectorsPath)).build!.builtAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rebuilt = openVectorSearch(vectorsPath, vectors, dimension, { mode: 'approximate', parameters: { m: 8 } });
    expect(rebuilt.info.parameters?.m).toBe(8);
    expect(rebuilt.info.builtAt).not.toBe(before);
    expect(readHnswSidecar(hnswPathFor(vectorsPath)).parameters.m).toBe(8);
  });

  it('is described without building', () => {
    const info = describeVersionSearch(vectorsPath, 600, dimension);
    // 600 rows fit the exact budget, so 'auto' describes exact search whatever is saved.
    expect(info.kind).toBe('exact');
    const previous = process.env.APRON_SEARCH;
    process.env.APRON_SEARCH = 'approximate';
    try {
      const approximate = describeVersionSearch(vectorsPath, 600, dimension);
      expect(approximate.kind).toBe('approximate');
      expect(approximate.recallQueries).toBe(500);
      expect(approximate.recallAt10).toBeGreaterThan(0.9);
      expect(describeVersionSearch(join(folder, 'never-built.f32'), 600, dimension).recallAt10).toBeUndefined();
    } finally {
      if (previous === undefined) delete process.env.APRON_SEARCH;
      else process.env.APRON_SEARCH = previous;
    }
  });
});

describe('sidecar recall', () => {
  it('drops with a starved graph', () => {
    // M 2 and efSearch 1 make a sparse graph searched greedily, which misses most true neighbours.
    const starved = openVectorSearch(null, vectors, dimension, { mode: 'approximate', parameters: { m: 2, efConstruction: 2, efSearch: 1 } });
    const healthy = openVectorSearch(null, vectors, dimension, { mode: 'approximate' });
    expect(starved.info.recallAt10).toBeLessThan(0.9);
    expect(healthy.info.recallAt10).toBeGreaterThan(0.95);
  });

  it('matches a recount against exact search', () => {
    const index = HnswIndex.build(vectors, dimension, { m: 2, efConstruction: 2, efSearch: 1 });
    const exact = exactSearch(vectors, dimension);
    let hits = 0;
    for (let row = 0; row < 600; row++) {
      const query = vectors.subarray(row * dimension, (row + 1) * dimension);
      const truth = exact.search(query, 11).filter((n) => n.index !== row).slice(0, 10);
      const found = new Set(index.search(query, 11).filter((n) => n.index !== row).slice(0, 10).map((n) => n.index));
      hits += truth.filter((n) => found.has(n.index)).length;
    }
    const search = openVectorSearch(null, vectors, dimension, { mode: 'approximate', recallQueries: 600, parameters: { m: 2, efConstruction: 2, efSearch: 1 } });
    expect(search.info.recallAt10).toBeCloseTo(hits / 6000, 10);
  });
});
