/**
 * The decision store: one SQLite file per workspace (through better-sqlite3), holding datasets,
 * training runs, embedding versions, review queues and reviewers' decisions. docs/store.md lists
 * the tables and the rules that reading code relies on.
 *
 * better-sqlite3 is synchronous: every method returns when SQLite has finished. Callers that must
 * not block (the Electron main loop) run the store in a worker.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { createAuditMethods, type AuditMethods } from './audit.js';
import type { StoreContext } from './context.js';
import { createDatasetMethods, type DatasetMethods } from './datasets.js';
import { createDecisionMethods, type DecisionMethods } from './decisions.js';
import { createEmbeddingVersionMethods, type EmbeddingVersionMethods } from './embeddings.js';
import { applyMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { createQueueMethods, type QueueMethods } from './queues.js';
import { createTrainingRunMethods, type TrainingRunMethods } from './runs.js';

const log = createLogger('store');

/**
 * Maximum time a statement waits for another connection's lock before failing with SQLITE_BUSY.
 * The CLI and the app may have the same file open. A write keeps the lock for milliseconds, so
 * five seconds runs out only when the other side is stuck.
 */
const BUSY_TIMEOUT_MS = 5000;

export interface StoreOptions {
  /** Clock for every timestamp the store writes; tests pass a fixed one. */
  now?: () => Date;
}

export type Store = DatasetMethods &
  TrainingRunMethods &
  EmbeddingVersionMethods &
  QueueMethods &
  DecisionMethods &
  AuditMethods & {
    /** The database file, or `:memory:`. */
    readonly path: string;
    /** Highest schema migration applied. */
    readonly schemaVersion: number;
    /** Closes the connection; the store must not be used afterwards. */
    close(): void;
  };

/** Opens (creating if needed) the store at `path`, or an in-memory one for `:memory:`, and migrates it. */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const inMemory = path === ':memory:';
  const label = inMemory ? path : resolve(path);
  if (!inMemory) checkParentFolder(label);

  let db: Database.Database;
  try {
    db = new Database(label, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new ApronError('unreadable-file', `Cannot open the store ${label}: ${(error as Error).message}`, {
      path: label,
      hint: 'Check that the file is an Apron store and that you may read and write it.',
      cause: error,
    });
  }

  try {
    configureConnection(db, label, inMemory);
    const schemaVersion = applyMigrations(db, MIGRATIONS, label);
    const now = options.now ?? (() => new Date());
    const context: StoreContext = { db, now: () => now().toISOString() };
    log.debug(`opened store ${label} at schema version ${schemaVersion}`);

    return {
      ...createDatasetMethods(context),
      ...createTrainingRunMethods(context),
      ...createEmbeddingVersionMethods(context),
      ...createQueueMethods(context),
      ...createDecisionMethods(context),
      ...createAuditMethods(context),
      path: label,
      schemaVersion,
      close() {
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

function checkParentFolder(path: string): void {
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ApronError('not-found', `Cannot create the store ${path}: folder ${folder} does not exist.`, {
      path,
      hint: 'Create the folder first, or open the workspace so that Apron creates it.',
    });
  }
}

/** Sets the pragmas every connection needs; exported for tests, which read them back. */
export function configureConnection(db: Database.Database, label: string, inMemory: boolean): void {
  try {
    // WAL lets the UI read while a writer commits. An in-memory database reports `memory` instead.
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && journalMode !== 'wal') {
      log.warn(`store ${label} runs in journal mode ${String(journalMode)}, not WAL; readers may wait for writers`);
    }
  } catch (error) {
    throw new ApronError('unreadable-file', `Cannot read the store ${label}: ${(error as Error).message}`, {
      path: label,
      hint: 'The file is not an Apron store (SQLite database). Move it away or choose another workspace.',
      cause: error,
    });
  }

  // A decision must be on disk before the UI shows it as saved. With WAL, synchronous = NORMAL
  // may lose the last commits on power loss (SQLite docs, "PRAGMA synchronous"); FULL syncs the
  // WAL on every commit.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}
