import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { groupBySlice, orderActive, orderActivePage, type ReviewItem } from '../../src/review/active.js';

/** Returns a seeded queue with ties in similarity, items without a sequence, and a spread of verdicts. */
function randomQueue(seed: number, size: number, decidedShare: number): ReviewItem[] {
  const rng = new Rng(seed);
  return Array.from({ length: size }, (_, position): ReviewItem => {
    const similarity = Math.round((0.95 - (0.5 * position) / size + 0.05 * rng.next()) * 100) / 100;
    const sequence = rng.int(6);
    const slices: Record<string, string> = sequence === 5 ? {} : { sequence: `seq-${sequence}` };
    let verdict: ReviewItem['verdict'] = null;
    if (rng.next() < decidedShare) verdict = rng.next() < similarity - (sequence === 0 ? 0.1 : 0.5) ? 'same' : rng.next() < 0.9 ? 'different' : 'unsure';
    return { queueItemId: 1000 + position, position, similarity, slices, verdict, decisionId: verdict === null ? null : position };
  });
}

function ids(entries: { item: ReviewItem; probability: number | null }[]): Array<[number, number | null]> {
  return entries.map((entry) => [entry.item.queueItemId, entry.probability]);
}

describe('orderActivePage', () => {
  const cases = [
    { name: 'no decisions', seed: 1, decidedShare: 0 },
    { name: 'a few decisions', seed: 2, decidedShare: 0.05 },
    { name: 'many decisions', seed: 3, decidedShare: 0.6 },
    { name: 'every item decided', seed: 4, decidedShare: 1 },
  ];
  for (const testCase of cases) {
    it(`matches orderActive with ${testCase.name}`, () => {
      const items = randomQueue(testCase.seed, 400, testCase.decidedShare);
      const full = orderActive(items);
      const groups = groupBySlice(items, 'sequence');
      for (const [offset, limit] of [[0, 50], [37, 20], [0, 400], [390, 50], [500, 10]] as const) {
        expect(ids(orderActivePage(items, groups, offset, limit)), `offset ${offset}, limit ${limit}`).toEqual(ids(full.slice(offset, offset + limit)));
      }
    });
  }
});
