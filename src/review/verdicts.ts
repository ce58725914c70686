/**
 * Per-pair review state when several reviewers decide the same pair. Each reviewer's latest decision
 * on a pair that is not undone is their verdict. An adjudicator's latest verdict, when present,
 * settles the pair. docs/store.md ("Review by a team") gives the rule for unresolved disagreements.
 */
import type { Verdict } from '../api/contract.js';
import { compareSampleIds } from '../store/pair-order.js';

export type ReviewRole = 'reviewer' | 'adjudicator';
export type PairStatus = 'single' | 'agreed' | 'disagreed';
/** Source of the pair's resolved verdict. */
export type ResolutionSource = 'adjudicator' | 'single' | 'agreed' | 'unresolved';

/** A decision that is not undone, with the pair in canonical order (`sampleA < sampleB`). */
export interface ReviewDecision {
  decisionId: number;
  sampleA: string;
  sampleB: string;
  verdict: Verdict;
  reviewer: string;
  role: ReviewRole;
  note: string | null;
  queueId: string | null;
}

export interface ReviewerVerdict {
  reviewer: string;
  verdict: Verdict;
  decisionId: number;
}

export interface PairReview {
  a: string;
  b: string;
  /** One entry per reviewer (role `reviewer`), sorted by reviewer name. */
  verdicts: ReviewerVerdict[];
  /** The latest adjudicator decision on the pair, or null. */
  adjudication: (ReviewerVerdict & { note: string | null }) | null;
  /** From the reviewers' verdicts alone; an adjudication does not change it. */
  status: PairStatus;
  /** The verdict that the mask and hard negatives read. */
  resolved: Verdict;
  resolvedBy: ResolutionSource;
}

/**
 * Resolves an unsettled disagreement. Any `same` makes the pair `same`, so it is masked: a masked
 * true negative only drops one term from the InfoNCE denominator, while an unmasked true positive
 * is pushed apart, which is the error review exists to remove. Without a `same` (`different`
 * against `unsure`) the pair is `unsure`, so it is neither masked nor used as a hard negative.
 */
export function resolveDisagreement(verdicts: readonly Verdict[]): Verdict {
  return verdicts.includes('same') ? 'same' : 'unsure';
}

/** Groups decisions by pair and resolves each pair. Decisions may come in any order; ids decide which is latest. */
export function summarizePairReviews(decisions: readonly ReviewDecision[]): PairReview[] {
  const byPair = new Map<string, ReviewDecision[]>();
  for (const decision of decisions) {
    const key = `${decision.sampleA}\u0000${decision.sampleB}`;
    const list = byPair.get(key);
    if (list === undefined) byPair.set(key, [decision]);
    else list.push(decision);
  }

  const reviews: PairReview[] = [];
  for (const list of byPair.values()) reviews.push(summarizePair(list));
  return reviews.sort((left, right) => compareSampleIds(left.a, right.a) || compareSampleIds(left.b, right.b));
}

function summarizePair(decisions: readonly ReviewDecision[]): PairReview {
  const first = decisions[0]!;
  const latestByReviewer = new Map<string, ReviewDecision>();
  let adjudication: ReviewDecision | undefined;
  for (const decision of decisions) {
    if (decision.role === 'adjudicator') {
      if (adjudication === undefined || decision.decisionId > adjudication.decisionId) adjudication = decision;
      continue;
    }
    const previous = latestByReviewer.get(decision.reviewer);
    if (previous === undefined || decision.decisionId > previous.decisionId) latestByReviewer.set(decision.reviewer, decision);
  }

  const verdicts = [...latestByReviewer.values()]
    .map((decision) => ({ reviewer: decision.reviewer, verdict: decision.verdict, decisionId: decision.decisionId }))
    .sort((left, right) => compareSampleIds(left.reviewer, right.reviewer));
  const distinct = new Set(verdicts.map((entry) => entry.verdict));
  let status: PairStatus = 'disagreed';
  if (verdicts.length <= 1) status = 'single';
  else if (distinct.size === 1) status = 'agreed';

  let resolved: Verdict;
  let resolvedBy: ResolutionSource;
  if (adjudication !== undefined) {
    resolved = adjudication.verdict;
    resolvedBy = 'adjudicator';
  } else if (status === 'disagreed') {
    resolved = resolveDisagreement(verdicts.map((entry) => entry.verdict));
    resolvedBy = 'unresolved';
  } else {
    // Without an adjudication the pair's decisions are all reviewer verdicts, so there is at least one.
    resolved = verdicts[0]!.verdict;
    resolvedBy = status;
  }

  return {
    a: first.sampleA,
    b: first.sampleB,
    verdicts,
    adjudication:
      adjudication === undefined
        ? null
        : {
            reviewer: adjudication.reviewer,
            verdict: adjudication.verdict,
            decisionId: adjudication.decisionId,
            note: adjudication.note,
          },
    status,
    resolved,
    resolvedBy,
  };
}
