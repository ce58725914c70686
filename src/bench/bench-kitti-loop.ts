/**
 * The loop on KITTI sequence 00, timed step by step and scored against the revisit list: import,
 * image decoding (against the decoded-image cache), training throughput (wasm with Apron's kernel
 * fixes, against the pure-JavaScript cpu backend), embedding, mining, and the precision of the
 * suspect queue against random negative pairs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { openWorkspace } from '../core/workspace.js';
import { loadImageStack } from '../dataset/images.js';
import { readManifest } from '../dataset/manifest-io.js';
import { embedInWorkspace } from '../loop/embed.js';
import { importIntoWorkspace } from '../loop/import.js';
import { mineQueue } from '../loop/mine.js';
import { imageCachePath, trainInWorkspace } from '../loop/train.js';
import { precisionAtK, randomUnmaskedPairs, readPairCsv, toPairSet } from '../mine/evaluate.js';
import { openStore } from '../store/index.js';
import { parseRunConfig } from '../train/config.js';
import { runTrainingInWorker } from '../train/run-in-worker.js';
import type { BenchResult } from './report.js';

const CONFIG = { positives: { kind: 'temporal' as const, windowSeconds: 1 }, maskRules: { sameSequenceWithinSeconds: 30, samePlace: true } };

async function seconds<T>(work: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - start) / 1000 };
}

export async function benchKittiLoop(sequenceFolder: string): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'apron-bench-kitti-'));
  const workspace = openWorkspace(join(root, 'workspace'));
  const store = openStore(workspace.databasePath);
  const results: BenchResult[] = [];
  try {
    const imported = await seconds(() => importIntoWorkspace(workspace, store, { layout: 'kitti-bev', source: sequenceFolder, name: 'kitti-00' }));
    const dataset = readManifest(imported.value.dataset.manifestPath);
    const count = dataset.manifest.samples.length;

    const config = parseRunConfig(CONFIG);
    const cachePath = imageCachePath(workspace, 'kitti-00', config);
    const decoded = await seconds(() => loadImageStack(dataset, config.imageSize, { cachePath }));
    const cached = await seconds(() => loadImageStack(dataset, config.imageSize, { cachePath }));
    results.push({
      name: `decode ${count} BEV PNGs to ${config.imageSize.width}x${config.imageSize.height} (sharp)`,
      figure: `${(count / decoded.seconds).toFixed(0)} images/s`,
      baseline: `${(count / cached.seconds).toFixed(0)} images/s from the decoded cache`,
      ratio: cached.seconds / decoded.seconds,
      target: 'none set',
      met: null,
      notes: `import with a full decode check took ${imported.seconds.toFixed(1)} s.`,
    });

    const trained = await seconds(() => trainInWorkspace(workspace, store, { datasetId: 'kitti-00', config: CONFIG }));
    const cpu = await runTrainingInWorker({
      kind: 'train',
      manifestPath: dataset.manifestPath,
      imageCachePath: cachePath,
      // Two small steps, because the pure-JavaScript backend takes minutes for one step of 64 anchors.
      config: { ...CONFIG, steps: 2, batchSize: 16 },
      checkpointDir: join(root, 'cpu-checkpoint'),
      backend: 'cpu',
    });
    const wasm = trained.value.result;
    results.push({
      name: `training throughput, batch ${config.batchSize}, ${wasm.backend}`,
      figure: `${wasm.samplesPerSecond.toFixed(0)} anchors/s (${wasm.stepsRun} steps in ${trained.seconds.toFixed(0)} s)`,
      baseline: `${cpu.samplesPerSecond.toFixed(1)} anchors/s on the ${cpu.backend} backend (2 steps of batch 16)`,
      ratio: wasm.samplesPerSecond / cpu.samplesPerSecond,
      target: 'none set',
      met: null,
      notes: 'each anchor brings a positive view, so a step encodes two images per anchor.',
    });

    const embedded = await seconds(() => embedInWorkspace(workspace, store, { runId: trained.value.run.runId }));
    const mined = await seconds(() => mineQueue(store, { embeddingVersionId: embedded.value.embeddingVersionId, limit: 1000 }));
    results.push({
      name: `embed and mine ${count} samples`,
      figure: `embed ${embedded.seconds.toFixed(1)} s, mine ${mined.seconds.toFixed(1)} s`,
      baseline: `training ${trained.seconds.toFixed(0)} s`,
      ratio: null,
      target: 'none set',
      met: null,
    });

    const sampleIds = dataset.manifest.samples.map((sample) => sample.sampleId);
    const truth = toPairSet(readPairCsv(join(sequenceFolder, 'revisit_pairs_10m_gap300.csv')), (index) => sampleIds[index]!);
    const precision = precisionAtK(mined.value.suspects, (a, b) => truth.has(a, b), [100, 1000]);
    const random = randomUnmaskedPairs(mined.value.samples, mined.value.policy.maskRules, mined.value.policy.positives, 5000, new Rng(11));
    const randomPrecision = random.filter((pair) => truth.has(pair.sampleA, pair.sampleB)).length / random.length;
    for (const entry of precision) {
      results.push({
        name: `suspect precision@${entry.k} against the revisit list`,
        figure: entry.precision.toFixed(3),
        baseline: `${randomPrecision.toFixed(4)} for 5,000 random negative pairs`,
        ratio: randomPrecision > 0 ? entry.precision / randomPrecision : null,
        target: 'none set',
        met: null,
      });
    }
    return results;
  } finally {
    store.close();
    rmSync(root, { recursive: true, force: true });
  }
}
