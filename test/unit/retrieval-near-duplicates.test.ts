// The hard-negative board's check for candidates whose embeddings are nearly identical.
import { describe, expect, it } from 'vitest';
import { isNearDuplicate, NEAR_DUPLICATE_SIMILARITY, nearDuplicatesOf } from '../../renderer/src/retrieval/near-duplicates.js';

describe('near-duplicate hard-negative candidates', () => {
  const candidate = (similarity: number) => ({ sampleA: 'a', sampleB: 'b', similarity, classA: null, classB: null, placeA: null, placeB: null });
  const board = (similarities: number[]) => ({
    datasetId: 'd',
    embeddingVersionId: 'e',
    groupBy: 'place' as const,
    total: similarities.length,
    groups: [{ key: 'p1 / p2', candidates: similarities.map(candidate) }],
  });

  it('warns when at least half of the candidates are nearly identical', () => {
    expect(nearDuplicatesOf(board([1, 0.9995, 0.8, 0.7]))).toEqual({ nearDuplicates: 2, candidates: 4, warn: true });
    expect(nearDuplicatesOf(board([1, 0.998, 0.8]))).toEqual({ nearDuplicates: 1, candidates: 3, warn: false });
    expect(nearDuplicatesOf(board([]))).toEqual({ nearDuplicates: 0, candidates: 0, warn: false });
    expect(isNearDuplicate(candidate(NEAR_DUPLICATE_SIMILARITY))).toBe(true);
  });
});
