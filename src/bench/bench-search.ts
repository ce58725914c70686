/**
 * Exact all-pairs top-k search: the blocked kernel of src/search against a naive loop that scores
 * one pair at a time and sorts each row's scores, on seeded random unit vectors.
 */
import { Rng } from '../core/rng.js';
import { ExactIndex, normaliseRows } from '../search/exact.js';
import type { BenchResult } from './report.js';
import { medianSeconds } from './timing.js';

function randomUnitVectors(count: number, dimension: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const vectors = new Float32Array(count * dimension);
  for (let i = 0; i < vectors.length; i++) vectors[i] = rng.next() * 2 - 1;
  return normaliseRows(vectors, dimension);
}

/** Computes the baseline: every pair scored by a plain loop, each row's scores fully sorted. */
function naiveTopKAll(vectors: Float32Array, dimension: number, k: number): number[][] {
  const count = vectors.length / dimension;
  const result: number[][] = [];
  const scores = new Array<{ index: number; score: number }>(count);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      let sum = 0;
      for (let d = 0; d < dimension; d++) sum += vectors[i * dimension + d]! * vectors[j * dimension + d]!;
      scores[j] = { index: j, score: j === i ? -Infinity : sum };
    }
    scores.sort((a, b) => b.score - a.score);
    result.push(scores.slice(0, k).map((entry) => entry.index));
  }
  return result;
}

export async function benchSearch(): Promise<BenchResult> {
  const count = 3000;
  const dimension = 128;
  const k = 10;
  const vectors = randomUnitVectors(count, dimension, 7);
  const index = new ExactIndex(vectors, dimension);

  const ours = await medianSeconds(() => index.topKAll(k));
  const naive = await medianSeconds(() => naiveTopKAll(vectors, dimension, k), 1);
  const pairs = count * count;
  return {
    name: `exact top-${k} of all ${count} x ${dimension} vectors`,
    figure: `${ours.toFixed(2)} s (${((pairs / ours) / 1e6).toFixed(1)} M pairs/s)`,
    baseline: `${naive.toFixed(2)} s, naive loop with a full sort per row`,
    ratio: naive / ours,
    target: 'none set',
    met: null,
  };
}
