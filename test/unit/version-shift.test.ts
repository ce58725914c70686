import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { compareVersions } from '../../src/loop/version-shift.js';
import { openStore } from '../../src/store/index.js';

const root = mkdtempSync(join(tmpdir(), 'apron-version-shift-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes a version of 2-D unit vectors at the given angles (degrees) for samples s0..s3. */
function version(store: ReturnType<typeof openStore>, id: string, angles: number[]): void {
  const vectors = Float32Array.from(angles.flatMap((degrees) => [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)]));
  const vectorsPath = join(root, `${id}.f32`);
  writeEmbeddingFiles(vectorsPath, { sampleIds: ['s0', 's1', 's2', 's3'], dimension: 2, vectors });
  store.addEmbeddingVersion({ embeddingVersionId: id, datasetId: 'd', vectorsPath, dimension: 2, count: 4 });
}

describe('compareVersions', () => {
  const store = openStore(join(root, 'apron.db'));
  store.addDataset({ datasetId: 'd', name: 'D', importer: null, manifestPath: join(root, 'm.json'), root, sampleCount: 4 });
  // Before: s0 and s1 are 90 degrees apart, s2 and s3 60. After: 0 and 120.
  version(store, 'v1', [0, 90, 0, 60]);
  version(store, 'v2', [0, 0, 0, 120]);
  store.recordDecision({ datasetId: 'd', sampleA: 's0', sampleB: 's1', verdict: 'same', reviewer: 'ann' });
  store.recordDecision({ datasetId: 'd', sampleA: 's2', sampleB: 's3', verdict: 'different', reviewer: 'ann' });

  it('reports each decided pair before and after', () => {
    const shift = compareVersions(store, 'd', 'v1', 'v2');
    const same = shift.pairs.find((pair) => pair.verdict === 'same')!;
    expect(same.before).toBeCloseTo(0, 6);
    expect(same.after).toBeCloseTo(1, 6);
    expect(shift.meanChange.same).toBeCloseTo(1, 6);
    // cos 60 = 0.5 before, cos 120 = -0.5 after.
    expect(shift.meanChange.different).toBeCloseTo(-1, 6);
  });

  it('lists the suspects that left and entered the queue', () => {
    const item = (sampleA: string, sampleB: string, rank: number) => ({
      sampleA,
      sampleB,
      evidence: { similarity: 0.9, rank, timeGapSeconds: null, sameSequence: false, distanceMetres: null, headingDifferenceDegrees: null },
    });
    store.createQueue({ datasetId: 'd', embeddingVersionId: 'v1', items: [item('s0', 's2', 1), item('s1', 's3', 2)] });
    store.createQueue({ datasetId: 'd', embeddingVersionId: 'v2', items: [item('s1', 's3', 1), item('s0', 's3', 2)] });

    const shift = compareVersions(store, 'd', 'v1', 'v2');
    expect(shift.queues.left).toEqual([{ sampleA: 's0', sampleB: 's2' }]);
    expect(shift.queues.entered).toEqual([{ sampleA: 's0', sampleB: 's3' }]);
  });

  it('rejects a version of another dataset', () => {
    store.addDataset({ datasetId: 'e', name: 'E', importer: null, manifestPath: join(root, 'e.json'), root, sampleCount: 4 });
    expect(() => compareVersions(store, 'e', 'v1', 'v2')).toThrow(/belongs to dataset d/);
  });
});
