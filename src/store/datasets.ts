/** The `datasets` table: one row per imported dataset, pointing at its manifest. */
import { ApronError } from '../core/errors.js';
import type { StoreContext } from './context.js';

export interface DatasetRecord {
  datasetId: string;
  name: string;
  /** Importer that wrote the manifest (`kitti`, `nordland`, ...), or null for a hand-made one. */
  importer: string | null;
  manifestPath: string;
  /** Absolute folder that the manifest's sample paths are relative to. */
  root: string;
  sampleCount: number;
  createdAt: string;
}

export interface AddDatasetInput {
  datasetId: string;
  name: string;
  importer?: string | null;
  manifestPath: string;
  root: string;
  sampleCount: number;
}

/** Fields a re-import may change; the id and creation time stay. */
export type DatasetUpdate = Partial<Omit<AddDatasetInput, 'datasetId'>>;

export interface DatasetMethods {
  /** Inserts a dataset; throws `conflict` when the id is taken. */
  addDataset(input: AddDatasetInput): DatasetRecord;
  /** Changes the given fields of a dataset, for example after a re-import; throws `not-found`. */
  updateDataset(datasetId: string, update: DatasetUpdate): DatasetRecord;
  /** Returns the dataset, or throws a `not-found` error whose hint explains how to find valid ids. */
  getDataset(datasetId: string): DatasetRecord;
  findDataset(datasetId: string): DatasetRecord | undefined;
  /** All datasets, oldest first. */
  listDatasets(): DatasetRecord[];
}

interface DatasetRow {
  dataset_id: string;
  name: string;
  importer: string | null;
  manifest_path: string;
  root: string;
  sample_count: number;
  created_at: string;
}

function toRecord(row: DatasetRow): DatasetRecord {
  return {
    datasetId: row.dataset_id,
    name: row.name,
    importer: row.importer,
    manifestPath: row.manifest_path,
    root: row.root,
    sampleCount: row.sample_count,
    createdAt: row.created_at,
  };
}

export function datasetNotFound(datasetId: string): ApronError {
  return new ApronError('not-found', `Dataset "${datasetId}" is not in the store.`, {
    hint: 'Check the id against the list of datasets (`apron datasets`), or import the dataset first.',
  });
}

export function createDatasetMethods(context: StoreContext): DatasetMethods {
  const { db } = context;
  const insert = db.prepare(
    `INSERT INTO datasets (dataset_id, name, importer, manifest_path, root, sample_count, created_at)
     VALUES (@datasetId, @name, @importer, @manifestPath, @root, @sampleCount, @createdAt)`,
  );
  const update = db.prepare(
    `UPDATE datasets SET name = @name, importer = @importer, manifest_path = @manifestPath, root = @root,
       sample_count = @sampleCount
     WHERE dataset_id = @datasetId`,
  );
  const selectOne = db.prepare('SELECT * FROM datasets WHERE dataset_id = ?');
  const selectAll = db.prepare('SELECT * FROM datasets ORDER BY created_at, dataset_id');

  const findDataset = (datasetId: string): DatasetRecord | undefined => {
    const row = selectOne.get(datasetId) as DatasetRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  };

  const getDataset = (datasetId: string): DatasetRecord => {
    const record = findDataset(datasetId);
    if (record === undefined) throw datasetNotFound(datasetId);
    return record;
  };

  return {
    addDataset(input) {
      checkDatasetFields(input);
      if (findDataset(input.datasetId) !== undefined) {
        throw new ApronError('conflict', `Dataset "${input.datasetId}" already exists in the store.`, {
          hint: 'Choose another dataset id, or update the existing dataset instead of adding it again.',
        });
      }
      const record: DatasetRecord = {
        datasetId: input.datasetId,
        name: input.name,
        importer: input.importer ?? null,
        manifestPath: input.manifestPath,
        root: input.root,
        sampleCount: input.sampleCount,
        createdAt: context.now(),
      };
      insert.run(record);
      return record;
    },

    updateDataset(datasetId, changes) {
      const merged = { ...getDataset(datasetId), ...definedFields(changes) };
      checkDatasetFields(merged);
      update.run(merged);
      return getDataset(datasetId);
    },

    getDataset,
    findDataset,

    listDatasets() {
      return (selectAll.all() as DatasetRow[]).map(toRecord);
    },
  };
}

function checkDatasetFields(input: AddDatasetInput): void {
  if (input.datasetId.trim() === '') {
    throw new ApronError('invalid-input', 'A dataset id must not be empty.', { hint: 'Pass a short id such as "nordland".' });
  }
  if (!Number.isSafeInteger(input.sampleCount) || input.sampleCount < 0) {
    throw new ApronError('invalid-input', `Dataset "${input.datasetId}": sample count ${input.sampleCount} is not a non-negative integer.`);
  }
}

/** Drops keys whose value is undefined, so that a partial update keeps the stored value. */
function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
