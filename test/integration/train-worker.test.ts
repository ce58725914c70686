import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageStack } from '../../src/dataset/images.js';
import { readManifest } from '../../src/dataset/manifest-io.js';
import { embedStack } from '../../src/embed/embed.js';
import { runEmbeddingInWorker, runTrainingInWorker } from '../../src/train/run-in-worker.js';
import type { TrainProgress } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG, writeSyntheticDataset } from '../unit/train-fixtures.js';

let workDir = '';
let manifestPath = '';

describe('training in a worker thread', () => {
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'apron-train-worker-'));
    manifestPath = await writeSyntheticDataset(join(workDir, 'dataset'), syntheticDrive({ sequences: 2, framesPerSequence: 30, size: 32 }));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('reports progress and stops on cancellation', async () => {
    const controller = new AbortController();
    const progress: TrainProgress[] = [];
    let loaded = 0;
    const checkpointDir = join(workDir, 'cancelled-run');
    const result = await runTrainingInWorker(
      { kind: 'train', manifestPath, config: { ...TINY_CONFIG, steps: 5000 }, checkpointDir },
      {
        signal: controller.signal,
        onLoadProgress: (done) => {
          loaded = done;
        },
        onTrainProgress: (report) => {
          progress.push(report);
          if (report.step === 3) controller.abort();
        },
      },
    );
    expect(loaded).toBe(60);
    expect(result.cancelled).toBe(true);
    // The worker stops after the step in which the cancel message arrives, long before 5000.
    expect(result.step).toBeGreaterThanOrEqual(3);
    expect(result.step).toBeLessThan(50);
    expect(progress.slice(0, 3).map((report) => report.step)).toEqual([1, 2, 3]);
    expect(progress[0]!.totalSteps).toBe(5000);
    expect(result.checkpointDir).toBe(checkpointDir);
    expect(result.backend).toBe('wasm');
  });

  it('trains to the end and embeds with the checkpoint', async () => {
    const checkpointDir = join(workDir, 'full-run');
    const trained = await runTrainingInWorker({ kind: 'train', manifestPath, config: { ...TINY_CONFIG, steps: 20 }, checkpointDir });
    expect(trained.cancelled).toBe(false);
    expect(trained.step).toBe(20);
    expect(trained.finalLoss).toBeLessThan(trained.firstLoss!);

    const embedProgress: number[] = [];
    const embedded = await runEmbeddingInWorker(
      { kind: 'embed', manifestPath, checkpointDir, batchSize: 16 },
      { onEmbedProgress: (done) => embedProgress.push(done) },
    );
    expect(embedded.count).toBe(60);
    expect(embedded.dimension).toBe(16);
    expect(embedProgress).toEqual([16, 32, 48, 60]);

    // The same checkpoint embedded in this thread gives the same vectors.
    const stack = await loadImageStack(readManifest(manifestPath), { width: 32, height: 32 });
    const local = await embedStack(checkpointDir, stack);
    for (let index = 0; index < local.vectors.length; index++) expect(embedded.vectors[index]).toBeCloseTo(local.vectors[index]!, 5);
  });

  it('passes errors back with their code, file and hint', async () => {
    const missing = join(workDir, 'no-such-dataset');
    await expect(
      runTrainingInWorker({ kind: 'train', manifestPath: missing, config: TINY_CONFIG, checkpointDir: join(workDir, 'never') }),
    ).rejects.toMatchObject({ code: 'not-found', path: missing, hint: expect.stringContaining('apron import') });
  });
});
