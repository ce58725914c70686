/**
 * Hard-negative candidates whose embeddings are nearly identical. A board full of them is what a
 * collapsed embedding produces (every sample at one point), or a dataset of repeated frames, and
 * confirming such pairs as `different` would teach the encoder from noise.
 */
import type { HardNegativeBoard, HardNegativeCandidate } from '../../../src/retrieval/api-types.js';

/** Cosine similarity at or above which two embeddings count as the same point. */
export const NEAR_DUPLICATE_SIMILARITY = 0.999;

export function isNearDuplicate(candidate: HardNegativeCandidate): boolean {
  return candidate.similarity >= NEAR_DUPLICATE_SIMILARITY;
}

/** Counts the board's near-duplicate candidates; `warn` is set when they are at least half of them. */
export function nearDuplicatesOf(board: HardNegativeBoard): { nearDuplicates: number; candidates: number; warn: boolean } {
  const all = board.groups.flatMap((group) => group.candidates);
  const nearDuplicates = all.filter(isNearDuplicate).length;
  return { nearDuplicates, candidates: all.length, warn: all.length > 0 && 2 * nearDuplicates >= all.length };
}
