/** Every schema migration in version order. Append new ones; never edit or renumber a released one. */
import type { Migration } from '../migrate.js';
import { migration as initial } from './001_initial.js';
import { migration as runOwner } from './002_run_owner.js';
import { migration as reviewAudit } from './003_review_audit.js';

export const MIGRATIONS: readonly Migration[] = [initial, runOwner, reviewAudit];
