import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { infoNceLoss, positiveMask, type InfoNceInputs } from '../../src/train/infonce.js';

// Two anchors and three candidates in the plane, all of unit length:
//   a0 = (1, 0), a1 = (0, 1); c0 = (1, 0), c1 = (0, 1), c2 = (0.6, 0.8).
// At temperature 0.5 the logits s = cos / 0.5 are
//   row a0: c0 2, c1 0, c2 1.2        row a1: c0 0, c1 2, c2 1.6
// With positives a0 -> c0 and a1 -> c1 and every other pair a valid negative:
//   loss(a0) = -log(e^2 / (e^2 + e^0 + e^1.2)) = log(1 + e^-2 + e^-0.8) = 0.46037255
//   loss(a1) = -log(e^2 / (e^0 + e^2 + e^1.6)) = log(1 + e^-2 + e^-0.4) = 0.59092359
//   batch loss = mean = 0.52564807
const ANCHORS = [
  [1, 0],
  [0, 1],
];
const CANDIDATES = [
  [1, 0],
  [0, 1],
  [0.6, 0.8],
];
const ALL_VALID = new Uint8Array([1, 1, 1, 1, 1, 1]);

async function lossOf(overrides: Partial<Omit<InfoNceInputs, 'anchors' | 'candidates'>> & { scale?: number } = {}) {
  const scale = overrides.scale ?? 1;
  const anchors = tf.mul(tf.tensor2d(ANCHORS), scale) as tf.Tensor2D;
  const candidates = tf.mul(tf.tensor2d(CANDIDATES), scale) as tf.Tensor2D;
  const result = infoNceLoss({
    anchors,
    candidates,
    positives: overrides.positives ?? [0, 1],
    validNegatives: overrides.validNegatives ?? ALL_VALID,
    temperature: overrides.temperature ?? 0.5,
  });
  const value = (await result.loss.data())[0];
  tf.dispose([anchors, candidates, result.loss]);
  return { ...result, value: value ?? Number.NaN };
}

describe('infoNceLoss', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('matches the hand-computed loss', async () => {
    const result = await lossOf();
    expect(result.value).toBeCloseTo(0.52564807, 5);
    expect(result.rowsWithoutNegatives).toBe(0);
    expect(result.rowsWithoutPositives).toBe(0);
  });

  it('leaves masked pairs out of the denominator', async () => {
    // c2 masked for a1: loss(a1) = log(1 + e^-2) = 0.12692801; mean with 0.46037255 = 0.29365028.
    const result = await lossOf({ validNegatives: new Uint8Array([1, 1, 1, 1, 1, 0]) });
    expect(result.value).toBeCloseTo(0.29365028, 5);
    // 1 of the 4 non-positive pairs is masked.
    expect(result.maskedFraction).toBeCloseTo(0.25, 10);
  });

  it('counts a fully masked row as 0', async () => {
    // a0 keeps only its positive: loss(a0) = -log(e^2 / e^2) = 0, so the mean is 0.59092359 / 2.
    const result = await lossOf({ validNegatives: new Uint8Array([1, 0, 0, 1, 1, 1]) });
    expect(Number.isFinite(result.value)).toBe(true);
    expect(result.value).toBeCloseTo(0.2954618, 5);
    expect(result.rowsWithoutNegatives).toBe(1);
  });

  it('stays finite when every row is fully masked', async () => {
    const result = await lossOf({ validNegatives: new Uint8Array(6) });
    expect(result.value).toBe(0);
    expect(result.rowsWithoutNegatives).toBe(2);
  });

  it('is unchanged when embeddings are scaled by 1000', async () => {
    const plain = await lossOf();
    const scaled = await lossOf({ scale: 1000 });
    expect(scaled.value).toBeCloseTo(plain.value, 6);
  });

  it('never uses a positive as a negative', async () => {
    // The mask marks the positive pairs valid as well; the loss must not change.
    const result = await lossOf({ validNegatives: new Uint8Array([1, 1, 1, 1, 1, 1]), positives: [0, 1] });
    const cleared = await lossOf({ validNegatives: new Uint8Array([0, 1, 1, 1, 0, 1]), positives: [0, 1] });
    expect(result.value).toBeCloseTo(cleared.value, 6);
  });

  it('averages one term per positive for several positives', async () => {
    // a0 has positives c0 and c2 and the single negative c1:
    //   term c0 = log(1 + e^(0 - 2)) = 0.12692801, term c2 = log(1 + e^(0 - 1.2)) = 0.26328247,
    //   loss(a0) = 0.19510524; with loss(a1) = 0.59092359 the mean is 0.39301442.
    const mask = new Uint8Array([1, 0, 1, 0, 1, 0]);
    const result = await lossOf({ positives: { mask } });
    expect(result.value).toBeCloseTo(0.39301442, 5);
  });

  it('skips anchors without a positive', async () => {
    const result = await lossOf({ positives: [0, -1] });
    expect(result.value).toBeCloseTo(0.46037255, 5);
    expect(result.rowsWithoutPositives).toBe(1);
  });

  it('stays finite at a low temperature', async () => {
    // At temperature 0.01 the logits reach 100; a naive softmax would overflow exp(100) in float32.
    const result = await lossOf({ temperature: 0.01 });
    // loss(a0) = log(1 + e^-200 + e^-80) ~ 1.8e-35, loss(a1) = log(1 + e^-200 + e^-40) ~ 4.2e-18.
    expect(Number.isFinite(result.value)).toBe(true);
    expect(result.value).toBeLessThan(1e-6);
  });

  it('matches finite differences in its gradient', async () => {
    // The gradient with respect to the anchors, at a point where they are not unit length (so the
    // normalisation's gradient takes part), against central differences of the loss.
    const lossAt = (values: number[]): number =>
      tf.tidy(() => {
        const result = infoNceLoss({
          anchors: tf.tensor2d(values, [2, 2]),
          candidates: tf.tensor2d(CANDIDATES),
          positives: [0, 1],
          validNegatives: ALL_VALID,
          temperature: 0.5,
        });
        return result.loss.dataSync()[0] ?? Number.NaN;
      });
    const point = [0.9, 0.2, -0.1, 1.1];
    const gradient = tf.tidy(() =>
      tf
        .grad((anchors: tf.Tensor) =>
          infoNceLoss({ anchors: anchors as tf.Tensor2D, candidates: tf.tensor2d(CANDIDATES), positives: [0, 1], validNegatives: ALL_VALID, temperature: 0.5 }).loss,
        )(tf.tensor2d(point, [2, 2]))
        .dataSync(),
    );
    const step = 1e-2;
    for (let index = 0; index < point.length; index++) {
      const up = [...point];
      const down = [...point];
      up[index] = (up[index] ?? 0) + step;
      down[index] = (down[index] ?? 0) - step;
      const numeric = (lossAt(up) - lossAt(down)) / (2 * step);
      expect(gradient[index]).toBeCloseTo(numeric, 3);
    }
  });

  it('rejects an out-of-range positive index', () => {
    expect(() => positiveMask([0, 3], 2, 3)).toThrow(/Positive index 3 of anchor 1/);
  });

  it('rejects a mask of the wrong size', async () => {
    await expect(lossOf({ validNegatives: new Uint8Array(5) })).rejects.toThrow(/validNegatives mask has 5 entries, expected 2 x 3/);
  });
});
