// Cross-modal CLIP training on the real camera-LiDAR pairs of kitti-nuscenes-demo and
// pjlab-lidar-camera. Pairs load with frustum crops, and a short run saves a checkpoint that loads
// and resumes. A workspace run is recorded in the store and resumes by run id.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openWorkspace } from '../../src/core/workspace.js';
import { importDataset } from '../../src/dataset/importers/index.js';
import { importIntoWorkspace } from '../../src/loop/import.js';
import { openStore } from '../../src/store/index.js';
import { initBackend } from '../../src/train/backend.js';
import { loadCrossModalCheckpoint, saveCrossModalCheckpoint } from '../../src/train/crossmodal/checkpoint.js';
import type { CrossModalConfigInput } from '../../src/train/crossmodal/config.js';
import { loadCrossModalPairs, type CameraLidarPair } from '../../src/train/crossmodal/pairs.js';
import { disposeCrossModalState, trainableVariables, trainCrossModal } from '../../src/train/crossmodal/trainer.js';
import { trainCrossModalInWorkspace } from '../../src/train/crossmodal/workspace-run.js';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tempRoot = mkdtempSync(join(tmpdir(), 'apron-crossmodal-real-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

/** Kept small: 27 steps took 34 s (14 s of CPU) on one wasm thread of a 2-core machine shared with other jobs. */
const CONFIG: CrossModalConfigInput = { batchSize: 8, pointNet: { pointCount: 256 }, seed: 3 };

describeWithSharedData(['kitti-nuscenes-demo'], 'cross-modal training on real pairs', () => {
  describeWithSharedData(['pjlab-lidar-camera'], 'with pjlab-lidar-camera', () => {
    const pairs: CameraLidarPair[] = [];

    beforeAll(async () => {
      await initBackend({ preferred: 'wasm' });
      for (const name of ['kitti-nuscenes-demo', 'pjlab-lidar-camera']) {
        const { dataset } = await importDataset({ source: sharedDataPath(name), outDir: join(tempRoot, name) });
        const loaded = await loadCrossModalPairs(dataset, { sourceSize: { width: 128, height: 128 }, cropToFrustum: true });
        expect(loaded.skipped).toEqual([]);
        pairs.push(...loaded.pairs.filter((pair) => pair.partner === 'lidar'));
      }
    }, 60_000);

    it('loads every camera-LiDAR pair cropped to its frustum', () => {
      expect(pairs).toHaveLength(11);
      expect(pairs.every((pair) => pair.cropped)).toBe(true);
      for (const pair of pairs) expect(pair.points.length / 4, pair.pairId).toBeGreaterThan(1000);
      // nuScenes calibrations give the LiDAR-to-ego transform; KITTI and PJLab stay in the LiDAR frame.
      expect(pairs.filter((pair) => pair.frame === 'ego').map((pair) => pair.camera)).toHaveLength(6);
      // Every frustum of a forward camera lies ahead of the vehicle (x forward in both frames).
      const front = pairs.filter((pair) => pair.camera === 'CAM_FRONT' || pair.camera === 'CAM2' || pair.camera === 'center_camera');
      for (const pair of front) {
        let meanX = 0;
        for (let i = 0; i < pair.points.length; i += 4) meanX += pair.points[i]! / (pair.points.length / 4);
        expect(meanX, pair.pairId).toBeGreaterThan(3);
      }
    });

    it('runs 24 steps, saves, loads and resumes', async () => {
      const run = await trainCrossModal({ config: { ...CONFIG, steps: 24 }, pairs });
      expect(run.stepsRun).toBe(24);
      expect(run.losses.every(Number.isFinite)).toBe(true);
      const chance = run.lastMonitors!.chanceLoss;
      expect(chance).toBeCloseTo(Math.log(8), 1);
      const lastFive = run.losses.slice(-5).reduce((sum, loss) => sum + loss, 0) / 5;
      expect(lastFive).toBeLessThan(chance);

      const dir = await saveCrossModalCheckpoint(join(tempRoot, 'checkpoint'), run.state);
      const saved = await Promise.all(trainableVariables(run.state).map(async (variable) => (await variable.data()).slice()));
      disposeCrossModalState(run.state);

      const loaded = await loadCrossModalCheckpoint(dir);
      expect(loaded.state.step).toBe(24);
      const restored = await Promise.all(trainableVariables(loaded.state).map(async (variable) => (await variable.data()).slice()));
      expect(restored).toEqual(saved);

      loaded.state.config = { ...loaded.state.config, steps: 27 };
      const resumed = await trainCrossModal({ pairs, resume: loaded.state });
      expect(resumed.stepsRun).toBe(3);
      expect(resumed.state.step).toBe(27);
      expect(resumed.losses.every(Number.isFinite)).toBe(true);
      disposeCrossModalState(resumed.state);
    }, 90_000);

    it('records a workspace run and resumes it by id', async () => {
      const workspace = openWorkspace(join(tempRoot, 'workspace'));
      const store = openStore(workspace.databasePath);
      try {
        await importIntoWorkspace(workspace, store, { source: sharedDataPath('pjlab-lidar-camera'), datasetId: 'pjlab' });
        const first = await trainCrossModalInWorkspace(workspace, store, { datasetId: 'pjlab', config: { ...CONFIG, batchSize: 4, steps: 4 } });

        expect(first.pairCount).toBe(4);
        expect(first.run.status).toBe('completed');
        expect(first.run.checkpointPath).toBe(first.checkpointDir);
        expect(existsSync(join(first.checkpointDir, 'crossmodal-checkpoint.json'))).toBe(true);
        const config = first.run.config as { objective: string; modalities: string[]; steps: number };
        expect(config.objective).toBe('clip');
        expect(config.modalities).toEqual(['camera', 'lidar']);
        expect((first.run.metrics as { stepsRun: number }).stepsRun).toBe(4);

        const second = await trainCrossModalInWorkspace(workspace, store, { datasetId: 'pjlab', config: { steps: 6 }, resumeRunId: first.run.runId });
        expect(second.result.stepsRun).toBe(2);
        expect((second.run.metrics as { step: number; resumedFrom: string }).step).toBe(6);
        expect((second.run.metrics as { resumedFrom: string }).resumedFrom).toBe(first.run.runId);
      } finally {
        store.close();
      }
    }, 60_000);

    it('resumes from the command line in a new process', () => {
      // A new process has no backend yet when it loads the checkpoint, unlike this test process.
      const env = { ...process.env, APRON_HOME: join(tempRoot, 'cli-workspace') };
      const apron = (...args: string[]): string =>
        execFileSync(process.execPath, [join(projectRoot, 'bin', 'apron.js'), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      apron('import', sharedDataPath('pjlab-lidar-camera'));
      const options = ['--dataset', 'pjlab-lidar-camera', '--batch-size', '4', '--points', '128'];
      const first = apron('train-crossmodal', ...options, '--steps', '2').split('\n').at(-1)!;
      const resumed = apron('train-crossmodal', ...options, '--steps', '3', '--resume', first).split('\n').at(-1)!;
      expect(resumed).toMatch(/^run-/);
      expect(resumed).not.toBe(first);
    }, 90_000);
  });
});
