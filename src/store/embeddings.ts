/** The `embedding_versions` table: which checkpoint and dataset produced a file of vectors. */
import { ApronError } from '../core/errors.js';
import { datasetNotFound } from './datasets.js';
import { newId, type StoreContext } from './context.js';

export interface EmbeddingVersionRecord {
  embeddingVersionId: string;
  datasetId: string;
  /** The training run that produced the checkpoint, or null for embeddings imported from elsewhere. */
  runId: string | null;
  checkpointPath: string | null;
  /** Row-major float32 vectors, `count` rows of `dimension` values, in manifest sample order. */
  vectorsPath: string;
  dimension: number;
  count: number;
  createdAt: string;
  note: string | null;
}

export interface AddEmbeddingVersionInput {
  /** Generated (`emb-<time>-<random>`) when omitted. */
  embeddingVersionId?: string;
  datasetId: string;
  runId?: string | null;
  checkpointPath?: string | null;
  vectorsPath: string;
  dimension: number;
  count: number;
  note?: string | null;
}

export interface EmbeddingVersionMethods {
  addEmbeddingVersion(input: AddEmbeddingVersionInput): EmbeddingVersionRecord;
  getEmbeddingVersion(embeddingVersionId: string): EmbeddingVersionRecord;
  /** Versions of one dataset, or of all datasets, oldest first. */
  listEmbeddingVersions(datasetId?: string): EmbeddingVersionRecord[];
  /** Records a new row count after rows were appended to the version's files, and returns the updated record. */
  setEmbeddingVersionCount(embeddingVersionId: string, count: number): EmbeddingVersionRecord;
}

interface EmbeddingRow {
  embedding_version_id: string;
  dataset_id: string;
  run_id: string | null;
  checkpoint_path: string | null;
  vectors_path: string;
  dimension: number;
  count: number;
  created_at: string;
  note: string | null;
}

function toRecord(row: EmbeddingRow): EmbeddingVersionRecord {
  return {
    embeddingVersionId: row.embedding_version_id,
    datasetId: row.dataset_id,
    runId: row.run_id,
    checkpointPath: row.checkpoint_path,
    vectorsPath: row.vectors_path,
    dimension: row.dimension,
    count: row.count,
    createdAt: row.created_at,
    note: row.note,
  };
}

export function createEmbeddingVersionMethods(context: StoreContext): EmbeddingVersionMethods {
  const { db } = context;
  const datasetExists = db.prepare('SELECT 1 FROM datasets WHERE dataset_id = ?').pluck();
  const runExists = db.prepare('SELECT 1 FROM training_runs WHERE run_id = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO embedding_versions
       (embedding_version_id, dataset_id, run_id, checkpoint_path, vectors_path, dimension, count, created_at, note)
     VALUES (@embeddingVersionId, @datasetId, @runId, @checkpointPath, @vectorsPath, @dimension, @count, @createdAt, @note)`,
  );
  const selectOne = db.prepare('SELECT * FROM embedding_versions WHERE embedding_version_id = ?');
  const updateCount = db.prepare('UPDATE embedding_versions SET count = ? WHERE embedding_version_id = ?');
  const selectAll = db.prepare('SELECT * FROM embedding_versions ORDER BY created_at, embedding_version_id');
  const selectByDataset = db.prepare(
    'SELECT * FROM embedding_versions WHERE dataset_id = ? ORDER BY created_at, embedding_version_id',
  );

  const getEmbeddingVersion = (embeddingVersionId: string): EmbeddingVersionRecord => {
    const row = selectOne.get(embeddingVersionId) as EmbeddingRow | undefined;
    if (row === undefined) {
      throw new ApronError('not-found', `Embedding version "${embeddingVersionId}" is not in the store.`, {
        hint: 'Check the id against the dataset overview (`apron datasets`), or compute or import embeddings first.',
      });
    }
    return toRecord(row);
  };

  return {
    addEmbeddingVersion(input) {
      if (datasetExists.get(input.datasetId) === undefined) throw datasetNotFound(input.datasetId);
      const runId = input.runId ?? null;
      // The run may have trained on another dataset: an encoder trained on one drive embeds others.
      if (runId !== null && runExists.get(runId) === undefined) throw runNotFound(runId);
      checkShape(input);

      const createdAt = context.now();
      const record: EmbeddingVersionRecord = {
        embeddingVersionId: input.embeddingVersionId ?? newId('emb', createdAt),
        datasetId: input.datasetId,
        runId,
        checkpointPath: input.checkpointPath ?? null,
        vectorsPath: input.vectorsPath,
        dimension: input.dimension,
        count: input.count,
        createdAt,
        note: input.note ?? null,
      };
      if (selectOne.get(record.embeddingVersionId) !== undefined) {
        throw new ApronError('conflict', `Embedding version "${record.embeddingVersionId}" already exists in the store.`, {
          hint: 'Leave the id out to get a new one.',
        });
      }
      insert.run(record);
      return record;
    },

    getEmbeddingVersion,

    listEmbeddingVersions(datasetId) {
      const rows = datasetId === undefined ? selectAll.all() : selectByDataset.all(datasetId);
      return (rows as EmbeddingRow[]).map(toRecord);
    },

    setEmbeddingVersionCount(embeddingVersionId, count) {
      const record = getEmbeddingVersion(embeddingVersionId);
      checkShape({ ...record, count });
      updateCount.run(count, embeddingVersionId);
      return { ...record, count };
    },
  };
}

function runNotFound(runId: string): ApronError {
  return new ApronError('not-found', `Training run "${runId}" is not in the store.`, {
    hint: 'Record the training run before its embeddings, or leave the run id out for imported embeddings.',
  });
}

function checkShape(input: AddEmbeddingVersionInput): void {
  if (!Number.isSafeInteger(input.dimension) || input.dimension <= 0) {
    throw new ApronError('invalid-input', `Embedding dimension must be a positive integer, got ${input.dimension}.`);
  }
  if (!Number.isSafeInteger(input.count) || input.count < 0) {
    throw new ApronError('invalid-input', `Embedding count must be a non-negative integer, got ${input.count}.`);
  }
}
