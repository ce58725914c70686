/**
 * The first schema: datasets, training runs, embedding versions, review queues with their items,
 * and reviewers' decisions. docs/store.md describes every column.
 *
 * Tables are STRICT (SQLite 3.37 and later) so that a wrong type is an error, not a silent
 * conversion. Decisions and queue items use AUTOINCREMENT because their ids leave the database
 * (the UI holds queue item ids, exports name decision ids): a replaced queue must never hand out
 * an id that once meant another pair.
 */
import type { Migration } from '../migrate.js';

export const migration: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        dataset_id    TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        importer      TEXT,
        manifest_path TEXT NOT NULL,
        root          TEXT NOT NULL,
        sample_count  INTEGER NOT NULL CHECK (sample_count >= 0),
        created_at    TEXT NOT NULL
      ) STRICT;

      CREATE TABLE training_runs (
        run_id          TEXT PRIMARY KEY,
        dataset_id      TEXT NOT NULL REFERENCES datasets (dataset_id),
        config_json     TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
        checkpoint_path TEXT,
        decisions_used  INTEGER CHECK (decisions_used >= 0),
        metrics_json    TEXT,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        error           TEXT
      ) STRICT;
      CREATE INDEX training_runs_by_dataset ON training_runs (dataset_id, started_at);

      CREATE TABLE embedding_versions (
        embedding_version_id TEXT PRIMARY KEY,
        dataset_id           TEXT NOT NULL REFERENCES datasets (dataset_id),
        run_id               TEXT REFERENCES training_runs (run_id),
        checkpoint_path      TEXT,
        vectors_path         TEXT NOT NULL,
        dimension            INTEGER NOT NULL CHECK (dimension > 0),
        count                INTEGER NOT NULL CHECK (count >= 0),
        created_at           TEXT NOT NULL,
        note                 TEXT
      ) STRICT;
      CREATE INDEX embedding_versions_by_dataset ON embedding_versions (dataset_id, created_at);

      CREATE TABLE queues (
        queue_id             TEXT PRIMARY KEY,
        dataset_id           TEXT NOT NULL REFERENCES datasets (dataset_id),
        embedding_version_id TEXT NOT NULL REFERENCES embedding_versions (embedding_version_id),
        kind                 TEXT NOT NULL,
        params_json          TEXT NOT NULL,
        created_at           TEXT NOT NULL
      ) STRICT;
      CREATE INDEX queues_by_dataset ON queues (dataset_id, created_at);

      CREATE TABLE queue_items (
        queue_item_id              INTEGER PRIMARY KEY AUTOINCREMENT,
        queue_id                   TEXT NOT NULL REFERENCES queues (queue_id) ON DELETE CASCADE,
        position                   INTEGER NOT NULL CHECK (position >= 0),
        sample_a                   TEXT NOT NULL,
        sample_b                   TEXT NOT NULL CHECK (sample_b <> sample_a),
        similarity                 REAL NOT NULL,
        rank                       INTEGER NOT NULL CHECK (rank >= 1),
        time_gap_seconds           REAL,
        same_sequence              INTEGER NOT NULL CHECK (same_sequence IN (0, 1)),
        distance_metres            REAL,
        heading_difference_degrees REAL,
        UNIQUE (queue_id, position)
      ) STRICT;

      CREATE TABLE decisions (
        decision_id          INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id           TEXT NOT NULL REFERENCES datasets (dataset_id),
        sample_a             TEXT NOT NULL,
        sample_b             TEXT NOT NULL,
        verdict              TEXT NOT NULL CHECK (verdict IN ('same', 'different', 'unsure')),
        reviewer             TEXT NOT NULL CHECK (length(reviewer) > 0),
        note                 TEXT,
        embedding_version_id TEXT REFERENCES embedding_versions (embedding_version_id) ON DELETE SET NULL,
        queue_id             TEXT REFERENCES queues (queue_id) ON DELETE SET NULL,
        queue_item_id        INTEGER REFERENCES queue_items (queue_item_id) ON DELETE SET NULL,
        decided_at           TEXT NOT NULL,
        undone_at            TEXT,
        undone_by            TEXT,
        CHECK (sample_a < sample_b),
        CHECK ((undone_at IS NULL) = (undone_by IS NULL))
      ) STRICT;
      -- The latest decision on a pair is looked up for every queue item shown and counted.
      CREATE INDEX decisions_by_pair ON decisions (dataset_id, sample_a, sample_b);
      CREATE INDEX decisions_by_queue_reviewer ON decisions (queue_id, reviewer);
      -- Replacing a queue deletes its items, and ON DELETE SET NULL then looks decisions up by item.
      CREATE INDEX decisions_by_item ON decisions (queue_item_id);
    `);
  },
};
