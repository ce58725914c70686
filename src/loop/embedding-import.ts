/**
 * Import embeddings computed outside Apron as a new embedding version of a dataset.
 *
 * The file's rows are checked against the dataset's manifest, L2-normalised, reordered into the
 * manifest's sample order and written with writeEmbeddingFiles. The store records the version
 * with no training run (runId null), so mining needs the mask rules passed explicitly.
 *
 * Missing samples: a file that lacks rows for some samples of the dataset is rejected, because a
 * partial version silently drops those samples from mining. With `allowMissing` the version
 * contains only the samples present (in manifest order). No zero or placeholder rows are written.
 */
import { statSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApronError } from '../core/errors.js';
import type { Workspace } from '../core/workspace.js';
import { readManifest } from '../dataset/manifest-io.js';
import { normaliseRows } from '../search/exact.js';
import type { SearchInfo } from '../search/strategy.js';
import type { EmbeddingVersionRecord, Store } from '../store/index.js';
import { appendEmbeddings } from './embedding-append.js';
import { writeEmbeddingFiles } from './embedding-file.js';
import {
  detectFormat,
  readArrowEmbeddings,
  readJsonEmbeddings,
  readNpyEmbeddings,
  readParquetEmbeddings,
  type EmbeddingFileFormat,
  type RawEmbeddings,
  type TableColumnOptions,
} from './embedding-readers.js';

/**
 * Largest file accepted. The whole file is read into memory, and JSON parses into arrays of
 * numbers about ten times its size, so JSON has the lower limit. 2 GiB of float32 is 4M vectors
 * of dimension 128.
 */
export const MAX_IMPORT_BYTES: Record<EmbeddingFileFormat, number> = {
  npy: 2 * 2 ** 30,
  arrow: 2 * 2 ** 30,
  parquet: 1 * 2 ** 30,
  json: 256 * 2 ** 20,
};

/** How many offending ids an error message lists. */
const IDS_IN_MESSAGE = 5;

export interface ImportEmbeddingsOptions extends TableColumnOptions {
  datasetId: string;
  /** The embeddings file: .npy, JSON, Arrow IPC / Feather v2, or Parquet. */
  path: string;
  /** Sample ids of a .npy file, one per row: a text file of one id per line, or a JSON array. */
  idsPath?: string;
  /** When set, every vector must have this dimension. */
  dimension?: number;
  /** Accept a file that lacks some of the dataset's samples. The version then contains only those present. */
  allowMissing?: boolean;
  /** Overrides MAX_IMPORT_BYTES for the file's format. */
  maxBytes?: number;
  /**
   * Append the file's rows to this existing version of the dataset instead of creating a new one.
   * The file may then cover any subset of the samples the version lacks.
   */
  appendTo?: string;
  note?: string;
  /** Called with the step names 'read', 'check', 'write' as the import reaches them. */
  onStep?: (step: 'read' | 'check' | 'write', detail: string) => void;
}

export interface ImportEmbeddingsResult {
  version: EmbeddingVersionRecord;
  format: EmbeddingFileFormat;
  /** Samples of the dataset without a row: in the file (allowMissing), or in the version after an append. */
  missingSampleIds: string[];
  /** Rows appended, with appendTo. */
  appended?: number;
  /** The HNSW index updated by an append, or null when the version had none saved. */
  search?: SearchInfo | null;
}

