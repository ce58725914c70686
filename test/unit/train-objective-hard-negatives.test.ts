import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NO_AUGMENTATION } from '../../src/train/augment.js';
import { initBackend } from '../../src/train/backend.js';
import { BatchSampler } from '../../src/train/batches.js';
import type { RunConfigInput } from '../../src/train/config.js';
import { disposeTrainingState, train, type TrainProgress } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
const ids = drive.samples.map((sample) => sample.sampleId);

// Ten pairs across sequences 0 and 1, so that no mask rule removes them.
const PAIRS = Array.from({ length: 10 }, (_, i) => ({ a: ids[2 * i]!, b: ids[40 + 2 * i + 1]! }));
const HARD: RunConfigInput = { ...TINY_CONFIG, positives: { kind: 'augment' }, maskRules: { samePlace: false } };

function sampler(perBatch: number, weight = 1, differentPairs = PAIRS): BatchSampler {
  return new BatchSampler({
    samples: drive.samples,
    stack: drive.stack,
    batchSize: 8,
    positives: { kind: 'augment' },
    maskRules: { samePlace: false },
    samePairs: [],
    augmentation: NO_AUGMENTATION,
    rng: new Rng(3),
    differentPairs,
    hardNegativesPerBatch: perBatch,
    hardNegativeWeight: weight,
  });
}

describe('hard negatives', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('puts perBatch pairs into every batch', () => {
    const batches = sampler(2);
    const pairKeys = new Set(PAIRS.map((pair) => `${ids.indexOf(pair.a)}:${ids.indexOf(pair.b)}`));
    const placed: string[] = [];
    for (let step = 0; step < 10; step++) {
      const batch = batches.next();
      // The first 2 x perBatch anchors are the decided pairs, in order.
      for (let pair = 0; pair < 2; pair++) {
        const key = `${batch.viewSamples[2 * pair]}:${batch.viewSamples[2 * pair + 1]}`;
        expect(pairKeys.has(key), key).toBe(true);
        placed.push(key);
      }
      expect(batch.hardNegativePairs).toBeGreaterThanOrEqual(2);
      expect(batch.negativeWeights).toBeUndefined();
    }
    // 20 placements of 10 pairs: every pair twice, once per pass over the shuffled order.
    expect(placed.slice(0, 10).sort()).toEqual([...pairKeys].sort());
    expect(placed.slice(10).sort()).toEqual([...pairKeys].sort());
  });

  it('weights the views of decided pairs', () => {
    const batch = sampler(1, 3).next();
    const views = 2 * batch.size;
    const weights = batch.negativeWeights!;
    // Views 0 and 1 show the pair, as do their partners 8 and 9.
    for (const [i, k] of [[0, 1], [1, 0], [0, 9], [8, 1], [8, 9], [9, 0]]) expect(weights[i! * views + k!], `${i},${k}`).toBe(3);
    expect(weights[0 * views + 2]).toBe(1);
    expect(weights[0 * views + 8]).toBe(1);
    // Every weighted entry is a valid negative between the two samples of a decided pair, and back.
    const decided = new Set(PAIRS.flatMap((pair) => [`${ids.indexOf(pair.a)}:${ids.indexOf(pair.b)}`, `${ids.indexOf(pair.b)}:${ids.indexOf(pair.a)}`]));
    for (let i = 0; i < views; i++) {
      for (let k = 0; k < views; k++) {
        const isDecided = decided.has(`${batch.viewSamples[i]}:${batch.viewSamples[k]}`) && batch.validNegatives[i * views + k] === 1;
        expect(weights[i * views + k], `${i},${k}`).toBe(isDecided ? 3 : 1);
      }
    }
  });

  it('ignores pairs outside the dataset', () => {
    const batches = sampler(2, 1, [...PAIRS, { a: ids[0]!, b: 'missing' }, { a: ids[5]!, b: ids[5]! }, { a: PAIRS[0]!.b, b: PAIRS[0]!.a }]);
    expect(batches.hardNegatives).toEqual({ pairsUsed: 10, pairsIgnored: 3 });
  });

  it('counts hard negatives per step in progress', async () => {
    const reports: TrainProgress[] = [];
    const config = { ...HARD, steps: 4, hardNegatives: { enabled: true, perBatch: 3 } };
    const result = await train({ config, stack: drive.stack, samples: drive.samples, differentPairs: PAIRS, onProgress: (p) => reports.push(p) });
    expect(result.hardNegatives).toEqual({ pairsUsed: 10, pairsIgnored: 0 });
    for (const report of reports) expect(report.hardNegativePairs).toBeGreaterThanOrEqual(3);
    disposeTrainingState(result.state);
  });

  it('leaves batches alone when disabled', async () => {
    const reports: TrainProgress[] = [];
    const result = await train({ config: { ...HARD, steps: 2 }, stack: drive.stack, samples: drive.samples, differentPairs: PAIRS, onProgress: (p) => reports.push(p) });
    expect(result.hardNegatives).toEqual({ pairsUsed: 0, pairsIgnored: 0 });
    disposeTrainingState(result.state);
  });

  it('raises the loss with a weight above 1', async () => {
    for (const kind of ['infonce', 'nt-xent'] as const) {
      const losses: number[] = [];
      for (const weight of [1, 4]) {
        const config = { ...HARD, steps: 1, objective: { kind }, hardNegatives: { enabled: true, perBatch: 3, weight } };
        const result = await train({ config, stack: drive.stack, samples: drive.samples, differentPairs: PAIRS });
        losses.push(result.losses[0]!);
        disposeTrainingState(result.state);
      }
      // Same batch and weights; only the decided pairs' share of the denominator grows.
      expect(losses[1], kind).toBeGreaterThan(losses[0]!);
    }
  });

  it('gives moco queries the keys of their decided pairs as negatives', async () => {
    const reports: TrainProgress[] = [];
    const losses: number[] = [];
    for (const weight of [1, 4]) {
      const config = { ...HARD, steps: 3, objective: { kind: 'moco' as const, queueSize: 16 }, hardNegatives: { enabled: true, perBatch: 3, weight } };
      const result = await train({ config, stack: drive.stack, samples: drive.samples, differentPairs: PAIRS, onProgress: (p) => reports.push(p) });
      expect(result.hardNegatives).toEqual({ pairsUsed: 10, pairsIgnored: 0 });
      // The first step's queue is empty, so the decided pairs' keys are its only negatives.
      expect(Number.isFinite(result.losses[0])).toBe(true);
      expect(result.losses[0]).toBeGreaterThan(0);
      losses.push(result.losses[0]!);
      disposeTrainingState(result.state);
    }
    for (const report of reports) expect(report.hardNegativePairs).toBeGreaterThanOrEqual(3);
    expect(losses[1]).toBeGreaterThan(losses[0]!);
  });

  it('rejects hard negatives with cpc', async () => {
    const config = { ...HARD, steps: 1, objective: { kind: 'cpc' as const }, hardNegatives: { enabled: true } };
    await expect(train({ config, stack: drive.stack, samples: drive.samples })).rejects.toThrow(/hardNegatives\.enabled/);
  });
});
