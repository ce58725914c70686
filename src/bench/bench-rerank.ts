/**
 * Re-ranking a queue of 100,000 suspects after a decision: record one decision, then compute the
 * first page of the active order, as the queue screen does with order `active` (src/review/service.ts
 * activeQueuePage on a real better-sqlite3 store). The baseline in the same run is reading the
 * first page in similarity order (store.getQueueItems), what the queue screen costs without active
 * order. Sorting 100,000 similarities is measured too, as the floor for any full re-sort.
 *
 * The queue is synthetic: 20,000 samples in 20 sequences with a `weather` condition, and 100,000
 * pairs with similarities falling from 0.95 to 0.45 in position order. Before timing, 500 seeded
 * decisions give the calibration curve and slice factors something to fit.
 *
 * Run alone with `npx tsx src/bench/bench-rerank.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from '../core/rng.js';
import type { ManifestInput } from '../dataset/manifest.js';
import { readManifest, writeManifest, type LoadedDataset } from '../dataset/manifest-io.js';
import { activeQueuePage } from '../review/service.js';
import { openStore, type QueueItemInput, type Store } from '../store/index.js';
import type { BenchResult } from './report.js';

const SAMPLES = 20_000;
const SEQUENCES = 20;
const QUEUE_ITEMS = 100_000;
const PRIOR_DECISIONS = 500;
const TIMED_DECISIONS = 10;
const PAGE = 50;
/** Neighbour offsets: item i pairs sample i % SAMPLES with the sample OFFSETS[i / SAMPLES] further on. */
const OFFSETS = [1, 998, 1995, 2992, 3989];
const WEATHER = ['clear', 'rain', 'fog', 'night'];

function buildManifest(): ManifestInput {
  return {
    format: 'apron-manifest',
    version: 1,
    name: 'rerank bench',
    root: '.',
    conditionFields: ['weather'],
    samples: Array.from({ length: SAMPLES }, (_, index) => ({
      sampleId: `s${index}`,
      sequenceId: `seq-${index % SEQUENCES}`,
      timestampNs: String(1_700_000_000_000_000_000n + BigInt(index) * 100_000_000n),
      cameras: [{ name: 'front', path: `cam/s${index}.png` }],
      weather: WEATHER[Math.floor(index / 7) % WEATHER.length]!,
    })),
  } as ManifestInput;
}

function queueItems(rng: Rng): QueueItemInput[] {
  return Array.from({ length: QUEUE_ITEMS }, (_, i) => {
    const a = i % SAMPLES;
    const b = (a + OFFSETS[Math.floor(i / SAMPLES)]!) % SAMPLES;
    const similarity = 0.95 - (0.5 * i) / QUEUE_ITEMS + 0.002 * (rng.next() - 0.5);
    return {
      sampleA: `s${a}`,
      sampleB: `s${b}`,
      evidence: { similarity, rank: 1 + Math.floor(i / SAMPLES), timeGapSeconds: null, sameSequence: false, distanceMetres: null, headingDifferenceDegrees: null },
    };
  });
}

