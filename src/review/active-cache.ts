/**
 * The per-queue part of active review that does not change between decisions: every item's pair,
 * similarity, position and slices, grouped for orderActivePage. Rebuilding it reads all items of a
 * queue, which took about 650 of 790 ms per re-rank at 100,000 items (a CPU profile of
 * src/bench/bench-rerank.ts on a busy 2-core machine). So it is kept per store and queue, and only
 * verdicts are read fresh on every call.
 */
import type { LoadedDataset } from '../dataset/manifest-io.js';
import type { QueueRecord, Store } from '../store/index.js';
import { canonicalPair } from '../store/pair-order.js';
import { groupBySlice, type ReviewItem } from './active.js';
import { pairKey } from './adjudication.js';
import { summarizePairReviews, type PairReview } from './verdicts.js';

/** Queues kept per store. Each costs a few hundred bytes per item. */
const MAX_CACHED_QUEUES = 4;

interface CachedQueue {
  /** Changes when the queue is mined again: creation time, size and the id of its first item. */
  stamp: string;
  dataset: LoadedDataset;
  items: ReviewItem[];
  groups: ReviewItem[][];
  itemsOfPair: Map<string, ReviewItem[]>;
}

export interface ActiveQueueItems {
  items: readonly ReviewItem[];
  /** The items grouped by `sequence` for orderActivePage. */
  groups: readonly (readonly ReviewItem[])[];
}

const cacheOfStore = new WeakMap<Store, Map<string, CachedQueue>>();

/**
 * Returns every item of `queue` with its current verdict, and the items grouped by sequence. The
 * items come from the cache unless the queue was mined again or the manifest was reloaded.
 */
export function activeQueueItems(store: Store, queue: QueueRecord, dataset: LoadedDataset): ActiveQueueItems {
  const cached = cachedQueue(store, queue, dataset);
  const decisions = store.listActiveDecisions(queue.datasetId).filter((decision) => cached.itemsOfPair.has(pairKey(decision.sampleA, decision.sampleB)));

  for (const item of cached.items) {
    item.verdict = null;
    item.decisionId = null;
  }
  for (const review of summarizePairReviews(decisions)) {
    for (const item of cached.itemsOfPair.get(pairKey(review.a, review.b)) ?? []) {
      item.verdict = review.resolved;
      item.decisionId = latestDecisionId(review);
    }
  }
  return { items: cached.items, groups: cached.groups };
}

function cachedQueue(store: Store, queue: QueueRecord, dataset: LoadedDataset): CachedQueue {
  let cache = cacheOfStore.get(store);
  if (cache === undefined) {
    cache = new Map();
    cacheOfStore.set(store, cache);
  }
  const firstItemId = queue.size === 0 ? -1 : store.getQueueItemAt(queue.queueId, 0).queueItemId;
  const stamp = `${queue.createdAt}|${queue.size}|${firstItemId}`;
  const hit = cache.get(queue.queueId);
  if (hit !== undefined && hit.stamp === stamp && hit.dataset === dataset) {
    // Map order is insertion order, so moving the hit to the end keeps the least recent first.
    cache.delete(queue.queueId);
    cache.set(queue.queueId, hit);
    return hit;
  }

  const entry = buildCachedQueue(store, queue.queueId, stamp, dataset);
  cache.delete(queue.queueId);
  cache.set(queue.queueId, entry);
  while (cache.size > MAX_CACHED_QUEUES) cache.delete(cache.keys().next().value!);
  return entry;
}

function buildCachedQueue(store: Store, queueId: string, stamp: string, dataset: LoadedDataset): CachedQueue {
  const itemsOfPair = new Map<string, ReviewItem[]>();
  const items = store.listQueueSimilarities(queueId).map((row): ReviewItem => {
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
    const item: ReviewItem = { queueItemId: row.queueItemId, position: row.position, similarity: row.similarity, slices, verdict: null, decisionId: null };

    const { a, b } = canonicalPair(row.sampleA, row.sampleB);
    const key = pairKey(a, b);
    const sharing = itemsOfPair.get(key);
    if (sharing === undefined) itemsOfPair.set(key, [item]);
    else sharing.push(item);
    return item;
  });
  return { stamp, dataset, items, groups: groupBySlice(items, 'sequence'), itemsOfPair };
}

/** Returns the id of the latest verdict or adjudication on a pair. */
export function latestDecisionId(review: PairReview): number {
  const ids = review.verdicts.map((entry) => entry.decisionId);
  if (review.adjudication !== null) ids.push(review.adjudication.decisionId);
  return Math.max(...ids);
}
