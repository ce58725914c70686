/**
 * Numbered schema migrations. Each migration is one small file under `migrations/` and runs once,
 * in version order, inside its own transaction; `schema_migrations` records which ones ran.
 */
import type Database from 'better-sqlite3';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';

const log = createLogger('store');

export interface Migration {
  /** 1, 2, 3, ...: consecutive, never reused or renumbered once released. */
  version: number;
  /** Short snake_case description, also the file name after the number. */
  name: string;
  up(db: Database.Database): void;
}

/** Highest version recorded in `schema_migrations`, or 0 for a fresh database. */
export function schemaVersion(db: Database.Database): number {
  ensureMigrationTable(db);
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Applies every migration newer than the database, in order, and returns the resulting version.
 * Throws a `conflict` error when the database is newer than the newest migration in this build,
 * because running old code on a newer schema could write rows the newer code cannot read.
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[], label: string): number {
  checkMigrationList(migrations);
  const known = migrations.length === 0 ? 0 : (migrations[migrations.length - 1]?.version ?? 0);
  const current = schemaVersion(db);

  if (current > known) {
    throw new ApronError(
      'conflict',
      `The store ${label} has schema version ${current}, but this version of Apron knows versions up to ${known}.`,
      {
        path: label,
        hint: 'Open it with the newer Apron that wrote it, or point APRON_HOME at another workspace.',
      },
    );
  }

  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current) continue;

    const run = db.transaction(() => {
      migration.up(db);
      record.run(migration.version, migration.name, new Date().toISOString());
    });
    try {
      run();
    } catch (error) {
      throw new ApronError(
        'internal',
        `Migration ${formatMigration(migration)} failed on the store ${label}: ${(error as Error).message}`,
        { path: label, hint: 'The store was left at the previous version. Report this with the log.', cause: error },
      );
    }
    // Every test opens in-memory stores; only migrations of real files are worth an info line.
    const message = `applied migration ${formatMigration(migration)} to ${label}`;
    if (label === ':memory:') log.debug(message);
    else log.info(message);
  }

  return Math.max(current, known);
}

export function formatMigration(migration: Migration): string {
  return `${String(migration.version).padStart(3, '0')}_${migration.name}`;
}

function ensureMigrationTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
}

/** Guards against a migration added out of order, which would silently never run on old stores. */
function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new ApronError(
        'internal',
        `Migration ${formatMigration(migration)} is at position ${index + 1}; versions must be 1, 2, 3, ... in order.`,
      );
    }
  });
}
