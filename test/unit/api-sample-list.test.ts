import { describe, expect, it } from 'vitest';
import { listSamplePage } from '../../src/api/sample-list.js';
import type { LoadedDataset } from '../../src/dataset/manifest-io.js';
import { manifestSchema } from '../../src/dataset/manifest.js';

const manifest = manifestSchema.parse({
  format: 'apron-manifest',
  version: 1,
  name: 'stands',
  root: '.',
  conditionFields: ['weather', 'timeOfDay'],
  samples: [
    { sampleId: 'visit-0001/000', sequenceId: 'visit-0001', timestampNs: 0, placeId: 'stand-01', weather: 'fog', timeOfDay: 'night' },
    { sampleId: 'visit-0001/001', sequenceId: 'visit-0001', timestampNs: 1, placeId: 'stand-02', weather: 'fog', timeOfDay: 'night' },
    { sampleId: 'visit-0002/000', sequenceId: 'visit-0002', timestampNs: 2, placeId: 'stand-01', weather: 'clear', timeOfDay: 'day' },
  ],
});
const dataset: LoadedDataset = {
  manifest,
  manifestPath: '/m.json',
  root: '/',
  indexOf: new Map(manifest.samples.map((sample, index) => [sample.sampleId, index])),
};
const ids = (filter?: string): string[] => listSamplePage(dataset, 'd', 0, 10, filter).samples.map((sample) => sample.sampleId);

describe('sample list', () => {
  it('filters by id substring, exact place and exact condition', () => {
    expect(ids('0002')).toEqual(['visit-0002/000']);
    expect(ids('stand-01')).toEqual(['visit-0001/000', 'visit-0002/000']);
    expect(ids('fog')).toEqual(['visit-0001/000', 'visit-0001/001']);
    expect(ids('stand-0')).toEqual([]);
    expect(ids()).toHaveLength(3);
  });

  it('shows the place and the conditions in display order', () => {
    const [first] = listSamplePage(dataset, 'd', 0, 1).samples;
    expect(first?.placeId).toBe('stand-01');
    expect(first?.condition).toBe('fog, night');
  });
});
