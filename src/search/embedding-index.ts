/**
 * The search over one embedding version: exact below the strategy's threshold, else the HNSW
 * graph saved beside the vector file (`<id>.hnsw`, hnswlib's own format) with its sidecar
 * `<id>.hnsw.json` (parameters, row count, build time and measured recall@10).
 *
 * A saved graph is reused while its build parameters match. When the version has more rows than
 * the graph, the new rows are added to it without a rebuild, because an embedding version only
 * grows by appending rows (appendEmbeddings).
 */
import { existsSync } from 'node:fs';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { ExactIndex } from './exact.js';
import {
  DEFAULT_HNSW_PARAMETERS,
  hnswPathFor,
  HnswIndex,
  measureRecallAtK,
  readHnswSidecar,
  sampleRows,
  type HnswBuildRecord,
  type HnswParameters,
  type HnswRecallRecord,
  type HnswSidecar,
} from './hnsw.js';
import { chooseSearchKind, resolveExactMaxRows, resolveSearchMode, type SearchInfo, type SearchMode } from './strategy.js';
import { approximateSearch, exactSearch, type VectorSearch } from './vector-search.js';

const log = createLogger('search');

/** Query rows for the recall measurement: enough for a recall estimate within about 0.01. */
export const DEFAULT_RECALL_QUERIES = 500;

export const RECALL_K = 10;

export interface OpenSearchOptions {
  mode?: SearchMode;
  /** Largest row count that 'auto' searches exactly (default: APRON_EXACT_MAX_ROWS, else the N^2 * D budget). */
  exactMaxRows?: number;
  parameters?: Partial<HnswParameters>;
  recallQueries?: number;
  recallSeed?: number;
  /** Rows inserted so far while building or extending the graph. */
  onBuildProgress?: (done: number, total: number) => void;
}

/**
 * Opens the search for `rows = vectors.length / dimension` unit vectors. With `vectorsPath`, an
 * HNSW graph is loaded from beside it, extended or built and saved there. Without it (vectors not
 * backed by a file), an HNSW graph is built in memory and not saved.
 */
export function openVectorSearch(vectorsPath: string | null, vectors: Float32Array, dimension: number, options: OpenSearchOptions = {}): VectorSearch {
  const rows = vectors.length / dimension;
  const mode = resolveSearchMode(options.mode);
  const kind = chooseSearchKind(rows, dimension, mode, resolveExactMaxRows(options.exactMaxRows));
  if (kind === 'exact') return exactSearch(vectors, dimension);

  const { index, sidecar } = vectorsPath === null ? buildInMemory(vectors, dimension, options) : openSavedHnsw(vectorsPath, vectors, dimension, options);
  return approximateSearch(index, infoOf(sidecar));
}

/**
 * Adds the rows of `vectors` beyond the saved graph's count to the graph saved beside `vectorsPath`,
 * re-measures its recall and saves it. Returns null when no graph is saved there.
 */
export function extendSavedHnsw(vectorsPath: string, vectors: Float32Array, dimension: number, options: OpenSearchOptions = {}): SearchInfo | null {
  const path = hnswPathFor(vectorsPath);
  if (!existsSync(path)) return null;
  const { sidecar } = openSavedHnsw(vectorsPath, vectors, dimension, { ...options, parameters: { ...readHnswSidecar(path).parameters, ...options.parameters } });
  return infoOf(sidecar);
}

/**
 * Describes the search that 'auto' (or APRON_SEARCH) would use for a version, from the saved
 * sidecar when there is one. Reads no vectors and builds nothing.
 */
export function describeVersionSearch(vectorsPath: string, rows: number, dimension: number): SearchInfo {
  const kind = chooseSearchKind(rows, dimension, resolveSearchMode(undefined), resolveExactMaxRows(undefined));
  if (kind === 'exact') return { kind, rows };
  const path = hnswPathFor(vectorsPath);
  if (!existsSync(path)) return { kind, rows };
  try {
    const sidecar = readHnswSidecar(path);
    // A graph with fewer rows is extended on next use, so its recall describes an older state.
    return sidecar.count === rows ? infoOf(sidecar) : { kind, rows, parameters: sidecar.parameters };
  } catch (error) {
    log.warn(`ignoring unreadable HNSW sidecar of ${vectorsPath}: ${(error as Error).message}`);
    return { kind, rows };
  }
}

/**
 * Describes the HNSW index saved beside a version's vectors, or returns null when none is saved
 * or its sidecar is unreadable. Reads no vectors. Recall is left out when the index has fewer rows
 * than the version, because the next use extends it and measures again.
 */
export function describeSavedHnsw(vectorsPath: string, rows: number): SearchInfo | null {
  const path = hnswPathFor(vectorsPath);
  if (!existsSync(path)) return null;
  try {
    const sidecar = readHnswSidecar(path);
    return sidecar.count === rows ? infoOf(sidecar) : { kind: 'approximate', rows, parameters: sidecar.parameters };
  } catch (error) {
    log.warn(`ignoring unreadable HNSW sidecar of ${vectorsPath}: ${(error as Error).message}`);
    return null;
  }
}

interface OpenedHnsw {
  index: HnswIndex;
  sidecar: HnswSidecar;
}

