// The whole false-negative loop on real data: KITTI sequence 00 BEV rasters, temporal positives,
// a 30 s same-sequence mask. Later revisits of a place are then negatives during training, and
// revisit_pairs_10m_gap300.csv lists which of them are really the same place.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import { readManifest } from '../../src/dataset/manifest-io.js';
import { embedInWorkspace } from '../../src/loop/embed.js';
import { readEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { importIntoWorkspace } from '../../src/loop/import.js';
import { mineQueue, type MineQueueResult } from '../../src/loop/mine.js';
import { trainInWorkspace } from '../../src/loop/train.js';
import { exportMaskFromStore } from '../../src/mask/export.js';
import { precisionAtK, randomUnmaskedPairs, readPairCsv, toPairSet } from '../../src/mine/evaluate.js';
import type { PairSet } from '../../src/mine/pairs.js';
import { openStore, type Store } from '../../src/store/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const SEQUENCE = sharedDataPath('kitti-bev-revisits', '00');

/** Loop-closure recall@1 over scans that have a revisit more than `gap` scans earlier. */
function loopClosureRecall(vectors: Float32Array, dimension: number, revisitsOf: Map<number, Set<number>>, gap: number): { recall: number; queries: number } {
  let hits = 0;
  let queries = 0;
  for (const [j, revisits] of revisitsOf) {
    let best = -1;
    let bestSimilarity = -Infinity;
    for (let i = 0; i < j - gap; i++) {
      let similarity = 0;
      for (let d = 0; d < dimension; d++) similarity += vectors[i * dimension + d]! * vectors[j * dimension + d]!;
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = i;
      }
    }
    queries++;
    if (revisits.has(best)) hits++;
  }
  return { recall: hits / queries, queries };
}

