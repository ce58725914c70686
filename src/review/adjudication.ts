/**
 * The adjudication queue: pairs whose reviewers disagree, and `different` pairs that sit inside a
 * group of `same` pairs. A disagreement leaves the queue once an adjudicator records a verdict on
 * the pair. A conflict leaves it once a verdict on the `different` pair or on a link of its chain
 * splits the group or joins the pair to it.
 */
import type { PairRef } from '../mask/groups.js';
import { findConflicts } from './conflicts.js';
import type { PairReview } from './verdicts.js';

export interface AdjudicationEntry {
  kind: 'disagreement' | 'conflict';
  review: PairReview;
  /** For a conflict: the `same` pairs that join the two samples, shortest chain first to last. */
  chain: PairRef[];
  /** For a conflict: the samples along the chain. */
  path: string[];
}

export interface AdjudicationOptions {
  /** Also list disagreements an adjudicator already settled, for review of the adjudications. */
  includeSettled?: boolean;
  /** Only entries whose pair, or a link of whose chain, is in this set (keys from `pairKey`). */
  scope?: ReadonlySet<string>;
}

export function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

/**
 * Builds the queue from every pair review of the dataset. Conflicts are found on the resolved
 * verdicts, the same ones the mask reads. Disagreements come first, then conflicts, each by pair.
 */
export function buildAdjudicationQueue(reviews: readonly PairReview[], options: AdjudicationOptions = {}): AdjudicationEntry[] {
  const inScope = (pair: PairRef): boolean => options.scope === undefined || options.scope.has(pairKey(pair.a, pair.b));
  const entries: AdjudicationEntry[] = [];

  for (const review of reviews) {
    if (review.status !== 'disagreed') continue;
    if (review.adjudication !== null && options.includeSettled !== true) continue;
    if (!inScope(review)) continue;
    entries.push({ kind: 'disagreement', review, chain: [], path: [] });
  }

  const same = reviews.filter((review) => review.resolved === 'same');
  const different = reviews.filter((review) => review.resolved === 'different');
  const reviewOf = new Map(reviews.map((review) => [pairKey(review.a, review.b), review]));
  for (const conflict of findConflicts(same, different)) {
    if (!inScope(conflict.different) && !conflict.chain.some(inScope)) continue;
    const review = reviewOf.get(pairKey(conflict.different.a, conflict.different.b))!;
    entries.push({ kind: 'conflict', review, chain: conflict.chain, path: conflict.path });
  }
  return entries;
}
