/**
 * Handlers of the team-review calls: audit log, agreement, adjudication, conflicts and the
 * active-review estimate. createApiHandlers spreads them in with the other handlers.
 */
import type { Store } from '../store/index.js';
import {
  activeQueuePage,
  adjudicationList,
  agreementOfQueue,
  conflictsOfDataset,
  reviewEstimate,
  reviewPair,
} from '../review/service.js';
import type { QueueItemsPage } from './contract.js';
import type { ApiHandlers } from './handlers.js';
import type { ManifestCache } from './manifest-cache.js';

export type ReviewHandlers = Pick<
  ApiHandlers,
  'listAuditLog' | 'getAgreement' | 'listAdjudication' | 'adjudicate' | 'listConflicts' | 'getReviewEstimate'
>;

export function createReviewHandlers(store: Store, manifests: ManifestCache): ReviewHandlers {
  const loadManifest = (path: string) => manifests.get(path);

  return {
    async listAuditLog({ datasetId, queueId, reviewer, sampleA, sampleB, offset, limit }) {
      store.getDataset(datasetId);
      if (queueId !== undefined) store.countQueueItems(queueId);
      return store.listAuditLog({
        datasetId,
        offset,
        limit,
        ...(queueId === undefined ? {} : { queueId }),
        ...(reviewer === undefined ? {} : { reviewer }),
        ...(sampleA === undefined || sampleB === undefined ? {} : { pair: { sampleA, sampleB } }),
      });
    },

    async getAgreement({ queueId }) {
      return agreementOfQueue(store, queueId);
    },

    async listAdjudication({ datasetId, queueId, includeSettled }) {
      if (queueId !== undefined) return { items: adjudicationList(store, { queueId }, includeSettled) };
      // The schema lets exactly one of the two ids through, so the dataset id is set here.
      const dataset = store.getDataset(datasetId ?? '');
      return { items: adjudicationList(store, { datasetId: dataset.datasetId }, includeSettled) };
    },

    async adjudicate({ datasetId, sampleA, sampleB, verdict, adjudicator, note, queueId }) {
      const queue = queueId === undefined ? undefined : store.getQueue(queueId);
      store.recordDecision({
        datasetId,
        sampleA,
        sampleB,
        verdict,
        reviewer: adjudicator,
        note: note ?? null,
        role: 'adjudicator',
        queueId: queue?.queueId ?? null,
        embeddingVersionId: queue?.embeddingVersionId ?? null,
      });
      return reviewPair(store, datasetId, sampleA, sampleB);
    },

    async listConflicts({ datasetId }) {
      store.getDataset(datasetId);
      return { conflicts: conflictsOfDataset(store, datasetId) };
    },

    async getReviewEstimate({ queueId, threshold, maxExpectedRemaining, window }) {
      return reviewEstimate(store, loadManifest, queueId, threshold, { maxExpectedRemaining, window });
    },
  };
}

/** `getQueueItems` with order `active`; the similarity order stays in handlers.ts. */
export function activeQueueItems(store: Store, manifests: ManifestCache, queueId: string, offset: number, limit: number): QueueItemsPage {
  return activeQueuePage(store, (path) => manifests.get(path), queueId, offset, limit);
}
