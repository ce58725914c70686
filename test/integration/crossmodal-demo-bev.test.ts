// Camera-BEV CLIP training on the demo airside dataset, through the commands a user runs:
// `apron demo`, `apron import`, then `apron train-crossmodal --modalities camera,bev`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { initBackend } from '../../src/train/backend.js';
import { loadCrossModalCheckpoint } from '../../src/train/crossmodal/checkpoint.js';
import { disposeCrossModalState } from '../../src/train/crossmodal/trainer.js';
import { runCli } from '../helpers/run-cli.js';

describe('camera-BEV training on the demo dataset', () => {
  let workspace: string;
  let datasetId: string;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'apron-crossmodal-bev-'));
    const demo = await runCli(['demo', '--size', 'tiny', '--seed', '4', '--stands', '4', '--visits', '3', '--workspace', workspace]);
    expect(demo.code, demo.stderr).toBe(0);
    const imported = await runCli(['import', demo.stdout.trim(), '--workspace', workspace]);
    expect(imported.code, imported.stderr).toBe(0);
    datasetId = 'demo-airside-tiny-4';
  }, 60_000);

  afterAll(() => {
    if (workspace !== undefined) rmSync(workspace, { recursive: true, force: true });
  });

  it('trains below chance and saves a checkpoint that loads', async () => {
    const run = await runCli(['train-crossmodal', '--workspace', workspace, '--dataset', datasetId, '--modalities', 'camera,bev', '--steps', '40', '--batch-size', '8']);
    expect(run.code, run.stderr).toBe(0);

    const store = openStore(join(workspace, 'apron.db'));
    try {
      const record = store.getTrainingRun(run.stdout.trim());
      const metrics = record.metrics as { pairCount: number; firstLoss: number; finalLoss: number; lastMonitors: { chanceLoss: number } };
      // 4 aircraft stands x 3 visits, one camera each.
      expect(metrics.pairCount).toBe(12);
      // Chance is ln 8 = 2.08 with 8 pairs per batch; this seeded run on wasm ended with a mean of
      // 1.25 over its last 10 steps.
      expect(metrics.finalLoss).toBeLessThan(0.75 * metrics.lastMonitors.chanceLoss);
      expect(metrics.finalLoss).toBeLessThan(metrics.firstLoss);

      // Training ran in a worker thread; this process needs its own backend to load the checkpoint.
      await initBackend();
      const loaded = await loadCrossModalCheckpoint(record.checkpointPath!);
      expect(loaded.state.step).toBe(40);
      expect(loaded.state.config.modalities).toEqual(['camera', 'bev']);
      disposeCrossModalState(loaded.state);
    } finally {
      store.close();
    }
  }, 120_000);
});
