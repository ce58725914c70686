/** The decision store's public surface: open a store, and the record types its methods use. */
export { openStore, type Store, type StoreOptions } from './store.js';
export type { AddDatasetInput, DatasetRecord, DatasetUpdate } from './datasets.js';
export { RUN_STATUSES, type RunStatus, type StartTrainingRunInput, type TrainingRunRecord, type TrainingRunUpdate } from './runs.js';
export type { AddEmbeddingVersionInput, EmbeddingVersionRecord } from './embeddings.js';
export {
  QUEUE_KINDS,
  type CreateQueueInput,
  type QueueItemInput,
  type QueueItemsPageRecord,
  type QueueKind,
  type QueueRecord,
  type QueueSimilarityRecord,
  type StoredQueueItem,
} from './queues.js';
export type { ItemDecisionInput, RecordDecisionInput } from './decisions.js';
export type { AuditEntry, AuditFilter, AuditPage } from './audit.js';
export { toDecisionRecord, type StoredDecision } from './decision-record.js';
export { canonicalPair, compareSampleIds, type SamplePair } from './pair-order.js';
export { applyMigrations, schemaVersion, type Migration } from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
