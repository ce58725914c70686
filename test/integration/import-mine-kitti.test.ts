// From folder to suspects on real data: import KITTI 00, embed each scan as its mean-centred
// 16x16 thumbnail (an untrained stand-in for an encoder), mine with 30 s temporal positives and
// score the list against the revisit ground truth.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { loadImageStack } from '../../src/dataset/images.js';
import { importDataset, kittiSampleId } from '../../src/dataset/importers/index.js';
import { maskRulesSchema } from '../../src/mask/rules.js';
import { precisionAtK, randomUnmaskedPairs, readPairCsv, toPairSet } from '../../src/mine/evaluate.js';
import { mineFalseNegatives } from '../../src/mine/false-negatives.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const outRoot = mkdtempSync(join(tmpdir(), 'apron-mine-kitti-'));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

/** Mean-centred, unit-length rows: their dot product is the normalised cross-correlation. */
function centredUnitRows(pixels: Uint8Array, count: number, dimension: number): Float32Array {
  const vectors = new Float32Array(count * dimension);
  for (let row = 0; row < count; row++) {
    let mean = 0;
    for (let d = 0; d < dimension; d++) mean += pixels[row * dimension + d]!;
    mean /= dimension;
    let sumOfSquares = 0;
    for (let d = 0; d < dimension; d++) {
      const value = pixels[row * dimension + d]! - mean;
      vectors[row * dimension + d] = value;
      sumOfSquares += value * value;
    }
    const norm = Math.sqrt(sumOfSquares);
    for (let d = 0; d < dimension; d++) vectors[row * dimension + d] = vectors[row * dimension + d]! / norm;
  }
  return vectors;
}

describe.skipIf(!hasSharedData('kitti-bev-revisits', '00'))('mining KITTI 00 revisits', () => {
  it('ranks true revisits far above the random baseline', async () => {
    const source = sharedDataPath('kitti-bev-revisits', '00');
    const { dataset } = await importDataset({ source, outDir: outRoot, imageCheck: 'header' });
    const samples = dataset.manifest.samples;
    const stack = await loadImageStack(dataset, { width: 16, height: 16 });
    const vectors = centredUnitRows(stack.data, stack.count, 256);

    const maskRules = maskRulesSchema.parse({});
    const positives = { kind: 'temporal', windowSeconds: 30 } as const;
    const suspects = mineFalseNegatives({ samples, vectors, dimension: 256, maskRules, positives, perSample: 5 });

    // Training never saw these pairs as positives: every suspect is more than 30 s apart.
    expect(suspects.every((suspect) => suspect.evidence.sameSequence && suspect.evidence.timeGapSeconds! > 30)).toBe(true);
    // The top of the list is same-direction revisits less than a metre apart.
    for (const suspect of suspects.slice(0, 10)) {
      expect(suspect.evidence.distanceMetres!).toBeLessThan(1);
      expect(suspect.evidence.headingDifferenceDegrees!).toBeLessThan(5);
    }

    const truth = toPairSet(readPairCsv(join(source, 'revisit_pairs_10m_gap300.csv')), (scan) => kittiSampleId('00', scan));
    const isTrue = (a: string, b: string): boolean => truth.has(a, b);
    const [at100, at1000] = precisionAtK(suspects, isTrue, [100, 1000]);
    expect(at100!.precision).toBe(1);
    expect(at1000!.precision).toBe(1);

    // 7 of 2,000 random negatives are revisits (0.35%); the whole pool has 29,747 revisits among
    // 4,240 * 4,241 / 2 = 8,990,920 pairs more than 300 scans apart (0.33%).
    const random = randomUnmaskedPairs(samples, maskRules, positives, 2000, new Rng(1));
    const [baseline] = precisionAtK(random, isTrue, [2000]);
    expect(baseline!.truePairs).toBe(7);
  });
});
