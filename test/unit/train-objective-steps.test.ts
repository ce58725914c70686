import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import type { RunConfigInput } from '../../src/train/config.js';
import { disposeTrainingState, train, type TrainProgress } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });

// Augment positives and no mask rule leave every other view of the batch a negative, so K is
// known exactly. Temperature 1 keeps the first logits close together, so the loss starts near ln K.
const BASE: RunConfigInput = { ...TINY_CONFIG, temperature: 1, positives: { kind: 'augment' }, maskRules: { samePlace: false } };

interface Case {
  objective: RunConfigInput['objective'];
  /** The first step whose loss has negatives: MoCo's queue is empty at step 1. */
  step: number;
  /** Candidates of one loss row: the positive and every negative. */
  candidates: number;
}

const CASES: Case[] = [
  // 2B views: one positive and 2B - 2 negatives.
  { objective: { kind: 'infonce' }, step: 1, candidates: 15 },
  { objective: { kind: 'nt-xent' }, step: 1, candidates: 15 },
  // After one step the queue contains B = 8 keys of other samples, plus the own key.
  { objective: { kind: 'moco', queueSize: 32, momentum: 0.99, queueMask: { samePlace: false, sameDecisionGroup: false } }, step: 2, candidates: 9 },
  // negativesPerAnchor negatives plus the target.
  { objective: { kind: 'cpc', sequenceLength: 6, predictSteps: 2, sequencesPerBatch: 3, negativesPerAnchor: 8 }, step: 1, candidates: 9 },
];

describe('train objectives', () => {
  beforeAll(async () => {
    await initBackend();
  });

  for (const { objective, step, candidates } of CASES) {
    it(`${objective!.kind} starts near ln K and stays finite`, async () => {
      const reports: TrainProgress[] = [];
      const result = await train({ config: { ...BASE, steps: 10, objective }, stack: drive.stack, samples: drive.samples, onProgress: (p) => reports.push(p) });
      expect(result.losses).toHaveLength(10);
      for (const loss of result.losses) expect(Number.isFinite(loss)).toBe(true);

      const chance = Math.log(candidates);
      const first = result.losses[step - 1]!;
      expect(Math.abs(first - chance)).toBeLessThan(0.1 * chance);
      expect(reports[step - 1]!.rowsWithoutNegatives).toBe(0);

      // The last step always computes the monitors (MoCo's first step has none: its queue is empty).
      const monitors = reports[9]!.monitors!;
      expect(monitors.temperature).toBe(1);
      if (step === 1) expect(reports[0]!.monitors!.chanceLoss).toBeCloseTo(chance, 10);
      disposeTrainingState(result.state);
    });
  }

  for (const { objective } of CASES.slice(1)) {
    it(`${objective!.kind} keeps the tensor count flat`, async () => {
      const counts: number[] = [];
      const config = { ...BASE, steps: 12, objective };
      const result = await train({ config, stack: drive.stack, samples: drive.samples, onProgress: () => counts.push(tf.memory().numTensors) });
      // Adam creates its moments during the first step with a gradient; after that nothing may accumulate.
      expect(counts[11]).toBe(counts[2]);
      disposeTrainingState(result.state);
    });
  }

  it('moco counts rows without negatives on an empty queue', async () => {
    const reports: TrainProgress[] = [];
    const objective = { kind: 'moco' as const, queueSize: 16, momentum: 0.9 };
    const result = await train({ config: { ...BASE, steps: 1, objective }, stack: drive.stack, samples: drive.samples, onProgress: (p) => reports.push(p) });
    // The batch's own keys are enqueued after the loss, so step 1 has no negative at all.
    expect(result.losses).toEqual([0]);
    expect(reports[0]!.rowsWithoutNegatives).toBe(8);
    // With no negative anywhere there is nothing to monitor, and a top-1 of 1 would mislead.
    expect(reports[0]!.monitors).toBeUndefined();
    expect(reports[0]!.queueFilledFraction).toBe(0.5);
    disposeTrainingState(result.state);
  });

  it('rejects a moco queue smaller than a batch', async () => {
    const config = { ...BASE, steps: 1, objective: { kind: 'moco' as const, queueSize: 4 } };
    await expect(train({ config, stack: drive.stack, samples: drive.samples })).rejects.toThrow(/objective\.queueSize/);
  });

  it('rejects a cpc window no longer than the offset', async () => {
    const config = { ...BASE, steps: 1, objective: { kind: 'cpc' as const, sequenceLength: 3, predictSteps: 3 } };
    await expect(train({ config, stack: drive.stack, samples: drive.samples })).rejects.toThrow(/objective\.sequenceLength/);
  });

  it('rejects cpc windows longer than every sequence', async () => {
    const config = { ...BASE, steps: 1, objective: { kind: 'cpc' as const, sequenceLength: 50 } };
    await expect(train({ config, stack: drive.stack, samples: drive.samples })).rejects.toThrow(/No sequence has 50 samples/);
  });
});
