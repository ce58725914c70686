import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { infoNceLoss } from '../../src/train/infonce.js';
import { infoNceFromLogits } from '../../src/train/objectives/logit-infonce.js';

const ANCHORS = [
  [1, 0],
  [0, 1],
  [0.8, 0.6],
];
const CANDIDATES = [
  [1, 0],
  [0, 1],
  [0.6, 0.8],
];
// Anchor 0 has two positives, anchor 1 one, anchor 2 none; one pair of anchor 1 is masked.
const POSITIVES = { mask: new Uint8Array([1, 0, 1, 0, 1, 0, 0, 0, 0]) };
const VALID = new Uint8Array([1, 1, 1, 1, 1, 0, 1, 1, 1]);

describe('infoNceFromLogits', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('equals infoNceLoss on cosine logits', () => {
    const [fromLogits, reference, rowsWithoutPositives] = tf.tidy(() => {
      const anchors = tf.tensor2d(ANCHORS);
      const candidates = tf.tensor2d(CANDIDATES);
      // The rows above are unit length, so the logits are the dot products over the temperature.
      const logits = tf.div(tf.matMul(anchors, candidates, false, true), 0.5) as tf.Tensor2D;
      const result = infoNceFromLogits({ logits, positives: POSITIVES, validNegatives: VALID });
      const expected = infoNceLoss({ anchors, candidates, positives: POSITIVES, validNegatives: VALID, temperature: 0.5 });
      return [result.loss.dataSync()[0], expected.loss.dataSync()[0], result.rowsWithoutPositives];
    });
    // The hand-computed value of infonce.test.ts for a0 with positives c0 and c2 is 0.19510524, and
    // a1 with c2 masked is log(1 + e^-2) = 0.12692801, so the mean is 0.16101663.
    expect(reference).toBeCloseTo(0.16101663, 5);
    expect(fromLogits).toBeCloseTo(reference ?? Number.NaN, 6);
    expect(rowsWithoutPositives).toBe(1);
  });

  it('matches finite differences in its gradient', () => {
    const offsets = new Float32Array([0, Math.log(3), 0, 0.5, 0, 0, 0, 0, 0]);
    const lossAt = (values: number[]): number =>
      tf.tidy(() => {
        const logits = tf.tensor2d(values, [3, 3]);
        return infoNceFromLogits({ logits, positives: POSITIVES, validNegatives: VALID, negativeLogitOffsets: offsets }).loss.dataSync()[0] ?? Number.NaN;
      });
    const point = [2, 0.3, 1.2, -0.4, 1.5, 0.9, 0.1, 0.2, 0.3];
    const gradient = tf.tidy(() =>
      tf
        .grad((logits: tf.Tensor) => infoNceFromLogits({ logits: logits as tf.Tensor2D, positives: POSITIVES, validNegatives: VALID, negativeLogitOffsets: offsets }).loss)(
          tf.tensor2d(point, [3, 3]),
        )
        .dataSync(),
    );
    const step = 1e-2;
    for (let index = 0; index < point.length; index++) {
      const up = [...point];
      const down = [...point];
      up[index] = (up[index] ?? 0) + step;
      down[index] = (down[index] ?? 0) - step;
      expect(gradient[index]).toBeCloseTo((lossAt(up) - lossAt(down)) / (2 * step), 3);
    }
    // Anchor 2 has no positive, and anchor 1's masked pair takes no part: their gradients are 0.
    expect(Array.from(gradient.slice(5, 9))).toEqual([0, 0, 0, 0]);
  });
});
