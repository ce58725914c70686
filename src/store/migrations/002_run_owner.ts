/**
 * Record which process owns a running training run (its pid and host), so that a run whose
 * process died without recording an outcome can be found and marked failed later.
 */
import type { Migration } from '../migrate.js';

export const migration: Migration = {
  version: 2,
  name: 'run_owner',
  up(db) {
    db.exec(`
      ALTER TABLE training_runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE training_runs ADD COLUMN owner_host TEXT;
    `);
  },
};
