import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NO_AUGMENTATION } from '../../src/train/augment.js';
import { BatchSampler, type BatchSamplerOptions } from '../../src/train/batches.js';
import { syntheticDrive } from './train-fixtures.js';

// 2 sequences of 20 frames, 0.5 s apart: frame f of sequence s is sample 20 s + f at time f / 2 s.
const drive = syntheticDrive({ sequences: 2, framesPerSequence: 20, size: 16 });

function sampler(overrides: Partial<BatchSamplerOptions> = {}): BatchSampler {
  return new BatchSampler({
    samples: drive.samples,
    stack: drive.stack,
    batchSize: 6,
    positives: { kind: 'temporal', windowSeconds: 1 },
    maskRules: { samePlace: true },
    samePairs: [],
    augmentation: NO_AUGMENTATION,
    rng: new Rng(3),
    ...overrides,
  });
}

function timeOf(index: number): number {
  return Number(drive.samples[index]!.timestampNs) / 1e9;
}

describe('BatchSampler', () => {
  it('place positives cross sequences, never negatives', () => {
    // Frame f of both sequences shows place f, as the same frame number in two seasons does.
    const samples = drive.samples.map((sample, index) => ({ ...sample, placeId: `p${index % 20}` }));
    const batches = sampler({ samples, positives: { kind: 'place' }, maskRules: { samePlace: false } });
    for (let round = 0; round < 20; round++) {
      const batch = batches.next();
      const views = 2 * batch.size;
      for (let i = 0; i < batch.size; i++) {
        const anchor = samples[batch.viewSamples[i]!]!;
        const positive = samples[batch.viewSamples[batch.size + i]!]!;
        expect(positive.placeId).toBe(anchor.placeId);
        expect(positive.sequenceId).not.toBe(anchor.sequenceId);
      }
      for (let i = 0; i < views; i++) {
        for (let k = 0; k < views; k++) {
          if (batch.validNegatives[i * views + k] !== 1) continue;
          expect(samples[batch.viewSamples[k]!]!.placeId).not.toBe(samples[batch.viewSamples[i]!]!.placeId);
        }
      }
    }
  });

  it('draws temporal positives within the window', () => {
    const batches = sampler();
    for (let round = 0; round < 20; round++) {
      const batch = batches.next();
      for (let i = 0; i < batch.size; i++) {
        const anchor = batch.viewSamples[i]!;
        const positive = batch.viewSamples[batch.size + i]!;
        expect(positive).not.toBe(anchor);
        expect(drive.samples[positive]!.sequenceId).toBe(drive.samples[anchor]!.sequenceId);
        expect(Math.abs(timeOf(positive) - timeOf(anchor))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('pairs each view with its partner', () => {
    const batch = sampler().next();
    expect(batch.size).toBe(6);
    expect(Array.from(batch.positives)).toEqual([6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5]);
  });

  it('uses two views of one sample for augment positives', () => {
    const batch = sampler({ positives: { kind: 'augment' } }).next();
    for (let i = 0; i < batch.size; i++) expect(batch.viewSamples[batch.size + i]).toBe(batch.viewSamples[i]);
  });

  it('masks the samples of a view and its partner', () => {
    const batches = sampler({ positives: { kind: 'augment' }, batchSize: 20 });
    for (let round = 0; round < 5; round++) {
      const batch = batches.next();
      const views = 2 * batch.size;
      for (let i = 0; i < views; i++) {
        const partner = batch.positives[i]!;
        for (let k = 0; k < views; k++) {
          const sharesSample = batch.viewSamples[k] === batch.viewSamples[i] || batch.viewSamples[k] === batch.viewSamples[partner];
          if (k === i || k === partner || sharesSample) expect(batch.validNegatives[i * views + k]).toBe(0);
        }
      }
    }
  });

  it('masks pairs that a rule matches', () => {
    // Every pair of one sequence within 3 s is masked; pairs across sequences never are.
    const batch = sampler({ positives: { kind: 'augment' }, batchSize: 40, maskRules: { samePlace: true, sameSequenceWithinSeconds: 3 } }).next();
    const views = 80;
    let checked = 0;
    for (let i = 0; i < views; i++) {
      for (let k = 0; k < views; k++) {
        const a = batch.viewSamples[i]!;
        const b = batch.viewSamples[k]!;
        if (a === b) continue;
        const sameSequence = drive.samples[a]!.sequenceId === drive.samples[b]!.sequenceId;
        const masked = sameSequence && Math.abs(timeOf(a) - timeOf(b)) <= 3;
        expect(batch.validNegatives[i * views + k]).toBe(masked ? 0 : 1);
        checked++;
      }
    }
    // 80 views of 40 samples: 80 * 80 pairs minus the 160 that share a sample.
    expect(checked).toBe(6240);
    expect(batch.maskedByRules).toBeGreaterThan(0);
  });

  it('masks transitive same-decision groups', () => {
    const ids = drive.samples.map((sample) => sample.sampleId);
    // 0 ~ 25 and 25 ~ 39 put 0, 25 and 39 in one group, so 0 and 39 are masked too.
    const batches = sampler({
      positives: { kind: 'augment' },
      batchSize: 40,
      samePairs: [
        { a: ids[0]!, b: ids[25]! },
        { a: ids[25]!, b: ids[39]! },
      ],
    });
    expect(batches.decisions).toEqual({ pairsUsed: 2, pairsIgnored: 0, groups: 1 });
    const batch = batches.next();
    const views = 80;
    const group = new Set([0, 25, 39]);
    let maskedPairs = 0;
    for (let i = 0; i < views; i++) {
      for (let k = 0; k < views; k++) {
        const a = batch.viewSamples[i]!;
        const b = batch.viewSamples[k]!;
        if (a === b || !group.has(a) || !group.has(b)) continue;
        expect(batch.validNegatives[i * views + k]).toBe(0);
        maskedPairs++;
      }
    }
    // Each of the 3 samples has 2 views: 6 views, 6 * 4 ordered pairs of different samples.
    expect(maskedPairs).toBe(24);
    expect(batch.maskedByDecisions).toBe(24);
  });

  it('masks candidates that could have been the positive', () => {
    // With a 1 s window, frames within 1 s of an anchor in its sequence are never its negatives.
    const batch = sampler({ batchSize: 20 }).next();
    const views = 40;
    for (let i = 0; i < views; i++) {
      for (let k = 0; k < views; k++) {
        const a = batch.viewSamples[i]!;
        const b = batch.viewSamples[k]!;
        const near = drive.samples[a]!.sequenceId === drive.samples[b]!.sequenceId && Math.abs(timeOf(a) - timeOf(b)) <= 1;
        if (near) expect(batch.validNegatives[i * views + k]).toBe(0);
      }
    }
  });

  it('visits every anchor once per epoch', () => {
    const batches = sampler({ positives: { kind: 'augment' }, batchSize: 8 });
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) seen.push(...Array.from(batches.next().viewSamples.subarray(0, 8)));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    batches.next();
    expect(batches.epochs).toBe(1);
  });

  it('draws the same batches from the same seed', () => {
    const first = sampler({ augmentation: { maxShiftFraction: 0.1, maxRotationDegrees: 10, brightness: 0.1, contrast: 0.2 } });
    const second = sampler({ augmentation: { maxShiftFraction: 0.1, maxRotationDegrees: 10, brightness: 0.1, contrast: 0.2 } });
    for (let round = 0; round < 3; round++) {
      const a = first.next();
      const b = second.next();
      expect(Array.from(b.viewSamples)).toEqual(Array.from(a.viewSamples));
      expect(b.pixels).toEqual(a.pixels);
    }
  });

  it('continues identically after save and restore', () => {
    const original = sampler();
    original.next();
    const saved = original.save();
    const resumed = sampler({ rng: Rng.fromState(saved.rngState) });
    resumed.restore(saved);
    expect(Array.from(resumed.next().viewSamples)).toEqual(Array.from(original.next().viewSamples));
  });

  it('rejects a window that leaves fewer than two anchors', () => {
    const sparse = syntheticDrive({ sequences: 1, framesPerSequence: 5, size: 16, secondsPerFrame: 10 });
    expect(
      () =>
        new BatchSampler({
          samples: sparse.samples,
          stack: sparse.stack,
          batchSize: 4,
          positives: { kind: 'temporal', windowSeconds: 1 },
          maskRules: { samePlace: true },
          samePairs: [],
          augmentation: NO_AUGMENTATION,
          rng: new Rng(1),
        }),
    ).toThrow(/Only 0 sample\(s\) with a temporal positive within 1 s/);
  });

  it('suggests place positives where the samples carry place ids', () => {
    const sparse = syntheticDrive({ sequences: 1, framesPerSequence: 5, size: 16, secondsPerFrame: 10 });
    const placed = sparse.samples.map((sample, index) => ({ ...sample, placeId: `stand-${index % 2}` }));
    const options = {
      samples: placed,
      stack: sparse.stack,
      batchSize: 4,
      positives: { kind: 'temporal' as const, windowSeconds: 1 },
      maskRules: { samePlace: true },
      samePairs: [],
      augmentation: NO_AUGMENTATION,
      rng: new Rng(1),
    };
    expect(() => new BatchSampler(options)).toThrow(expect.objectContaining({ hint: expect.stringContaining('train with place positives (`--positives place`') }));
  });
});
