/**
 * A hand-made retrieval case: 2-D unit embeddings given by an angle in degrees, so that cosine
 * similarity is cos(angle difference) and every ranking can be worked out by hand.
 *
 *   sunny: s1 0° (place P1), s2 60° (P2), s3 120° (P3)       sequence "sunny", 1 s apart
 *   rain:  r1 10° (P1), r2 100° (P2), r3 170° (P3), r4 35° (P4, no sunny partner)   sequence "rain"
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import type { ManifestInput, SampleInput } from '../../src/dataset/manifest.js';
import { writeEmbeddingFiles } from '../../src/loop/embedding-file.js';
import type { Store } from '../../src/store/index.js';

export interface AngleSample {
  sampleId: string;
  sequenceId: string;
  second: number;
  weather: string;
  placeId: string;
  degrees: number;
  objects?: SampleInput['objects'];
}

export const RETRIEVAL_CASE: AngleSample[] = [
  { sampleId: 's1', sequenceId: 'sunny', second: 0, weather: 'sunny', placeId: 'P1', degrees: 0 },
  { sampleId: 's2', sequenceId: 'sunny', second: 1, weather: 'sunny', placeId: 'P2', degrees: 60 },
  { sampleId: 's3', sequenceId: 'sunny', second: 2, weather: 'sunny', placeId: 'P3', degrees: 120 },
  { sampleId: 'r1', sequenceId: 'rain', second: 0, weather: 'rain', placeId: 'P1', degrees: 10 },
  { sampleId: 'r2', sequenceId: 'rain', second: 1, weather: 'rain', placeId: 'P2', degrees: 100 },
  { sampleId: 'r3', sequenceId: 'rain', second: 2, weather: 'rain', placeId: 'P3', degrees: 170 },
  { sampleId: 'r4', sequenceId: 'rain', second: 3, weather: 'rain', placeId: 'P4', degrees: 35 },
];

export function cosDegrees(degrees: number): number {
  return Math.cos((degrees * Math.PI) / 180);
}

export function angleVectors(samples: readonly AngleSample[]): Float32Array {
  const vectors = new Float32Array(samples.length * 2);
  samples.forEach((sample, row) => {
    vectors[row * 2] = Math.cos((sample.degrees * Math.PI) / 180);
    vectors[row * 2 + 1] = Math.sin((sample.degrees * Math.PI) / 180);
  });
  return vectors;
}

export function angleManifest(samples: readonly AngleSample[]): ManifestInput {
  return {
    format: 'apron-manifest',
    version: 1,
    name: 'Angles',
    root: '.',
    conditionFields: ['weather'],
    samples: samples.map((sample) => ({
      sampleId: sample.sampleId,
      sequenceId: sample.sequenceId,
      timestampNs: String(BigInt(sample.second) * 1_000_000_000n),
      weather: sample.weather,
      placeId: sample.placeId,
      ...(sample.objects === undefined ? {} : { objects: sample.objects }),
      cameras: [],
    })),
  };
}

/** Writes the manifest and the embedding files under `dir` and records the dataset `angles` with version `emb-angles`. */
export function addAngleDataset(store: Store, dir: string, samples: readonly AngleSample[] = RETRIEVAL_CASE): void {
  mkdirSync(dir, { recursive: true });
  const manifestPath = writeManifest(join(dir, 'apron-manifest.json'), angleManifest(samples));
  const vectorsPath = join(dir, 'emb-angles.f32');
  writeEmbeddingFiles(vectorsPath, { sampleIds: samples.map((sample) => sample.sampleId), dimension: 2, vectors: angleVectors(samples) });
  store.addDataset({ datasetId: 'angles', name: 'Angles', importer: null, manifestPath, root: dir, sampleCount: samples.length });
  store.addEmbeddingVersion({ embeddingVersionId: 'emb-angles', datasetId: 'angles', vectorsPath, dimension: 2, count: samples.length });
}
