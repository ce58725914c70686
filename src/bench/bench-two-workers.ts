/**
 * Training throughput of the data-parallel stepper with two replica workers against one, at the
 * default encoder (64x64 images) and batch sizes 64 and 128, on the same random image stack and
 * the same batches in both runs.
 *
 * Batches are drawn before the timing starts, so the figures cover the steps only. In training,
 * the engine thread draws the next batch while the workers run a step.
 *
 * Not part of `npm run bench`. Run it on its own, from source or from the build:
 *   npx tsx src/bench/bench-two-workers.ts
 *   node dist/src/bench/bench-two-workers.js
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Rng } from '../core/rng.js';
import type { ImageStack } from '../dataset/images.js';
import { manifestSchema, type Sample } from '../dataset/manifest.js';
import { BatchSampler, type Batch } from '../train/batches.js';
import { encoderConfigOf, parseRunConfig, type RunConfig } from '../train/config.js';
import { createDataParallelStepper } from '../train/parallel/stepper.js';
import { renderReport, type BenchResult } from './report.js';

/** The speed-up of two workers over one that data-parallel training is expected to reach. */
const TARGET_SPEEDUP = 1.7;

export interface TwoWorkerBenchOptions {
  batchSizes?: number[];
  /** Timed steps per run. */
  steps?: number;
  /** Untimed steps first, which set up kernels and Adam's moments. */
  warmUpSteps?: number;
}

/** Measures anchors per second with one and with two replica workers for each batch size. */
export async function benchTwoWorkers(options: TwoWorkerBenchOptions = {}): Promise<BenchResult[]> {
  const steps = options.steps ?? 20;
  const warmUpSteps = options.warmUpSteps ?? 3;
  const results: BenchResult[] = [];

  for (const batchSize of options.batchSizes ?? [64, 128, 256]) {
    const config = parseRunConfig({ batchSize, positives: { kind: 'augment' }, maskRules: { samePlace: false } });
    const batches = drawBatches(config, warmUpSteps + steps);
    const loadBefore = loadavg()[0] ?? 0;
    const oneWorker = await timeSteps(config, 1, batches, warmUpSteps);
    const twoWorkers = await timeSteps(config, 2, batches, warmUpSteps);
    const loadAfter = loadavg()[0] ?? 0;
    const ratio = twoWorkers.anchorsPerSecond / oneWorker.anchorsPerSecond;
    // On free cores the two workers overlap fully, so the speed-up approaches 2 x (CPU per anchor with one) / (with two).
    const cpuBound = (2 * oneWorker.cpuMsPerAnchor) / twoWorkers.cpuMsPerAnchor;

    results.push({
      name: `data-parallel training, batch ${batchSize} of ${config.imageSize.width}x${config.imageSize.height}: two workers`,
      figure: `${twoWorkers.anchorsPerSecond.toFixed(1)} anchors/s`,
      baseline: `${oneWorker.anchorsPerSecond.toFixed(1)} anchors/s with one worker`,
      ratio,
      target: `at least ${TARGET_SPEEDUP}x`,
      met: ratio >= TARGET_SPEEDUP,
      notes:
        `${steps} timed steps after ${warmUpSteps} warm-up steps per run, on the same batches, batch drawing excluded. ` +
        `CPU time per anchor (all threads of this process): ${oneWorker.cpuMsPerAnchor.toFixed(2)} ms with one worker, ${twoWorkers.cpuMsPerAnchor.toFixed(2)} ms with two, ` +
        `so the speed-up on two free cores is at most about ${cpuBound.toFixed(2)}x (an estimate that ignores time spent waiting at the barriers). ` +
        `The process used ${oneWorker.coresUsed.toFixed(2)} cores on average with one worker and ${twoWorkers.coresUsed.toFixed(2)} with two. ` +
        `The 1-minute load average was ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after. ` +
        'Other processes on the cores lower the two-worker figure more than the one-worker figure, because a step waits for the slower worker.',
    });
  }
  return results;
}

interface StepTiming {
  anchorsPerSecond: number;
  /** CPU time of the whole process (engine thread and workers) per anchor, in milliseconds. */
  cpuMsPerAnchor: number;
  /** CPU time over wall-clock time: below 2 with two workers means they did not get two whole cores. */
  coresUsed: number;
}

/** Runs the warm-up steps, then times the rest by wall clock and by the process's CPU time. */
async function timeSteps(config: RunConfig, workers: 1 | 2, batches: Batch[], warmUpSteps: number): Promise<StepTiming> {
  const stepper = await createDataParallelStepper({
    workers,
    encoderConfig: encoderConfigOf(config),
    seed: config.seed,
    learningRate: config.learningRate,
    temperature: config.temperature,
  });
  try {
    for (const batch of batches.slice(0, warmUpSteps)) await stepper.step(batch);
    const timed = batches.slice(warmUpSteps);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let anchors = 0;
    for (const batch of timed) {
      await stepper.step(batch);
      anchors += batch.size;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { anchorsPerSecond: anchors / seconds, cpuMsPerAnchor: (1000 * cpuSeconds) / anchors, coresUsed: cpuSeconds / seconds };
  } finally {
    await stepper.dispose();
  }
}

/** Draws `count` batches of augmented views from a random image stack of twice the batch size. */
function drawBatches(config: RunConfig, count: number): Batch[] {
  const { samples, stack } = randomStack(Math.max(256, 2 * config.batchSize), config.imageSize.width, config.imageSize.height);
  const sampler = new BatchSampler({
    samples,
    stack,
    batchSize: config.batchSize,
    positives: config.positives,
    maskRules: config.maskRules,
    samePairs: [],
    augmentation: config.augmentation,
    rng: new Rng(config.seed + 1),
  });
  return Array.from({ length: count }, () => sampler.next());
}

/** Random grey images and one sequence of samples, as in bench-train-speed.ts. */
function randomStack(count: number, width: number, height: number): { samples: Sample[]; stack: ImageStack } {
  const rng = new Rng(5);
  const data = new Uint8Array(count * width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.next() * 256);
  const samples = manifestSchema.parse({
    format: 'apron-manifest',
    version: 1,
    name: 'bench',
    root: '.',
    samples: Array.from({ length: count }, (_, index) => ({ sampleId: `s${index}`, sequenceId: 'bench', timestampNs: String(index * 1e9), bev: [{ name: 'bev', path: 'x.png' }] })),
  }).samples;
  return { samples, stack: { width, height, count, data } };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = new Date();
  const results = await benchTwoWorkers();
  process.stdout.write(renderReport(results, started, (Date.now() - started.getTime()) / 1000));
}
