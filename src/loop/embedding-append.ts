/**
 * Append rows to an existing embedding version, for samples it has no vector for yet (for example
 * samples added to the dataset after the version was computed).
 *
 * New rows go after the old ones, so every old row keeps its index. That is what lets the HNSW
 * graph saved beside the version add the new points without a rebuild (labels are row indices).
 */
import { ApronError } from '../core/errors.js';
import { readManifest } from '../dataset/manifest-io.js';
import { extendSavedHnsw } from '../search/embedding-index.js';
import { normaliseRows } from '../search/exact.js';
import type { SearchInfo } from '../search/strategy.js';
import type { EmbeddingVersionRecord, Store } from '../store/index.js';
import { readEmbeddingFiles, writeEmbeddingFiles } from './embedding-file.js';

export interface AppendEmbeddingsResult {
  version: EmbeddingVersionRecord;
  added: number;
  /** Sample ids of all rows of the version after the append, in row order. */
  sampleIds: string[];
  /** The updated HNSW index, or null when the version has no saved index yet. */
  search: SearchInfo | null;
}

/**
 * Appends `ids.length` rows of `vectors` (row-major, the version's dimension) to the version,
 * scaled to unit length. Every id must be a sample of the version's dataset that the version lacks.
 */
export function appendEmbeddings(store: Store, embeddingVersionId: string, ids: readonly string[], vectors: Float32Array): AppendEmbeddingsResult {
  const version = store.getEmbeddingVersion(embeddingVersionId);
  const existing = readEmbeddingFiles(version.vectorsPath);
  const dimension = existing.dimension;
  checkNewRows(version, existing.sampleIds, ids, vectors, dimension);
  const dataset = store.getDataset(version.datasetId);
  const known = new Set(readManifest(dataset.manifestPath).manifest.samples.map((sample) => sample.sampleId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ApronError('invalid-input', `${unknown.length} appended ids are not samples of dataset ${version.datasetId}, for example "${unknown[0]}"`, {
      hint: 'Append only vectors of samples in the dataset manifest.',
    });
  }

  const added = normaliseRows(vectors, dimension);
  const combined = new Float32Array(existing.vectors.length + added.length);
  combined.set(existing.vectors, 0);
  combined.set(added, existing.vectors.length);
  const sampleIds = [...existing.sampleIds, ...ids];

  // The files are written before the store: a crash after them leaves the store's row count behind
  // the files, and the next append sets it from the files again.
  writeEmbeddingFiles(version.vectorsPath, { sampleIds, dimension, vectors: combined });
  const updated = store.setEmbeddingVersionCount(embeddingVersionId, sampleIds.length);
  const search = extendSavedHnsw(version.vectorsPath, combined, dimension);
  return { version: updated, added: ids.length, sampleIds, search };
}

function checkNewRows(version: EmbeddingVersionRecord, oldIds: readonly string[], ids: readonly string[], vectors: Float32Array, dimension: number): void {
  if (ids.length === 0) {
    throw new ApronError('invalid-input', `No rows to append to embedding version ${version.embeddingVersionId}`, {
      hint: 'Every sample of the file already has a vector in this version, or the file is empty.',
    });
  }
  if (vectors.length !== ids.length * dimension) {
    throw new ApronError('invalid-input', `Appended vectors have ${vectors.length} values, expected ${ids.length} rows of dimension ${dimension}`, {
      hint: `Embedding version ${version.embeddingVersionId} has dimension ${dimension}; append vectors of the same encoder.`,
    });
  }

  const seen = new Set(oldIds);
  for (const id of ids) {
    if (seen.has(id)) {
      throw new ApronError('conflict', `Sample "${id}" already has a row in embedding version ${version.embeddingVersionId}, or appears twice in the appended rows`, {
        hint: 'Append only samples the version lacks; to replace vectors, import a new version.',
      });
    }
    seen.add(id);
  }
}