describe.skipIf(!hasSharedData('kitti-bev-revisits', '00'))('loop on KITTI 00', () => {
  let root: string;
  let workspace: Workspace;
  let store: Store;
  let mined: MineQueueResult;
  let truth: PairSet;
  let firstRunId: string;
  let vectorsPath: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-loop-kitti-'));
    workspace = openWorkspace(join(root, 'workspace'));
    store = openStore(workspace.databasePath);

    await importIntoWorkspace(workspace, store, { layout: 'kitti-bev', source: SEQUENCE, name: 'kitti-00' });
    const { run } = await trainInWorkspace(workspace, store, {
      datasetId: 'kitti-00',
      config: { positives: { kind: 'temporal', windowSeconds: 1 }, maskRules: { sameSequenceWithinSeconds: 30, samePlace: true } },
    });
    firstRunId = run.runId;
    const version = await embedInWorkspace(workspace, store, { runId: run.runId });
    vectorsPath = version.vectorsPath;
    mined = mineQueue(store, { embeddingVersionId: version.embeddingVersionId, limit: 1000 });

    const sampleIds = readManifest(store.getDataset('kitti-00').manifestPath).manifest.samples.map((sample) => sample.sampleId);
    truth = toPairSet(readPairCsv(join(SEQUENCE, 'revisit_pairs_10m_gap300.csv')), (index) => sampleIds[index]!);
  }, 900_000);

  afterAll(() => {
    store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('ranks true revisits far above random negatives', () => {
    const [at100, at1000] = precisionAtK(mined.suspects, (a, b) => truth.has(a, b), [100, 1000]);
    const random = randomUnmaskedPairs(mined.samples, mined.policy.maskRules, mined.policy.positives, 5000, new Rng(11));
    const randomPrecision = random.filter((pair) => truth.has(pair.sampleA, pair.sampleB)).length / random.length;
    process.stderr.write(
      `KITTI 00 suspects: P@100=${at100!.precision.toFixed(3)} P@1000=${at1000!.precision.toFixed(3)} ` +
        `random=${randomPrecision.toFixed(4)} (5000 unmasked pairs)\n`,
    );

    expect(mined.suspects.length).toBe(1000);
    // Random unmasked pairs are revisits 0.3% of the time (29,747 of about 9 million pairs).
    expect(randomPrecision).toBeLessThan(0.02);
    expect(at100!.precision).toBeGreaterThan(0.9);
    expect(at1000!.precision).toBeGreaterThan(0.8);
  });

  it('finds loop closures better than pixel correlation', () => {
    const { vectors, dimension } = readEmbeddingFiles(vectorsPath);
    const revisitsOf = new Map<number, Set<number>>();
    for (const { i, j } of readPairCsv(join(SEQUENCE, 'revisit_pairs_10m_gap300.csv'))) {
      const set = revisitsOf.get(j) ?? new Set<number>();
      set.add(i);
      revisitsOf.set(j, set);
    }

    const { recall, queries } = loopClosureRecall(vectors, dimension, revisitsOf, 300);
    process.stderr.write(`KITTI 00 loop-closure recall@1 = ${recall.toFixed(3)} over ${queries} queries (pixel correlation: 0.805)\n`);

    expect(queries).toBe(907);
    // Seeds and machine load move this between 0.81 and 0.85 in runs of the default configuration.
    expect(recall).toBeGreaterThan(0.78);
  });

  it('carries evidence on every suspect', () => {
    const first = mined.suspects[0]!;

    expect(first.evidence.rank).toBeGreaterThanOrEqual(1);
    expect(first.evidence.sameSequence).toBe(true);
    expect(first.evidence.timeGapSeconds).not.toBeNull();
    expect(Math.abs(first.evidence.timeGapSeconds!)).toBeGreaterThan(30);
    expect(first.evidence.distanceMetres).not.toBeNull();
    expect(first.evidence.headingDifferenceDegrees).not.toBeNull();
    for (let i = 1; i < mined.suspects.length; i++) {
      expect(mined.suspects[i]!.evidence.similarity).toBeLessThanOrEqual(mined.suspects[i - 1]!.evidence.similarity);
    }
  });

  it('masks same decisions transitively in the next run', async () => {
    const trueSuspects = mined.suspects.filter((suspect) => truth.has(suspect.sampleA, suspect.sampleB)).slice(0, 3);
    const [a, b] = [trueSuspects[0]!, trueSuspects[1]!];
    // A chain a1~b1, b1~x joins three samples; the third pair (a1, x) is implied, not decided.
    store.recordDecision({ datasetId: 'kitti-00', sampleA: a.sampleA, sampleB: a.sampleB, verdict: 'same', reviewer: 'test' });
    store.recordDecision({ datasetId: 'kitti-00', sampleA: a.sampleB, sampleB: b.sampleA, verdict: 'same', reviewer: 'test' });
    store.recordDecision({ datasetId: 'kitti-00', sampleA: b.sampleA, sampleB: b.sampleB, verdict: 'different', reviewer: 'test' });

    const { run, result } = await trainInWorkspace(workspace, store, {
      datasetId: 'kitti-00',
      config: { steps: 3, positives: { kind: 'temporal', windowSeconds: 1 }, maskRules: { sameSequenceWithinSeconds: 30, samePlace: true } },
    });
    const jsonPath = join(root, 'mask.json');
    exportMaskFromStore(store, 'kitti-00', { rules: { sameSequenceWithinSeconds: 30, samePlace: true }, jsonPath });
    const mask = JSON.parse(readFileSync(jsonPath, 'utf8')) as { groups: string[][] };
    const expectedGroup = [...new Set([a.sampleA, a.sampleB, b.sampleA])].sort();

    expect(run.decisionsUsed).toBe(2);
    expect(result.decisions.pairsUsed).toBe(2);
    expect(result.decisions.groups).toBe(1);
    expect(run.runId).not.toBe(firstRunId);
    expect(mask.groups).toEqual([expectedGroup]);
  }, 300_000);
});
