/** Load an embedding version with the manifest rows it names, for retrieval over its samples. */
import { ApronError } from '../core/errors.js';
import type { LoadedDataset } from '../dataset/manifest-io.js';
import { readEmbeddingFiles } from '../loop/embedding-file.js';
import { openVectorSearch } from '../search/embedding-index.js';
import { normaliseRows } from '../search/exact.js';
import type { HnswIndex } from '../search/hnsw.js';
import type { EmbeddingVersionRecord, Store } from '../store/index.js';
import type { ConditionField } from './api-types.js';
import { toRetrievalSample, type RetrievalSample } from './samples.js';

export interface LoadedEmbedding {
  version: EmbeddingVersionRecord;
  /** Rows in the embedding file's order, which may cover only part of the manifest. */
  samples: RetrievalSample[];
  /** Unit rows, so that dot products are cosine similarities. */
  vectors: Float32Array;
  dimension: number;
}

/** Returns the requested version, or the dataset's newest one when no id is given. */
export function resolveEmbeddingVersion(store: Store, datasetId: string, embeddingVersionId: string | undefined): EmbeddingVersionRecord {
  if (embeddingVersionId !== undefined) {
    const version = store.getEmbeddingVersion(embeddingVersionId);
    if (version.datasetId !== datasetId) {
      throw new ApronError('invalid-input', `Embedding version "${embeddingVersionId}" belongs to dataset "${version.datasetId}", not "${datasetId}".`, {
        hint: 'Choose an embedding version of this dataset from its overview.',
      });
    }
    return version;
  }
  const newest = store.listEmbeddingVersions(datasetId).at(-1);
  if (newest === undefined) {
    throw new ApronError('not-found', `Dataset "${datasetId}" has no embedding version, so there is nothing to retrieve with.`, {
      hint: 'Embed the samples first (`apron embed`), or import embeddings computed elsewhere.',
    });
  }
  return newest;
}

/** Returns the condition field to use: the requested one, else the manifest's first, else an error. */
export function resolveConditionField(dataset: LoadedDataset, requested: ConditionField | undefined): ConditionField {
  const field = requested ?? dataset.manifest.conditionFields[0];
  if (field === undefined) {
    throw new ApronError('invalid-input', `The manifest ${dataset.manifestPath} names no condition field, so there are no conditions to compare.`, {
      path: dataset.manifestPath,
      hint: 'Pick a condition field (weather, timeOfDay or season), or list the fields under conditionFields in the manifest.',
    });
  }
  return field;
}

export function loadEmbedding(version: EmbeddingVersionRecord, dataset: LoadedDataset, conditionField: ConditionField): LoadedEmbedding {
  const matrix = readEmbeddingFiles(version.vectorsPath);
  const samples = matrix.sampleIds.map((sampleId) => {
    const index = dataset.indexOf.get(sampleId);
    const sample = index === undefined ? undefined : dataset.manifest.samples[index];
    if (sample === undefined) {
      throw new ApronError('invalid-input', `Embedding version ${version.embeddingVersionId} has sample ${sampleId}, which the dataset's manifest lacks.`, {
        path: dataset.manifestPath,
        hint: 'The dataset was re-imported with other samples; compute the embeddings again with `apron embed`.',
      });
    }
    return toRetrievalSample(sample, conditionField);
  });
  return { version, samples, vectors: normaliseRows(matrix.vectors, matrix.dimension), dimension: matrix.dimension };
}

/**
 * Returns the HNSW index of the embedding's version when the search strategy (APRON_SEARCH, else
 * by size) picks approximate search, loading, extending or building the graph saved beside the
 * vector file. Returns undefined when the version is searched exactly.
 */
export function openApproximateIndex(embedding: LoadedEmbedding): HnswIndex | undefined {
  return openVectorSearch(embedding.version.vectorsPath, embedding.vectors, embedding.dimension).hnsw;
}
