import { describe, expect, it } from 'vitest';
import { sampleSchema, type Sample, type SampleInput } from '../../src/dataset/manifest.js';
import { maskRulesSchema } from '../../src/mask/rules.js';
import { headingDifference } from '../../src/mine/evidence.js';
import { mineFalseNegatives, type Suspect } from '../../src/mine/false-negatives.js';
import { createNegativeTest } from '../../src/mine/negatives.js';
import { PairSet } from '../../src/mine/pairs.js';

/*
 * Seven samples whose embeddings are unit vectors at known angles, so every similarity is the
 * cosine of an angle difference:
 *
 *   sample  sequence  time (s)  angle  pose (x, y, yaw)   placeId
 *   s0      A         0         0      (0, 0, 0 deg)
 *   s1      A         1         10
 *   s2      A         100       20     (3, 4, 170 deg)
 *   s3      B         0         90                        p1
 *   s4      B         50        95                        p1
 *   s5      C         0         33     (1, 1, -170 deg)
 *   s6      C         500       200
 *
 * Not negatives: s0-s1 (temporal positive, 1 s apart, window 2 s), s3-s4 (same place),
 * s0-s5 (poses 1.41 m apart, radius 2 m), s2-s6 and s6-s3 (same decisions) and, through them,
 * s2-s3. That leaves 15 of the 21 pairs as negatives.
 */
const degrees = Math.PI / 180;
const table: [string, string, number, number, SampleInput['pose'], string | undefined][] = [
  ['s0', 'A', 0, 0, { x: 0, y: 0, yaw: 0 }, undefined],
  ['s1', 'A', 1, 10, undefined, undefined],
  ['s2', 'A', 100, 20, { x: 3, y: 4, yaw: 170 * degrees }, undefined],
  ['s3', 'B', 0, 90, undefined, 'p1'],
  ['s4', 'B', 50, 95, undefined, 'p1'],
  ['s5', 'C', 0, 33, { x: 1, y: 1, yaw: -170 * degrees }, undefined],
  ['s6', 'C', 500, 200, undefined, undefined],
];

const samples: Sample[] = table.map(([sampleId, sequenceId, seconds, , pose, placeId]) =>
  sampleSchema.parse({ sampleId, sequenceId, timestampNs: seconds * 1e9, pose, placeId }),
);
const vectors = new Float32Array(table.flatMap(([, , , angle]) => [Math.cos(angle * degrees), Math.sin(angle * degrees)]));
const maskRules = maskRulesSchema.parse({ samePlace: true, poseRadiusMetres: 2 });
const positives = { kind: 'temporal', windowSeconds: 2 } as const;
const samePairs = [
  { a: 's2', b: 's6' },
  { a: 's6', b: 's3' },
];
const base = { samples, vectors, dimension: 2, maskRules, positives, samePairs };

function pairsOf(suspects: Suspect[]): string[] {
  return suspects.map((suspect) => `${suspect.sampleA}-${suspect.sampleB}`);
}

describe('createNegativeTest', () => {
  const test = createNegativeTest(samples, { rules: maskRules, positives, samePairs });

  it('names why a pair is not a negative', () => {
    expect(test.reasonNotNegative(0, 0)).toBe('self');
    expect(test.reasonNotNegative(0, 1)).toBe('positive');
    expect(test.reasonNotNegative(3, 4)).toBe('same-place');
    expect(test.reasonNotNegative(0, 5)).toBe('pose-radius');
    expect(test.reasonNotNegative(2, 6)).toBe('same-decision');
    expect(test.reasonNotNegative(2, 3)).toBe('same-decision');
    expect(test.reasonNotNegative(0, 2)).toBeUndefined();
  });

  it('counts 15 negatives among 21 pairs', () => {
    let negatives = 0;
    for (let i = 0; i < samples.length; i++) for (let j = i + 1; j < samples.length; j++) if (test.isNegative(i, j)) negatives++;
    expect(negatives).toBe(15);
  });

  it('ignores same pairs that name unknown samples', () => {
    const withUnknown = createNegativeTest(samples, { rules: maskRules, positives, samePairs: [{ a: 's0', b: 'gone' }] });
    expect(withUnknown.ignoredSamePairs).toBe(1);
    expect(withUnknown.isNegative(0, 2)).toBe(true);
  });
});

