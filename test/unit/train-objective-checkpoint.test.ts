import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { CHECKPOINT_VERSION, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import type { RunConfigInput } from '../../src/train/config.js';
import { disposeTrainingState, train, type TrainingState } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
let workDir = '';

const OBJECTIVES: Record<string, RunConfigInput['objective']> = {
  // Q = 20 with B = 8: the queue wraps during the run, so the resume must restore the write slot.
  moco: { kind: 'moco', queueSize: 20, momentum: 0.9 },
  cpc: { kind: 'cpc', sequenceLength: 6, predictSteps: 2, sequencesPerBatch: 3, negativesPerAnchor: 8 },
  'nt-xent': { kind: 'nt-xent' },
};

async function readVariables(variables: ReadonlyMap<string, { data(): Promise<unknown> }>): Promise<Map<string, Float32Array>> {
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of variables) values.set(name, Float32Array.from((await variable.data()) as Float32Array));
  return values;
}

/** Trains `stopAt` of `steps` steps, saves, loads, and trains the rest from the checkpoint. */
async function interruptAndResume(config: RunConfigInput, stopAt: number, name: string): Promise<{ losses: number[]; state: TrainingState }> {
  const controller = new AbortController();
  const interrupted = await train({
    config,
    stack: drive.stack,
    samples: drive.samples,
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.step === stopAt) controller.abort();
    },
  });
  const dir = await saveCheckpoint(join(workDir, name), interrupted.state);
  disposeTrainingState(interrupted.state);

  const loaded = await loadCheckpoint(dir);
  expect(loaded.index.version).toBe(CHECKPOINT_VERSION);
  expect(loaded.state.step).toBe(stopAt);
  const resumed = await train({ config, stack: drive.stack, samples: drive.samples, resume: loaded.state });
  return { losses: [...interrupted.losses, ...resumed.losses], state: resumed.state };
}

describe('objective checkpoints', () => {
  beforeAll(async () => {
    await initBackend();
    workDir = mkdtempSync(join(tmpdir(), 'apron-objective-checkpoint-'));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const [kind, objective] of Object.entries(OBJECTIVES)) {
    it(`${kind} resumes with the losses of an uninterrupted run`, async () => {
      const config = { ...TINY_CONFIG, steps: 6, objective };
      const straight = await train({ config, stack: drive.stack, samples: drive.samples });
      const resumed = await interruptAndResume(config, 3, kind);

      expect(resumed.losses).toEqual(straight.losses);
      expect(await resumed.state.encoder.readWeights()).toEqual(await straight.state.encoder.readWeights());
      if (kind === 'moco') {
        expect(await readVariables(resumed.state.moco!.momentum.key)).toEqual(await readVariables(straight.state.moco!.momentum.key));
        expect(resumed.state.moco!.queue.snapshot()).toEqual(straight.state.moco!.queue.snapshot());
      }
      if (kind === 'cpc') expect(await readVariables(resumed.state.cpc!.variables)).toEqual(await readVariables(straight.state.cpc!.variables));
      disposeTrainingState(straight.state);
      disposeTrainingState(resumed.state);
    });
  }

  it('writes the objective state beside the weights', async () => {
    const result = await train({ config: { ...TINY_CONFIG, steps: 1, objective: OBJECTIVES['moco'] }, stack: drive.stack, samples: drive.samples });
    const dir = await saveCheckpoint(join(workDir, 'moco-files'), result.state);
    disposeTrainingState(result.state);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'objective.bin', 'optimizer.bin', 'weights.bin']);
    const index = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(index.objective.moco.queue).toMatchObject({ capacity: 20, dimension: 16, next: 8, count: 8 });
  });

  it('loads a version 1 checkpoint as an infonce run', async () => {
    const config = { ...TINY_CONFIG, steps: 4 };
    const straight = await train({ config, stack: drive.stack, samples: drive.samples });

    const controller = new AbortController();
    const interrupted = await train({ ...{ config, stack: drive.stack, samples: drive.samples }, signal: controller.signal, onProgress: (p) => p.step === 2 && controller.abort() });
    const dir = await saveCheckpoint(join(workDir, 'version-1'), interrupted.state);
    disposeTrainingState(interrupted.state);
    // Version 1 wrote the same three files, without the objective fields in its configuration.
    const indexPath = join(dir, 'checkpoint.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    delete index.config.objective;
    delete index.config.hardNegatives;
    writeFileSync(indexPath, JSON.stringify({ ...index, version: 1 }));

    const loaded = await loadCheckpoint(dir);
    expect(loaded.index.version).toBe(1);
    expect(loaded.state.config.objective).toEqual({ kind: 'infonce' });
    expect(loaded.state.config.hardNegatives.enabled).toBe(false);
    const resumed = await train({ config, stack: drive.stack, samples: drive.samples, resume: loaded.state });
    expect([...interrupted.losses, ...resumed.losses]).toEqual(straight.losses);
    disposeTrainingState(straight.state);
    disposeTrainingState(resumed.state);
  });

  it('reports a damaged moco queue', async () => {
    const result = await train({ config: { ...TINY_CONFIG, steps: 1, objective: OBJECTIVES['moco'] }, stack: drive.stack, samples: drive.samples });
    const dir = await saveCheckpoint(join(workDir, 'moco-damaged'), result.state);
    disposeTrainingState(result.state);
    const indexPath = join(dir, 'checkpoint.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    index.objective.moco.queue.next = 3;
    writeFileSync(indexPath, JSON.stringify(index));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/MoCo queue cannot be restored/);
  });
});
