/**
 * The `decision_audit` table: an append-only log of every change to the decisions, one entry per
 * decision and one per undo, written in the transaction of the change. Entries are never updated
 * or deleted. `verdictBefore` and `verdictAfter` are the actor's own verdict on the pair (their
 * latest decision in the same role that is not undone) before and after the change.
 */
import type { AuditEntryRecord, Verdict } from '../api/contract.js';
import { ApronError } from '../core/errors.js';
import type { StoreContext } from './context.js';
import { canonicalPair } from './pair-order.js';
import type { ReviewRole } from '../review/verdicts.js';

export type AuditAction = 'decide' | 'undo';

/** One log entry, as the API returns it. */
export type AuditEntry = AuditEntryRecord;

export interface AuditFilter {
  datasetId?: string;
  queueId?: string;
  /** Matches the actor. */
  reviewer?: string;
  /** Both samples of one pair, in either order. */
  pair?: { sampleA: string; sampleB: string };
  offset?: number;
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Entries matching the filter, across all pages. */
  total: number;
}

export interface AuditMethods {
  /** Log entries matching every given filter, newest first. */
  listAuditLog(filter: AuditFilter): AuditPage;
}

/** The change that one log entry records. */
export interface AuditChange {
  datasetId: string;
  decisionId: number;
  action: AuditAction;
  actor: string;
  role: ReviewRole;
  sampleA: string;
  sampleB: string;
  queueId: string | null;
  verdictBefore: Verdict | null;
  verdictAfter: Verdict | null;
  note: string | null;
  /** The time written on the decision or the undo itself. */
  changedAt: string;
}

interface AuditRow {
  audit_id: number;
  dataset_id: string;
  decision_id: number;
  action: AuditAction;
  actor: string;
  role: ReviewRole;
  sample_a: string;
  sample_b: string;
  queue_id: string | null;
  verdict_before: Verdict | null;
  verdict_after: Verdict | null;
  note: string | null;
  changed_at: string;
  backfilled: 0 | 1;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** Prepares the statements that write and read the log; the caller runs writes inside its own transaction. */
export function createAuditLog(context: StoreContext): {
  append(change: AuditChange): void;
  /** The actor's latest verdict on the pair in this role that is not undone, or null. */
  currentVerdict(datasetId: string, sampleA: string, sampleB: string, actor: string, role: ReviewRole): Verdict | null;
} {
  const { db } = context;
  const insert = db.prepare(
    `INSERT INTO decision_audit (dataset_id, decision_id, action, actor, role, sample_a, sample_b, queue_id,
       verdict_before, verdict_after, note, changed_at)
     VALUES (@datasetId, @decisionId, @action, @actor, @role, @sampleA, @sampleB, @queueId,
       @verdictBefore, @verdictAfter, @note, @changedAt)`,
  );
  const selectCurrent = db
    .prepare(
      `SELECT verdict FROM decisions
       WHERE dataset_id = ? AND sample_a = ? AND sample_b = ? AND reviewer = ? AND role = ? AND undone_at IS NULL
       ORDER BY decision_id DESC LIMIT 1`,
    )
    .pluck();

  return {
    append(change) {
      insert.run(change);
    },
    currentVerdict(datasetId, sampleA, sampleB, actor, role) {
      return (selectCurrent.get(datasetId, sampleA, sampleB, actor, role) as Verdict | undefined) ?? null;
    },
  };
}

export function createAuditMethods(context: StoreContext): AuditMethods {
  const { db } = context;

  return {
    listAuditLog(filter) {
      const offset = filter.offset ?? 0;
      const limit = filter.limit ?? DEFAULT_PAGE;
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        throw new ApronError('invalid-input', `Invalid audit log page: offset ${offset}, limit ${limit}.`, {
          hint: `The offset must be a non-negative integer and the limit an integer from 1 to ${MAX_PAGE}.`,
        });
      }

      const conditions: string[] = [];
      const values: string[] = [];
      if (filter.datasetId !== undefined) {
        conditions.push('dataset_id = ?');
        values.push(filter.datasetId);
      }
      if (filter.queueId !== undefined) {
        conditions.push('queue_id = ?');
        values.push(filter.queueId);
      }
      if (filter.reviewer !== undefined) {
        conditions.push('actor = ?');
        values.push(filter.reviewer.trim());
      }
      if (filter.pair !== undefined) {
        const { a, b } = canonicalPair(filter.pair.sampleA, filter.pair.sampleB);
        conditions.push('sample_a = ? AND sample_b = ?');
        values.push(a, b);
      }
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;

      // The filters vary per call, and the log is read rarely, so the statement is prepared per call.
      const total = db.prepare(`SELECT count(*) FROM decision_audit ${where}`).pluck().get(...values) as number;
      const rows = db
        .prepare(`SELECT * FROM decision_audit ${where} ORDER BY audit_id DESC LIMIT ? OFFSET ?`)
        .all(...values, limit, offset) as AuditRow[];
      return { entries: rows.map(toAuditEntry), total };
    },
  };
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    auditId: row.audit_id,
    datasetId: row.dataset_id,
    decisionId: row.decision_id,
    action: row.action,
    actor: row.actor,
    role: row.role,
    sampleA: row.sample_a,
    sampleB: row.sample_b,
    queueId: row.queue_id,
    verdictBefore: row.verdict_before,
    verdictAfter: row.verdict_after,
    note: row.note,
    changedAt: row.changed_at,
    backfilled: row.backfilled === 1,
  };
}
