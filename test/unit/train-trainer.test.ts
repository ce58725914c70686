import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { train, type TrainProgress } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe('train', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('reduces the loss on a synthetic drive', async () => {
    const result = await train({ config: { ...TINY_CONFIG, steps: 60 }, stack: drive.stack, samples: drive.samples });
    expect(result.stepsRun).toBe(60);
    expect(result.cancelled).toBe(false);
    const first = mean(result.losses.slice(0, 10));
    const last = mean(result.losses.slice(-10));
    expect(last).toBeLessThan(0.6 * first);
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('keeps the tensor count flat over 50 steps', async () => {
    const counts: number[] = [];
    const result = await train({
      config: { ...TINY_CONFIG, steps: 50 },
      stack: drive.stack,
      samples: drive.samples,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    // Adam creates its moment variables during the first step; from then on nothing may accumulate.
    expect(counts).toHaveLength(50);
    expect(counts[49]).toBe(counts[1]);
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('reports progress with every field', async () => {
    const reports: TrainProgress[] = [];
    const result = await train({ config: { ...TINY_CONFIG, steps: 3 }, stack: drive.stack, samples: drive.samples, onProgress: (p) => reports.push(p) });
    expect(reports.map((report) => report.step)).toEqual([1, 2, 3]);
    for (const report of reports) {
      expect(report.totalSteps).toBe(3);
      expect(Number.isFinite(report.loss)).toBe(true);
      expect(report.samplesPerSecond).toBeGreaterThan(0);
      expect(report.maskedFraction).toBeGreaterThanOrEqual(0);
      expect(report.maskedFraction).toBeLessThanOrEqual(1);
      expect(report.rowsWithoutNegatives).toBeGreaterThanOrEqual(0);
      expect(report.backend).toBe(result.backend);
    }
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('saves checkpoints during a run', async () => {
    const saved: { step: number; orderLength: number }[] = [];
    const result = await train({
      config: { ...TINY_CONFIG, steps: 4 },
      stack: drive.stack,
      samples: drive.samples,
      // Zero seconds saves after every step but the last, which the caller saves itself.
      checkpoint: {
        everySeconds: 0,
        save: async (state) => {
          saved.push({ step: state.step, orderLength: state.sampler?.order.length ?? -1 });
        },
      },
    });
    expect(saved.map((entry) => entry.step)).toEqual([1, 2, 3]);
    expect(saved.every((entry) => entry.orderLength > 0)).toBe(true);
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('computes the monitors on the first, every tenth and the last step', async () => {
    const reports: TrainProgress[] = [];
    const result = await train({ config: { ...TINY_CONFIG, steps: 25 }, stack: drive.stack, samples: drive.samples, onProgress: (p) => reports.push(p) });
    const monitored = reports.filter((report) => report.monitors !== undefined).map((report) => report.step);
    expect(monitored).toEqual([1, 10, 20, 25]);

    const last = reports.at(-1)!.monitors!;
    // A learning encoder is far from chance and far from collapse.
    expect(last.loss).toBe(reports.at(-1)!.loss);
    expect(last.chanceLoss).toBeGreaterThan(last.loss!);
    expect(last.collapse.collapsed).toBe(false);
    expect(last.normMin).toBeGreaterThan(0);
    expect(last.effectiveRank).toBeGreaterThan(2);
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('stops after the aborting step', async () => {
    const controller = new AbortController();
    const result = await train({
      config: { ...TINY_CONFIG, steps: 100 },
      stack: drive.stack,
      samples: drive.samples,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.step === 3) controller.abort();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(result.stepsRun).toBe(3);
    expect(result.state.step).toBe(3);
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('runs no step when the signal is already aborted', async () => {
    const result = await train({ config: { ...TINY_CONFIG, steps: 5 }, stack: drive.stack, samples: drive.samples, signal: AbortSignal.abort() });
    expect(result.cancelled).toBe(true);
    expect(result.stepsRun).toBe(0);
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('counts same-decision pairs and groups', async () => {
    const ids = drive.samples.map((sample) => sample.sampleId);
    const samePairs = [
      { a: ids[0]!, b: ids[50]! },
      { a: ids[50]!, b: ids[100]! },
      { a: ids[10]!, b: ids[90]! },
      { a: ids[10]!, b: 'not-in-dataset' },
    ];
    const result = await train({ config: { ...TINY_CONFIG, steps: 1 }, stack: drive.stack, samples: drive.samples, samePairs });
    expect(result.decisions).toEqual({ pairsUsed: 3, pairsIgnored: 1, groups: 2 });
    result.state.encoder.dispose();
    result.state.optimizer.dispose();
  });

  it('rejects a stack decoded at another size', async () => {
    const config = { ...TINY_CONFIG, imageSize: { width: 64, height: 64 }, steps: 1 };
    await expect(train({ config, stack: drive.stack, samples: drive.samples })).rejects.toThrow(/image stack is 32x32 but the run trains on 64x64/);
  });

  it('rejects an invalid configuration by field', async () => {
    await expect(train({ config: { ...TINY_CONFIG, temperature: -1 }, stack: drive.stack, samples: drive.samples })).rejects.toThrow(
      /temperature/,
    );
  });
});
