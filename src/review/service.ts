/**
 * Team-review reads over the store: pair reviews, agreement, adjudication, conflicts and the
 * active-review estimate, turned into the API's records. The arithmetic lives in the pure modules
 * beside this file; this one only loads decisions, queue items and manifest slices.
 */
import type {
  AdjudicationItemRecord,
  AgreementReport,
  ConflictRecord,
  PairReviewRecord,
  QueueItem,
  QueueItemsPage,
  ReviewEstimate,
} from '../api/contract.js';
import { ApronError } from '../core/errors.js';
import type { LoadedDataset } from '../dataset/manifest-io.js';
import type { QueueRecord, Store, StoredQueueItem } from '../store/index.js';
import { toDecisionRecord } from '../store/index.js';
import { orderActivePage, type ReviewItem } from './active.js';
import { activeQueueItems, latestDecisionId } from './active-cache.js';
import { buildAdjudicationQueue, pairKey } from './adjudication.js';
import { findConflicts } from './conflicts.js';
import { summarizeAgreement } from './kappa.js';
import { estimateRemaining, type StoppingRule } from './remaining.js';
import { summarizePairReviews, type PairReview } from './verdicts.js';
import { canonicalPair } from '../store/pair-order.js';

/** Loads the manifest of a dataset; the API passes its manifest cache. */
export type ManifestLoader = (manifestPath: string) => LoadedDataset;

export function toPairReviewRecord(review: PairReview): PairReviewRecord {
  return {
    sampleA: review.a,
    sampleB: review.b,
    verdicts: review.verdicts.map((entry) => ({ ...entry })),
    adjudication: review.adjudication === null ? null : { ...review.adjudication },
    status: review.status,
    resolved: review.resolved,
    resolvedBy: review.resolvedBy,
  };
}

/** Summarizes one pair that has at least one decision that is not undone. */
export function reviewPair(store: Store, datasetId: string, sampleA: string, sampleB: string): PairReviewRecord {
  const { a, b } = canonicalPair(sampleA, sampleB);
  const decisions = store.listActiveDecisions(datasetId).filter((decision) => decision.sampleA === a && decision.sampleB === b);
  const review = summarizePairReviews(decisions)[0];
  if (review === undefined) {
    throw new ApronError('not-found', `Pair (${a}, ${b}) of dataset "${datasetId}" has no decision that is not undone.`);
  }
  return toPairReviewRecord(review);
}

export function agreementOfQueue(store: Store, queueId: string): AgreementReport {
  const queue = store.getQueue(queueId);
  const reviews = summarizePairReviews(store.listActiveDecisions(queue.datasetId, queueId));
  const summary = summarizeAgreement(reviews);
  return {
    queueId,
    datasetId: queue.datasetId,
    reviewers: summary.reviewers,
    pairs: {
      single: reviews.filter((review) => review.status === 'single').length,
      agreed: reviews.filter((review) => review.status === 'agreed').length,
      disagreed: summary.disagreedPairs,
      adjudicated: reviews.filter((review) => review.adjudication !== null).length,
    },
    pairsWithSeveralReviewers: summary.pairsWithSeveralReviewers,
    byReviewerPair: summary.byReviewerPair,
    meanPairwiseKappa: summary.meanPairwiseKappa,
    fleissKappa: summary.fleissKappa,
  };
}

/** Lists the adjudication queue of a dataset, or of the pairs decided in one queue's items. */
export function adjudicationList(
  store: Store,
  scope: { datasetId: string } | { queueId: string },
  includeSettled: boolean,
): AdjudicationItemRecord[] {
  const datasetId = 'datasetId' in scope ? scope.datasetId : store.getQueue(scope.queueId).datasetId;
  const reviews = summarizePairReviews(store.listActiveDecisions(datasetId));
  const reviewOf = new Map(reviews.map((review) => [pairKey(review.a, review.b), review]));
  const pairsInScope =
    'queueId' in scope
      ? new Set(store.listActiveDecisions(datasetId, scope.queueId).map((decision) => pairKey(decision.sampleA, decision.sampleB)))
      : undefined;

  return buildAdjudicationQueue(reviews, { includeSettled, ...(pairsInScope === undefined ? {} : { scope: pairsInScope }) }).map(
    (entry) => ({
      kind: entry.kind,
      review: toPairReviewRecord(entry.review),
      chain: entry.chain.map((link) => toPairReviewRecord(reviewOf.get(pairKey(link.a, link.b))!)),
      path: entry.path,
    }),
  );
}

