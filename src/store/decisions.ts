/**
 * The `decisions` table: every verdict a reviewer gave on a pair, kept forever. Undo marks a
 * decision undone instead of deleting it, so the history of who decided what survives, and each
 * decision and undo writes a `decision_audit` entry in the same transaction. Queue items show the
 * latest decision that is not undone, by any reviewer. Training reads the resolved verdict of
 * `src/review/verdicts.ts`, which weighs every reviewer's latest verdict and any adjudication.
 */
import { verdictSchema, type Verdict } from '../api/contract.js';
import { ApronError } from '../core/errors.js';
import { summarizePairReviews, type ReviewDecision, type ReviewRole } from '../review/verdicts.js';
import { createAuditLog } from './audit.js';
import { datasetNotFound } from './datasets.js';
import type { StoreContext } from './context.js';
import { toStoredDecision, type DecisionRow, type StoredDecision } from './decision-record.js';
import { canonicalPair, type SamplePair } from './pair-order.js';
import { queueNotFound } from './queues.js';

export interface RecordDecisionInput {
  datasetId: string;
  /** The two samples, in either order; the store keeps the smaller id first. */
  sampleA: string;
  sampleB: string;
  verdict: Verdict;
  reviewer: string;
  note?: string | null;
  /** The embedding version whose similarity the reviewer saw, if any. */
  embeddingVersionId?: string | null;
  queueId?: string | null;
  queueItemId?: number | null;
  /** `reviewer` when omitted; `adjudicator` settles a pair that reviewers disagree on. */
  role?: ReviewRole;
}

export interface ItemDecisionInput {
  verdict: Verdict;
  reviewer: string;
  note?: string | null;
}

export interface DecisionMethods {
  /** Inserts a decision and returns it as stored, durable on disk once this returns. */
  recordDecision(input: RecordDecisionInput): StoredDecision;
  /** Records a decision on a queue item's pair, taking dataset, queue and embedding version from the queue. */
  recordItemDecision(queueItemId: number, input: ItemDecisionInput): StoredDecision;
  /**
   * Marks the reviewer's latest decision in the queue that is not undone as undone, and returns it.
   * Returns null when there is nothing left to undo. Repeated calls step further back.
   */
  undoLatestDecision(queueId: string, reviewer: string): StoredDecision | null;
  getDecision(decisionId: number): StoredDecision;
  /**
   * Pairs of the dataset whose resolved verdict is this one, sorted by `a` then `b`, with `a < b` in
   * SQLite's byte order. This is what training reads for the mask and hard negatives. The resolved
   * verdict is the adjudicator's, else the reviewers' shared verdict, else `resolveDisagreement`'s.
   */
  listDecisionPairs(datasetId: string, verdict: Verdict): SamplePair[];
  /**
   * Decisions that are not undone, of the dataset or only on the pairs of one queue's items, in id
   * order. Reviewer verdicts, agreement and adjudication are computed from these.
   */
  listActiveDecisions(datasetId: string, queueId?: string): ReviewDecision[];
  /** Every decision of the dataset, undone ones included, oldest first: the full history. */
  listDecisionHistory(datasetId: string): StoredDecision[];
}

