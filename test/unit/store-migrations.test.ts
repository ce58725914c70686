import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { applyMigrations, schemaVersion, type Migration } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { configureConnection, openStore } from '../../src/store/store.js';

/** Tables each migration version adds, in creation order. */
const TABLES_BY_VERSION: Record<number, string[]> = {
  1: ['datasets', 'training_runs', 'embedding_versions', 'queues', 'queue_items', 'decisions'],
  2: [],
  3: ['decision_audit'],
};

function tableNames(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]
  );
}

describe('store migrations', () => {
  it('every migration has a table list in this test', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(Object.keys(TABLES_BY_VERSION).map(Number));
  });

  for (const migration of MIGRATIONS) {
    it(`migration ${migration.version} (${migration.name}) on a fresh database`, () => {
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      const version = applyMigrations(db, MIGRATIONS.slice(0, migration.version), ':memory:');

      expect(version).toBe(migration.version);
      expect(schemaVersion(db)).toBe(migration.version);
      const recorded = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(recorded).toEqual(MIGRATIONS.slice(0, migration.version).map((m) => ({ version: m.version, name: m.name })));

      const expected = ['schema_migrations'];
      for (let v = 1; v <= migration.version; v++) expected.push(...(TABLES_BY_VERSION[v] ?? []));
      expect(tableNames(db)).toEqual([...expected].sort());
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }

  it('migration 1 enforces pair order and verdicts', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, MIGRATIONS.slice(0, 1), ':memory:');
    db.prepare("INSERT INTO datasets VALUES ('d', 'D', NULL, '/m.json', '/', 3, '2025-01-01T00:00:00.000Z')").run();
    const insert = db.prepare(
      "INSERT INTO decisions (dataset_id, sample_a, sample_b, verdict, reviewer, decided_at) VALUES ('d', ?, ?, ?, 'ann', 't')",
    );

    expect(insert.run('a', 'b', 'same').changes).toBe(1);
    expect(() => insert.run('b', 'a', 'same')).toThrow(/CHECK constraint failed/);
    expect(() => insert.run('a', 'a', 'same')).toThrow(/CHECK constraint failed/);
    expect(() => insert.run('a', 'b', 'maybe')).toThrow(/CHECK constraint failed/);
    expect(() =>
      db.prepare("INSERT INTO decisions (dataset_id, sample_a, sample_b, verdict, reviewer, decided_at) VALUES ('x', 'a', 'b', 'same', 'ann', 't')").run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
    db.close();
  });

  it('migration 2 adds the run owner columns', () => {
    const db = new Database(':memory:');
    applyMigrations(db, MIGRATIONS.slice(0, 2), ':memory:');

    const columns = db.prepare("SELECT name FROM pragma_table_info('training_runs')").pluck().all() as string[];

    expect(columns).toContain('owner_pid');
    expect(columns).toContain('owner_host');
    db.close();
  });

  it('running migrations twice changes nothing', () => {
    const db = new Database(':memory:');
    applyMigrations(db, MIGRATIONS, ':memory:');
    expect(applyMigrations(db, MIGRATIONS, ':memory:')).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    db.close();
  });

  it('failed migration rolls back', () => {
    const db = new Database(':memory:');
    const broken: Migration = {
      version: 1,
      name: 'broken',
      up(connection) {
        connection.exec('CREATE TABLE half_done (x INTEGER)');
        connection.exec('INSERT INTO missing_table VALUES (1)');
      },
    };

    expect(() => applyMigrations(db, [broken], ':memory:')).toThrow(/Migration 001_broken failed on the store :memory:: no such table: missing_table/);
    expect(tableNames(db)).toEqual(['schema_migrations']);
    expect(schemaVersion(db)).toBe(0);
    db.close();
  });

  it('migration list out of order is rejected', () => {
    const db = new Database(':memory:');
    const second: Migration = { version: 2, name: 'second', up() {} };
    expect(() => applyMigrations(db, [second], ':memory:')).toThrow(/Migration 002_second is at position 1/);
    db.close();
  });
});

describe('openStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-store-open-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('database newer than the code is rejected', () => {
    const path = join(dir, 'apron.db');
    openStore(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES (99, 'from_the_future', 't')").run();
    raw.close();

    let caught: unknown;
    try {
      openStore(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApronError);
    expect((caught as ApronError).code).toBe('conflict');
    expect((caught as ApronError).message).toBe(
      `The store ${path} has schema version 99, but this version of Apron knows versions up to ${MIGRATIONS.length}.`,
    );
  });

  it('file store uses WAL', () => {
    const path = join(dir, 'apron.db');
    const store = openStore(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    store.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('connection pragmas are set', () => {
    const db = new Database(join(dir, 'pragmas.db'));
    configureConnection(db, 'pragmas.db', false);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 is FULL.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('missing folder gives a not-found error', () => {
    const path = join(dir, 'no-such-folder', 'apron.db');
    expect(() => openStore(path)).toThrow(`Cannot create the store ${path}: folder ${join(dir, 'no-such-folder')} does not exist.`);
  });

  it('file that is not a database is rejected', async () => {
    const path = join(dir, 'notes.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'these are not the bytes of a SQLite database, just a long enough line of text to fill a header');
    expect(() => openStore(path)).toThrow(/Cannot read the store .*notes\.db: file is not a database/);
  });
});
