// The embedded default: an empty workspace gets the demo dataset, a trained encoder, embeddings
// and a mined queue, and a second call reuses all of it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../src/core/workspace.js';
import { DEMO_DATASET_ID, prepareDemoWorkspace } from '../../src/loop/demo-workspace.js';
import { MONITOR_LOG_FILE } from '../../src/loop/monitor-log.js';
import { openStore } from '../../src/store/index.js';
import type { TrainProgress } from '../../src/train/trainer.js';

const root = mkdtempSync(join(tmpdir(), 'apron-demo-workspace-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('demo workspace', () => {
  const workspace = openWorkspace(root);
  const shortRun = { steps: 4, batchSize: 8, imageSize: { width: 32, height: 32 }, embeddingDim: 16 };

  it('prepares an empty workspace up to a mined queue', async () => {
    const store = openStore(workspace.databasePath);
    try {
      const stages: string[] = [];
      const prepared = await prepareDemoWorkspace(workspace, store, {
        size: 'tiny',
        runConfig: shortRun,
        onProgress: (stage, done) => {
          if (done === undefined) stages.push(stage);
        },
      });

      expect(prepared.ran).toEqual(['generate', 'import', 'train', 'embed', 'mine']);
      expect(stages).toEqual(prepared.ran);
      expect(store.getDataset(DEMO_DATASET_ID).sampleCount).toBe(48);
      expect(store.getQueue(prepared.queueId).size).toBeGreaterThan(0);

      // The run keeps one line per step, with the monitors on the first and the last.
      const run = store.listTrainingRuns(DEMO_DATASET_ID)[0]!;
      const lines = readFileSync(join(workspace.runsDir, run.runId, MONITOR_LOG_FILE), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TrainProgress);
      expect(lines.map((line) => line.step)).toEqual([1, 2, 3, 4]);
      expect(lines.filter((line) => line.monitors !== undefined).map((line) => line.step)).toEqual([1, 4]);
    } finally {
      store.close();
    }
  }, 300_000);

  it('reuses everything on the next start', async () => {
    const store = openStore(workspace.databasePath);
    try {
      const again = await prepareDemoWorkspace(workspace, store, { size: 'tiny', runConfig: shortRun });
      expect(again.ran).toEqual([]);
      expect(store.listQueues(DEMO_DATASET_ID)).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
