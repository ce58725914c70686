/**
 * Team review: a `role` on every decision (`reviewer`, or `adjudicator` for a verdict that settles
 * a disagreement), and `decision_audit`, an append-only log of every decision and every undo with
 * the actor's verdict before and after the change.
 *
 * Existing decisions are copied into the log. Their entries are marked `backfilled`, because the
 * order of a decision and an undo that share a timestamp is reconstructed, not recorded.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrate.js';

export const migration: Migration = {
  version: 3,
  name: 'review_audit',
  up(db) {
    db.exec(`
      ALTER TABLE decisions ADD COLUMN role TEXT NOT NULL DEFAULT 'reviewer'
        CHECK (role IN ('reviewer', 'adjudicator'));

      CREATE TABLE decision_audit (
        audit_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id     TEXT NOT NULL REFERENCES datasets (dataset_id),
        decision_id    INTEGER NOT NULL REFERENCES decisions (decision_id),
        action         TEXT NOT NULL CHECK (action IN ('decide', 'undo')),
        actor          TEXT NOT NULL CHECK (length(actor) > 0),
        role           TEXT NOT NULL CHECK (role IN ('reviewer', 'adjudicator')),
        sample_a       TEXT NOT NULL,
        sample_b       TEXT NOT NULL,
        -- Plain values, not references: the log outlives replaced queues and deleted items.
        queue_id       TEXT,
        verdict_before TEXT CHECK (verdict_before IN ('same', 'different', 'unsure')),
        verdict_after  TEXT CHECK (verdict_after IN ('same', 'different', 'unsure')),
        note           TEXT,
        changed_at     TEXT NOT NULL,
        backfilled     INTEGER NOT NULL DEFAULT 0 CHECK (backfilled IN (0, 1)),
        CHECK (sample_a < sample_b)
      ) STRICT;
      CREATE INDEX decision_audit_by_dataset ON decision_audit (dataset_id, audit_id);
      CREATE INDEX decision_audit_by_queue ON decision_audit (queue_id, audit_id);
      CREATE INDEX decision_audit_by_pair ON decision_audit (dataset_id, sample_a, sample_b);
      -- Per-reviewer verdicts and adjudications read every decision of a dataset by role.
      CREATE INDEX decisions_by_dataset_role ON decisions (dataset_id, role, decision_id);
    `);
    backfillAudit(db);
  },
};

interface BackfillRow {
  decision_id: number;
  dataset_id: string;
  sample_a: string;
  sample_b: string;
  verdict: string;
  reviewer: string;
  note: string | null;
  queue_id: string | null;
  decided_at: string;
  undone_at: string | null;
  undone_by: string | null;
}

interface BackfillEvent {
  action: 'decide' | 'undo';
  at: string;
  row: BackfillRow;
}

/**
 * Replays the decisions table as events (each decision at `decided_at`, each undo at `undone_at`)
 * and writes one log entry per event. Before and after are the reviewer's latest verdict on the pair
 * that is not undone at that moment, the same rule the live log uses.
 */
function backfillAudit(db: Database.Database): void {
  const rows = db.prepare('SELECT * FROM decisions ORDER BY decision_id').all() as BackfillRow[];
  const events: BackfillEvent[] = [];
  for (const row of rows) {
    events.push({ action: 'decide', at: row.decided_at, row });
    if (row.undone_at !== null) events.push({ action: 'undo', at: row.undone_at, row });
  }
  // Stable sort: equal times keep decision order, and a decision comes before its own undo.
  events.sort((left, right) => (left.at < right.at ? -1 : left.at > right.at ? 1 : 0));

  const insert = db.prepare(
    `INSERT INTO decision_audit (dataset_id, decision_id, action, actor, role, sample_a, sample_b, queue_id,
       verdict_before, verdict_after, note, changed_at, backfilled)
     VALUES (?, ?, ?, ?, 'reviewer', ?, ?, ?, ?, ?, ?, ?, 1)`,
  );
  // Active decisions (not yet undone at this point of the replay) per dataset, pair and reviewer.
  const active = new Map<string, BackfillRow[]>();
  for (const event of events) {
    const { row } = event;
    const key = JSON.stringify([row.dataset_id, row.sample_a, row.sample_b, row.reviewer]);
    const stack = active.get(key) ?? [];
    const before = latestVerdict(stack);
    if (event.action === 'decide') {
      stack.push(row);
    } else {
      const index = stack.indexOf(row);
      if (index >= 0) stack.splice(index, 1);
    }
    active.set(key, stack);
    const actor = event.action === 'decide' ? row.reviewer : (row.undone_by ?? row.reviewer);
    insert.run(
      row.dataset_id,
      row.decision_id,
      event.action,
      actor,
      row.sample_a,
      row.sample_b,
      row.queue_id,
      before,
      latestVerdict(stack),
      event.action === 'decide' ? row.note : null,
      event.at,
    );
  }
}

function latestVerdict(stack: readonly BackfillRow[]): string | null {
  let latest: BackfillRow | undefined;
  for (const row of stack) if (latest === undefined || row.decision_id > latest.decision_id) latest = row;
  return latest?.verdict ?? null;
}
