import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/train/backend.js';
import { infoNceLoss } from '../../src/train/infonce.js';
import { hardNegativeWeights, sampleHardNegativeBatch, weightedInfoNceLoss } from '../../src/train/objectives/hard-negatives.js';
import { ntXentLoss } from '../../src/train/objectives/nt-xent.js';

// The NT-Xent example of objective-nt-xent.test.ts, with logits at temperature 0.5.
//   row 0: positive 1.2, negatives 0 and -1.2
//   row 1: positive 1.6, negatives 0 and 1.6
//   row 2: positive 1.2, negatives 1.6 and 0.56
//   row 3: positive 1.6, negatives -1.2 and 0.56
// Every negative belongs to the decided pair (0, 1). With weight 2 each counts twice.
//   row 0: log(1 + 2e^-1.2 + 2e^-2.4) = 0.57875956
//   row 1: log(1 + 2e^-1.6 + 2e^0) = 1.22489041
//   row 2: log(1 + 2e^0.4 + 2e^-0.64) = 1.61705567
//   row 3: log(1 + 2e^-2.8 + 2e^-1.04) = 0.60351209
//   mean = 1.00605443
const VIEWS = [
  [1, 0],
  [0, 1],
  [0.6, 0.8],
  [-0.6, 0.8],
];

describe('hard negatives', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('weights decided pairs in NT-Xent', () => {
    const weights = hardNegativeWeights(2, [{ row: 0, column: 1 }], 2);
    expect(Array.from(weights)).toEqual([1, 2, 2, 1]);
    const value = tf.tidy(() => ntXentLoss({ views: tf.tensor2d(VIEWS), temperature: 0.5, negativeWeights: weights }).loss.dataSync()[0]);
    expect(value).toBeCloseTo(1.00605443, 5);
  });

  it('equals infoNceLoss at weight 1', () => {
    const inputs = {
      positives: [0, 1],
      validNegatives: new Uint8Array([1, 1, 1, 1, 1, 0]),
      temperature: 0.5,
    };
    const [weighted, plain] = tf.tidy(() => {
      const anchors = tf.tensor2d([
        [1, 0],
        [0, 1],
      ]);
      const candidates = tf.tensor2d([
        [1, 0],
        [0, 1],
        [0.6, 0.8],
      ]);
      return [
        weightedInfoNceLoss({ anchors, candidates, ...inputs, negativeWeights: new Float32Array(6).fill(1) }).loss.dataSync()[0],
        infoNceLoss({ anchors, candidates, ...inputs }).loss.dataSync()[0],
      ];
    });
    // The hand-computed value of infonce.test.ts for this mask.
    expect(plain).toBeCloseTo(0.29365028, 5);
    expect(weighted).toBeCloseTo(plain ?? Number.NaN, 6);
  });

  it('rejects a weight of 0', () => {
    expect(() => hardNegativeWeights(2, [{ row: 0, column: 1 }], 0)).toThrow(/positive finite number, got 0; mask the pair/);
  });

  it('places decided pairs in the batch', () => {
    const differentPairs = [
      { a: 3, b: 17 },
      { a: 40, b: 41 },
      { a: 8, b: 90 },
    ];
    const rng = new Rng(9);
    for (let draw = 0; draw < 50; draw++) {
      const batch = sampleHardNegativeBatch({ sampleCount: 100, batchSize: 10, differentPairs, rng });
      expect(batch.indices.length).toBe(10);
      expect(new Set(batch.indices).size).toBe(10);
      // Three pairs fit into half of 10, so all of them are in every batch.
      expect(batch.pairs.length).toBe(3);
      for (const { row, column } of batch.pairs) {
        const pair = [batch.indices[row], batch.indices[column]].sort((x, y) => (x ?? 0) - (y ?? 0));
        expect(differentPairs.some(({ a, b }) => a === pair[0] && b === pair[1])).toBe(true);
        expect(row).toBeLessThan(column);
      }
    }
  });

  it('draws the same batch from the same seed', () => {
    const options = { sampleCount: 50, batchSize: 6, differentPairs: [{ a: 1, b: 2 }], maxPairs: 1 };
    const first = sampleHardNegativeBatch({ ...options, rng: new Rng(4) });
    const second = sampleHardNegativeBatch({ ...options, rng: new Rng(4) });
    expect(second).toEqual(first);
  });

  it('rejects a pair outside the samples', () => {
    expect(() => sampleHardNegativeBatch({ sampleCount: 5, batchSize: 2, differentPairs: [{ a: 1, b: 9 }], rng: new Rng(1) })).toThrow(
      /different pair \(1, 9\)/,
    );
  });
});
