/** The stored form of a decision and its mapping from a `decisions` row. */
import type { DecisionRecord, Verdict } from '../api/contract.js';

/** A decision as the store keeps it: the API's record plus its dataset and undo state. */
export interface StoredDecision extends DecisionRecord {
  datasetId: string;
  /** When the decision was undone, or null while it counts. Undone decisions are kept as history. */
  undoneAt: string | null;
  undoneBy: string | null;
}

export interface DecisionRow {
  decision_id: number;
  dataset_id: string;
  sample_a: string;
  sample_b: string;
  verdict: Verdict;
  reviewer: string;
  note: string | null;
  embedding_version_id: string | null;
  queue_id: string | null;
  queue_item_id: number | null;
  decided_at: string;
  undone_at: string | null;
  undone_by: string | null;
}

export function toStoredDecision(row: DecisionRow): StoredDecision {
  return {
    decisionId: row.decision_id,
    datasetId: row.dataset_id,
    queueItemId: row.queue_item_id,
    sampleA: row.sample_a,
    sampleB: row.sample_b,
    verdict: row.verdict,
    reviewer: row.reviewer,
    note: row.note,
    embeddingVersionId: row.embedding_version_id,
    queueId: row.queue_id,
    decidedAt: row.decided_at,
    undoneAt: row.undone_at,
    undoneBy: row.undone_by,
  };
}

/** Copies the API's fields of a decision, dropping the store's extras before it crosses to the UI. */
export function toDecisionRecord(decision: StoredDecision): DecisionRecord {
  return {
    decisionId: decision.decisionId,
    queueItemId: decision.queueItemId,
    sampleA: decision.sampleA,
    sampleB: decision.sampleB,
    verdict: decision.verdict,
    reviewer: decision.reviewer,
    note: decision.note,
    embeddingVersionId: decision.embeddingVersionId,
    queueId: decision.queueId,
    decidedAt: decision.decidedAt,
  };
}

/**
 * SQL for the id of the latest decision that counts on a pair: the highest decision id that is not
 * undone. Ids, not `decided_at`, define "latest", because ids only grow while a clock can step back.
 * The arguments are SQL expressions for the dataset id and the two sample ids, in either order.
 */
export function latestDecisionIdSql(dataset: string, first: string, second: string): string {
  return `(SELECT max(latest.decision_id) FROM decisions latest
     WHERE latest.dataset_id = ${dataset}
       AND latest.sample_a = min(${first}, ${second})
       AND latest.sample_b = max(${first}, ${second})
       AND latest.undone_at IS NULL)`;
}
