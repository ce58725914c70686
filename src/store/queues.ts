/**
 * The `queues` and `queue_items` tables: review queues of suspicious pairs, in review order.
 * Each item is shown with the latest decision on its pair that is not undone, whichever
 * queue that decision was made in, so a pair decided once is not reviewed again by accident.
 */
import type { Evidence, QueueItem, QueueSummary } from '../api/contract.js';
import { ApronError } from '../core/errors.js';
import { datasetNotFound } from './datasets.js';
import { fromJsonColumn, newId, toJsonColumn, type StoreContext } from './context.js';
import { latestDecisionIdSql, toStoredDecision, type DecisionRow, type StoredDecision } from './decision-record.js';

export type QueueKind = QueueSummary['kind'];
export const QUEUE_KINDS: readonly QueueKind[] = ['false-negative'];

/** A queue with its parameters, `size` items and `decided` items that have a decision. */
export interface QueueRecord extends QueueSummary {
  /** The mining parameters, parsed back from JSON. */
  params: unknown;
}

export interface StoredQueueItem extends Omit<QueueItem, 'decision'> {
  /** The queue's dataset and embedding version, which a decision on the item records. */
  datasetId: string;
  embeddingVersionId: string;
  decision: StoredDecision | null;
}

export interface QueueItemInput {
  /** The query sample. */
  sampleA: string;
  /** The neighbour whose similarity and rank are given relative to `sampleA`. */
  sampleB: string;
  evidence: Evidence;
}

export interface CreateQueueInput {
  /** Generated (`queue-<time>-<random>`) when omitted. */
  queueId?: string;
  datasetId: string;
  embeddingVersionId: string;
  kind?: QueueKind;
  /** Mining parameters (k, thresholds, rules), stored as JSON. */
  params?: unknown;
  /** Items in review order; item i gets position i. */
  items: readonly QueueItemInput[];
}

export interface QueueItemsPageRecord {
  queue: QueueRecord;
  items: StoredQueueItem[];
  total: number;
}

export interface QueueMethods {
  /**
   * Inserts a queue and all its items in one transaction. When the id is taken this throws
   * `conflict`, unless `replace` is set: then the old items are deleted and the queue keeps its id.
   * Decisions made on the old items survive and keep their queue id. They show on any new item with
   * the same pair, and only their queue item id becomes null.
   */
  createQueue(input: CreateQueueInput, options?: { replace?: boolean }): QueueRecord;
  /** The queue with its counts. Counting decided items reads every item (about 40 ms per 100,000). */
  getQueue(queueId: string): QueueRecord;
  /** Number of items in the queue, without the decided count; cheap. */
  countQueueItems(queueId: string): number;
  /** Queues of one dataset, or of all datasets, newest first. */
  listQueues(datasetId?: string): QueueRecord[];
  /** Items with `offset <= position < offset + limit`, in position order. */
  getQueueItems(queueId: string, offset: number, limit: number): QueueItemsPageRecord;
  /** The item at a position, or `not-found` naming the valid range. */
  getQueueItemAt(queueId: string, position: number): StoredQueueItem;
  getQueueItem(queueItemId: number): StoredQueueItem;
  /** Number of items of the queue whose pair has a decision that is not undone. */
  countDecidedItems(queueId: string): number;
  /** Pair and similarity of every item in position order, without decisions; for ordering a whole queue. */
  listQueueSimilarities(queueId: string): QueueSimilarityRecord[];
}

export interface QueueSimilarityRecord {
  queueItemId: number;
  position: number;
  sampleA: string;
  sampleB: string;
  similarity: number;
}

interface QueueRow {
  queue_id: string;
  dataset_id: string;
  embedding_version_id: string;
  kind: QueueKind;
  params_json: string;
  created_at: string;
  size: number;
  decided: number;
}

interface ItemRow {
  queue_item_id: number;
  queue_id: string;
  queue_dataset_id: string;
  queue_embedding_version_id: string;
  position: number;
  sample_a: string;
  sample_b: string;
  similarity: number;
  rank: number;
  time_gap_seconds: number | null;
  same_sequence: 0 | 1;
  distance_metres: number | null;
  heading_difference_degrees: number | null;
}

