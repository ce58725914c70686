/** Counts over a dataset's manifest for the dataset overview screen. */
import type { CountEntry, DatasetOverview, EmbeddingSearchSummary } from './contract.js';
import type { LoadedDataset } from '../dataset/manifest-io.js';
import type { DatasetRecord, EmbeddingVersionRecord } from '../store/index.js';
import { describeSavedHnsw, describeVersionSearch } from '../search/embedding-index.js';

const CONDITION_FIELDS = ['weather', 'timeOfDay', 'season'] as const;

/** One collator for all sorts: `localeCompare` with options builds a new one per call, about 20 us each. */
const NUMERIC_ORDER = new Intl.Collator('en', { numeric: true });

/**
 * Counts the overview of a dataset. Counts come from the manifest as it is now, not from the
 * store, because a re-import may have changed it since the dataset was added.
 */
export function buildDatasetOverview(
  record: DatasetRecord,
  dataset: LoadedDataset,
  embeddingVersions: readonly EmbeddingVersionRecord[],
): DatasetOverview {
  const samples = dataset.manifest.samples;
  const sequences = new Map<string, number>();
  const conditions = new Map<string, Map<string, number>>();
  const modalities = new Map<string, number>();
  let withPose = 0;
  let withPlaceId = 0;

  // The manifest's conditionFields come first, in its order; other fields found in samples follow.
  const conditionOrder = [...new Set([...dataset.manifest.conditionFields, ...CONDITION_FIELDS])];
  for (const field of dataset.manifest.conditionFields) conditions.set(field, new Map());

  for (const sample of samples) {
    increment(sequences, sample.sequenceId);

    for (const field of CONDITION_FIELDS) {
      const value = sample[field];
      if (value === undefined) continue;
      const counts = conditions.get(field) ?? new Map<string, number>();
      conditions.set(field, counts);
      increment(counts, value);
    }

    // One count per sample and stream (`camera:front`), so a sample with six cameras counts six streams once each.
    for (const file of sample.cameras) increment(modalities, `camera:${file.name}`);
    for (const file of sample.bev) increment(modalities, `bev:${file.name}`);
    for (const file of sample.lidar) increment(modalities, `lidar:${file.name}`);

    if (sample.pose !== undefined) withPose++;
    if (sample.placeId !== undefined) withPlaceId++;
  }

  const conditionCounts: Record<string, CountEntry[]> = {};
  for (const field of conditionOrder) {
    const counts = conditions.get(field);
    if (counts !== undefined) conditionCounts[field] = toEntries(counts);
  }

  return {
    datasetId: record.datasetId,
    name: record.name,
    importer: record.importer,
    sampleCount: samples.length,
    createdAt: record.createdAt,
    manifestPath: dataset.manifestPath,
    root: dataset.root,
    sequences: toEntries(sequences),
    conditions: conditionCounts,
    modalities: toEntries(modalities),
    withPose,
    withPlaceId,
    embeddingVersions: embeddingVersions.map((version) => ({
      embeddingVersionId: version.embeddingVersionId,
      datasetId: version.datasetId,
      runId: version.runId,
      dimension: version.dimension,
      count: version.count,
      createdAt: version.createdAt,
      search: searchSummary(version),
    })),
  };
}

/**
 * Describes the HNSW index saved for a version (by `apron mine --search approximate`, for
 * example), else the search that 'auto' would choose. Builds nothing.
 */
function searchSummary(version: EmbeddingVersionRecord): EmbeddingSearchSummary {
  const saved = describeSavedHnsw(version.vectorsPath, version.count);
  const info = saved ?? describeVersionSearch(version.vectorsPath, version.count, version.dimension);
  const summary: EmbeddingSearchSummary = { kind: info.kind, rows: info.rows };
  if (saved !== null) summary.savedIndex = true;
  if (info.recallAt10 !== undefined) summary.recallAt10 = info.recallAt10;
  if (info.recallQueries !== undefined) summary.recallQueries = info.recallQueries;
  if (info.parameters !== undefined) summary.parameters = { ...info.parameters };
  return summary;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Entries sorted by value, with digits compared as numbers (`seq2` before `seq10`). */
function toEntries(counts: Map<string, number>): CountEntry[] {
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((left, right) => NUMERIC_ORDER.compare(left.value, right.value));
}
