/**
 * Real encoder embeddings for the search benchmarks. Apron's encoder trains briefly on the KITTI 00
 * BEV scans (temporal positives). It then embeds every scan under seeded augmentations (rotation
 * and shift, as in src/train/augment.ts) until it has the requested number of vectors.
 *
 * The vectors are real encoder output on real scans, but at 100k rows only the first 4,541 are
 * unaltered scans. The others are rotated and shifted copies, so the set has more near-duplicates
 * than 100k distinct scans would.
 *
 * The checkpoint and the vectors are cached in a folder outside the repository (the OS temp folder,
 * or APRON_BENCH_CACHE), so a rerun with the same row count skips training and embedding. The cache
 * is keyed by row count only, so delete the folder after changing the training or view settings.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { openWorkspace } from '../core/workspace.js';
import { embedStack } from '../embed/embed.js';
import { loadImageStack, type ImageStack } from '../dataset/images.js';
import { readManifest } from '../dataset/manifest-io.js';
import { importIntoWorkspace } from '../loop/import.js';
import { imageCachePath, trainInWorkspace } from '../loop/train.js';
import { openStore } from '../store/index.js';
import { initBackend } from '../train/backend.js';
import { applyTransform, drawTransform, NO_AUGMENTATION, type Augmentation } from '../train/augment.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { parseRunConfig, type RunConfigInput } from '../train/config.js';

/** Brief training: 200 steps of batch 64, which took 77 s idle and 138 s busy on a 2-core machine. */
const TRAIN_CONFIG: RunConfigInput = {
  steps: 200,
  embeddingDim: 128,
  positives: { kind: 'temporal', windowSeconds: 1 },
  maskRules: { sameSequenceWithinSeconds: 30, samePlace: true },
};

/**
 * Views made for the benchmark rows. A BEV scan turned by up to 30 degrees and shifted by up to 10%
 * looks like the same place passed on a slightly different heading and lane. Brightness and
 * contrast stay fixed, because LiDAR density does not vary with light.
 */
const VIEW_AUGMENTATION: Augmentation = { maxShiftFraction: 0.1, maxRotationDegrees: 30, brightness: 0, contrast: 0 };
const VIEW_SEED = 17;

export interface KittiEmbeddings {
  vectors: Float32Array;
  dimension: number;
  /** Scans in the sequence. Row r is scan r % scanCount under view floor(r / scanCount). */
  scanCount: number;
  /** Seconds spent training and embedding in this call (0 for each step read from the cache). */
  trainSeconds: number;
  embedSeconds: number;
  cacheFolder: string;
}

/** Returns the folder that keeps the checkpoint and vectors between runs. */
export function benchCacheFolder(): string {
  return process.env['APRON_BENCH_CACHE'] ?? join(tmpdir(), 'apron-bench-cache');
}

/**
 * Returns `rows` encoder embeddings of the KITTI 00 scans in `sequenceFolder`, training and
 * embedding only when the cache folder lacks them.
 */
export async function kittiEmbeddings(sequenceFolder: string, rows: number, log: (line: string) => void): Promise<KittiEmbeddings> {
  const cacheFolder = join(benchCacheFolder(), 'ann-kitti-00');
  mkdirSync(cacheFolder, { recursive: true });
  const workspace = openWorkspace(join(cacheFolder, 'workspace'));
  const store = openStore(workspace.databasePath);
  try {
    const checkpointFile = join(cacheFolder, 'checkpoint-path.txt');
    const vectorsFile = join(cacheFolder, `vectors-${rows}x128.f32`);

    if (!store.listDatasets().some((dataset) => dataset.datasetId === 'kitti-00')) {
      log(`importing ${sequenceFolder} into ${workspace.root}`);
      await importIntoWorkspace(workspace, store, { layout: 'kitti-bev', source: sequenceFolder, datasetId: 'kitti-00' });
    }
    const dataset = readManifest(store.getDataset('kitti-00').manifestPath);
    const scanCount = dataset.manifest.samples.length;

    let trainSeconds = 0;
    let checkpointPath = existsSync(checkpointFile) ? readFileSync(checkpointFile, 'utf8').trim() : undefined;
    if (checkpointPath === undefined || !existsSync(checkpointPath)) {
      log(`training the encoder on ${scanCount} scans (${TRAIN_CONFIG.steps} steps)`);
      const start = performance.now();
      const trained = await trainInWorkspace(workspace, store, { datasetId: 'kitti-00', config: TRAIN_CONFIG });
      trainSeconds = (performance.now() - start) / 1000;
      if (trained.run.checkpointPath === null) throw new Error('the training run saved no checkpoint');
      checkpointPath = trained.run.checkpointPath;
      writeFileSync(checkpointFile, checkpointPath);
    }

    if (existsSync(vectorsFile)) {
      const bytes = readFileSync(vectorsFile);
      const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      log(`read ${rows} cached embeddings from ${vectorsFile}`);
      return { vectors, dimension: 128, scanCount, trainSeconds, embedSeconds: 0, cacheFolder };
    }

    const config = parseRunConfig(TRAIN_CONFIG);
    const stack = await loadImageStack(dataset, config.imageSize, { cachePath: imageCachePath(workspace, 'kitti-00', config) });
    await initBackend();
    const loaded = await loadCheckpoint(checkpointPath);
    const start = performance.now();
    try {
      const vectors = new Float32Array(rows * 128);
      const rng = new Rng(VIEW_SEED);
      for (let view = 0; view * scanCount < rows; view++) {
        const count = Math.min(scanCount, rows - view * scanCount);
        // View 0 is the unaltered scans, and every later view draws one transform per scan.
        const augmented = augmentStack(stack, count, view === 0 ? NO_AUGMENTATION : VIEW_AUGMENTATION, rng);
        const embedded = await embedStack(loaded.state.encoder, augmented);
        vectors.set(embedded.vectors, view * scanCount * 128);
        log(`embedded view ${view}: ${view * scanCount + count}/${rows} rows after ${((performance.now() - start) / 1000).toFixed(0)} s`);
      }
      writeFileSync(vectorsFile, new Uint8Array(vectors.buffer));
      return { vectors, dimension: 128, scanCount, trainSeconds, embedSeconds: (performance.now() - start) / 1000, cacheFolder };
    } finally {
      loaded.state.encoder.dispose();
      loaded.state.optimizer.dispose();
    }
  } finally {
    store.close();
  }
}

/** Returns the first `count` images of `stack`, each under its own transform drawn from `rng`. */
function augmentStack(stack: ImageStack, count: number, augmentation: Augmentation, rng: Rng): ImageStack {
  const pixels = stack.width * stack.height;
  const view = new Float32Array(pixels);
  const data = new Uint8Array(count * pixels);
  for (let image = 0; image < count; image++) {
    const transform = drawTransform(augmentation, stack.width, stack.height, rng);
    applyTransform(stack.data, image * pixels, stack.width, stack.height, transform, view, 0);
    for (let p = 0; p < pixels; p++) data[image * pixels + p] = Math.min(255, Math.max(0, Math.round(view[p]!)));
  }
  return { width: stack.width, height: stack.height, count, data };
}
