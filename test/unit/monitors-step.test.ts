import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/train/backend.js';
import { computeStepMonitors } from '../../src/train/monitors/step-monitors.js';
import { covariance, effectiveRankOf, symmetricEigenvalues } from '../../src/train/monitors/spectrum.js';
import { ntXentLoss, ntXentPositives, ntXentValidNegatives } from '../../src/train/objectives/nt-xent.js';

/** Returns `count` standard normal values from a seeded generator (Box-Muller). */
function normals(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()));
}

/** Returns the values of c (rows x columns) = a (rows x inner) b (inner x columns). */
function multiply(a: number[], b: number[], rows: number, inner: number, columns: number): number[] {
  const result = new Array<number>(rows * columns).fill(0);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      for (let j = 0; j < columns; j++) result[i * columns + j] = (result[i * columns + j] ?? 0) + (a[i * inner + k] ?? 0) * (b[k * columns + j] ?? 0);
    }
  }
  return result;
}

describe('step monitors', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('puts constant embeddings at chance and flags collapse', () => {
    // Four samples, eight views, all the same vector. Sample 0 may not use sample 1 (and back), so
    // rows of samples 0 and 1 have K = 1 + 4 candidates, the others K = 1 + 6:
    //   chance = (4 ln 5 + 4 ln 7) / 8 = 1.77767...
    const samples = 4;
    const sampleMask = new Uint8Array(samples * samples).fill(1);
    sampleMask[0 * samples + 1] = 0;
    sampleMask[1 * samples + 0] = 0;
    const values = new Array<number>(2 * samples * 3).fill(0).map((_, i) => [0.3, -1.2, 2][i % 3] ?? 0);
    const loss = tf.tidy(() => {
      const views = tf.tensor2d(values, [2 * samples, 3]);
      return ntXentLoss({ views, temperature: 0.1, validSampleNegatives: sampleMask }).loss.dataSync()[0] ?? Number.NaN;
    });
    const monitors = computeStepMonitors({
      anchors: { values, rows: 2 * samples, columns: 3 },
      positives: ntXentPositives(samples),
      validNegatives: ntXentValidNegatives(samples, sampleMask),
      loss,
      temperature: 0.1,
    });
    const expected = (4 * Math.log(5) + 4 * Math.log(7)) / 8;
    expect(monitors.chanceLoss).toBeCloseTo(expected, 10);
    expect(Math.abs(loss - expected)).toBeLessThan(1e-5);

    expect(monitors.collapse.collapsed).toBe(true);
    expect(monitors.effectiveRank).toBe(0);
    expect(monitors.collapse.reasons).toHaveLength(3);
    expect(monitors.collapse.reasons[0]).toMatch(/effective rank of the embeddings is 0\.00/);
    expect(monitors.collapse.reasons[2]).toMatch(/at the chance level/);
    expect(monitors.topOneAccuracy).toBe(0);
    expect(monitors.alignment).toBeCloseTo(0, 10);
    expect(monitors.uniformity).toBeCloseTo(0, 10);
    expect(monitors.normMin).toBeCloseTo(Math.hypot(0.3, -1.2, 2), 10);
    // Of the 8 x 7 non-positive pairs, 8 are self pairs and 8 are masked views of samples 0 and 1.
    expect(monitors.maskedFraction).toBeCloseTo(16 / 56, 10);
    expect(monitors.rowsWithoutNegatives).toBe(0);
  });

  it('averages chance over the rows the loss uses', () => {
    // Two samples; sample 0 may not use sample 1. Rows 1 and 3 have K = 3, rows 0 and 2 no negative.
    const values = [1, 0, 0, 1, 0.6, 0.8, -0.6, 0.8];
    const common = {
      anchors: { values, rows: 4, columns: 2 },
      positives: ntXentPositives(2),
      validNegatives: ntXentValidNegatives(2, new Uint8Array([1, 0, 1, 1])),
    };
    const excluded = computeStepMonitors(common);
    expect(excluded.chanceLoss).toBeCloseTo(Math.log(3), 10);
    expect(excluded.rowsWithoutNegatives).toBe(2);
    const zero = computeStepMonitors({ ...common, rowsWithoutNegatives: 'zero' });
    expect(zero.chanceLoss).toBeCloseTo(Math.log(3) / 2, 10);
  });

  it('does not flag well-spread embeddings', () => {
    // 32 samples of random 16-d directions; the second view adds 10 % noise.
    const samples = 32;
    const dimension = 16;
    const rng = new Rng(3);
    const first = normals(rng, samples * dimension);
    const noise = normals(rng, samples * dimension);
    const second = first.map((value, i) => value + 0.1 * (noise[i] ?? 0));
    const values = [...first, ...second];
    const loss = tf.tidy(() => ntXentLoss({ views: tf.tensor2d(values, [2 * samples, dimension]), temperature: 0.2 }).loss.dataSync()[0] ?? Number.NaN);
    const monitors = computeStepMonitors({
      anchors: { values, rows: 2 * samples, columns: dimension },
      positives: ntXentPositives(samples),
      validNegatives: ntXentValidNegatives(samples),
      loss,
      temperature: 0.2,
      queueFilledFraction: 0.25,
    });
    expect(monitors.collapse.collapsed).toBe(false);
    expect(monitors.collapse.reasons).toEqual([]);
    expect(monitors.effectiveRank).toBeGreaterThan(8);
    expect(monitors.topOneAccuracy).toBe(1);
    expect(monitors.positiveSimilarityMean).toBeGreaterThan(0.9);
    expect(monitors.hardestNegativeSimilarityMean).toBeLessThan(monitors.positiveSimilarityMean);
    expect(monitors.chanceLoss).toBeCloseTo(Math.log(2 * samples - 1), 10);
    expect(loss).toBeLessThan(monitors.chanceLoss);
    expect(monitors.uniformity).toBeLessThan(-2);
    expect(monitors.covarianceSpectrum).toHaveLength(8);
    expect(monitors.queueFilledFraction).toBe(0.25);
    expect(monitors.temperature).toBe(0.2);
  });

  it('computes effective rank from known singular values', () => {
    // X = U diag(3, 2, 1) V^T, where U's columns are zero-mean orthonormal vectors of length 4
    // (Hadamard rows / 2), so X is already centred, and V rotates by 30 degrees about z then by
    // 45 degrees about x. Expected: p = (3, 2, 1) / 6, erank = exp(-sum p ln p) = 2.74945927.
    const u = [0.5, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, 0.5, -0.5, -0.5, -0.5, 0.5];
    const s = [3, 0, 0, 0, 2, 0, 0, 0, 1];
    const c = Math.cos(Math.PI / 6);
    const si = Math.sin(Math.PI / 6);
    const r = Math.SQRT1_2;
    const rotationZ = [c, -si, 0, si, c, 0, 0, 0, 1];
    const rotationX = [1, 0, 0, 0, r, -r, 0, r, r];
    const v = multiply(rotationZ, rotationX, 3, 3, 3);
    const vTransposed = [0, 3, 6, 1, 4, 7, 2, 5, 8].map((index) => v[index] ?? 0);
    const x = multiply(multiply(u, s, 4, 3, 3), vTransposed, 4, 3, 3);

    const eigenvalues = symmetricEigenvalues(covariance(x, 4, 3), 3);
    // Covariance eigenvalues are s^2 / (n - 1) = 9/3, 4/3, 1/3.
    expect(eigenvalues[0]).toBeCloseTo(3, 10);
    expect(eigenvalues[1]).toBeCloseTo(4 / 3, 10);
    expect(eigenvalues[2]).toBeCloseTo(1 / 3, 10);
    const p = [3 / 6, 2 / 6, 1 / 6];
    const expected = Math.exp(-p.reduce((sum, value) => sum + value * Math.log(value), 0));
    expect(expected).toBeCloseTo(2.74945927, 8);
    expect(effectiveRankOf(eigenvalues)).toBeCloseTo(expected, 10);
  });

  it('finds the eigenvalues of a dense symmetric matrix', () => {
    // Q diag(5, 2, -1, 0.5) Q^T for the orthogonal Q of a 4x4 Hadamard matrix / 2.
    const q = [1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1].map((value) => value / 2);
    const d = [5, 0, 0, 0, 0, 2, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0.5];
    const a = multiply(multiply(q, d, 4, 4, 4), q, 4, 4, 4);
    expect(Array.from(symmetricEigenvalues(a, 4)).map((value) => Number(value.toFixed(10)))).toEqual([5, 2, 0.5, -1]);
  });

  it('keeps the tensor count over 100 training steps', () => {
    const samples = 4;
    const rng = new Rng(8);
    const initial = tf.tensor2d(normals(rng, 2 * samples * 8), [2 * samples, 8]);
    const views = tf.variable(initial, true);
    initial.dispose();
    const optimizer = tf.train.sgd(0.05);
    const positives = ntXentPositives(samples);
    const validNegatives = ntXentValidNegatives(samples);

    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 100; step++) {
      const cost = optimizer.minimize(() => ntXentLoss({ views: views as tf.Tensor2D, temperature: 0.5 }).loss, true, [views]);
      losses.push(cost?.dataSync()[0] ?? Number.NaN);
      cost?.dispose();
      const monitors = computeStepMonitors({ anchors: views as tf.Tensor2D, positives, validNegatives, loss: losses.at(-1), temperature: 0.5 });
      expect(Number.isFinite(monitors.effectiveRank)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.at(-1)).toBeLessThan(losses[0] ?? 0);

    views.dispose();
    optimizer.dispose();
  });
});
