import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { ExactIndex, normaliseRows } from '../../src/search/exact.js';
import { chooseIndex, EXACT_ALL_PAIRS_BUDGET, HnswIndex, hnswPathFor, measureRecallAtK, openHnswForEmbedding } from '../../src/search/hnsw.js';

function randomUnitVectors(count: number, dimension: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const raw = new Float32Array(count * dimension);
  for (let i = 0; i < raw.length; i++) raw[i] = rng.next() - 0.5;
  return normaliseRows(raw, dimension);
}

const folder = mkdtempSync(join(tmpdir(), 'apron-hnsw-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('HnswIndex on a small set', () => {
  const count = 200;
  const dimension = 16;
  const vectors = randomUnitVectors(count, dimension, 11);
  const exact = new ExactIndex(vectors, dimension);
  const approx = HnswIndex.build(vectors, dimension, { m: 16, efConstruction: 400, efSearch: 400 });

  it('search matches exact search', () => {
    for (let row = 0; row < count; row += 7) {
      const query = vectors.subarray(row * dimension, (row + 1) * dimension);
      const expected = exact.search(query, 10);
      const actual = approx.search(query, 10);
      expect(actual.map((n) => n.index)).toEqual(expected.map((n) => n.index));
      for (let n = 0; n < expected.length; n++) expect(actual[n]!.score).toBeCloseTo(expected[n]!.score, 5);
    }
  });

  it('topKAll matches exact and excludes self', () => {
    const expected = exact.topKAll(10);
    const actual = approx.topKAll(10);
    expect(actual.k).toBe(10);
    expect(actual.rows).toBe(count);
    for (let row = 0; row < count; row++) {
      const indices = actual.neighboursOf(row).map((n) => n.index);
      expect(indices).not.toContain(row);
      expect(indices).toEqual(expected.neighboursOf(row).map((n) => n.index));
    }
  });

  it('recall against exact is 1', () => {
    const report = measureRecallAtK(exact, approx, 10, 50);
    expect(report.queries).toBe(50);
    expect(report.recall).toBe(1);
  });

  it('save and load keep answers and efSearch', () => {
    const path = join(folder, 'small.hnsw');
    approx.save(path);
    const loaded = HnswIndex.load(path);
    expect(loaded.count).toBe(count);
    expect(loaded.parameters.efSearch).toBe(400);
    const query = vectors.subarray(0, dimension);
    expect(loaded.search(query, 10)).toEqual(approx.search(query, 10));
  });
});

describe('HnswIndex.add', () => {
  it('finds points added later without a rebuild', () => {
    const dimension = 8;
    const first = randomUnitVectors(100, dimension, 21);
    const later = randomUnitVectors(300, dimension, 22);
    const index = HnswIndex.build(first, dimension, { efConstruction: 200, efSearch: 200 });

    // 300 more rows exceed the capacity of 100, so the graph must grow in place.
    index.add(later, 100);
    expect(index.count).toBe(400);

    for (let row = 0; row < 300; row += 13) {
      const query = later.subarray(row * dimension, (row + 1) * dimension);
      const best = index.search(query, 1)[0];
      expect(best?.index).toBe(100 + row);
      expect(best?.score).toBeCloseTo(1, 5);
    }

    const all = new Float32Array(400 * dimension);
    all.set(first, 0);
    all.set(later, first.length);
    expect(measureRecallAtK(new ExactIndex(all, dimension), index, 10, 100).recall).toBeGreaterThanOrEqual(0.99);
  });

  it('grows a loaded index', () => {
    const dimension = 8;
    const path = join(folder, 'grow.hnsw');
    HnswIndex.build(randomUnitVectors(20, dimension, 23), dimension).save(path);
    const loaded = HnswIndex.load(path);
    const later = randomUnitVectors(30, dimension, 24);

    loaded.add(later, 20);

    expect(loaded.count).toBe(50);
    expect(loaded.search(later.subarray(29 * dimension, 30 * dimension), 1)[0]?.index).toBe(49);
    expect(loaded.topKAll(3).rows).toBe(50);
  });

  it('rejects topKAll when labels leave a gap', () => {
    const dimension = 4;
    const index = HnswIndex.build(randomUnitVectors(5, dimension, 25), dimension);
    index.add(randomUnitVectors(1, dimension, 26), 10);
    expect(() => index.topKAll(2)).toThrow(/topKAll needs labels 0..5, but the index has label 10/);
  });

  it('rejects vectors that are not unit length in the ip space', () => {
    const index = HnswIndex.build(new Float32Array(0), 3);
    expect(() => index.add(new Float32Array([1, 1, 1]), 0)).toThrow(/L2 norm/);
    expect(() => index.add(new Float32Array([1, 0]), 0)).toThrow(ApronError);
  });
});

describe('HnswIndex recall', () => {
  it('reaches recall@10 of 0.99 on 5,000 random 32-D vectors', () => {
    const dimension = 32;
    const vectors = randomUnitVectors(5000, dimension, 31);
    const approx = HnswIndex.build(vectors, dimension, { m: 16, efConstruction: 200, efSearch: 128 });
    const report = measureRecallAtK(new ExactIndex(vectors, dimension), approx, 10, 500);
    expect(report.queries).toBe(500);
    expect(report.recall).toBeGreaterThanOrEqual(0.99);
  });
});

describe('openHnswForEmbedding', () => {
  it('builds once, then loads the saved graph', () => {
    const dimension = 8;
    const vectors = randomUnitVectors(50, dimension, 41);
    const vectorsPath = join(folder, 'emb-test.f32');
    expect(hnswPathFor(vectorsPath)).toBe(join(folder, 'emb-test.hnsw'));
    const built = openHnswForEmbedding(vectorsPath, vectors, dimension, { efSearch: 77 });
    const loaded = openHnswForEmbedding(vectorsPath, vectors, dimension);
    expect(loaded).not.toBe(built);
    expect(loaded.parameters.efSearch).toBe(77);
    expect(loaded.count).toBe(50);
  });
});

describe('chooseIndex', () => {
  it('picks exact for small sets and HNSW for large ones', () => {
    expect(chooseIndex(0, 128)).toBe('exact');
    expect(chooseIndex(10_000, 128)).toBe('exact');
    expect(chooseIndex(100_000, 128)).toBe('hnsw');
    const largestExact = Math.floor(Math.sqrt(EXACT_ALL_PAIRS_BUDGET / 512));
    expect(chooseIndex(largestExact, 512)).toBe('exact');
    expect(chooseIndex(largestExact + 1, 512)).toBe('hnsw');
  });

  it('rejects a zero dimension', () => {
    expect(() => chooseIndex(10, 0)).toThrow(/dimension/);
  });
});
