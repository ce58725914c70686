/**
 * Choice between exact search (ExactIndex, all pairs by blocked dot products) and the approximate
 * HNSW index, by the size of an embedding version.
 *
 * 'auto' keeps exact search while N^2 * D stays within EXACT_ALL_PAIRS_BUDGET (about 10,800 rows
 * at D = 128 and 21,600 at D = 32), unless a row threshold is given, and moves to HNSW above it.
 */
import { ApronError } from '../core/errors.js';
import { chooseIndex, type HnswParameters } from './hnsw.js';

/** The search a caller requests: one of the two kinds, or 'auto' to choose by size. */
export type SearchMode = 'exact' | 'approximate' | 'auto';

/** The search actually used. */
export type SearchKind = 'exact' | 'approximate';

export const SEARCH_MODES: readonly SearchMode[] = ['exact', 'approximate', 'auto'];

/** Environment variable with the default search mode, read when no mode is passed. */
export const SEARCH_MODE_ENV = 'APRON_SEARCH';

/** Environment variable with the largest row count that 'auto' searches exactly. */
export const EXACT_MAX_ROWS_ENV = 'APRON_EXACT_MAX_ROWS';

/** Description of the search used for an embedding version, as mining records it and the overview shows it. */
export interface SearchInfo {
  kind: SearchKind;
  rows: number;
  /** Recall@10 of the HNSW index against exact search, when it was measured. */
  recallAt10?: number;
  /** Number of query rows behind `recallAt10`. */
  recallQueries?: number;
  parameters?: HnswParameters;
  builtAt?: string;
  updatedAt?: string;
}

/** Parses a search mode. `source` names where the value came from, for the error message. */
export function parseSearchMode(value: string, source: string): SearchMode {
  if ((SEARCH_MODES as readonly string[]).includes(value)) return value as SearchMode;
  throw new ApronError('invalid-input', `Invalid search mode "${value}" in ${source}`, {
    hint: `Use one of ${SEARCH_MODES.join(', ')}.`,
  });
}

/** Returns the requested mode, else the mode in APRON_SEARCH, else 'auto'. */
export function resolveSearchMode(requested: SearchMode | undefined, env: NodeJS.ProcessEnv = process.env): SearchMode {
  if (requested !== undefined) return parseSearchMode(requested, 'the search option');
  const fromEnv = env[SEARCH_MODE_ENV];
  return fromEnv === undefined || fromEnv === '' ? 'auto' : parseSearchMode(fromEnv, SEARCH_MODE_ENV);
}

/** Returns the requested row threshold, else the one in APRON_EXACT_MAX_ROWS, else undefined (the N^2 * D budget decides). */
export function resolveExactMaxRows(requested: number | undefined, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromEnv = env[EXACT_MAX_ROWS_ENV];
  const value = requested ?? (fromEnv === undefined || fromEnv === '' ? undefined : Number(fromEnv));
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    const source = requested === undefined ? EXACT_MAX_ROWS_ENV : 'the exactMaxRows option';
    throw new ApronError('invalid-input', `Exact search row threshold in ${source} must be a non-negative integer, got ${String(requested ?? fromEnv)}`, {
      hint: 'Give the largest number of rows to search exactly, for example 20000.',
    });
  }
  return value;
}

/**
 * Chooses the search for `rows` vectors of `dimension` values. 'auto' searches exactly up to
 * `exactMaxRows` rows when it is given, else while N^2 * D stays within EXACT_ALL_PAIRS_BUDGET.
 */
export function chooseSearchKind(rows: number, dimension: number, mode: SearchMode, exactMaxRows?: number): SearchKind {
  if (mode === 'exact' || mode === 'approximate') return mode;
  if (exactMaxRows !== undefined) return rows <= exactMaxRows ? 'exact' : 'approximate';
  return chooseIndex(rows, dimension) === 'exact' ? 'exact' : 'approximate';
}

/** Describes a search in one line, as the CLI prints it. */
export function describeSearch(info: SearchInfo): string {
  if (info.kind === 'exact') return `exact search over ${info.rows} rows`;
  const recall = info.recallAt10 === undefined ? 'recall not measured' : `recall@10 ${info.recallAt10.toFixed(3)} against exact search on ${info.recallQueries ?? 0} queries`;
  return `approximate index (HNSW) over ${info.rows} rows, ${recall}`;
}