export function createDecisionMethods(context: StoreContext): DecisionMethods {
  const { db } = context;
  const datasetExists = db.prepare('SELECT 1 FROM datasets WHERE dataset_id = ?').pluck();
  const queueExists = db.prepare('SELECT 1 FROM queues WHERE queue_id = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO decisions (dataset_id, sample_a, sample_b, verdict, reviewer, note, embedding_version_id,
       queue_id, queue_item_id, decided_at, role)
     VALUES (@datasetId, @a, @b, @verdict, @reviewer, @note, @embeddingVersionId, @queueId, @queueItemId, @decidedAt, @role)`,
  );
  const selectRole = db.prepare('SELECT role FROM decisions WHERE decision_id = ?').pluck();
  const audit = createAuditLog(context);
  const selectOne = db.prepare('SELECT * FROM decisions WHERE decision_id = ?');
  const selectItem = db.prepare(
    `SELECT qi.sample_a, qi.sample_b, qi.queue_id, q.dataset_id, q.embedding_version_id
     FROM queue_items qi JOIN queues q ON q.queue_id = qi.queue_id WHERE qi.queue_item_id = ?`,
  );
  const selectLatestOfReviewer = db
    .prepare(
      `SELECT max(decision_id) FROM decisions
       WHERE queue_id = ? AND reviewer = ? AND undone_at IS NULL`,
    )
    .pluck();
  const markUndone = db.prepare(
    'UPDATE decisions SET undone_at = ?, undone_by = ? WHERE decision_id = ? AND undone_at IS NULL',
  );
  const selectActive = db.prepare(
    `SELECT decision_id, sample_a, sample_b, verdict, reviewer, role, note, queue_id FROM decisions
     WHERE dataset_id = ? AND undone_at IS NULL ORDER BY decision_id`,
  );
  const selectQueuePairs = db.prepare('SELECT sample_a, sample_b FROM queue_items WHERE queue_id = ?');
  const selectHistory = db.prepare('SELECT * FROM decisions WHERE dataset_id = ? ORDER BY decision_id');

  const getDecision = (decisionId: number): StoredDecision => {
    const row = selectOne.get(decisionId) as DecisionRow | undefined;
    if (row === undefined) throw new ApronError('not-found', `Decision ${decisionId} is not in the store.`);
    return toStoredDecision(row);
  };

  const recordDecision = (input: RecordDecisionInput): StoredDecision => {
    checkDecision(input);
    if (datasetExists.get(input.datasetId) === undefined) throw datasetNotFound(input.datasetId);
    const { a, b } = canonicalPair(input.sampleA, input.sampleB);
    const reviewer = input.reviewer.trim();
    const role = input.role ?? 'reviewer';
    const note = emptyToNull(input.note);
    const decisionId = writeDecision(() => {
      // One clock reading per change, so the decision and its log entry carry the same time.
      const decidedAt = context.now();
      const before = audit.currentVerdict(input.datasetId, a, b, reviewer, role);
      const result = runWithForeignKeyCheck(() => insert.run({
        datasetId: input.datasetId,
        a,
        b,
        verdict: input.verdict,
        reviewer,
        note,
        embeddingVersionId: input.embeddingVersionId ?? null,
        queueId: input.queueId ?? null,
        queueItemId: input.queueItemId ?? null,
        decidedAt,
        role,
      }), input);
      const id = Number(result.lastInsertRowid);
      audit.append({
        datasetId: input.datasetId,
        decisionId: id,
        action: 'decide',
        actor: reviewer,
        role,
        sampleA: a,
        sampleB: b,
        queueId: input.queueId ?? null,
        verdictBefore: before,
        verdictAfter: input.verdict,
        note,
        changedAt: decidedAt,
      });
      return id;
    });
    return getDecision(decisionId);
  };

  // The decision and its log entry commit together, so the log never misses or invents a change.
  const writeDecision = db.transaction((write: () => number): number => write());

  // Reading the last id and marking it in one transaction keeps two quick undos from racing.
  const undo = db.transaction((queueId: string, reviewer: string): StoredDecision | null => {
    const decisionId = selectLatestOfReviewer.get(queueId, reviewer) as number | null;
    if (decisionId === null) return null;
    const target = getDecision(decisionId);
    const role = selectRole.get(decisionId) as ReviewRole;
    const before = audit.currentVerdict(target.datasetId, target.sampleA, target.sampleB, target.reviewer, role);
    const undoneAt = context.now();
    markUndone.run(undoneAt, reviewer, decisionId);
    audit.append({
      datasetId: target.datasetId,
      decisionId,
      action: 'undo',
      actor: reviewer,
      role,
      sampleA: target.sampleA,
      sampleB: target.sampleB,
      queueId: target.queueId,
      verdictBefore: before,
      verdictAfter: audit.currentVerdict(target.datasetId, target.sampleA, target.sampleB, target.reviewer, role),
      note: null,
      changedAt: undoneAt,
    });
    return getDecision(decisionId);
  });

  const listActiveDecisions = (datasetId: string, queueId?: string): ReviewDecision[] => {
    if (datasetExists.get(datasetId) === undefined) throw datasetNotFound(datasetId);
    const decisions = (selectActive.all(datasetId) as ActiveRow[]).map(toReviewDecision);
    if (queueId === undefined) return decisions;

    if (queueExists.get(queueId) === undefined) throw queueNotFound(queueId);
    const pairs = new Set<string>();
    for (const item of selectQueuePairs.all(queueId) as Array<{ sample_a: string; sample_b: string }>) {
      const { a, b } = canonicalPair(item.sample_a, item.sample_b);
      pairs.add(`${a}\u0000${b}`);
    }
    return decisions.filter((decision) => pairs.has(`${decision.sampleA}\u0000${decision.sampleB}`));
  };

  return {
    recordDecision,

    recordItemDecision(queueItemId, input) {
      const item = selectItem.get(queueItemId) as ItemRow | undefined;
      if (item === undefined) {
        throw new ApronError('not-found', `Queue item ${queueItemId} is not in the store.`, {
          hint: 'The queue may have been mined again since the page was loaded; reload the queue.',
        });
      }
      return recordDecision({
        datasetId: item.dataset_id,
        sampleA: item.sample_a,
        sampleB: item.sample_b,
        verdict: input.verdict,
        reviewer: input.reviewer,
        note: input.note ?? null,
        embeddingVersionId: item.embedding_version_id,
        queueId: item.queue_id,
        queueItemId,
      });
    },

    undoLatestDecision(queueId, reviewer) {
      if (queueExists.get(queueId) === undefined) throw queueNotFound(queueId);
      return undo(queueId, checkReviewer(reviewer));
    },

    getDecision,

    listDecisionPairs(datasetId, verdict) {
      checkVerdict(verdict);
      // Pairs come back sorted by compareSampleIds, which is SQLite's BINARY order.
      return summarizePairReviews(listActiveDecisions(datasetId))
        .filter((review) => review.resolved === verdict)
        .map((review) => ({ a: review.a, b: review.b }));
    },

    listActiveDecisions,

    listDecisionHistory(datasetId) {
      if (datasetExists.get(datasetId) === undefined) throw datasetNotFound(datasetId);
      return (selectHistory.all(datasetId) as DecisionRow[]).map(toStoredDecision);
    },
  };
}

/** Runs the insert, turning SQLite's bare foreign key error into one that names the ids to check. */
function runWithForeignKeyCheck<T>(insert: () => T, input: RecordDecisionInput): T {
  try {
    return insert();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw error;
    throw new ApronError(
      'not-found',
      `A decision names an embedding version, queue or queue item that is not in the store ` +
        `(embedding version ${String(input.embeddingVersionId ?? null)}, queue ${String(input.queueId ?? null)}, ` +
        `queue item ${String(input.queueItemId ?? null)}).`,
      { hint: 'Leave out the ids that do not exist, or reload the queue if it was mined again.', cause: error },
    );
  }
}

interface ActiveRow {
  decision_id: number;
  sample_a: string;
  sample_b: string;
  verdict: Verdict;
  reviewer: string;
  role: ReviewRole;
  note: string | null;
  queue_id: string | null;
}

function toReviewDecision(row: ActiveRow): ReviewDecision {
  return {
    decisionId: row.decision_id,
    sampleA: row.sample_a,
    sampleB: row.sample_b,
    verdict: row.verdict,
    reviewer: row.reviewer,
    role: row.role,
    note: row.note,
    queueId: row.queue_id,
  };
}

interface ItemRow {
  sample_a: string;
  sample_b: string;
  queue_id: string;
  dataset_id: string;
  embedding_version_id: string;
}

function checkDecision(input: RecordDecisionInput): void {
  checkVerdict(input.verdict);
  if (input.role !== undefined && input.role !== 'reviewer' && input.role !== 'adjudicator') {
    throw new ApronError('invalid-input', `Role "${String(input.role)}" is not one of reviewer, adjudicator.`);
  }
  checkReviewer(input.reviewer);
  if (input.sampleA === '' || input.sampleB === '') {
    throw new ApronError('invalid-input', `A decision needs two sample ids, got "${input.sampleA}" and "${input.sampleB}".`);
  }
  if (input.sampleA === input.sampleB) {
    throw new ApronError('invalid-input', `A decision pairs two different samples, got "${input.sampleA}" twice.`);
  }
}

function checkVerdict(verdict: string): void {
  if (!verdictSchema.safeParse(verdict).success) {
    throw new ApronError('invalid-input', `Verdict "${verdict}" is not one of ${verdictSchema.options.join(', ')}.`);
  }
}

/** Trims the reviewer name and throws `invalid-input` when nothing is left. */
function checkReviewer(reviewer: string): string {
  const trimmed = reviewer.trim();
  if (trimmed === '') {
    throw new ApronError('invalid-input', 'A reviewer name is required.', { hint: 'Enter your name before reviewing.' });
  }
  return trimmed;
}

function emptyToNull(note: string | null | undefined): string | null {
  return note === undefined || note === null || note.trim() === '' ? null : note;
}