describe('mineFalseNegatives', () => {
  it('returns every negative pair once, ranked by similarity', () => {
    const suspects = mineFalseNegatives({ ...base, perSample: 6 });
    // Angle differences in order: 10, 13, 20, 23, 57, 62, 75, 80, 85, 90, 95, 105, 160, 167, 170 degrees.
    // Each pair is oriented from the sample that ranks the other higher (lower index on a tie).
    expect(pairsOf(suspects)).toEqual([
      's1-s2', 's5-s2', 's0-s2', 's1-s5', 's3-s5', 's4-s5', 's4-s2', 's3-s1',
      's4-s1', 's0-s3', 's0-s4', 's6-s4', 's6-s0', 's6-s5', 's6-s1',
    ]);
    expect(suspects.map((suspect) => suspect.evidence.rank)).toEqual([1, 1, 1, 2, 1, 1, 2, 2, 3, 2, 3, 1, 2, 3, 4]);
  });

  it('never returns masked pairs, positives or same groups', () => {
    const suspects = mineFalseNegatives({ ...base, perSample: 6 });
    const found = new PairSet();
    for (const suspect of suspects) found.add(suspect.sampleA, suspect.sampleB);
    for (const [a, b] of [['s0', 's1'], ['s3', 's4'], ['s0', 's5'], ['s2', 's6'], ['s3', 's6'], ['s2', 's3']] as const) {
      expect(found.has(a, b), `${a}-${b}`).toBe(false);
    }
    expect(found.size).toBe(15);
  });

  it('fills evidence for pairs with and without poses', () => {
    const suspects = mineFalseNegatives({ ...base, perSample: 6 });
    const byPair = new Map(suspects.map((suspect) => [`${suspect.sampleA}-${suspect.sampleB}`, suspect.evidence]));

    // s0 (0, 0, 0 deg) and s2 (3, 4, 170 deg), 100 s apart in sequence A.
    const e02 = byPair.get('s0-s2')!;
    expect(e02.similarity).toBeCloseTo(Math.cos(20 * degrees), 6);
    expect(e02.rank).toBe(1);
    expect(e02.timeGapSeconds).toBe(100);
    expect(e02.sameSequence).toBe(true);
    expect(e02.distanceMetres).toBeCloseTo(5, 12);
    expect(e02.headingDifferenceDegrees).toBeCloseTo(170, 9);

    // s5 (1, 1, -170 deg) and s2 (3, 4, 170 deg): sqrt(13) m apart, headings 340 deg apart wrap to 20.
    const e52 = byPair.get('s5-s2')!;
    expect(e52.similarity).toBeCloseTo(Math.cos(13 * degrees), 6);
    expect(e52.timeGapSeconds).toBeNull();
    expect(e52.sameSequence).toBe(false);
    expect(e52.distanceMetres).toBeCloseTo(Math.sqrt(13), 12);
    expect(e52.headingDifferenceDegrees).toBeCloseTo(20, 9);

    // s1 has no pose.
    const e12 = byPair.get('s1-s2')!;
    expect(e12.timeGapSeconds).toBe(99);
    expect(e12.distanceMetres).toBeNull();
    expect(e12.headingDifferenceDegrees).toBeNull();
  });

  it('takes perSample suspects per sample and applies the limit', () => {
    const suspects = mineFalseNegatives({ ...base, perSample: 1 });
    expect(pairsOf(suspects)).toEqual(['s1-s2', 's5-s2', 's0-s2', 's3-s5', 's4-s5', 's6-s4']);
    const limited = mineFalseNegatives({ ...base, perSample: 1, limit: 3 });
    expect(pairsOf(limited)).toEqual(['s1-s2', 's5-s2', 's0-s2']);
  });

  it('skips decided pairs but still counts them in the rank', () => {
    const suspects = mineFalseNegatives({ ...base, perSample: 1, excludePairs: PairSet.from([{ a: 's2', b: 's1' }]) });
    expect(pairsOf(suspects)).toEqual(['s5-s2', 's0-s2', 's1-s5', 's3-s5', 's4-s5', 's6-s4']);
    // s1's first negative is the decided s2, so s5 is its second.
    expect(suspects[2]!.evidence.rank).toBe(2);
  });

  it('lets augment positives expose neighbours in time', () => {
    const suspects = mineFalseNegatives({ ...base, positives: { kind: 'augment' }, perSample: 1 });
    expect(pairsOf(suspects)[0]).toBe('s0-s1');
    expect(suspects[0]!.evidence.timeGapSeconds).toBe(1);
  });

  it('reports progress of the similarity pass', () => {
    const calls: [number, number][] = [];
    mineFalseNegatives({ ...base, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[21, 21]]);
  });

  it('rejects embeddings of another dataset', () => {
    expect(() => mineFalseNegatives({ ...base, vectors: vectors.slice(0, 12) })).toThrow(
      /Embeddings have 6 rows of dimension 2, but the dataset has 7 samples/,
    );
  });

  it('rejects a perSample of zero', () => {
    expect(() => mineFalseNegatives({ ...base, perSample: 0 })).toThrow(/perSample must be a positive integer, got 0/);
  });
});

describe('headingDifference', () => {
  it('wraps to the range 0 to 180 degrees', () => {
    expect(headingDifference(0, Math.PI / 2)).toBeCloseTo(90, 12);
    expect(headingDifference(3 * degrees, 359 * degrees)).toBeCloseTo(4, 9);
    expect(headingDifference(-Math.PI, Math.PI)).toBeCloseTo(0, 9);
    expect(headingDifference(10 * degrees, 190 * degrees)).toBeCloseTo(180, 9);
    expect(headingDifference(0, 4 * Math.PI + 30 * degrees)).toBeCloseTo(30, 9);
  });
});
