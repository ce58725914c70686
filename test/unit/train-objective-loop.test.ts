// The objective and hard negatives through the workspace loop: the store's decisions reach the
// worker, and the run record keeps the objective and the decisions used.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import { listDifferentPairs, trainInWorkspace } from '../../src/loop/train.js';
import { HARD_NEGATIVE_NOTE } from '../../src/retrieval/hard-negative-set.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { TrainProgress } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG, writeSyntheticDataset } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 2, framesPerSequence: 20, size: 32 });
const ids = drive.samples.map((sample) => sample.sampleId);
let dir = '';
let workspace: Workspace;
let store: Store;

describe('training loop objectives', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apron-objective-loop-'));
    workspace = openWorkspace(join(dir, 'workspace'));
    const manifestPath = await writeSyntheticDataset(join(dir, 'dataset'), drive);
    store = openStore(':memory:');
    store.addDataset({ datasetId: 'd', name: 'D', manifestPath, root: join(dir, 'dataset'), sampleCount: drive.samples.length });
    // Three `different` pairs across the two sequences, one confirmed as a hard negative twice.
    for (let i = 0; i < 3; i++) store.recordDecision({ datasetId: 'd', sampleA: ids[i]!, sampleB: ids[20 + i]!, verdict: 'different', reviewer: 'r1' });
    store.recordDecision({ datasetId: 'd', sampleA: ids[5]!, sampleB: ids[25]!, verdict: 'different', reviewer: 'r1', note: HARD_NEGATIVE_NOTE });
    store.recordDecision({ datasetId: 'd', sampleA: ids[25]!, sampleB: ids[5]!, verdict: 'different', reviewer: 'r2', note: HARD_NEGATIVE_NOTE });
    store.recordDecision({ datasetId: 'd', sampleA: ids[1]!, sampleB: ids[2]!, verdict: 'same', reviewer: 'r1' });
  });

  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists each different pair once', () => {
    expect(listDifferentPairs(store, 'd')).toHaveLength(4);
  });

  it('records the objective and the hard negatives used', async () => {
    const progress: TrainProgress[] = [];
    const config = { ...TINY_CONFIG, steps: 3, objective: { kind: 'nt-xent' as const }, hardNegatives: { enabled: true, perBatch: 2 } };
    const { run, result } = await trainInWorkspace(workspace, store, { datasetId: 'd', config, onProgress: (p) => progress.push(p) });
    expect(result.hardNegatives).toEqual({ pairsUsed: 4, pairsIgnored: 0 });
    for (const report of progress) expect(report.hardNegativePairs).toBeGreaterThanOrEqual(2);

    const metrics = run.metrics as Record<string, unknown>;
    expect(metrics['objective']).toBe('nt-xent');
    expect(metrics['augmentationPolicy']).toEqual({
      version: 1,
      modalities: [{ modality: 'bev', rigidMotionAllowed: true, maxTranslationFraction: 0.05, maxRotationDegrees: 5 }],
    });
    expect(metrics['hardNegatives']).toEqual({ enabled: true, differentPairsGiven: 4, pairsUsed: 4, pairsIgnored: 0 });
    // One `same` pair masked and four `different` pairs placed.
    expect(run.decisionsUsed).toBe(5);
    expect((run.config as { objective: unknown }).objective).toEqual({ kind: 'nt-xent' });
  });

  it('records moco queue progress', async () => {
    const progress: TrainProgress[] = [];
    const config = { ...TINY_CONFIG, steps: 2, objective: { kind: 'moco' as const, queueSize: 16 } };
    const { run } = await trainInWorkspace(workspace, store, { datasetId: 'd', config, onProgress: (p) => progress.push(p) });
    expect(progress.map((report) => report.queueFilledFraction)).toEqual([0.5, 1]);
    expect((run.metrics as Record<string, unknown>)['objective']).toBe('moco');
    // Without hardNegatives.enabled no `different` pair is sent.
    expect(run.decisionsUsed).toBe(1);
  });
});