/** An item row joined with its latest decision's columns, prefixed `d_`. */
type ItemWithDecisionRow = ItemRow & { [K in keyof DecisionRow as `d_${K}`]: DecisionRow[K] | null };

function toQueueRecord(row: QueueRow): QueueRecord {
  return {
    queueId: row.queue_id,
    datasetId: row.dataset_id,
    embeddingVersionId: row.embedding_version_id,
    kind: row.kind,
    createdAt: row.created_at,
    size: row.size,
    decided: row.decided,
    params: fromJsonColumn(row.params_json),
  };
}

function toQueueItem(row: ItemWithDecisionRow): StoredQueueItem {
  return {
    queueItemId: row.queue_item_id,
    queueId: row.queue_id,
    datasetId: row.queue_dataset_id,
    embeddingVersionId: row.queue_embedding_version_id,
    position: row.position,
    sampleA: row.sample_a,
    sampleB: row.sample_b,
    evidence: {
      similarity: row.similarity,
      rank: row.rank,
      timeGapSeconds: row.time_gap_seconds,
      sameSequence: row.same_sequence === 1,
      distanceMetres: row.distance_metres,
      headingDifferenceDegrees: row.heading_difference_degrees,
    },
    decision: row.d_decision_id === null ? null : toStoredDecision(decisionColumns(row)),
  };
}

/** Strips the `d_` prefix. Callers check `d_decision_id` first, so every NOT NULL column has a value. */
function decisionColumns(row: ItemWithDecisionRow): DecisionRow {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('d_')) columns[key.slice(2)] = value;
  }
  return columns as unknown as DecisionRow;
}

/**
 * Positions are always 0..n-1 (createQueue writes them so), so a queue's size is its largest
 * position plus one: one index lookup, where count(*) walks all n index entries.
 */
const SIZE_SQL = (queueId: string): string =>
  `(SELECT coalesce(max(sized.position) + 1, 0) FROM queue_items sized WHERE sized.queue_id = ${queueId})`;

const QUEUE_COLUMNS = `q.*,
  ${SIZE_SQL('q.queue_id')} AS size,
  (SELECT count(*) FROM queue_items qi WHERE qi.queue_id = q.queue_id
     AND ${latestDecisionIdSql('q.dataset_id', 'qi.sample_a', 'qi.sample_b')} IS NOT NULL) AS decided`;

const ITEM_COLUMNS = `qi.*, q.dataset_id AS queue_dataset_id, q.embedding_version_id AS queue_embedding_version_id,
  d.decision_id AS d_decision_id, d.dataset_id AS d_dataset_id, d.sample_a AS d_sample_a, d.sample_b AS d_sample_b,
  d.verdict AS d_verdict, d.reviewer AS d_reviewer, d.note AS d_note, d.embedding_version_id AS d_embedding_version_id,
  d.queue_id AS d_queue_id, d.queue_item_id AS d_queue_item_id, d.decided_at AS d_decided_at,
  d.undone_at AS d_undone_at, d.undone_by AS d_undone_by`;

const ITEM_FROM = `queue_items qi
  JOIN queues q ON q.queue_id = qi.queue_id
  LEFT JOIN decisions d ON d.decision_id = ${latestDecisionIdSql('q.dataset_id', 'qi.sample_a', 'qi.sample_b')}`;

