import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { parseRunConfig } from '../../src/train/config.js';
import { trainingWorkers } from '../../src/train/steps/parallel-infonce-step.js';
import { disposeTrainingState, train } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
const TWO_WORKERS = { ...TINY_CONFIG, workers: 2 as const };
let workDir = '';

describe('training with two worker threads', () => {
  beforeAll(async () => {
    await initBackend();
    workDir = mkdtempSync(join(tmpdir(), 'apron-parallel-'));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('applies to InfoNCE only', () => {
    expect(trainingWorkers(parseRunConfig({ workers: 2 }))).toBe(2);
    expect(trainingWorkers(parseRunConfig({ workers: 1 }))).toBe(1);
    expect(trainingWorkers(parseRunConfig({ workers: 2, objective: { kind: 'moco' } }))).toBe(1);
    expect(trainingWorkers(parseRunConfig({ workers: 2, objective: { kind: 'nt-xent' } }))).toBe(1);
    expect(trainingWorkers(parseRunConfig({ workers: 2, hardNegatives: { enabled: true } }))).toBe(2);
  });

  it('matches the one-thread run with up-weighted hard negatives', async () => {
    // Frames 10 apart in one sequence: far enough apart in time to be negatives, so each batch's pairs get weight 3.
    const ids = drive.samples.map((sample) => sample.sampleId);
    const differentPairs = Array.from({ length: 10 }, (_, index) => ({ a: ids[index]!, b: ids[index + 10]! }));
    const hardNegatives = { enabled: true, perBatch: 2, weight: 3 };
    const run = (workers: 1 | 2) =>
      train({ config: { ...TINY_CONFIG, workers, steps: 4, hardNegatives }, stack: drive.stack, samples: drive.samples, differentPairs });

    const oneWorker = await run(1);
    const twoWorkers = await run(2);
    expect(oneWorker.hardNegatives.pairsUsed).toBe(10);
    expect(twoWorkers.losses).toHaveLength(4);
    for (let step = 0; step < 4; step++) expect(Math.abs(twoWorkers.losses[step]! - oneWorker.losses[step]!)).toBeLessThan(1e-4 * Math.max(1, oneWorker.losses[step]!));

    // Without the weights the losses differ, so the comparison above checks that the workers used them.
    const unweighted = await train({ config: { ...TINY_CONFIG, workers: 2, steps: 1, hardNegatives: { ...hardNegatives, weight: 1 } }, stack: drive.stack, samples: drive.samples, differentPairs });
    expect(Math.abs(unweighted.losses[0]! - oneWorker.losses[0]!)).toBeGreaterThan(1e-3);
    for (const result of [oneWorker, twoWorkers, unweighted]) disposeTrainingState(result.state);
  });

  it('matches the one-thread run', async () => {
    const oneWorker = await train({ config: { ...TINY_CONFIG, steps: 5 }, stack: drive.stack, samples: drive.samples });
    const twoWorkers = await train({ config: { ...TWO_WORKERS, steps: 5 }, stack: drive.stack, samples: drive.samples });
    expect(twoWorkers.losses).toHaveLength(5);
    for (let step = 0; step < 5; step++) expect(Math.abs(twoWorkers.losses[step]! - oneWorker.losses[step]!)).toBeLessThan(1e-4 * Math.max(1, oneWorker.losses[step]!));

    // The trainer's own encoder contains the replicas' weights at the end, for the checkpoint.
    const expected = await oneWorker.state.encoder.readWeights();
    const actual = await twoWorkers.state.encoder.readWeights();
    for (const [name, values] of expected) {
      const got = actual.get(name)!;
      let worst = 0;
      for (let index = 0; index < values.length; index++) worst = Math.max(worst, Math.abs(got[index]! - values[index]!) / (Math.abs(values[index]!) + 1e-3));
      expect(worst, name).toBeLessThan(1e-3);
    }
    disposeTrainingState(oneWorker.state);
    disposeTrainingState(twoWorkers.state);
  });

  it('resumes exactly from a checkpoint', async () => {
    const straight = await train({ config: { ...TWO_WORKERS, steps: 6 }, stack: drive.stack, samples: drive.samples });

    const controller = new AbortController();
    const interrupted = await train({
      config: { ...TWO_WORKERS, steps: 6 },
      stack: drive.stack,
      samples: drive.samples,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.step === 3) controller.abort();
      },
    });
    const dir = await saveCheckpoint(join(workDir, 'resume'), interrupted.state);
    disposeTrainingState(interrupted.state);

    const loaded = await loadCheckpoint(dir);
    const resumed = await train({ config: TWO_WORKERS, stack: drive.stack, samples: drive.samples, resume: loaded.state });
    expect(resumed.losses).toEqual(straight.losses.slice(3));
    disposeTrainingState(straight.state);
    disposeTrainingState(resumed.state);
  });

  it('syncs checkpoints without leaking', async () => {
    const counts: number[] = [];
    const result = await train({
      config: { ...TWO_WORKERS, steps: 6 },
      stack: drive.stack,
      samples: drive.samples,
      checkpoint: { everySeconds: 0, save: async () => void counts.push(tf.memory().numTensors) },
    });
    expect(counts).toHaveLength(5);
    expect(counts[4]).toBe(counts[0]);
    disposeTrainingState(result.state);
  });
});
