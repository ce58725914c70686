import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { sampleSchema, type Sample } from '../../src/dataset/manifest.js';
import { maskRulesSchema } from '../../src/mask/rules.js';
import { precisionAtK, randomUnmaskedPairs, readPairCsv, toPairSet } from '../../src/mine/evaluate.js';
import { createNegativeTest } from '../../src/mine/negatives.js';
import { PairSet } from '../../src/mine/pairs.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

describe('precisionAtK', () => {
  // Truth of the five suspects in order: true, false, true, true, false.
  const suspects = ['a-b', 'a-c', 'b-c', 'c-d', 'd-e'].map((pair) => {
    const [sampleA, sampleB] = pair.split('-') as [string, string];
    return { sampleA, sampleB };
  });
  const truth = PairSet.from([
    { a: 'b', b: 'a' },
    { a: 'b', b: 'c' },
    { a: 'd', b: 'c' },
  ]);
  const isTrue = (a: string, b: string): boolean => truth.has(a, b);

  it('matches hand-computed precision', () => {
    const result = precisionAtK(suspects, isTrue, [1, 2, 3, 5]);
    expect(result.map((entry) => entry.truePairs)).toEqual([1, 1, 2, 3]);
    expect(result[0]!.precision).toBe(1);
    expect(result[1]!.precision).toBe(0.5);
    expect(result[2]!.precision).toBeCloseTo(2 / 3, 15);
    expect(result[3]!.precision).toBe(0.6);
  });

  it('counts missing entries as false past the end of the list', () => {
    const [atTen] = precisionAtK(suspects, isTrue, [10]);
    expect(atTen).toEqual({ k: 10, precision: 0.3, truePairs: 3, evaluated: 5 });
  });

  it('rejects k of zero', () => {
    expect(() => precisionAtK(suspects, isTrue, [0])).toThrow(/positive integer, got 0/);
  });
});

describe('randomUnmaskedPairs', () => {
  // Six samples: 0-1 and 2-3 are temporal positives, 4-5 share a place; 12 of the 15 pairs are negatives.
  const samples: Sample[] = [
    ['a0', 'A', 0],
    ['a1', 'A', 1],
    ['b0', 'B', 0],
    ['b1', 'B', 1],
    ['c0', 'C', 0],
    ['d0', 'D', 0],
  ].map(([sampleId, sequenceId, seconds]) =>
    sampleSchema.parse({ sampleId, sequenceId, timestampNs: (seconds as number) * 1e9, placeId: sampleId === 'c0' || sampleId === 'd0' ? 'p' : undefined }),
  );
  const rules = maskRulesSchema.parse({});
  const positives = { kind: 'temporal', windowSeconds: 5 } as const;

  it('draws only negatives, each pair once', () => {
    const pairs = randomUnmaskedPairs(samples, rules, positives, 12, new Rng(3));
    const negatives = createNegativeTest(samples, { rules, positives });
    const keys = new Set(pairs.map((pair) => `${pair.indexA}-${pair.indexB}`));
    expect(keys.size).toBe(12);
    for (const pair of pairs) {
      expect(pair.indexA).toBeLessThan(pair.indexB);
      expect(negatives.isNegative(pair.indexA, pair.indexB)).toBe(true);
      expect(samples[pair.indexA]!.sampleId).toBe(pair.sampleA);
    }
  });

  it('repeats with the same seed', () => {
    const first = randomUnmaskedPairs(samples, rules, positives, 4, new Rng(11));
    const second = randomUnmaskedPairs(samples, rules, positives, 4, new Rng(11));
    expect(second).toEqual(first);
  });

  it('raises an error when negatives run out', () => {
    expect(() => randomUnmaskedPairs(samples, rules, positives, 13, new Rng(3))).toThrow(/Found only 12 of 13 random negative pairs/);
    expect(() => randomUnmaskedPairs(samples, rules, positives, 16, new Rng(3))).toThrow(/Cannot draw 16 random pairs from 6 samples \(15 pairs/);
  });

  it('draws every negative pair about equally often', () => {
    // 12,000 single draws with seeds 0..11,999: 1,000 expected per pair. With a uniform draw the
    // counts have a standard deviation of about 30, so 850..1150 is a five-sigma band.
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 12_000; seed++) {
      const [pair] = randomUnmaskedPairs(samples, rules, positives, 1, new Rng(seed));
      const key = `${pair!.indexA}-${pair!.indexB}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(12);
    for (const [key, count] of counts) {
      expect(count, key).toBeGreaterThan(850);
      expect(count, key).toBeLessThan(1150);
    }
  });
});

describe('readPairCsv', () => {
  const folder = mkdtempSync(join(tmpdir(), 'apron-pairs-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads i and j and ignores other columns', () => {
    const path = join(folder, 'good.csv');
    writeFileSync(path, 'i,j,dist_xy_m,dyaw_deg\n0,4419,9.78,-62.6\r\n12,900,1.5,3\n\n');
    expect(readPairCsv(path)).toEqual([
      { i: 0, j: 4419 },
      { i: 12, j: 900 },
    ]);
  });

  it('names the line of a bad index', () => {
    const path = join(folder, 'bad.csv');
    writeFileSync(path, 'j,i\n3,4\n5,x\n');
    expect(() => readPairCsv(path)).toThrow(/bad\.csv, line 3: expected two non-negative integer indices, got "5,x"/);
  });

  it('rejects a header without i and j', () => {
    const path = join(folder, 'header.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    expect(() => readPairCsv(path)).toThrow(/has no columns "i" and "j" in its header \(found: a, b\)/);
  });

  it('rejects a missing file', () => {
    expect(() => readPairCsv(join(folder, 'absent.csv'))).toThrow(/Ground-truth pair file not found/);
  });

  it('maps indices to sample ids', () => {
    const set = toPairSet([{ i: 3, j: 1 }], (index) => `00/${String(index).padStart(6, '0')}`);
    expect(set.has('00/000001', '00/000003')).toBe(true);
    expect(set.size).toBe(1);
  });
});

describe.skipIf(!hasSharedData('kitti-bev-revisits', '00'))('readPairCsv on KITTI 00', () => {
  it('reads all 29,747 revisit pairs', () => {
    const pairs = readPairCsv(sharedDataPath('kitti-bev-revisits', '00', 'revisit_pairs_10m_gap300.csv'));
    expect(pairs.length).toBe(29_747);
    expect(pairs[0]).toEqual({ i: 0, j: 4419 });
    expect(pairs.every((pair) => pair.j - pair.i > 300)).toBe(true);
  });
});