export function createQueueMethods(context: StoreContext): QueueMethods {
  const { db } = context;
  const datasetExists = db.prepare('SELECT 1 FROM datasets WHERE dataset_id = ?').pluck();
  const embeddingDataset = db.prepare('SELECT dataset_id FROM embedding_versions WHERE embedding_version_id = ?').pluck();
  const existingQueue = db.prepare('SELECT dataset_id FROM queues WHERE queue_id = ?').pluck();
  const insertQueue = db.prepare(
    `INSERT INTO queues (queue_id, dataset_id, embedding_version_id, kind, params_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const updateQueue = db.prepare(
    `UPDATE queues SET embedding_version_id = ?, kind = ?, params_json = ?, created_at = ? WHERE queue_id = ?`,
  );
  const deleteItems = db.prepare('DELETE FROM queue_items WHERE queue_id = ?');
  const insertItem = db.prepare(
    `INSERT INTO queue_items (queue_id, position, sample_a, sample_b, similarity, rank, time_gap_seconds,
       same_sequence, distance_metres, heading_difference_degrees)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectQueue = db.prepare(`SELECT ${QUEUE_COLUMNS} FROM queues q WHERE q.queue_id = ?`);
  const selectQueues = db.prepare(`SELECT ${QUEUE_COLUMNS} FROM queues q ORDER BY q.created_at DESC, q.queue_id`);
  const selectQueuesOf = db.prepare(
    `SELECT ${QUEUE_COLUMNS} FROM queues q WHERE q.dataset_id = ? ORDER BY q.created_at DESC, q.queue_id`,
  );
  const countItems = db.prepare(`SELECT ${SIZE_SQL('?')}`).pluck();
  const countDecided = db
    .prepare(
      `SELECT count(*) FROM queue_items qi JOIN queues q ON q.queue_id = qi.queue_id
       WHERE qi.queue_id = ? AND ${latestDecisionIdSql('q.dataset_id', 'qi.sample_a', 'qi.sample_b')} IS NOT NULL`,
    )
    .pluck();
  const selectPage = db.prepare(
    `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM}
     WHERE qi.queue_id = ? AND qi.position >= ? AND qi.position < ? ORDER BY qi.position`,
  );
  const selectAt = db.prepare(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE qi.queue_id = ? AND qi.position = ?`);
  const selectById = db.prepare(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE qi.queue_item_id = ?`);
  const selectSimilarities = db.prepare(
    `SELECT queue_item_id AS queueItemId, position, sample_a AS sampleA, sample_b AS sampleB, similarity
     FROM queue_items WHERE queue_id = ? ORDER BY position`,
  );

  const getQueue = (queueId: string): QueueRecord => {
    const row = selectQueue.get(queueId) as QueueRow | undefined;
    if (row === undefined) throw queueNotFound(queueId);
    return toQueueRecord(row);
  };

  const writeQueue = db.transaction((queueId: string, input: CreateQueueInput, replace: boolean) => {
    const kind = input.kind ?? 'false-negative';
    const paramsJson = toJsonColumn(input.params ?? {}, `Queue "${queueId}" params`);
    const createdAt = context.now();

    if (replace) {
      updateQueue.run(input.embeddingVersionId, kind, paramsJson, createdAt, queueId);
      deleteItems.run(queueId);
    } else {
      insertQueue.run(queueId, input.datasetId, input.embeddingVersionId, kind, paramsJson, createdAt);
    }

    input.items.forEach((item, position) => {
      const evidence = item.evidence;
      insertItem.run(
        queueId,
        position,
        item.sampleA,
        item.sampleB,
        evidence.similarity,
        evidence.rank,
        evidence.timeGapSeconds,
        evidence.sameSequence ? 1 : 0,
        evidence.distanceMetres,
        evidence.headingDifferenceDegrees,
      );
    });
  });

  return {
    createQueue(input, options = {}) {
      if (datasetExists.get(input.datasetId) === undefined) throw datasetNotFound(input.datasetId);
      checkEmbeddingVersion(embeddingDataset.get(input.embeddingVersionId) as string | undefined, input);
      const kind = input.kind ?? 'false-negative';
      if (!QUEUE_KINDS.includes(kind)) {
        throw new ApronError('invalid-input', `Queue kind "${String(kind)}" is not one of ${QUEUE_KINDS.join(', ')}.`);
      }
      input.items.forEach(checkItem);

      const queueId = input.queueId ?? newId('queue', context.now());
      const ownerDataset = existingQueue.get(queueId) as string | undefined;
      const replace = ownerDataset !== undefined;
      if (replace && options.replace !== true) {
        throw new ApronError('conflict', `Queue "${queueId}" already exists.`, {
          hint: 'Pass the replace option to mine it again, or choose another queue id.',
        });
      }
      if (replace && ownerDataset !== input.datasetId) {
        throw new ApronError(
          'conflict',
          `Queue "${queueId}" belongs to dataset "${ownerDataset}" and cannot be replaced by a queue of "${input.datasetId}".`,
          { hint: 'Choose another queue id.' },
        );
      }

      writeQueue(queueId, input, replace);
      return getQueue(queueId);
    },

    getQueue,

    countQueueItems(queueId) {
      const size = countItems.get(queueId) as number;
      if (size === 0 && existingQueue.get(queueId) === undefined) throw queueNotFound(queueId);
      return size;
    },

    listQueues(datasetId) {
      const rows = datasetId === undefined ? selectQueues.all() : selectQueuesOf.all(datasetId);
      return (rows as QueueRow[]).map(toQueueRecord);
    },

    getQueueItems(queueId, offset, limit) {
      const queue = getQueue(queueId);
      checkPaging(offset, limit);
      const rows = selectPage.all(queueId, offset, offset + limit) as ItemWithDecisionRow[];
      return { queue, items: rows.map(toQueueItem), total: queue.size };
    },

    getQueueItemAt(queueId, position) {
      const row = selectAt.get(queueId, position) as ItemWithDecisionRow | undefined;
      if (row !== undefined) return toQueueItem(row);
      const size = countItems.get(queueId) as number;
      if (size === 0 && existingQueue.get(queueId) === undefined) throw queueNotFound(queueId);
      // Positions count from 0, as in the API; the UI counts pairs from 1, so both are named.
      throw new ApronError('not-found', `Queue "${queueId}" has no item at position ${position} (pair ${position + 1}).`, {
        hint: size === 0 ? 'The queue is empty.' : `Positions run from 0 to ${size - 1} (pairs 1 to ${size}).`,
      });
    },

    getQueueItem(queueItemId) {
      const row = selectById.get(queueItemId) as ItemWithDecisionRow | undefined;
      if (row === undefined) {
        throw new ApronError('not-found', `Queue item ${queueItemId} is not in the store.`, {
          hint: 'The queue may have been mined again since the page was loaded; reload the queue.',
        });
      }
      return toQueueItem(row);
    },

    countDecidedItems(queueId) {
      getQueue(queueId);
      return countDecided.get(queueId) as number;
    },

    listQueueSimilarities(queueId) {
      const rows = selectSimilarities.all(queueId) as QueueSimilarityRecord[];
      if (rows.length === 0 && existingQueue.get(queueId) === undefined) throw queueNotFound(queueId);
      return rows;
    },
  };
}

export function queueNotFound(queueId: string): ApronError {
  return new ApronError('not-found', `Queue "${queueId}" is not in the store.`, {
    hint: 'Check the queue id against the list of queues, or mine a queue first.',
  });
}

function checkEmbeddingVersion(embeddingDatasetId: string | undefined, input: CreateQueueInput): void {
  if (embeddingDatasetId === undefined) {
    throw new ApronError('not-found', `Embedding version "${input.embeddingVersionId}" is not in the store.`, {
      hint: 'Record the embedding version before mining a queue from it.',
    });
  }
  // Queue items name samples of the embedding's dataset, so the two must agree.
  if (embeddingDatasetId !== input.datasetId) {
    throw new ApronError(
      'invalid-input',
      `Embedding version "${input.embeddingVersionId}" belongs to dataset "${embeddingDatasetId}", not "${input.datasetId}".`,
    );
  }
}

function checkItem(item: QueueItemInput, position: number): void {
  const where = `Queue item at position ${position} (${item.sampleA}, ${item.sampleB})`;
  if (item.sampleA === '' || item.sampleB === '') throw new ApronError('invalid-input', `${where} has an empty sample id.`);
  if (item.sampleA === item.sampleB) throw new ApronError('invalid-input', `${where} pairs a sample with itself.`);

  const { similarity, rank, timeGapSeconds, distanceMetres, headingDifferenceDegrees } = item.evidence;
  if (!Number.isFinite(similarity)) throw new ApronError('invalid-input', `${where}: similarity ${similarity} is not a finite number.`);
  if (!Number.isSafeInteger(rank) || rank < 1) throw new ApronError('invalid-input', `${where}: rank ${rank} is not an integer of at least 1.`);
  for (const [name, value] of Object.entries({ timeGapSeconds, distanceMetres, headingDifferenceDegrees })) {
    if (value !== null && !Number.isFinite(value)) {
      throw new ApronError('invalid-input', `${where}: ${name} ${value} is neither null nor a finite number.`);
    }
  }
}

function checkPaging(offset: number, limit: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1) {
    throw new ApronError('invalid-input', `Invalid page: offset ${offset}, limit ${limit}.`, {
      hint: 'The offset must be a non-negative integer and the limit a positive integer.',
    });
  }
}