export async function importEmbeddings(workspace: Workspace, store: Store, options: ImportEmbeddingsOptions): Promise<ImportEmbeddingsResult> {
  const path = resolve(options.path);
  const dataset = store.getDataset(options.datasetId);
  const bytes = readWithinLimit(path, options.maxBytes);
  const format = detectFormat(bytes, path);
  const limit = options.maxBytes ?? MAX_IMPORT_BYTES[format];
  if (bytes.length > limit) throw tooLarge(path, bytes.length, limit, format);

  options.onStep?.('read', `${format} ${path}`);
  const raw = await readEmbeddings(bytes, path, format, options);

  options.onStep?.('check', `${raw.ids.length} x ${raw.dimension}`);
  const sampleIds = readManifest(dataset.manifestPath).manifest.samples.map((sample) => sample.sampleId);
  const appending = options.appendTo !== undefined;
  const ordered = orderByManifest(raw, sampleIds, path, appending ? { ...options, allowMissing: true } : options);
  checkFinite(ordered.vectors, ordered.dimension, ordered.sampleIds, path);
  const vectors = normaliseNamingIds(ordered.vectors, ordered.dimension, ordered.sampleIds, path);

  if (options.appendTo !== undefined) {
    const target = store.getEmbeddingVersion(options.appendTo);
    if (target.datasetId !== dataset.datasetId) {
      throw new ApronError('invalid-input', `Embedding version ${options.appendTo} belongs to dataset ${target.datasetId}, not ${dataset.datasetId}`, {
        hint: 'Pass the dataset of the version, or leave --dataset out with --append-to.',
      });
    }
    options.onStep?.('write', target.vectorsPath);
    const appended = appendEmbeddings(store, target.embeddingVersionId, ordered.sampleIds, vectors);
    const present = new Set(appended.sampleIds);
    return {
      version: appended.version,
      format,
      missingSampleIds: sampleIds.filter((id) => !present.has(id)),
      appended: appended.added,
      search: appended.search,
    };
  }

  // Same naming as `apron embed`: files named by the version id, written before the store row.
  const stamp = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const embeddingVersionId = `emb-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
  const vectorsPath = join(workspace.embeddingsDir, `${embeddingVersionId}.f32`);
  options.onStep?.('write', vectorsPath);
  writeEmbeddingFiles(vectorsPath, { sampleIds: ordered.sampleIds, dimension: ordered.dimension, vectors });

  const missingNote = ordered.missingSampleIds.length === 0 ? '' : `, ${ordered.missingSampleIds.length} samples missing`;
  const version = store.addEmbeddingVersion({
    embeddingVersionId,
    datasetId: dataset.datasetId,
    runId: null,
    checkpointPath: null,
    vectorsPath,
    dimension: ordered.dimension,
    count: ordered.sampleIds.length,
    note: options.note ?? `imported from ${path} (${format}${missingNote})`,
  });
  return { version, format, missingSampleIds: ordered.missingSampleIds };
}

function readWithinLimit(path: string, maxBytes: number | undefined): Buffer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new ApronError('not-found', `Embedding file not found: ${path}`, { path, hint: 'Check the path of the file to import.', cause: error });
  }
  // The largest limit is checked before reading, so a huge file is never loaded. The format's own limit follows.
  const largest = maxBytes ?? Math.max(...Object.values(MAX_IMPORT_BYTES));
  if (size > largest) throw tooLarge(path, size, largest, undefined);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ApronError('unreadable-file', `Could not read the embedding file ${path}: ${(error as Error).message}`, { path, cause: error });
  }
}

function tooLarge(path: string, size: number, limit: number, format: EmbeddingFileFormat | undefined): ApronError {
  return new ApronError('invalid-input', `Embedding file ${path} is ${formatBytes(size)}, over the ${formatBytes(limit)} limit${format === undefined ? '' : ` for ${format}`}`, {
    path,
    hint: format === 'json' ? 'Convert the vectors to .npy float32 with an id file, which is about 5 times smaller and has a higher limit.' : 'Split the dataset, or store the vectors as float16 .npy.',
  });
}

function formatBytes(bytes: number): string {
  return bytes < 2 ** 20 ? `${bytes} bytes` : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

async function readEmbeddings(bytes: Uint8Array, path: string, format: EmbeddingFileFormat, options: ImportEmbeddingsOptions): Promise<RawEmbeddings> {
  const columns: TableColumnOptions = {
    ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
    ...(options.vectorColumn === undefined ? {} : { vectorColumn: options.vectorColumn }),
  };
  switch (format) {
    case 'npy':
      return readNpyEmbeddings(bytes, path, options.idsPath === undefined ? undefined : resolve(options.idsPath));
    case 'json':
      return readJsonEmbeddings(bytes, path);
    case 'arrow':
      return readArrowEmbeddings(bytes, path, columns);
    case 'parquet':
      return readParquetEmbeddings(bytes, path, columns);
  }
}

interface OrderedEmbeddings {
  sampleIds: string[];
  dimension: number;
  vectors: Float32Array;
  missingSampleIds: string[];
}

/** Checks ids and dimension, then copies the rows into manifest order. */
function orderByManifest(raw: RawEmbeddings, manifestIds: string[], path: string, options: ImportEmbeddingsOptions): OrderedEmbeddings {
  if (options.dimension !== undefined && raw.dimension !== options.dimension) {
    throw new ApronError('invalid-input', `Embedding file ${path} has dimension ${raw.dimension}, expected ${options.dimension}`, {
      path,
      hint: 'Check that the file comes from the encoder you meant, or drop --dimension.',
    });
  }

  const rowOf = new Map<string, number>();
  const duplicates: string[] = [];
  raw.ids.forEach((id, row) => {
    if (rowOf.has(id)) duplicates.push(id);
    else rowOf.set(id, row);
  });
  if (duplicates.length > 0) {
    throw new ApronError('invalid-input', `Embedding file ${path} has ${duplicates.length} duplicate ids, for example ${listIds(duplicates)}`, {
      path,
      hint: 'Write one row per sample; remove repeated rows before importing.',
    });
  }

  const known = new Set(manifestIds);
  const unknown = raw.ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ApronError('invalid-input', `Embedding file ${path} has ${unknown.length} ids that dataset ${options.datasetId} lacks, for example ${listIds(unknown)}`, {
      path,
      hint: `Check that the file belongs to this dataset and uses its sample ids, such as "${manifestIds[0] ?? ''}" (the sampleId fields of its apron-manifest.json).`,
    });
  }

  const missingSampleIds = manifestIds.filter((id) => !rowOf.has(id));
  if (missingSampleIds.length > 0 && options.allowMissing !== true) {
    throw new ApronError('invalid-input', `Embedding file ${path} lacks ${missingSampleIds.length} of the ${manifestIds.length} samples of dataset ${options.datasetId}, for example ${listIds(missingSampleIds)}`, {
      path,
      hint: 'Embed every sample, or pass --allow-missing to import a version that contains only the samples present.',
    });
  }

  const sampleIds = manifestIds.filter((id) => rowOf.has(id));
  const dimension = raw.dimension;
  const vectors = new Float32Array(sampleIds.length * dimension);
  sampleIds.forEach((id, target) => {
    const source = rowOf.get(id)!;
    vectors.set(raw.vectors.subarray(source * dimension, (source + 1) * dimension), target * dimension);
  });
  return { sampleIds, dimension, vectors, missingSampleIds };
}

function checkFinite(vectors: Float32Array, dimension: number, sampleIds: string[], path: string): void {
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      const row = Math.floor(i / dimension);
      throw new ApronError('invalid-input', `Vector of sample ${sampleIds[row]} in ${path} has ${vectors[i]} at position ${i % dimension}`, {
        path,
        hint: 'NaN or infinite values usually mean a failed forward pass; embed that sample again. In float16 files, values above 65504 overflow to infinity.',
      });
    }
  }
}

/** Normalises like normaliseRows, but names the sample id of an all-zero row in the error. */
function normaliseNamingIds(vectors: Float32Array, dimension: number, sampleIds: string[], path: string): Float32Array {
  for (let row = 0; row < sampleIds.length; row++) {
    let allZero = true;
    for (let d = 0; d < dimension && allZero; d++) allZero = vectors[row * dimension + d] === 0;
    if (allZero) {
      throw new ApronError('invalid-input', `Vector of sample ${sampleIds[row]} in ${path} is all zeros and has no direction to normalise`, {
        path,
        hint: 'A zero embedding usually means a failed forward pass; embed that sample again.',
      });
    }
  }
  return normaliseRows(vectors, dimension);
}

function listIds(ids: string[]): string {
  const listed = ids.slice(0, IDS_IN_MESSAGE).map((id) => `"${id}"`).join(', ');
  return ids.length > IDS_IN_MESSAGE ? `${listed} and ${ids.length - IDS_IN_MESSAGE} more` : listed;
}
