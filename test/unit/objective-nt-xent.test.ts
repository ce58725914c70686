import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/train/backend.js';
import { expandToViews, ntXentLoss, ntXentValidNegatives, type NtXentInputs } from '../../src/train/objectives/nt-xent.js';

// Two samples, two views each, in the plane. Rows 0-1 are the first views, rows 2-3 the second:
//   x0 = (1, 0), x1 = (0, 1), x2 = (0.6, 0.8), x3 = (-0.6, 0.8); positives 0<->2 and 1<->3.
// Cosines: x0.x1 = 0, x0.x2 = 0.6, x0.x3 = -0.6, x1.x2 = 0.8, x1.x3 = 0.8, x2.x3 = 0.28.
// At temperature 0.5 the logits are twice these. Each row's negatives are the two views of the
// other sample:
//   row 0: positive 1.2, negatives 0 and -1.2:  log(1 + e^-1.2 + e^-2.4)  = 0.33067846
//   row 1: positive 1.6, negatives 0 and 1.6:   log(1 + e^-1.6 + e^0)     = 0.78931904
//   row 2: positive 1.2, negatives 1.6 and 0.56: log(1 + e^0.4 + e^-0.64) = 1.10496444
//   row 3: positive 1.6, negatives -1.2 and 0.56: log(1 + e^-2.8 + e^-1.04) = 0.34660978
//   mean = 0.64289293
const VIEWS = [
  [1, 0],
  [0, 1],
  [0.6, 0.8],
  [-0.6, 0.8],
];

function lossValue(inputs: NtXentInputs): { value: number; rowsWithoutNegatives: number } {
  return tf.tidy(() => {
    const result = ntXentLoss(inputs);
    return { value: result.loss.dataSync()[0] ?? Number.NaN, rowsWithoutNegatives: result.rowsWithoutNegatives };
  });
}

/** Returns rows x columns standard normal values from a seeded generator (Box-Muller). */
function normalMatrix(rng: Rng, rows: number, columns: number): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: columns }, () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())),
  );
}