function openSavedHnsw(vectorsPath: string, vectors: Float32Array, dimension: number, options: OpenSearchOptions): OpenedHnsw {
  const path = hnswPathFor(vectorsPath);
  const rows = vectors.length / dimension;
  const requested = { ...DEFAULT_HNSW_PARAMETERS, ...options.parameters };
  const saved = loadIfCompatible(path, dimension, rows, requested);
  if (saved === null) {
    const built = buildInMemory(vectors, dimension, options);
    built.index.save(path, built.sidecar.build);
    log.info(`built HNSW index ${path}: ${rows} rows in ${built.sidecar.build?.buildMs.toFixed(0)} ms, recall@${RECALL_K} ${built.sidecar.build?.recall?.recall.toFixed(4)}`);
    return built;
  }

  const { index, sidecar } = saved;
  const oldRows = index.count;
  let build = sidecar.build ?? { builtAt: new Date().toISOString(), buildMs: 0 };
  let changed = sidecar.build === undefined;

  if (oldRows < rows) {
    const started = performance.now();
    index.add(vectors.subarray(oldRows * dimension), oldRows, progressOf(options));
    build = { ...build, updatedAt: new Date().toISOString(), addedRows: (build.addedRows ?? 0) + rows - oldRows };
    log.info(`added rows ${oldRows}..${rows - 1} to HNSW index ${path} in ${(performance.now() - started).toFixed(0)} ms, without a rebuild`);
    changed = true;
  }
  if (index.parameters.efSearch !== requested.efSearch) {
    index.setEfSearch(requested.efSearch);
    changed = true;
  }
  if (changed || build.recall === undefined) {
    build = { ...build, recall: measureRecall(vectors, dimension, index, options) };
    index.save(path, build);
  }
  return { index, sidecar: { ...sidecar, count: index.count, parameters: index.parameters, build } };
}

/**
 * Loads the saved graph when its build parameters equal `requested` and it has at most `rows` rows.
 * Returns null when it must be built again. An unreadable graph is logged and rebuilt, because it is derived data.
 */
function loadIfCompatible(path: string, dimension: number, rows: number, requested: HnswParameters): OpenedHnsw | null {
  if (!existsSync(path)) return null;
  try {
    const sidecar = readHnswSidecar(path);
    const parameters = sidecar.parameters;
    const sameBuild = parameters.m === requested.m && parameters.efConstruction === requested.efConstruction && parameters.space === requested.space && parameters.seed === requested.seed;
    if (!sameBuild) {
      log.info(`rebuilding HNSW index ${path}: saved parameters ${JSON.stringify(parameters)} differ from ${JSON.stringify(requested)}`);
      return null;
    }
    if (sidecar.dimension !== dimension || sidecar.count > rows) {
      log.info(`rebuilding HNSW index ${path}: it has ${sidecar.count} x ${sidecar.dimension} rows, the version ${rows} x ${dimension}`);
      return null;
    }
    return { index: HnswIndex.load(path), sidecar };
  } catch (error) {
    if (!(error instanceof ApronError)) throw error;
    log.warn(`rebuilding HNSW index ${path}, because it could not be read: ${error.message}`);
    return null;
  }
}

function buildInMemory(vectors: Float32Array, dimension: number, options: OpenSearchOptions): OpenedHnsw {
  const started = performance.now();
  const index = HnswIndex.build(vectors, dimension, options.parameters ?? {}, progressOf(options));
  const build: HnswBuildRecord = { builtAt: new Date().toISOString(), buildMs: performance.now() - started };
  build.recall = measureRecall(vectors, dimension, index, options);
  const sidecar: HnswSidecar = { format: 'apron-hnsw', version: 1, dimension, count: index.count, parameters: index.parameters, build };
  return { index, sidecar };
}

/** Measures recall@10 of `index` against exact search on a seeded sample of rows used as queries. */
function measureRecall(vectors: Float32Array, dimension: number, index: HnswIndex, options: OpenSearchOptions): HnswRecallRecord {
  const seed = options.recallSeed ?? 1;
  const queryRows = sampleRows(index.count, options.recallQueries ?? DEFAULT_RECALL_QUERIES, seed);
  const report = measureRecallAtK(new ExactIndex(vectors, dimension), index, RECALL_K, queryRows);
  return { k: RECALL_K, queries: report.queries, recall: report.recall, seed, queryRows, measuredAt: new Date().toISOString() };
}

function progressOf(options: OpenSearchOptions): { onProgress?: (done: number, total: number) => void } {
  return options.onBuildProgress === undefined ? {} : { onProgress: options.onBuildProgress };
}

function infoOf(sidecar: HnswSidecar): SearchInfo {
  const info: SearchInfo = { kind: 'approximate', rows: sidecar.count, parameters: sidecar.parameters };
  const build = sidecar.build;
  if (build === undefined) return info;
  info.builtAt = build.builtAt;
  if (build.updatedAt !== undefined) info.updatedAt = build.updatedAt;
  if (build.recall !== undefined) {
    info.recallAt10 = build.recall.recall;
    info.recallQueries = build.recall.queries;
  }
  return info;
}
