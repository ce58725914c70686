// Synthetic datasets for the training tests: grey "drives" along a strip of random blobs, so that
// frames close in time overlap and distant frames do not, as BEV rasters along a road do.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src/core/rng.js';
import type { ImageStack } from '../../src/dataset/images.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { manifestSchema, type Sample, type SampleInput } from '../../src/dataset/manifest.js';
import type { RunConfigInput } from '../../src/train/config.js';

// A small encoder on 32x32 images keeps a step to a few milliseconds.
export const TINY_CONFIG: RunConfigInput = {
  imageSize: { width: 32, height: 32 },
  embeddingDim: 16,
  encoder: { channels: [8, 16], normGroups: 4, hiddenDim: 32 },
  batchSize: 8,
  learningRate: 3e-3,
  temperature: 0.1,
  positives: { kind: 'temporal', windowSeconds: 1 },
  maskRules: { sameSequenceWithinSeconds: 3 },
  seed: 5,
  // Most tests pin single-thread results; train-parallel-trainer.test.ts covers two workers.
  workers: 1,
};

export interface SyntheticDrive {
  samples: Sample[];
  stack: ImageStack;
}

export interface SyntheticDriveOptions {
  sequences: number;
  framesPerSequence: number;
  /** Image width and height in pixels. */
  size: number;
  /** Pixels the view moves along the strip per frame. */
  pixelsPerFrame?: number;
  /** Seconds between frames. */
  secondsPerFrame?: number;
  seed?: number;
}

/**
 * Builds sequences that each drive along their own strip of random Gaussian blobs. Frame f shows
 * the window of the strip that starts f * pixelsPerFrame pixels in.
 */
export function syntheticDrive(options: SyntheticDriveOptions): SyntheticDrive {
  const { sequences, framesPerSequence, size } = options;
  const step = options.pixelsPerFrame ?? 2;
  const secondsPerFrame = options.secondsPerFrame ?? 0.5;
  const rng = new Rng(options.seed ?? 7);
  const stripWidth = size + step * framesPerSequence;

  const count = sequences * framesPerSequence;
  const data = new Uint8Array(count * size * size);
  const inputs: SampleInput[] = [];
  for (let sequence = 0; sequence < sequences; sequence++) {
    const strip = blobStrip(stripWidth, size, rng);
    for (let frame = 0; frame < framesPerSequence; frame++) {
      const index = sequence * framesPerSequence + frame;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) data[index * size * size + y * size + x] = strip[y * stripWidth + frame * step + x] ?? 0;
      }
      inputs.push({
        sampleId: `s${sequence}-f${String(frame).padStart(3, '0')}`,
        sequenceId: `seq${sequence}`,
        timestampNs: String(Math.round(frame * secondsPerFrame * 1e9)),
        pose: { x: frame * step * 0.4, y: sequence * 1000, yaw: 0 },
        bev: [{ name: 'bev', path: `s${sequence}-f${frame}.png` }],
      });
    }
  }
  const samples = manifestSchema.parse({ format: 'apron-manifest', version: 1, name: 'synthetic', root: '.', samples: inputs }).samples;
  return { samples, stack: { width: size, height: size, count, data } };
}

function blobStrip(width: number, height: number, rng: Rng): Uint8Array {
  const values = new Float32Array(width * height);
  const blobs = Math.ceil((width * height) / 60);
  for (let blob = 0; blob < blobs; blob++) {
    const cx = rng.next() * width;
    const cy = rng.next() * height;
    const radius = 1 + rng.next() * 3;
    const amplitude = 80 + rng.next() * 175;
    for (let y = Math.max(0, Math.floor(cy - 3 * radius)); y < Math.min(height, cy + 3 * radius); y++) {
      for (let x = Math.max(0, Math.floor(cx - 3 * radius)); x < Math.min(width, cx + 3 * radius); x++) {
        const distance2 = (x - cx) ** 2 + (y - cy) ** 2;
        values[y * width + x] = (values[y * width + x] ?? 0) + amplitude * Math.exp(-distance2 / (2 * radius * radius));
      }
    }
  }
  return Uint8Array.from(values, (value) => Math.min(255, Math.round(value)));
}

/** Writes the drive's frames as PNG files and a manifest into `dir`; returns the manifest path. */
export async function writeSyntheticDataset(dir: string, drive: SyntheticDrive): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const { width, height } = drive.stack;
  for (const [index, sample] of drive.samples.entries()) {
    const pixels = drive.stack.data.subarray(index * width * height, (index + 1) * width * height);
    await sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } }).png().toFile(join(dir, sample.bev[0]!.path));
  }
  return writeManifest(join(dir, 'apron-manifest.json'), {
    format: 'apron-manifest',
    version: 1,
    name: 'synthetic',
    root: '.',
    samples: drive.samples.map((sample) => ({ ...sample, timestampNs: sample.timestampNs.toString() })),
  });
}