describe('ntXentLoss', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('matches the hand-computed loss', () => {
    const before = tf.memory().numTensors;
    const views = tf.tensor2d(VIEWS);
    const result = lossValue({ views, temperature: 0.5 });
    views.dispose();
    expect(result.value).toBeCloseTo(0.64289293, 5);
    expect(result.rowsWithoutNegatives).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is unchanged when embeddings are scaled by 7', () => {
    const plain = tf.tensor2d(VIEWS);
    const scaled = tf.mul(plain, 7) as tf.Tensor2D;
    const a = lossValue({ views: plain, temperature: 0.5 });
    const b = lossValue({ views: scaled, temperature: 0.5 });
    tf.dispose([plain, scaled]);
    expect(b.value).toBeCloseTo(a.value, 6);
  });

  it('removes masked samples from the negatives', () => {
    // Masking sample 1 for sample 0 (and back) leaves every row with its positive only: loss 0.
    const views = tf.tensor2d(VIEWS);
    const result = lossValue({ views, temperature: 0.5, validSampleNegatives: new Uint8Array([1, 0, 0, 1]) });
    views.dispose();
    expect(result.value).toBe(0);
    expect(result.rowsWithoutNegatives).toBe(4);
  });

  it('leaves rows without negatives out of the mean', () => {
    // Sample 0 may not use sample 1, but sample 1 may use sample 0. Rows 0 and 2 have no negative
    // left, so the mean is over rows 1 and 3: (0.78931904 + 0.34660978) / 2 = 0.56796441.
    const views = tf.tensor2d(VIEWS);
    const result = lossValue({ views, temperature: 0.5, validSampleNegatives: new Uint8Array([1, 0, 1, 1]) });
    views.dispose();
    expect(result.value).toBeCloseTo(0.56796441, 5);
    expect(result.rowsWithoutNegatives).toBe(2);
  });

  it('accepts a mask over views', () => {
    // The view mask of the sample mask [1, 0, 1, 1], with the self and partner pairs marked valid:
    // the loss must still leave them out and equal the sample-mask result 0.56796441.
    const views = tf.tensor2d(VIEWS);
    const viewMask = new Uint8Array([1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1]);
    const result = lossValue({ views, temperature: 0.5, validViewNegatives: viewMask });
    views.dispose();
    expect(result.value).toBeCloseTo(0.56796441, 5);
    expect(result.rowsWithoutNegatives).toBe(2);
  });

  it('expands the sample mask to views', () => {
    // Sample 0 may not use sample 1 as a negative; sample 1 may use sample 0.
    const mask = ntXentValidNegatives(2, new Uint8Array([1, 0, 1, 1]));
    expect(Array.from(mask)).toEqual([
      // row 0 (sample 0, view 1): itself and partner 2 excluded, sample 1 masked
      0, 0, 0, 0,
      // row 1 (sample 1, view 1): views 0 and 2 of sample 0 are negatives
      1, 0, 1, 0,
      // row 2 (sample 0, view 2)
      0, 0, 0, 0,
      // row 3 (sample 1, view 2)
      1, 0, 1, 0,
    ]);
    expect(Array.from(expandToViews(new Float32Array([1, 2, 3, 4]), 2))).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4]);
  });

  it('has finite gradients for an all-zero row', () => {
    const gradient = tf.tidy(() =>
      tf
        .grad((views: tf.Tensor) => ntXentLoss({ views: views as tf.Tensor2D, temperature: 0.5 }).loss)(
          tf.tensor2d([
            [0, 0],
            [0, 1],
            [0.6, 0.8],
            [-0.6, 0.8],
          ]),
        )
        .dataSync(),
    );
    expect(gradient.length).toBe(8);
    for (const value of gradient) expect(Number.isFinite(value)).toBe(true);
  });

  it('rises to chance when one view is shuffled', () => {
    // 64 samples whose two views are equal random 256-d vectors, at temperature 1. In high
    // dimension unrelated vectors have cosine near 0 (std 1/16), so:
    //   aligned:  log(e^1 + 126) - 1 = 3.858 (well below chance)
    //   shuffled: the positive is unrelated (logit 0) and one negative is the anchor's own copy
    //             (logit 1): log(1 + e^1 + 125) = 4.858, against chance ln(127) = 4.844.
    const samples = 64;
    const rng = new Rng(7);
    const first = normalMatrix(rng, samples, 256);
    const order = rng.shuffle(Array.from({ length: samples }, (_, i) => i));
    const aligned = tf.tensor2d([...first, ...first]);
    const shuffled = tf.tensor2d([...first, ...order.map((i) => first[i] as number[])]);
    const alignedLoss = lossValue({ views: aligned, temperature: 1 }).value;
    const shuffledLoss = lossValue({ views: shuffled, temperature: 1 }).value;
    tf.dispose([aligned, shuffled]);
    const chance = Math.log(2 * samples - 1);
    expect(alignedLoss).toBeLessThan(chance - 0.9);
    expect(Math.abs(shuffledLoss - chance)).toBeLessThan(0.05);
  });

  it('is unchanged by a joint permutation', () => {
    const samples = 8;
    const rng = new Rng(11);
    const first = normalMatrix(rng, samples, 16);
    const second = normalMatrix(rng, samples, 16).map((row, i) => row.map((value, d) => 0.3 * value + (first[i]?.[d] ?? 0)));
    // A mask that is not symmetric in the sample order, permuted with the samples.
    const mask = new Uint8Array(samples * samples).fill(1);
    mask[0 * samples + 3] = 0;
    mask[5 * samples + 2] = 0;
    const order = rng.shuffle(Array.from({ length: samples }, (_, i) => i));
    const permutedMask = new Uint8Array(samples * samples);
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < samples; j++) permutedMask[i * samples + j] = mask[(order[i] ?? 0) * samples + (order[j] ?? 0)] ?? 0;
    }
    const original = tf.tensor2d([...first, ...second]);
    const permuted = tf.tensor2d([...order.map((i) => first[i] as number[]), ...order.map((i) => second[i] as number[])]);
    const a = lossValue({ views: original, temperature: 0.2, validSampleNegatives: mask }).value;
    const b = lossValue({ views: permuted, temperature: 0.2, validSampleNegatives: permutedMask }).value;
    tf.dispose([original, permuted]);
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
  });

  it('handles an odd and a single-sample batch', () => {
    // Three samples: the loss is finite and every row has negatives.
    const odd = tf.tensor2d([...VIEWS.slice(0, 2), [1, 1], ...VIEWS.slice(2), [1, -1]]);
    const oddResult = lossValue({ views: odd, temperature: 0.5 });
    expect(Number.isFinite(oddResult.value)).toBe(true);
    expect(oddResult.value).toBeGreaterThan(0);
    expect(oddResult.rowsWithoutNegatives).toBe(0);

    // One sample: both views have only their positive, so the loss is 0 and both rows are counted.
    const single = tf.tensor2d([
      [1, 0],
      [0.6, 0.8],
    ]);
    const singleResult = lossValue({ views: single, temperature: 0.5 });
    tf.dispose([odd, single]);
    expect(singleResult.value).toBe(0);
    expect(singleResult.rowsWithoutNegatives).toBe(2);
  });

  it('rejects an odd number of views', () => {
    const views = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    expect(() => ntXentLoss({ views, temperature: 0.5 })).toThrow(/expects 2N view embeddings/);
    views.dispose();
  });
});
