// Cross-modal CLIP runs through the training job manager, as the training page starts them. A
// camera-BEV run on a small synthetic dataset starts, draws the single-encoder monitors, stops
// with its checkpoint and resumes from its step. A misspelt field is rejected.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunCurves } from '../../src/api/runs-view.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { TrainingJobManager, type TrainingJobSnapshot } from '../../src/loop/training-jobs.js';
import { openStore, type Store } from '../../src/store/index.js';

const DATASET_ID = 'stands';
/** Tiny encoders and inputs, so that a step takes milliseconds. */
const CLIP_CONFIG = {
  objective: 'clip',
  modalities: ['camera', 'bev'],
  imageSize: { width: 16, height: 16 },
  bevSize: { width: 16, height: 16 },
  imageEncoder: { channels: [8, 16], normGroups: 4, hiddenDim: 16 },
  bevEncoder: { channels: [8, 16], normGroups: 4, hiddenDim: 16 },
  embeddingDim: 8,
  batchSize: 4,
  sourceScale: 1,
};

let root = '';
let workspace: Workspace;
let store: Store;
let jobs: TrainingJobManager;

/** Writes sample `index`: a camera frame of index + 1 vertical stripes and a BEV raster of index + 1 bands. */
async function writeSample(folder: string, index: number): Promise<ManifestInput['samples'][number]> {
  const frame = Buffer.alloc(24 * 24);
  const raster = Buffer.alloc(24 * 24);
  for (let i = 0; i < frame.length; i++) {
    frame[i] = Math.floor(((i % 24) * (index + 1)) / 24) % 2 === 0 ? 210 : 30;
    raster[i] = Math.floor((Math.floor(i / 24) * (index + 1)) / 24) % 2 === 0 ? 190 : 15;
  }
  await sharp(frame, { raw: { width: 24, height: 24, channels: 1 } }).png().toFile(join(folder, `cam${index}.png`));
  await sharp(raster, { raw: { width: 24, height: 24, channels: 1 } }).png().toFile(join(folder, `bev${index}.png`));
  return {
    sampleId: `s${index}`,
    sequenceId: 'A',
    timestampNs: String(1_700_000_000_000_000_000n + BigInt(index) * 1_000_000_000n),
    cameras: [{ name: 'front', path: `cam${index}.png` }],
    bev: [{ name: 'bev', path: `bev${index}.png`, metresPerPixel: 0.5 }],
  } as ManifestInput['samples'][number];
}

async function waitFor(runId: string, condition: (job: TrainingJobSnapshot) => boolean, timeoutMs = 60_000): Promise<TrainingJobSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = jobs.get(runId);
    if (condition(job)) return job;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not reach the expected state within ${timeoutMs} ms; last state ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('cross-modal training jobs', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-training-jobs-clip-'));
    workspace = openWorkspace(join(root, 'workspace'));
    store = openStore(workspace.databasePath);
    const samples = await Promise.all([0, 1, 2, 3, 4].map((index) => writeSample(root, index)));
    const manifest = { format: 'apron-manifest', version: 1, name: 'Stands', root, conditionFields: [], samples } as ManifestInput;
    const manifestPath = writeManifest(join(workspace.datasetsDir, DATASET_ID, 'apron-manifest.json'), manifest);
    store.addDataset({ datasetId: DATASET_ID, name: 'Stands', importer: null, manifestPath, root, sampleCount: samples.length });
    jobs = new TrainingJobManager(workspace, store);
  });

  afterAll(async () => {
    await jobs?.close();
    store?.close();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  let stoppedRunId = '';
  let stoppedStep = 0;

  it('starts a camera-BEV run and draws its monitors', async () => {
    const started = await jobs.start({ datasetId: DATASET_ID, config: { ...CLIP_CONFIG, steps: 5000 } });
    stoppedRunId = started.runId;
    expect(store.getTrainingRun(started.runId).config).toMatchObject({ objective: 'clip', modalities: ['camera', 'bev'] });

    // The first step computes the full monitors, with the learned temperature.
    const running = await waitFor(started.runId, (job) => job.lastMonitors !== null && job.step >= 3);
    expect(running.status).toBe('running');
    expect(running.totalSteps).toBe(5000);
    expect(running.imagesTotal).toBe(5);
    expect(running.lastMonitors?.chanceLoss).toBeCloseTo(Math.log(4), 1);
    expect(running.lastMonitors?.temperature).toBeGreaterThan(0.05);
    expect(running.backend).toBe('wasm');
    const steps = readRunCurves(store, started.runId).points.map((point) => point.step);
    expect(steps.slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('stops with its checkpoint and resumes from its step', async () => {
    jobs.stop(stoppedRunId);
    const stopped = await jobs.waitForEnd(stoppedRunId);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.resumable).toBe(true);
    expect(existsSync(join(stopped.checkpointPath!, 'crossmodal-checkpoint.json'))).toBe(true);
    stoppedStep = stopped.step;

    const resumed = await jobs.resume(stoppedRunId);
    expect(resumed.resumedFrom).toBe(stoppedRunId);
    const running = await waitFor(resumed.runId, (job) => job.step > 0);
    expect(running.step).toBeGreaterThan(stoppedStep);
    jobs.stop(resumed.runId);
    const ended = await jobs.waitForEnd(resumed.runId);
    expect(ended.status).toBe('cancelled');
    expect(readRunCurves(store, resumed.runId).points[0]?.step).toBe(stoppedStep + 1);
    expect(store.getTrainingRun(resumed.runId).config).toMatchObject({ objective: 'clip', modalities: ['camera', 'bev'] });
  });

  it('rejects a misspelt field with the schema message', async () => {
    await expect(jobs.start({ datasetId: DATASET_ID, config: { ...CLIP_CONFIG, batchSzie: 8 } })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('batchSzie'),
    });
  });
});
