/** Shared state of the store's table modules: the open connection and the clock. */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ApronError } from '../core/errors.js';

export interface StoreContext {
  db: Database.Database;
  /** Current time as an ISO 8601 string; tests pass a fixed clock. */
  now(): string;
}

/**
 * Makes a new id such as `run-20250301T101500-3f9a1c` from the prefix, the UTC time to the second
 * and 24 random bits. The time makes ids sort by creation in listings and logs. The random part
 * keeps two ids made in the same second apart.
 */
export function newId(prefix: string, nowIso: string): string {
  const stamp = nowIso.replace(/[-:]/g, '').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Serializes a value for a JSON column, or throws `invalid-input` naming the field. */
export function toJsonColumn(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ApronError('invalid-input', `${field} cannot be stored as JSON: ${(error as Error).message}`, { cause: error });
  }
  if (text === undefined) throw new ApronError('invalid-input', `${field} cannot be stored as JSON: the value is ${typeof value}`);
  return text;
}

export function fromJsonColumn(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}
