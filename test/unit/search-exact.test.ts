import { describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { ExactIndex, normaliseRows } from '../../src/search/exact.js';

function randomUnitVectors(count: number, dimension: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const raw = new Float32Array(count * dimension);
  for (let i = 0; i < raw.length; i++) raw[i] = rng.next() - 0.5;
  return normaliseRows(raw, dimension);
}

/** Reference: every pair scored with a plain loop, sorted by score then index. */
function bruteForce(vectors: Float32Array, dimension: number, row: number, k: number, keep: (i: number, j: number) => boolean) {
  const count = vectors.length / dimension;
  const scored: { index: number; score: number }[] = [];
  for (let j = 0; j < count; j++) {
    if (j === row || !keep(row, j)) continue;
    let score = 0;
    for (let d = 0; d < dimension; d++) score += vectors[row * dimension + d]! * vectors[j * dimension + d]!;
    scored.push({ index: j, score });
  }
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, k);
}

describe('ExactIndex.topKAll', () => {
  // 601 rows cross two block edges (256, 512) and leave an odd row for the 2 x 2 kernel.
  const count = 601;
  const dimension = 17;
  const vectors = randomUnitVectors(count, dimension, 7);
  const index = new ExactIndex(vectors, dimension);

  it('matches brute force on every row', () => {
    const table = index.topKAll(5);
    expect(table.k).toBe(5);
    for (let row = 0; row < count; row++) {
      const expected = bruteForce(vectors, dimension, row, 5, () => true);
      const actual = table.neighboursOf(row);
      expect(actual.map((n) => n.index)).toEqual(expected.map((n) => n.index));
      actual.forEach((n, position) => expect(n.score).toBeCloseTo(expected[position]!.score, 12));
    }
  });

  it('applies the filter and never returns the row itself', () => {
    const keep = (i: number, j: number): boolean => (i + j) % 3 !== 0;
    const table = index.topKAll(4, { filter: keep });
    for (let row = 0; row < count; row++) {
      const expected = bruteForce(vectors, dimension, row, 4, keep);
      expect(table.neighboursOf(row).map((n) => n.index)).toEqual(expected.map((n) => n.index));
    }
  });

  it('gives pair scores symmetrically', () => {
    const table = index.topKAll(3);
    const first = table.neighboursOf(10)[0]!;
    const back = index.topKAll(count - 1).neighboursOf(first.index).find((n) => n.index === 10);
    expect(back?.score).toBe(first.score);
  });

  it('reports progress up to all pairs', () => {
    const calls: [number, number][] = [];
    index.topKAll(1, { onProgress: (done, total) => calls.push([done, total]) });
    // Three blocks of rows (256, 256, 89) and 601 * 600 / 2 = 180,300 pairs.
    expect(calls.length).toBe(3);
    expect(calls[2]).toEqual([180_300, 180_300]);
    expect(calls[0]![0]).toBe(256 * 601 - (256 * 257) / 2);
  });

  it('caps k at the other rows', () => {
    const small = new ExactIndex(randomUnitVectors(3, 4, 1), 4);
    const table = small.topKAll(10);
    expect(table.k).toBe(2);
    expect(table.neighboursOf(0).length).toBe(2);
  });

  it('returns fewer rows when the filter removes candidates', () => {
    const table = index.topKAll(5, { filter: (_i, j) => j < 3 });
    expect(table.neighboursOf(0).map((n) => n.index).sort()).toEqual([1, 2]);
    expect(table.neighboursOf(100).map((n) => n.index).sort()).toEqual([0, 1, 2]);
  });
});

describe('ExactIndex ties', () => {
  it('breaks equal scores by the lower row index', () => {
    // Rows 1, 2 and 4 are copies of one vector; row 0 is orthogonal to them, row 3 sits between.
    const s = Math.SQRT1_2;
    const vectors = new Float32Array([1, 0, 0, 1, 0, 1, s, s, 0, 1]);
    const index = new ExactIndex(vectors, 2);
    const table = index.topKAll(2);
    expect(table.neighboursOf(2).map((n) => n.index)).toEqual([1, 4]);
    expect(table.neighboursOf(4).map((n) => n.index)).toEqual([1, 2]);
    expect(index.search(new Float32Array([0, 1]), 3).map((n) => n.index)).toEqual([1, 2, 4]);
  });
});

describe('ExactIndex.search', () => {
  it('matches brute force for a query', () => {
    const vectors = randomUnitVectors(300, 8, 3);
    const index = new ExactIndex(vectors, 8);
    const query = vectors.slice(40 * 8, 41 * 8);
    const result = index.search(query, 6);
    // The query is row 40 itself, so it comes first with score 1.
    expect(result[0]!.index).toBe(40);
    expect(result[0]!.score).toBeCloseTo(1, 6);
    const expected = bruteForce(vectors, 8, 40, 5, () => true);
    expect(result.slice(1).map((n) => n.index)).toEqual(expected.map((n) => n.index));
  });

  it('rejects a query of the wrong dimension', () => {
    const index = new ExactIndex(randomUnitVectors(4, 8, 3), 8);
    expect(() => index.search(new Float32Array(7), 1)).toThrow(/Query has 7 values, but the index has dimension 8/);
  });
});

describe('ExactIndex input checks', () => {
  it('rejects a row that is not unit length', () => {
    const vectors = new Float32Array([1, 0, 3, 4]);
    const attempt = () => new ExactIndex(vectors, 2);
    expect(attempt).toThrow(ApronError);
    expect(attempt).toThrow(/Vector row 1 has L2 norm 5/);
  });

  it('rejects a length that is not whole rows', () => {
    expect(() => new ExactIndex(new Float32Array(5), 2)).toThrow(/length 5 is not a whole number of rows of dimension 2/);
  });

  it('normalises rows and rejects a zero row', () => {
    const unit = normaliseRows(new Float32Array([3, 4, 0, 2]), 2);
    expect(Array.from(unit)).toEqual([0.6000000238418579, 0.800000011920929, 0, 1]);
    expect(() => normaliseRows(new Float32Array([1, 1, 0, 0]), 2)).toThrow(/Vector row 1 has L2 norm 0/);
  });
});