/** Decides a seeded spread of items: P(same) rises with similarity and is higher in three sequences. */
function recordPriorDecisions(store: Store, queueId: string, rng: Rng): void {
  for (let n = 0; n < PRIOR_DECISIONS; n++) {
    const position = Math.floor((n / PRIOR_DECISIONS) * QUEUE_ITEMS);
    const item = store.getQueueItemAt(queueId, position);
    const sequenceBoost = position % SEQUENCES < 3 ? 0.3 : 0;
    const same = rng.next() < (item.evidence.similarity - 0.45) * 1.2 + sequenceBoost;
    store.recordItemDecision(item.queueItemId, { verdict: same ? 'same' : 'different', reviewer: 'bench' });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchRerank(): Promise<BenchResult[]> {
  const folder = mkdtempSync(join(tmpdir(), 'apron-bench-rerank-'));
  const store = openStore(join(folder, 'apron.db'));
  try {
    const manifestPath = writeManifest(join(folder, 'dataset', 'apron-manifest.json'), buildManifest());
    // The API reads manifests through a cache, so the bench parses the manifest once as well.
    const manifest = readManifest(manifestPath);
    const loadManifest = (): LoadedDataset => manifest;
    store.addDataset({ datasetId: 'rerank', name: 'rerank', importer: null, manifestPath, root: folder, sampleCount: SAMPLES });
    store.addEmbeddingVersion({ embeddingVersionId: 'emb-rerank', datasetId: 'rerank', vectorsPath: join(folder, 'none.f32'), dimension: 128, count: SAMPLES });
    const rng = new Rng(21);
    const queue = store.createQueue({ queueId: 'rerank', datasetId: 'rerank', embeddingVersionId: 'emb-rerank', items: queueItems(rng) });
    recordPriorDecisions(store, queue.queueId, rng);

    // Baseline: sort the queue's similarities, highest first.
    const similarities = store.listQueueSimilarities(queue.queueId).map((row) => row.similarity);
    const sortTimes: number[] = [];
    for (let run = 0; run < TIMED_DECISIONS; run++) {
      const copy = [...similarities];
      const start = performance.now();
      copy.sort((a, b) => b - a);
      sortTimes.push(performance.now() - start);
    }

    const pageTimes: number[] = [];
    for (let run = 0; run < TIMED_DECISIONS; run++) {
      const start = performance.now();
      store.getQueueItems(queue.queueId, 0, PAGE);
      pageTimes.push(performance.now() - start);
    }

    // The first call reads every item into the cache of src/review/active-cache.ts. Each later round
    // decides the item at the top of the active order, then times the next page.
    const coldStart = performance.now();
    activeQueuePage(store, loadManifest, queue.queueId, 0, PAGE);
    const coldMs = performance.now() - coldStart;
    const rerankTimes: number[] = [];
    let top = activeQueuePage(store, loadManifest, queue.queueId, 0, PAGE).items[0]!;
    for (let run = 0; run < TIMED_DECISIONS; run++) {
      store.recordItemDecision(top.queueItemId, { verdict: rng.next() < 0.5 ? 'same' : 'different', reviewer: 'bench' });
      const start = performance.now();
      const page = activeQueuePage(store, loadManifest, queue.queueId, 0, PAGE);
      rerankTimes.push(performance.now() - start);
      if (page.items[0]!.queueItemId === top.queueItemId) throw new Error('the decided item is still first in the active order');
      top = page.items[0]!;
    }

    const rerankMs = median(rerankTimes);
    const sortMs = median(sortTimes);
    const pageMs = median(pageTimes);
    return [
      {
        name: `re-rank a queue of ${QUEUE_ITEMS} suspects after a decision (active order, first page of ${PAGE})`,
        figure: `${rerankMs.toFixed(0)} ms median of ${TIMED_DECISIONS} decisions (max ${Math.max(...rerankTimes).toFixed(0)} ms)`,
        baseline: `${pageMs.toFixed(0)} ms to read the first page in similarity order`,
        ratio: rerankMs / pageMs,
        target: 'under 200 ms',
        met: rerankMs < 200,
        notes:
          `better-sqlite3 store on disk, ${PRIOR_DECISIONS} prior decisions, ${SAMPLES} samples in ${SEQUENCES} sequences. ` +
          `The figure covers reading the decisions, calibration and slice factors over the whole queue, ranking the page and reading its items. ` +
          `The first call, which also reads every item into the cache, took ${coldMs.toFixed(0)} ms. Sorting ${QUEUE_ITEMS} similarities took ${sortMs.toFixed(0)} ms. ` +
          `Both orders pay for the queue summary's count of decided items (a subquery per item in src/store/queues.ts). The ratio is the figure over the baseline (lower is better).`,
      },
    ];
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const result of await benchRerank()) process.stdout.write(`${result.name}: ${result.figure} (baseline ${result.baseline}; ${result.notes ?? ''})\n`);
}
