/**
 * Decode images with sharp (libvips) into grey pixel arrays of a fixed size for the encoder.
 *
 * Decoded arrays are cached in one file per dataset and size, because decoding thousands of
 * PNGs costs seconds on every run while the cache reads in milliseconds.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { ApronError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { createLogger } from '../core/log.js';
import type { LoadedDataset } from './manifest-io.js';
import { primaryImagePath } from './manifest-io.js';

const log = createLogger('images');

export interface GreyImage {
  width: number;
  height: number;
  /** Row-major 8-bit grey pixels. */
  data: Uint8Array;
}

/** Decode any image sharp reads (PNG, JPEG, ...) into grey 8-bit pixels, optionally resized. */
export async function decodeGrey(path: string, size?: { width: number; height: number }): Promise<GreyImage> {
  if (!existsSync(path)) {
    throw new ApronError('not-found', `Image not found: ${path}`, {
      path,
      hint: 'Check that the dataset folder is complete, or re-import it.',
    });
  }
  try {
    let pipeline = sharp(path, { failOn: 'truncated' }).greyscale();
    if (size !== undefined) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const grey = info.channels === 1 ? new Uint8Array(data) : takeFirstChannel(data, info.channels);
    return { width: info.width, height: info.height, data: grey };
  } catch (error) {
    // NOTE: with other decodes in flight, sharp 0.34 sometimes gives "Unknown error" in place of the
    // libvips cause. The path is still right; the importers' image check decodes a failed file alone again.
    throw new ApronError('unreadable-file', `Cannot decode image ${path}: ${(error as Error).message}`, {
      path,
      hint: 'The file is truncated or not an image; restore it from the source dataset.',
      cause: error,
    });
  }
}

function takeFirstChannel(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels] ?? 0;
  return out;
}

export interface ImageStack {
  width: number;
  height: number;
  count: number;
  /** `count` images of `width * height` grey bytes each, in manifest sample order. */
  data: Uint8Array;
}

/**
 * Decode the primary image of every sample at one size, reading from and writing to `cachePath`
 * when given. The cache is used only when it is newer than the manifest and has the right size.
 */
export async function loadImageStack(
  dataset: LoadedDataset,
  size: { width: number; height: number },
  options: { cachePath?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImageStack> {
  const samples = dataset.manifest.samples;
  const pixels = size.width * size.height;
  const expectedBytes = pixels * samples.length;

  const cachePath = options.cachePath;
  if (cachePath !== undefined && existsSync(cachePath)) {
    const fresh = statSync(cachePath).mtimeMs >= statSync(dataset.manifestPath).mtimeMs;
    const cached = readFileSync(cachePath);
    if (fresh && cached.length === expectedBytes) {
      log.debug(`read ${samples.length} images from cache ${cachePath}`);
      return { ...size, count: samples.length, data: new Uint8Array(cached.buffer, cached.byteOffset, cached.length) };
    }
  }

  const data = new Uint8Array(expectedBytes);
  // A few decodes in flight keep libvips' thread pool busy without holding every file in memory.
  const concurrency = 8;
  let next = 0;
  let done = 0;
  // After the first failure the other workers stop taking files: Promise.all has already rejected,
  // and decoding the rest would only keep the CPU busy in the background.
  let failed = false;
  const decodeNext = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (failed || index >= samples.length) return;
      const sample = samples[index]!;
      const path = primaryImagePath(dataset, sample);
      if (path === undefined) {
        throw new ApronError('invalid-input', `Sample ${sample.sampleId} has no camera image or BEV raster to train on`, {
          path: dataset.manifestPath,
          hint: 'Add a `cameras` or `bev` entry to the sample, or remove it from the manifest.',
        });
      }
      const image = await decodeGrey(path, size);
      data.set(image.data, index * pixels);
      done++;
      options.onProgress?.(done, samples.length);
    }
  };
  const worker = async (): Promise<void> => {
    try {
      await decodeNext();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  if (cachePath !== undefined) writeFileAtomic(cachePath, data);
  return { ...size, count: samples.length, data };
}
