/**
 * The engine side of the API in contract.ts: one handler per call, over a store. The HTTP server of
 * `apron serve` and Electron's IPC both call them through `dispatchApiCall`, which parses the
 * arguments first, so each handler receives arguments that already match the contract.
 */
import type { ApiMethod, ApiParsedArgs, ApiResults, EmbeddingSearchSummary, QueueItem, QueueSummary } from './contract.js';
import type { QueueRecord, Store, StoredQueueItem } from '../store/index.js';
import { toDecisionRecord } from '../store/index.js';
import { sharedManifestCache, type ManifestCache } from './manifest-cache.js';
import { buildDatasetOverview } from './overview.js';
import { buildSampleView } from './sample-view.js';
import { listSamplePage } from './sample-list.js';
import { readRunCurves, toRunSummary } from './runs-view.js';
import { compareVersions } from '../loop/version-shift.js';
import { createRetrievalHandlers } from './handlers-retrieval.js';
import { activeQueueItems, createReviewHandlers } from './handlers-review.js';
import { createTrainingHandlers } from './handlers-training.js';
import { TrainingJobManager } from '../loop/training-jobs.js';
import { openWorkspace } from '../core/workspace.js';
import { dirname } from 'node:path';

export type ApiHandlers = { [M in ApiMethod]: (args: ApiParsedArgs<M>) => Promise<ApiResults[M]> };

export interface ApiHandlerOptions {
  /** Parsed manifests; defaults to the cache that `resolveFileToken` also uses. */
  manifests?: ManifestCache;
  /**
   * Training jobs of the workspace. When omitted, one is made on the first training call for the
   * workspace around the store's file. The caller then cannot stop its jobs before closing the store.
   */
  trainingJobs?: TrainingJobManager;
}

export { dispatchApiCall } from './dispatch.js';
export { resolveFileToken, encodeFileToken, decodeFileToken, type ResolvedFile } from './file-token.js';

export function createApiHandlers(store: Store, options: ApiHandlerOptions = {}): ApiHandlers {
  const manifests = options.manifests ?? sharedManifestCache;
  let trainingJobs = options.trainingJobs;
  const jobs = (): TrainingJobManager => (trainingJobs ??= new TrainingJobManager(openWorkspace(dirname(store.path)), store));

  return {
    ...createRetrievalHandlers(store, manifests),
    ...createReviewHandlers(store, manifests),
    ...createTrainingHandlers(jobs),

    async listDatasets() {
      return store.listDatasets().map((dataset) => ({
        datasetId: dataset.datasetId,
        name: dataset.name,
        importer: dataset.importer,
        sampleCount: dataset.sampleCount,
        createdAt: dataset.createdAt,
      }));
    },

    async getDatasetOverview({ datasetId }) {
      const record = store.getDataset(datasetId);
      const dataset = manifests.get(record.manifestPath);
      return buildDatasetOverview(record, dataset, store.listEmbeddingVersions(datasetId));
    },

    async listQueues({ datasetId }) {
      if (datasetId !== undefined) store.getDataset(datasetId);
      return store.listQueues(datasetId).map(toQueueSummary);
    },

    async getQueueItems({ queueId, offset, limit, order }) {
      if (order === 'active') return activeQueueItems(store, manifests, queueId, offset, limit);
      const page = store.getQueueItems(queueId, offset, limit);
      return { queue: toQueueSummary(page.queue), items: page.items.map(toQueueItem), total: page.total };
    },

    async getPair({ queueId, position }) {
      const item = store.getQueueItemAt(queueId, position);
      const total = store.countQueueItems(queueId);
      const datasetId = item.datasetId;
      const dataset = manifests.get(store.getDataset(datasetId).manifestPath);
      const [sampleA, sampleB] = await Promise.all([
        buildSampleView(dataset, datasetId, item.sampleA),
        buildSampleView(dataset, datasetId, item.sampleB),
      ]);
      return { item: toQueueItem(item), total, sampleA, sampleB };
    },

    async decide({ queueItemId, verdict, reviewer, note }) {
      return toDecisionRecord(store.recordItemDecision(queueItemId, { verdict, reviewer, note: note ?? null }));
    },

    async undo({ queueId, reviewer }) {
      const undone = store.undoLatestDecision(queueId, reviewer);
      return { undone: undone === null ? null : toDecisionRecord(undone) };
    },

    async listSamples({ datasetId, offset, limit, filter }) {
      const dataset = manifests.get(store.getDataset(datasetId).manifestPath);
      return listSamplePage(dataset, datasetId, offset, limit, filter);
    },

    async listRuns({ datasetId }) {
      if (datasetId !== undefined) store.getDataset(datasetId);
      // Newest first: the run a reviewer just started is the one they look for.
      return store.listTrainingRuns(datasetId).map(toRunSummary).reverse();
    },

    async getRunCurves({ runId }) {
      return readRunCurves(store, runId);
    },

    async compareEmbeddingVersions({ datasetId, from, to }) {
      return compareVersions(store, datasetId, from, to);
    },

    async getSample({ datasetId, sampleId }) {
      const dataset = manifests.get(store.getDataset(datasetId).manifestPath);
      return buildSampleView(dataset, datasetId, sampleId);
    },
  };
}

function toQueueSummary(queue: QueueRecord): QueueSummary {
  const summary: QueueSummary = {
    queueId: queue.queueId,
    datasetId: queue.datasetId,
    embeddingVersionId: queue.embeddingVersionId,
    kind: queue.kind,
    createdAt: queue.createdAt,
    size: queue.size,
    decided: queue.decided,
  };
  const search = searchOfQueueParams(queue.params);
  if (search !== undefined) summary.search = search;
  return summary;
}

/** Reads the search that `mineQueue` records in a queue's parameters; undefined when absent or malformed. */
function searchOfQueueParams(params: unknown): EmbeddingSearchSummary | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const search = (params as { search?: unknown }).search;
  if (typeof search !== 'object' || search === null) return undefined;
  const { kind, rows, recallAt10, recallQueries } = search as Record<string, unknown>;
  if ((kind !== 'exact' && kind !== 'approximate') || typeof rows !== 'number') return undefined;
  const summary: EmbeddingSearchSummary = { kind, rows };
  if (typeof recallAt10 === 'number') summary.recallAt10 = recallAt10;
  if (typeof recallQueries === 'number') summary.recallQueries = recallQueries;
  return summary;
}

function toQueueItem(item: StoredQueueItem): QueueItem {
  return {
    queueItemId: item.queueItemId,
    queueId: item.queueId,
    position: item.position,
    sampleA: item.sampleA,
    sampleB: item.sampleB,
    evidence: item.evidence,
    decision: item.decision === null ? null : toDecisionRecord(item.decision),
  };
}
