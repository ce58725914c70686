/**
 * Cross-season place recognition on Nordland. InfoNCE trains with place positives (the same frame
 * number in summer and winter) on the first 70% of the route. Each winter frame of the last 30% is
 * then matched against the summer frames of that part. Dark (tunnel) frames are dropped from the test,
 * as in the data's README. The baseline in the same run is the classic single-frame matching by
 * mean absolute difference of patch-normalised pixels (8x8 patches, each scaled to zero mean and
 * unit variance).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '../core/workspace.js';
import { loadImageStack } from '../dataset/images.js';
import { readManifest, writeManifest } from '../dataset/manifest-io.js';
import type { ManifestInput, Sample } from '../dataset/manifest.js';
import { importIntoWorkspace } from '../loop/import.js';
import { trainInWorkspace } from '../loop/train.js';
import { openStore } from '../store/index.js';
import type { RunConfigInput } from '../train/config.js';
import { runEmbeddingInWorker } from '../train/run-in-worker.js';
import type { BenchResult } from './report.js';

export const NORDLAND_SEASONS_CONFIG: RunConfigInput = {
  imageSize: { width: 64, height: 32 },
  steps: 1000,
  batchSize: 64,
  positives: { kind: 'place' },
  maskRules: {},
  temperature: 0.1,
};

const TRAIN_SHARE = 0.7;
const PATCH = 8;

export async function benchNordlandSeasons(source: string): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'apron-bench-nordland-'));
  try {
    const workspace = openWorkspace(root);
    const store = openStore(workspace.databasePath);
    try {
      const full = await importIntoWorkspace(workspace, store, { source, datasetId: 'nordland' });
      const dataset = readManifest(full.dataset.manifestPath);
      const samples = dataset.manifest.samples;
      const cut = Math.max(...samples.map(frameOf)) * TRAIN_SHARE;

      // The training split is a manifest of the first part of the route over the same files.
      const input = JSON.parse(readFileSync(full.dataset.manifestPath, 'utf8')) as ManifestInput;
      const trainPath = writeManifest(join(root, 'train-split', 'apron-manifest.json'), {
        ...input,
        name: 'nordland-train-split',
        root: dataset.root,
        samples: input.samples.filter((sample) => Number(sample.placeId) <= cut),
      });
      await importIntoWorkspace(workspace, store, { source: trainPath, layout: 'manifest', datasetId: 'nordland-train' });

      const started = performance.now();
      const trained = await trainInWorkspace(workspace, store, { datasetId: 'nordland-train', config: NORDLAND_SEASONS_CONFIG });
      const trainSeconds = (performance.now() - started) / 1000;
      const embedded = await runEmbeddingInWorker({ kind: 'embed', manifestPath: full.dataset.manifestPath, checkpointDir: trained.run.checkpointPath! });

      const dark = darkFrames(join(source, 'pairs.csv'));
      const testOf = (season: string): number[] =>
        samples.flatMap((sample, index) => (sample.sequenceId === season && frameOf(sample) > cut && !dark.has(frameOf(sample)) ? [index] : []));
      const queries = testOf('winter');
      const database = testOf('summer');

      const trainedRecall = recallAt1(samples, queries, database, (q, d) => -dot(embedded.vectors, embedded.dimension, q, d));
      const stack = await loadImageStack(dataset, { width: 64, height: 32 });
      const patches = patchNormalise(stack.data, stack.count, stack.width, stack.height);
      const pixelsPerImage = stack.width * stack.height;
      const baselineRecall = recallAt1(samples, queries, database, (q, d) => meanAbsoluteDifference(patches, pixelsPerImage, q, d));

      return [
        {
          name: 'nordland: winter-to-summer recall@1, cross-season InfoNCE',
          figure: `${trainedRecall.toFixed(3)} (${queries.length} queries)`,
          baseline: `${baselineRecall.toFixed(3)} patch-normalised pixels`,
          ratio: baselineRecall === 0 ? null : trainedRecall / baselineRecall,
          target: 'beat the baseline',
          met: trainedRecall > baselineRecall,
          notes: `Trained ${NORDLAND_SEASONS_CONFIG.steps} steps (${trainSeconds.toFixed(0)} s, backend ${trained.result.backend}) on frames up to ${cut.toFixed(0)} with place positives; tested on the later frames without the dark ones. The data README reports 0.158 for the same baseline.`,
        },
      ];
    } finally {
      store.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function frameOf(sample: Sample): number {
  return Number(sample.placeId);
}

/** Frame numbers that pairs.csv flags as dark (tunnels), where neither season shows anything. */
function darkFrames(path: string): Set<number> {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return new Set(lines.map((line) => line.split(',')).filter((cells) => cells[5] === '1').map((cells) => Number(cells[0])));
}

/** Share of queries whose closest database sample (smallest distance) shows the same place. */
function recallAt1(samples: readonly Sample[], queries: number[], database: number[], distance: (query: number, candidate: number) => number): number {
  let hits = 0;
  for (const query of queries) {
    let best = -1;
    let bestDistance = Infinity;
    for (const candidate of database) {
      const value = distance(query, candidate);
      if (value < bestDistance) {
        bestDistance = value;
        best = candidate;
      }
    }
    if (best >= 0 && samples[best]?.placeId === samples[query]?.placeId) hits++;
  }
  return queries.length === 0 ? 0 : hits / queries.length;
}

function dot(vectors: Float32Array, dimension: number, a: number, b: number): number {
  let sum = 0;
  for (let k = 0; k < dimension; k++) sum += (vectors[a * dimension + k] ?? 0) * (vectors[b * dimension + k] ?? 0);
  return sum;
}

/** Scales each PATCH x PATCH patch of each image to zero mean and unit variance. */
function patchNormalise(data: Uint8Array, count: number, width: number, height: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let image = 0; image < count; image++) {
    const offset = image * width * height;
    for (let top = 0; top < height; top += PATCH) {
      for (let left = 0; left < width; left += PATCH) {
        let sum = 0;
        let squares = 0;
        let n = 0;
        for (let y = top; y < Math.min(height, top + PATCH); y++) {
          for (let x = left; x < Math.min(width, left + PATCH); x++) {
            const value = data[offset + y * width + x] ?? 0;
            sum += value;
            squares += value * value;
            n++;
          }
        }
        const mean = sum / n;
        const std = Math.sqrt(Math.max(0, squares / n - mean * mean));
        for (let y = top; y < Math.min(height, top + PATCH); y++) {
          for (let x = left; x < Math.min(width, left + PATCH); x++) {
            const index = offset + y * width + x;
            out[index] = std > 0 ? ((data[index] ?? 0) - mean) / std : 0;
          }
        }
      }
    }
  }
  return out;
}

function meanAbsoluteDifference(values: Float32Array, length: number, a: number, b: number): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += Math.abs((values[a * length + k] ?? 0) - (values[b * length + k] ?? 0));
  return sum / length;
}