export function conflictsOfDataset(store: Store, datasetId: string): ConflictRecord[] {
  const reviews = summarizePairReviews(store.listActiveDecisions(datasetId));
  const reviewOf = new Map(reviews.map((review) => [pairKey(review.a, review.b), review]));
  const pairsWith = (verdict: string): Array<{ a: string; b: string }> =>
    reviews.filter((review) => review.resolved === verdict).map((review) => ({ a: review.a, b: review.b }));

  return findConflicts(pairsWith('same'), pairsWith('different')).map((conflict) => ({
    groupId: conflict.groupId,
    different: toPairReviewRecord(reviewOf.get(pairKey(conflict.different.a, conflict.different.b))!),
    path: conflict.path,
    chain: conflict.chain.map((link) => toPairReviewRecord(reviewOf.get(pairKey(link.a, link.b))!)),
  }));
}

interface QueueReviewItems {
  queue: QueueRecord;
  items: ReviewItem[];
  sliceFields: string[];
}

/**
 * Loads every item of the queue with its resolved verdict and the slices of its query sample:
 * `sequence` and each condition field of the manifest. A sample missing from the manifest gets no
 * slice values.
 */
export function loadQueueReviewItems(store: Store, loadManifest: ManifestLoader, queueId: string): QueueReviewItems {
  const queue = store.getQueue(queueId);
  const rows = store.listQueueSimilarities(queueId);
  const dataset = loadManifest(store.getDataset(queue.datasetId).manifestPath);
  const sliceFields = ['sequence', ...dataset.manifest.conditionFields];
  const reviews = summarizePairReviews(store.listActiveDecisions(queue.datasetId, queueId));
  const reviewOf = new Map(reviews.map((review) => [pairKey(review.a, review.b), review]));

  const items = rows.map((row): ReviewItem => {
    const { a, b } = canonicalPair(row.sampleA, row.sampleB);
    const review = reviewOf.get(pairKey(a, b));
    const index = dataset.indexOf.get(row.sampleA);
    const sample = index === undefined ? undefined : dataset.manifest.samples[index];
    const slices: Record<string, string> = {};
    if (sample !== undefined) {
      slices.sequence = sample.sequenceId;
      for (const field of dataset.manifest.conditionFields) {
        const value = sample[field];
        if (value !== undefined) slices[field] = value;
      }
    }
    return {
      queueItemId: row.queueItemId,
      position: row.position,
      similarity: row.similarity,
      slices,
      verdict: review?.resolved ?? null,
      decisionId: review === undefined ? null : latestDecisionId(review),
    };
  });
  return { queue, items, sliceFields };
}

/**
 * Reads one page of the queue in active order, with each item's estimated P(same). The queue's
 * items are cached between calls (active-cache.ts) and only their verdicts are read again. The
 * whole queue is calibrated on every call, but only the page is ranked, and only its items are read in full.
 */
export function activeQueuePage(store: Store, loadManifest: ManifestLoader, queueId: string, offset: number, limit: number): QueueItemsPage {
  const queue = store.getQueue(queueId);
  const dataset = loadManifest(store.getDataset(queue.datasetId).manifestPath);
  const { items, groups } = activeQueueItems(store, queue, dataset);
  const page = orderActivePage(items, groups, offset, limit);
  return {
    queue: {
      queueId: queue.queueId,
      datasetId: queue.datasetId,
      embeddingVersionId: queue.embeddingVersionId,
      kind: queue.kind,
      createdAt: queue.createdAt,
      size: queue.size,
      decided: queue.decided,
    },
    items: page.map(({ item }) => toQueueItem(store.getQueueItem(item.queueItemId))),
    total: queue.size,
    estimates: page.map((entry) => entry.probability),
  };
}

function toQueueItem(stored: StoredQueueItem): QueueItem {
  return {
    queueItemId: stored.queueItemId,
    queueId: stored.queueId,
    position: stored.position,
    sampleA: stored.sampleA,
    sampleB: stored.sampleB,
    evidence: stored.evidence,
    decision: stored.decision === null ? null : toDecisionRecord(stored.decision),
  };
}

export function reviewEstimate(
  store: Store,
  loadManifest: ManifestLoader,
  queueId: string,
  threshold: number | undefined,
  rule: StoppingRule,
): ReviewEstimate {
  const { items, sliceFields } = loadQueueReviewItems(store, loadManifest, queueId);
  const lowest = items.reduce((min, item) => Math.min(min, item.similarity), Number.POSITIVE_INFINITY);
  const cut = threshold ?? (Number.isFinite(lowest) ? lowest : 0);
  const estimate = estimateRemaining(items, cut, sliceFields, rule);
  return {
    queueId,
    threshold: cut,
    curve: estimate.curve,
    slices: estimate.slices,
    stopping: { maxExpectedRemaining: rule.maxExpectedRemaining, window: rule.window, ...estimate.stopping },
  };
}
