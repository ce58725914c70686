/**
 * Synthetic drives for search tests: sequences of frames, one per second, that follow shared
 * routes of places. Frames of one place are close in embedding space, so each sample's nearest
 * rows are its own sequence's frames (masked by the temporal positive window) and other
 * sequences' frames of the same place (the suspects mining should find).
 */
import { Rng } from '../../src/core/rng.js';
import { sampleSchema, type Sample } from '../../src/dataset/manifest.js';
import { normaliseRows } from '../../src/search/exact.js';

export interface SyntheticDrives {
  samples: Sample[];
  vectors: Float32Array;
  dimension: number;
}

export interface DriveShape {
  sequences: number;
  framesPerSequence: number;
  routes: number;
  placesPerRoute: number;
  /** Consecutive frames that see the same place. */
  framesPerPlace: number;
  dimension: number;
  /** Standard deviation of each frame's offset from its place centre, per coordinate. */
  noise: number;
  seed: number;
}

export function syntheticDrives(shape: DriveShape): SyntheticDrives {
  const rng = new Rng(shape.seed);
  const { dimension } = shape;
  const centres = new Float32Array(shape.routes * shape.placesPerRoute * dimension);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(rng);

  const count = shape.sequences * shape.framesPerSequence;
  const raw = new Float32Array(count * dimension);
  const samples: Sample[] = [];
  for (let sequence = 0; sequence < shape.sequences; sequence++) {
    const route = sequence % shape.routes;
    const start = Math.floor(rng.next() * shape.placesPerRoute);
    for (let frame = 0; frame < shape.framesPerSequence; frame++) {
      const row = sequence * shape.framesPerSequence + frame;
      const place = route * shape.placesPerRoute + ((start + Math.floor(frame / shape.framesPerPlace)) % shape.placesPerRoute);
      for (let d = 0; d < dimension; d++) raw[row * dimension + d] = centres[place * dimension + d]! + shape.noise * gaussian(rng);
      samples.push(sampleSchema.parse({ sampleId: `q${sequence}-f${frame}`, sequenceId: `q${sequence}`, timestampNs: frame * 1e9 }));
    }
  }
  return { samples, vectors: normaliseRows(raw, dimension), dimension };
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
