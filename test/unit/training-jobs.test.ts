// The training job manager over a real workspace: a synthetic 60-frame dataset of 32x32 rasters,
// trained in worker threads with a tiny encoder. Runs go from start to completion, stop with a
// checkpoint, resume from it, and a run left `running` by an exited process shows as interrupted.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers, dispatchApiCall } from '../../src/api/handlers.js';
import { readRunCurves } from '../../src/api/runs-view.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import { trainInWorkspace } from '../../src/loop/train.js';
import { recoverInterruptedRuns } from '../../src/loop/interrupted-runs.js';
import { TrainingJobManager, type TrainingJobSnapshot } from '../../src/loop/training-jobs.js';
import { openStore, type Store } from '../../src/store/index.js';
import { syntheticDrive, TINY_CONFIG, writeSyntheticDataset } from './train-fixtures.js';

const DATASET_ID = 'drive';

let root = '';
let workspace: Workspace;
let store: Store;
let jobs: TrainingJobManager;

/** Polls the job until `condition` holds; training steps take milliseconds, decoding the 60 images about a second. */
async function waitFor(runId: string, condition: (job: TrainingJobSnapshot) => boolean, manager = jobs, timeoutMs = 30_000): Promise<TrainingJobSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = manager.get(runId);
    if (condition(job)) return job;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not reach the expected state within ${timeoutMs} ms; last state ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('training job manager', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-training-jobs-'));
    workspace = openWorkspace(join(root, 'workspace'));
    store = openStore(workspace.databasePath);
    const manifestPath = await writeSyntheticDataset(join(root, 'dataset'), syntheticDrive({ sequences: 2, framesPerSequence: 30, size: 32 }));
    store.addDataset({ datasetId: DATASET_ID, name: 'Synthetic drive', importer: null, manifestPath, root: join(root, 'dataset'), sampleCount: 60 });
    jobs = new TrainingJobManager(workspace, store);
  });

  afterAll(async () => {
    await jobs?.close();
    store?.close();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  let cancelledRunId = '';
  let cancelledStep = 0;

  it('trains a run to completion', async () => {
    const started = await jobs.start({ datasetId: DATASET_ID, config: { ...TINY_CONFIG, steps: 12 } });
    expect(started.status).toBe('loading');
    expect(started.step).toBe(0);
    expect(store.getTrainingRun(started.runId).status).toBe('running');

    const running = await waitFor(started.runId, (job) => job.step >= 1);
    expect(running.totalSteps).toBe(12);
    expect(running.loss).toBeGreaterThan(0);
    expect(running.imagesLoaded).toBe(60);

    const finished = await jobs.waitForEnd(started.runId);
    expect(finished.status).toBe('completed');
    expect(finished.step).toBe(12);
    expect(finished.backend).toBe('wasm');
    expect(finished.checkpointPath).not.toBeNull();
    expect(finished.resumable).toBe(false);
    expect(finished.lastMonitors?.step).toBe(12);
    expect(finished.lastMonitors?.chanceLoss).toBeGreaterThan(0);
    expect(finished.lastMonitors?.temperature).toBe(0.1);

    const record = store.getTrainingRun(started.runId);
    expect(record.status).toBe('completed');
    expect(readRunCurves(store, started.runId).points.map((point) => point.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(jobs.list(DATASET_ID).map((job) => job.runId)).toContain(started.runId);
  });

  it('rejects a second start while a run trains', async () => {
    const started = await jobs.start({ datasetId: DATASET_ID, config: { ...TINY_CONFIG, steps: 5000 } });
    cancelledRunId = started.runId;

    await expect(jobs.start({ datasetId: DATASET_ID, config: TINY_CONFIG })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`Run ${started.runId}`),
    });
    await expect(jobs.resume(started.runId)).rejects.toMatchObject({ code: 'conflict' });
    expect(store.listTrainingRuns(DATASET_ID).filter((run) => run.status === 'running')).toHaveLength(1);
  });

  it('reads the monitor log while it grows', async () => {
    // The worker appends a line per step while these reads run; every read must parse.
    await waitFor(cancelledRunId, (job) => job.step >= 1);
    let previous = 0;
    for (let read = 0; read < 40; read++) {
      const steps = readRunCurves(store, cancelledRunId).points.map((point) => point.step);
      expect(steps).toEqual(Array.from({ length: steps.length }, (_, index) => index + 1));
      expect(steps.length).toBeGreaterThanOrEqual(previous);
      previous = steps.length;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(previous).toBeGreaterThan(1);
  });

  it('stops a run with its checkpoint', async () => {
    await waitFor(cancelledRunId, (job) => job.step >= 3);
    const stopping = jobs.stop(cancelledRunId);
    expect(stopping.status).toBe('stopping');

    const stopped = await jobs.waitForEnd(cancelledRunId);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.step).toBeGreaterThanOrEqual(3);
    expect(stopped.step).toBeLessThan(5000);
    expect(stopped.resumable).toBe(true);
    expect(stopped.checkpointPath).not.toBeNull();
    expect(existsSync(join(stopped.checkpointPath!, 'checkpoint.json'))).toBe(true);
    cancelledStep = stopped.step;

    const record = store.getTrainingRun(cancelledRunId);
    expect(record.status).toBe('cancelled');
    expect(record.checkpointPath).toBe(stopped.checkpointPath);
    expect(() => jobs.stop(cancelledRunId)).toThrow(/not running/);
  });

  it('resumes a stopped run from its step', async () => {
    const resumed = await jobs.resume(cancelledRunId);
    expect(resumed.runId).not.toBe(cancelledRunId);
    expect(resumed.resumedFrom).toBe(cancelledRunId);

    const running = await waitFor(resumed.runId, (job) => job.step > 0);
    expect(running.step).toBeGreaterThan(cancelledStep);
    expect(running.totalSteps).toBe(5000);

    jobs.stop(resumed.runId);
    const stopped = await jobs.waitForEnd(resumed.runId);
    expect(stopped.status).toBe('cancelled');
    const curves = readRunCurves(store, resumed.runId);
    expect(curves.points[0]?.step).toBe(cancelledStep + 1);
  });

  it('rejects resuming a completed run', async () => {
    const completed = store.listTrainingRuns(DATASET_ID).find((run) => run.status === 'completed')!;
    await expect(jobs.resume(completed.runId)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('completed all its steps') });
  });

  it('rejects an invalid configuration with the schema message', async () => {
    await expect(jobs.start({ datasetId: DATASET_ID, config: { batchSize: 1 } })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('batchSize'),
    });
    await expect(jobs.start({ datasetId: 'no-such-dataset', config: {} })).rejects.toMatchObject({ code: 'not-found' });

    // Through the API, the same message reaches the UI.
    const handlers = createApiHandlers(store, { trainingJobs: jobs });
    const reply = await dispatchApiCall(handlers, 'startTraining', { datasetId: DATASET_ID, config: { learningRate: -1 } });
    expect(reply.ok).toBe(false);
    expect(reply.ok ? '' : reply.error.message).toContain('Invalid training configuration: learningRate');
    expect(store.listTrainingRuns(DATASET_ID).filter((run) => run.status === 'running')).toHaveLength(0);
  });

  it('keeps the hint of a failed run', async () => {
    // A window shorter than the frame interval leaves no sample with a temporal positive.
    const started = await jobs.start({ datasetId: DATASET_ID, config: { ...TINY_CONFIG, positives: { kind: 'temporal', windowSeconds: 0.001 } } });
    const failed = await waitFor(started.runId, (job) => job.status === 'failed');
    expect(failed.step).toBe(0);
    expect(failed.error).toContain('Only 0 sample(s) with a temporal positive within 0.001 s');
    expect(failed.errorHint).toContain('positives.windowSeconds');

    // The hint is in the store, so a later process shows it too.
    const later = new TrainingJobManager(workspace, store);
    expect(later.get(started.runId).status).toBe('failed');
    expect(later.get(started.runId).errorHint).toContain('positives.windowSeconds');
  });

  it('keeps the checkpoint of a run that failed after saving one', async () => {
    // The worker saves checkpoints during a run. A copy of the stopped run's checkpoint plays the one saved before the failure.
    const failing = trainInWorkspace(workspace, store, {
      datasetId: DATASET_ID,
      config: { ...TINY_CONFIG, positives: { kind: 'temporal', windowSeconds: 0.001 } },
      onRunStarted: (run) => cpSync(store.getTrainingRun(cancelledRunId).checkpointPath!, join(workspace.runsDir, run.runId, 'checkpoint'), { recursive: true }),
    });
    await expect(failing).rejects.toMatchObject({ code: 'invalid-input' });

    const run = store.listTrainingRuns(DATASET_ID).at(-1)!;
    expect(run.status).toBe('failed');
    expect(run.checkpointPath).toBe(join(workspace.runsDir, run.runId, 'checkpoint'));
    const failedRun = jobs.get(run.runId);
    expect(failedRun.resumable).toBe(true);
    expect(failedRun.errorHint).toContain('positives.windowSeconds');
  });

  /** Records a run in a separate Node process that exits without an outcome, as a crashed engine would. */
  function orphanRun(): string {
    const script = join(root, 'start-and-exit.ts');
    const storeModule = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'store', 'index.ts')).href;
    writeFileSync(
      script,
      `import { openStore } from ${JSON.stringify(storeModule)};\n` +
        `const store = openStore(${JSON.stringify(workspace.databasePath)});\n` +
        `const run = store.startTrainingRun({ datasetId: ${JSON.stringify(DATASET_ID)}, config: ${JSON.stringify({ ...TINY_CONFIG, steps: 5000 })} });\n` +
        `process.stdout.write(run.runId);\n` +
        `process.exit(0);\n`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const runId = child.stdout.trim();
    expect(store.getTrainingRun(runId).status).toBe('running');
    return runId;
  }

  /** Gives a run the checkpoint and monitor log of the stopped run, as if its worker had written them before the crash. */
  function copyStoppedRunFiles(runId: string): void {
    cpSync(store.getTrainingRun(cancelledRunId).checkpointPath!, join(workspace.runsDir, runId, 'checkpoint'), { recursive: true });
    cpSync(join(workspace.runsDir, cancelledRunId, 'monitors.jsonl'), join(workspace.runsDir, runId, 'monitors.jsonl'));
  }

  it('shows a run of an exited process as interrupted', async () => {
    const orphanRunId = orphanRun();
    copyStoppedRunFiles(orphanRunId);

    const restarted = new TrainingJobManager(workspace, store);
    const interrupted = restarted.get(orphanRunId);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.error).toContain('ended without recording an outcome');
    expect(interrupted.error).toContain('can be resumed');
    expect(interrupted.resumable).toBe(true);
    // The monitor log records how far the run got.
    expect(interrupted.step).toBe(cancelledStep);
    expect(interrupted.lastMonitors).not.toBeNull();
    expect(restarted.list(DATASET_ID).map((job) => job.runId)).toEqual([orphanRunId]);
    // The mark is in the store: a process started later lists the run as interrupted too.
    const later = new TrainingJobManager(workspace, store);
    expect(later.get(orphanRunId).status).toBe('interrupted');
    expect(later.list(DATASET_ID).map((job) => job.runId)).toEqual([orphanRunId]);

    const record = store.getTrainingRun(orphanRunId);
    expect(record.status).toBe('failed');
    expect(record.checkpointPath).toBe(join(workspace.runsDir, orphanRunId, 'checkpoint'));

    const resumed = await restarted.resume(orphanRunId);
    const running = await waitFor(resumed.runId, (job) => job.step > 0, restarted);
    restarted.stop(resumed.runId);
    const stopped = await restarted.waitForEnd(resumed.runId);
    expect(running.step).toBeGreaterThan(cancelledStep);
    expect(stopped.status).toBe('cancelled');
  });

  it('keeps the checkpoint of an interrupted run when a command notices it first', () => {
    const orphanRunId = orphanRun();
    copyStoppedRunFiles(orphanRunId);

    // Every command runs this when it opens the workspace, before the server reads the run.
    const recovered = recoverInterruptedRuns(workspace, store);

    expect(recovered.map((run) => run.runId)).toEqual([orphanRunId]);
    const record = store.getTrainingRun(orphanRunId);
    expect(record.status).toBe('failed');
    expect(record.checkpointPath).toBe(join(workspace.runsDir, orphanRunId, 'checkpoint'));
    expect(record.metrics).toMatchObject({ interrupted: true, step: cancelledStep });
    const later = new TrainingJobManager(workspace, store).get(orphanRunId);
    expect(later.status).toBe('interrupted');
    expect(later.resumable).toBe(true);
  });
});
