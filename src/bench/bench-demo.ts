/**
 * Ground-truth measures on the airside demo: the first trained encoder of `npm start`, judged
 * against the generator's ground truth. Generated on the fly (about 35 s for the small size), so it needs no
 * data folder. Baselines from the same run: random pairs for the queue and the look-alike share,
 * and raw BEV pixels as embeddings for same-stand recall.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '../core/workspace.js';
import { loadImageStack } from '../dataset/images.js';
import { readManifest } from '../dataset/manifest-io.js';
import { lookAlikeShare, measureQueue, sameStandRecallAt1 } from '../demo/ground-truth-metrics.js';
import { readEmbeddingFiles } from '../loop/embedding-file.js';
import { DEMO_DATASET_ID, prepareDemoWorkspace } from '../loop/demo-workspace.js';
import { openStore } from '../store/index.js';
import type { BenchResult } from './report.js';

/** Side of the pixel baseline's images: the BEV shrunk as far as the encoder's input, then flattened. */
const PIXEL_SIZE = 32;

export async function benchDemo(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'apron-bench-demo-'));
  try {
    const workspace = openWorkspace(root);
    const store = openStore(workspace.databasePath);
    try {
      const started = performance.now();
      const prepared = await prepareDemoWorkspace(workspace, store, { size: 'small', seed: 1 });
      const setupSeconds = (performance.now() - started) / 1000;

      const dataset = readManifest(store.getDataset(DEMO_DATASET_ID).manifestPath);
      const samples = dataset.manifest.samples;
      const queue = store.getQueueItems(prepared.queueId, 0, store.countQueueItems(prepared.queueId));
      const queueMeasures = measureQueue(
        samples,
        queue.items.map((item) => [item.sampleA, item.sampleB] as const),
      );

      const version = store.listEmbeddingVersions(DEMO_DATASET_ID).at(-1)!;
      const embeddings = readEmbeddingFiles(version.vectorsPath);
      const trained = sameStandRecallAt1(samples, embeddings.vectors, embeddings.dimension);
      const lookAlikes = lookAlikeShare(samples, embeddings.vectors, embeddings.dimension);

      const stack = await loadImageStack(dataset, { width: PIXEL_SIZE, height: PIXEL_SIZE });
      const pixels = pixelEmbeddings(stack.data, stack.count, PIXEL_SIZE * PIXEL_SIZE);
      const baseline = sameStandRecallAt1(samples, pixels, PIXEL_SIZE * PIXEL_SIZE);

      const results: BenchResult[] = [
        {
          name: 'demo: suspect queue precision (same stand, other visit)',
          figure: `${queueMeasures.precision.toFixed(3)} of ${queueMeasures.size} suspects`,
          baseline: `${queueMeasures.randomPrecision.toFixed(3)} for random pairs of different visits`,
          ratio: queueMeasures.randomPrecision === 0 ? null : queueMeasures.precision / queueMeasures.randomPrecision,
          target: 'none set (yardstick)',
          met: null,
          notes: `Small demo (${samples.length} samples), first encoder as \`npm start\` trains it (150 steps, augmented views, nothing masked), set up in ${setupSeconds.toFixed(0)} s. The queue contains ${queueMeasures.truePairs} true false-negative pairs, a recall of ${queueMeasures.recall.toFixed(4)} of all of them.`,
        },
        {
          name: 'demo: look-alike share among hard-negative candidates',
          figure: `${lookAlikes.share.toFixed(3)} of ${lookAlikes.candidates} candidates`,
          baseline: `${lookAlikes.randomShare.toFixed(3)} among all pairs of different stands`,
          ratio: lookAlikes.randomShare === 0 ? null : lookAlikes.share / lookAlikes.randomShare,
          target: 'none set (yardstick)',
          met: null,
          notes: 'Candidate: each sample\'s most similar sample of another stand. Look-alike: the same aircraft class (or none) parked at both stands.',
        },
        recallResult('demo: same-stand recall@1, all conditions', trained.overall.recall, baseline.overall.recall, trained.overall.queries),
      ];
      for (const [label, table, baselineTable] of [
        ['weather', trained.byWeather, baseline.byWeather],
        ['time of day', trained.byTimeOfDay, baseline.byTimeOfDay],
      ] as const) {
        for (const [condition, cell] of Object.entries(table)) {
          results.push(recallResult(`demo: same-stand recall@1, ${label} ${condition}`, cell.recall, baselineTable[condition]?.recall ?? 0, cell.queries));
        }
      }
      return results;
    } finally {
      store.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function recallResult(name: string, recall: number, baseline: number, queries: number): BenchResult {
  return {
    name,
    figure: `${recall.toFixed(3)} (${queries} queries)`,
    baseline: `${baseline.toFixed(3)} with raw ${PIXEL_SIZE}x${PIXEL_SIZE} BEV pixels`,
    ratio: baseline === 0 ? null : recall / baseline,
    target: 'none set (yardstick)',
    met: null,
  };
}

/** Turns each image into a zero-mean, unit-length vector, so that the dot product is the normalised cross-correlation. */
function pixelEmbeddings(data: Uint8Array, count: number, pixels: number): Float32Array {
  const vectors = new Float32Array(count * pixels);
  for (let i = 0; i < count; i++) {
    let mean = 0;
    for (let p = 0; p < pixels; p++) mean += data[i * pixels + p] ?? 0;
    mean /= pixels;
    let norm = 0;
    for (let p = 0; p < pixels; p++) {
      const value = (data[i * pixels + p] ?? 0) - mean;
      vectors[i * pixels + p] = value;
      norm += value * value;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let p = 0; p < pixels; p++) vectors[i * pixels + p] = (vectors[i * pixels + p] ?? 0) * scale;
  }
  return vectors;
}

