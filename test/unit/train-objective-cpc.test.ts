import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NO_AUGMENTATION } from '../../src/train/augment.js';
import { CpcWindowSampler, type CpcWindowOptions } from '../../src/train/steps/cpc-windows.js';
import { syntheticDrive } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
// Samples in manifest order s{sequence}-f{frame}, so index = 40 * sequence + frame.
const OPTIONS: CpcWindowOptions = {
  samples: drive.samples,
  stack: drive.stack,
  sequenceLength: 6,
  sequencesPerBatch: 3,
  predictSteps: 2,
  neutralWindow: 1,
  negativesPerAnchor: 8,
  samePairs: [],
  augmentation: NO_AUGMENTATION,
  rng: new Rng(4),
};

describe('cpc windows', () => {
  it('draw consecutive samples of distinct sequences', () => {
    const sampler = new CpcWindowSampler({ ...OPTIONS, rng: new Rng(4) });
    for (let draw = 0; draw < 20; draw++) {
      const batch = sampler.next();
      expect(batch.sequences).toBe(3);
      expect(batch.steps).toBe(6);
      const sequences = new Set<number>();
      for (let window = 0; window < 3; window++) {
        const first = batch.sampleIndices[window * 6]!;
        sequences.add(Math.floor(first / 40));
        for (let t = 1; t < 6; t++) expect(batch.sampleIndices[window * 6 + t]).toBe(first + t);
      }
      expect(sequences.size).toBe(3);
    }
    expect(sampler.epochs).toBe(Math.floor((20 * 18) / 120));
  });

  it('keep the neutral window out of the negatives', () => {
    const batch = new CpcWindowSampler({ ...OPTIONS, rng: new Rng(4) }).next();
    // (5 + 4) anchors per window for offsets 1 and 2.
    expect(batch.anchors).toHaveLength(27);
    batch.negatives.forEach((row, index) => {
      const anchor = batch.anchors[index]!;
      const target = anchor.time + anchor.offset;
      expect(row).toHaveLength(8);
      for (const candidate of row) {
        if (Math.floor(candidate / 6) !== anchor.sequence) continue;
        expect(Math.abs((candidate % 6) - target), `anchor ${index}, candidate ${candidate}`).toBeGreaterThan(1);
      }
    });
  });

  it('drop negatives of the target decision group', () => {
    // One `same` group holding every frame of sequence 1: a target there shares its group with
    // every candidate of that window, so some drawn negatives must be dropped.
    const ids = drive.samples.map((sample) => sample.sampleId);
    const samePairs = ids.slice(41, 80).map((id) => ({ a: ids[40]!, b: id }));
    const plain = new CpcWindowSampler({ ...OPTIONS, rng: new Rng(9) }).next();
    const masked = new CpcWindowSampler({ ...OPTIONS, samePairs, rng: new Rng(9) }).next();
    expect(Array.from(masked.sampleIndices)).toEqual(Array.from(plain.sampleIndices));
    const inGroup = (candidate: number): boolean => Math.floor((masked.sampleIndices[candidate] ?? 0) / 40) === 1;
    let dropped = 0;
    masked.negatives.forEach((row, index) => {
      const anchor = masked.anchors[index]!;
      const targetInGroup = inGroup(anchor.sequence * 6 + anchor.time + anchor.offset);
      if (targetInGroup) for (const candidate of row) expect(inGroup(candidate)).toBe(false);
      dropped += (plain.negatives[index]?.length ?? 0) - row.length;
    });
    expect(dropped).toBeGreaterThan(0);
  });

  it('rejects sequences shorter than a window', () => {
    expect(() => new CpcWindowSampler({ ...OPTIONS, sequenceLength: 41 })).toThrow(/No sequence has 41 samples/);
  });
});
