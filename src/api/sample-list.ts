/** A page of a dataset's samples in manifest order, optionally filtered by id, place or condition. */
import type { SamplesPage } from './contract.js';
import type { LoadedDataset } from '../dataset/manifest-io.js';
import type { Sample } from '../dataset/manifest.js';

export function listSamplePage(dataset: LoadedDataset, datasetId: string, offset: number, limit: number, filter?: string): SamplesPage {
  const all = dataset.manifest.samples;
  const matching = filter === undefined || filter === '' ? all : all.filter((sample) => matchesFilter(sample, filter));
  return {
    datasetId,
    total: matching.length,
    samples: matching.slice(offset, offset + limit).map((sample) => ({
      sampleId: sample.sampleId,
      sequenceId: sample.sequenceId,
      timestampNs: sample.timestampNs.toString(),
      cameras: sample.cameras.length,
      lidar: sample.lidar.length,
      bev: sample.bev.length,
      condition: conditionOf(sample, dataset.manifest.conditionFields),
      placeId: sample.placeId ?? null,
    })),
  };
}

/** True when the text occurs in the sample id or sequence id, or equals its place id or a condition value. */
function matchesFilter(sample: Sample, filter: string): boolean {
  if (sample.sampleId.includes(filter) || sample.sequenceId.includes(filter)) return true;
  return [sample.placeId, sample.weather, sample.timeOfDay, sample.season].some((value) => value === filter);
}

/** Returns the sample's condition values in the dataset's display order, for example `rain, night`. */
function conditionOf(sample: Sample, fields: readonly ('weather' | 'timeOfDay' | 'season')[]): string | null {
  const values = fields.map((field) => sample[field]).filter((value): value is string => value !== undefined);
  return values.length === 0 ? null : values.join(', ');
}
