import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/train/backend.js';
import { cpcAnchors, cpcLoss, CpcModel, cpcPositiveIndex, sampleCpcNegatives } from '../../src/train/objectives/cpc.js';

describe('CPC negative sampler', () => {
  it('never draws the positive or its neutral window', () => {
    const sequences = 3;
    const steps = 12;
    const neutralWindow = 2;
    const anchors = cpcAnchors(sequences, steps, 3);
    const rng = new Rng(5);

    let drawn = 0;
    let violations = 0;
    let otherSequence = 0;
    let sameSequence = 0;
    for (let batch = 0; batch < 200; batch++) {
      const negatives = sampleCpcNegatives({ sequences, steps, anchors, negativesPerAnchor: 8, neutralWindow, rng });
      negatives.forEach((row, index) => {
        const anchor = anchors[index];
        if (anchor === undefined) throw new Error(`anchor ${index} missing`);
        const target = anchor.time + anchor.offset;
        expect(new Set(row).size).toBe(row.length);
        for (const candidate of row) {
          drawn++;
          const sequence = Math.floor(candidate / steps);
          const time = candidate % steps;
          if (sequence === anchor.sequence && Math.abs(time - target) <= neutralWindow) violations++;
          if (sequence === anchor.sequence) sameSequence++;
          else otherSequence++;
        }
      });
    }

    expect(violations).toBe(0);
    expect(drawn).toBe(200 * anchors.length * 8);
    // Both other times of the same sequence and other sequences are drawn.
    expect(sameSequence).toBeGreaterThan(0);
    expect(otherSequence).toBeGreaterThan(0);
  });

  it('returns fewer negatives when few are valid', () => {
    // One sequence of 4 steps with window 1 around target 2: only step 0 remains.
    const negatives = sampleCpcNegatives({
      sequences: 1,
      steps: 4,
      anchors: [{ sequence: 0, time: 1, offset: 1 }],
      negativesPerAnchor: 5,
      neutralWindow: 1,
      rng: new Rng(1),
    });
    expect(negatives).toEqual([[0]]);
  });

  it('lists anchors with targets inside the sequence', () => {
    const anchors = cpcAnchors(2, 4, 2);
    // Offset 1: 3 per sequence, offset 2: 2 per sequence.
    expect(anchors.length).toBe(10);
    expect(anchors.every((anchor) => anchor.time + anchor.offset < 4)).toBe(true);
    expect(cpcPositiveIndex({ sequence: 1, time: 0, offset: 2 }, 4)).toBe(6);
  });
});

describe('cpcLoss', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('averages the last w steps causally', () => {
    const model = new CpcModel({ embeddingDim: 2, contextDim: 2, contextWindow: 2, maxOffset: 1 }, 3);
    // With an identity kernel and zero bias the context is tanh of the causal mean.
    const identity = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    model.variables.get('cpc/context/kernel')?.assign(identity);
    identity.dispose();
    const context = tf.tidy(() => Array.from(model.context(tf.tensor3d([[[1, 0], [3, 2], [5, 4]]])).dataSync()));
    const expected = [Math.tanh(1), Math.tanh(0), Math.tanh(2), Math.tanh(1), Math.tanh(4), Math.tanh(3)];
    context.forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 5));
    model.dispose();
  });

  it('trains without leaking tensors', () => {
    const model = new CpcModel({ embeddingDim: 4, contextDim: 3, contextWindow: 2, maxOffset: 2 }, 1);
    const rng = new Rng(2);
    const values = Array.from({ length: 2 * 8 * 4 }, () => rng.next() - 0.5);
    const z = tf.tensor3d(values, [2, 8, 4]);
    const anchors = cpcAnchors(2, 8, 2);
    const optimizer = tf.train.sgd(0.1);
    const step = (): number => {
      const negatives = sampleCpcNegatives({ sequences: 2, steps: 8, anchors, negativesPerAnchor: 6, neutralWindow: 1, rng });
      const cost = optimizer.minimize(() => cpcLoss({ model, z, anchors, negatives, temperature: 0.5 }).loss, true, [...model.variables.values()]);
      const value = cost?.dataSync()[0] ?? Number.NaN;
      cost?.dispose();
      return value;
    };
    const first = step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(first)).toBe(true);
    // Every row has its positive and at least one negative: the loss lies between 0 and ln(7).
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(Math.log(7) + 1);
    z.dispose();
    optimizer.dispose();
    model.dispose();
  });
});
