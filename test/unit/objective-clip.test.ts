import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { infoNceLoss } from '../../src/train/infonce.js';
import { clipLoss, LogitScale, LogitScales, MAX_LOGIT_SCALE, transposeMask } from '../../src/train/objectives/clip.js';

// Three samples seen by two modalities, in 3-D. The mask is not symmetric (a_2 may use b_0 as a
// negative, but a_0 may not use b_2), so the b -> a direction must use its transpose.
const A = [
  [1, 0, 0],
  [0, 1, 0],
  [0.5, 0.5, 0.7],
];
const B = [
  [0.9, 0.1, 0.2],
  [0.2, 0.8, 0.1],
  [0.3, 0.3, 0.9],
];
const MASK = new Uint8Array([0, 1, 0, 1, 0, 1, 1, 1, 0]);

describe('clipLoss', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('starts at temperature 0.07', () => {
    const scale = new LogitScale('camera|lidar');
    expect(Math.abs(scale.temperature() - 0.07)).toBeLessThan(1e-6);
    const value = tf.tidy(() => scale.scale().dataSync()[0] ?? Number.NaN);
    expect(Math.abs(1 / value - 0.07)).toBeLessThan(1e-6);
    scale.dispose();
  });

  it('is the mean of both directions', () => {
    const before = tf.memory().numTensors;
    const scale = new LogitScale('camera|lidar');
    const temperature = scale.temperature();
    const [symmetric, aToB, bToA, separateAToB, separateBToA] = tf.tidy(() => {
      const a = tf.tensor2d(A);
      const b = tf.tensor2d(B);
      const result = clipLoss({ a, b, validNegatives: MASK, logitScale: scale });
      // Each direction on its own, through infonce.ts, with the transposed mask for b -> a.
      const forward = infoNceLoss({ anchors: a, candidates: b, positives: [0, 1, 2], validNegatives: MASK, temperature });
      const backward = infoNceLoss({ anchors: b, candidates: a, positives: [0, 1, 2], validNegatives: transposeMask(MASK, 3, 3), temperature });
      return [result.loss, result.aToB.loss, result.bToA.loss, forward.loss, backward.loss].map((tensor) => tensor.dataSync()[0] ?? Number.NaN);
    });
    expect(aToB).toBeCloseTo(separateAToB ?? Number.NaN, 5);
    expect(bToA).toBeCloseTo(separateBToA ?? Number.NaN, 5);
    // The two directions differ here, so a loss that used the same mask twice would fail.
    expect(Math.abs((separateAToB ?? 0) - (separateBToA ?? 0))).toBeGreaterThan(1e-3);
    expect(symmetric).toBeCloseTo(((separateAToB ?? 0) + (separateBToA ?? 0)) / 2, 5);
    scale.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never lets the logit scale exceed 100', () => {
    const scale = new LogitScale('camera|lidar');
    // Positives have cosine 0.8 and negatives 0.6, so a larger scale lowers the loss, and a
    // learning rate of 1e4 pushes the log scale far past log(100) = 4.6 in one step.
    const optimizer = tf.train.sgd(1e4);
    const a = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const b = tf.tensor2d([
      [0.8, 0.6],
      [0.6, 0.8],
    ]);
    const cost = optimizer.minimize(() => clipLoss({ a, b, logitScale: scale }).loss, true, [scale.variable]);
    cost?.dispose();
    const raw = scale.variable.dataSync()[0] ?? Number.NaN;
    expect(raw).toBeGreaterThan(Math.log(MAX_LOGIT_SCALE) + 1);

    // The forward pass clamps before the variable does.
    const forward = tf.tidy(() => scale.scale().dataSync()[0] ?? Number.NaN);
    expect(forward).toBeLessThanOrEqual(MAX_LOGIT_SCALE);

    scale.clampAfterStep();
    const clamped = scale.variable.dataSync()[0] ?? Number.NaN;
    expect(clamped).toBeLessThanOrEqual(Math.fround(Math.log(MAX_LOGIT_SCALE)));
    const after = tf.tidy(() => scale.scale().dataSync()[0] ?? Number.NaN);
    expect(after).toBeLessThanOrEqual(MAX_LOGIT_SCALE);
    expect(after).toBeGreaterThan(99.99);
    expect(scale.temperature()).toBeCloseTo(0.01, 6);

    tf.dispose([a, b]);
    optimizer.dispose();
    scale.dispose();
  });

  it('keeps one scale per modality pair', () => {
    const scales = new LogitScales();
    const first = scales.get('lidar', 'camera');
    expect(scales.get('camera', 'lidar')).toBe(first);
    expect(scales.get('camera', 'bev')).not.toBe(first);
    expect([...scales.variables().keys()]).toEqual(['camera|lidar', 'bev|camera']);
    expect(first.excludeFromWeightDecay).toBe(true);
    expect(scales.weightDecayExclusions()).toEqual([first.variable.name, scales.get('bev', 'camera').variable.name]);
    expect(scales.temperatures()['camera|lidar']).toBeCloseTo(0.07, 6);
    expect(() => scales.get('camera', 'camera')).toThrow(/two different modalities/);
    scales.dispose();
  });
});
