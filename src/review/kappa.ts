/**
 * Inter-rater agreement over review verdicts, with `unsure` as a category of its own.
 *
 * - Cohen's kappa for two reviewers, over the pairs both decided: (po - pe) / (1 - pe), where po is
 *   the observed share of agreement and pe the agreement expected from each reviewer's marginals.
 * - Fleiss' kappa for a queue, over pairs with at least two reviewer verdicts. Pairs may have
 *   different numbers of reviewers: each pair's agreement is weighted equally and category shares
 *   are taken over all ratings, the usual extension of Fleiss (1971) to unequal rater counts.
 * - The mean of the pairwise Cohen's kappas (Light's kappa) is reported beside Fleiss' for a queue.
 *
 * Kappa is undefined (null here) when there is nothing to compare or when chance agreement is 1,
 * because every rating fell in one category.
 */
import type { Verdict } from '../api/contract.js';
import type { PairReview } from './verdicts.js';

export const VERDICT_CATEGORIES: readonly Verdict[] = ['same', 'different', 'unsure'];

/** Cohen's kappa of a square confusion table (rows: first rater, columns: second rater). */
export function cohenKappa(table: readonly (readonly number[])[]): number | null {
  const size = table.length;
  let total = 0;
  let agreed = 0;
  const rowSums = new Array<number>(size).fill(0);
  const columnSums = new Array<number>(size).fill(0);
  table.forEach((row, i) => {
    if (row.length !== size) throw new RangeError(`Confusion table row ${i} has ${row.length} cells; expected ${size}.`);
    row.forEach((count, j) => {
      total += count;
      rowSums[i]! += count;
      columnSums[j]! += count;
      if (i === j) agreed += count;
    });
  });
  if (total === 0) return null;

  const observed = agreed / total;
  let expected = 0;
  for (let i = 0; i < size; i++) expected += (rowSums[i]! / total) * (columnSums[i]! / total);
  if (expected === 1) return null;
  return (observed - expected) / (1 - expected);
}

/**
 * Fleiss' kappa of a count table: `counts[i][j]` is how many raters put item i in category j.
 * Items with fewer than two ratings carry no agreement information and are skipped.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number | null {
  const categories = counts[0]?.length ?? 0;
  const categoryTotals = new Array<number>(categories).fill(0);
  let ratings = 0;
  let agreementSum = 0;
  let items = 0;
  for (const row of counts) {
    const raters = row.reduce((sum, count) => sum + count, 0);
    if (raters < 2) continue;
    let squares = 0;
    row.forEach((count, j) => {
      categoryTotals[j]! += count;
      squares += count * count;
    });
    ratings += raters;
    agreementSum += (squares - raters) / (raters * (raters - 1));
    items++;
  }
  if (items === 0) return null;

  const observed = agreementSum / items;
  const expected = categoryTotals.reduce((sum, total) => sum + (total / ratings) ** 2, 0);
  if (expected === 1) return null;
  return (observed - expected) / (1 - expected);
}

export interface ReviewerPairAgreement {
  reviewerA: string;
  reviewerB: string;
  /** Pairs that both reviewers decided. */
  pairs: number;
  /** Pairs where their verdicts match. */
  agreed: number;
  /** Rows: reviewerA's verdict, columns: reviewerB's, both in `VERDICT_CATEGORIES` order. */
  confusion: number[][];
  kappa: number | null;
}

export interface AgreementSummary {
  reviewers: string[];
  /** Pairs with at least two reviewer verdicts. */
  pairsWithSeveralReviewers: number;
  /** Pairs whose reviewer verdicts differ. */
  disagreedPairs: number;
  byReviewerPair: ReviewerPairAgreement[];
  /** Mean of the defined pairwise kappas, or null when none is defined. */
  meanPairwiseKappa: number | null;
  fleissKappa: number | null;
}

/** Agreement of the reviewers' latest verdicts (adjudications are not ratings and are left out). */
export function summarizeAgreement(reviews: readonly PairReview[]): AgreementSummary {
  const reviewerSet = new Set<string>();
  for (const review of reviews) for (const entry of review.verdicts) reviewerSet.add(entry.reviewer);
  const reviewers = [...reviewerSet].sort();
  const indexOf = (verdict: Verdict): number => VERDICT_CATEGORIES.indexOf(verdict);

  const byReviewerPair: ReviewerPairAgreement[] = [];
  for (let i = 0; i < reviewers.length; i++) {
    for (let j = i + 1; j < reviewers.length; j++) {
      const reviewerA = reviewers[i]!;
      const reviewerB = reviewers[j]!;
      const confusion = VERDICT_CATEGORIES.map(() => VERDICT_CATEGORIES.map(() => 0));
      let pairs = 0;
      for (const review of reviews) {
        const first = review.verdicts.find((entry) => entry.reviewer === reviewerA);
        const second = review.verdicts.find((entry) => entry.reviewer === reviewerB);
        if (first === undefined || second === undefined) continue;
        confusion[indexOf(first.verdict)]![indexOf(second.verdict)]! += 1;
        pairs++;
      }
      if (pairs === 0) continue;
      const agreed = confusion.reduce((sum, row, k) => sum + row[k]!, 0);
      byReviewerPair.push({ reviewerA, reviewerB, pairs, agreed, confusion, kappa: cohenKappa(confusion) });
    }
  }

  const defined = byReviewerPair.map((entry) => entry.kappa).filter((kappa): kappa is number => kappa !== null);
  const counts = reviews
    .filter((review) => review.verdicts.length >= 2)
    .map((review) => VERDICT_CATEGORIES.map((category) => review.verdicts.filter((entry) => entry.verdict === category).length));

  return {
    reviewers,
    pairsWithSeveralReviewers: counts.length,
    disagreedPairs: reviews.filter((review) => review.status === 'disagreed').length,
    byReviewerPair,
    meanPairwiseKappa: defined.length === 0 ? null : defined.reduce((sum, kappa) => sum + kappa, 0) / defined.length,
    fleissKappa: fleissKappa(counts),
  };
}
