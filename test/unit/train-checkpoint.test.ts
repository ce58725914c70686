import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedStack } from '../../src/embed/embed.js';
import { initBackend } from '../../src/train/backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { train, type TrainResult } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
let workDir = '';

function release(result: TrainResult | { state: TrainResult['state'] }): void {
  result.state.encoder.dispose();
  result.state.optimizer.dispose();
}

describe('checkpoints', () => {
  beforeAll(async () => {
    await initBackend();
    workDir = mkdtempSync(join(tmpdir(), 'apron-checkpoint-'));
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('give identical embeddings after a save and load', async () => {
    const result = await train({ config: { ...TINY_CONFIG, steps: 3 }, stack: drive.stack, samples: drive.samples });
    const dir = await saveCheckpoint(join(workDir, 'round-trip'), result.state);
    const before = await embedStack(result.state.encoder, drive.stack);
    const after = await embedStack(dir, drive.stack);
    expect(after.dimension).toBe(16);
    expect(after.vectors).toEqual(before.vectors);
    release(result);
  });

  it('resume exactly where the run stopped', async () => {
    const straight = await train({ config: { ...TINY_CONFIG, steps: 6 }, stack: drive.stack, samples: drive.samples });

    const controller = new AbortController();
    const interrupted = await train({
      config: { ...TINY_CONFIG, steps: 6 },
      stack: drive.stack,
      samples: drive.samples,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.step === 3) controller.abort();
      },
    });
    const dir = await saveCheckpoint(join(workDir, 'resume'), interrupted.state);
    release(interrupted);

    const loaded = await loadCheckpoint(dir);
    expect(loaded.state.step).toBe(3);
    const resumed = await train({ config: TINY_CONFIG, stack: drive.stack, samples: drive.samples, resume: loaded.state });
    expect(resumed.stepsRun).toBe(3);
    expect(resumed.losses).toEqual(straight.losses.slice(3));
    const expected = await straight.state.encoder.readWeights();
    const actual = await resumed.state.encoder.readWeights();
    for (const [name, values] of expected) expect(actual.get(name), name).toEqual(values);
    release(straight);
    release(resumed);
  });

  it('replace an old checkpoint atomically', async () => {
    const first = await train({ config: { ...TINY_CONFIG, steps: 1 }, stack: drive.stack, samples: drive.samples });
    const dir = join(workDir, 'replaced');
    await saveCheckpoint(dir, first.state);
    const second = await train({ config: { ...TINY_CONFIG, steps: 2 }, stack: drive.stack, samples: drive.samples });
    await saveCheckpoint(dir, second.state);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.state.step).toBe(2);
    expect(readdirSync(workDir).filter((name) => name.includes('replaced'))).toEqual(['replaced']);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'optimizer.bin', 'weights.bin']);
    release(first);
    release(second);
    release(loaded);
  });

  it('report a missing checkpoint with its path', async () => {
    const missing = join(workDir, 'nothing-here');
    await expect(loadCheckpoint(missing)).rejects.toMatchObject({ code: 'not-found', path: missing });
  });

  it('report a truncated weights file', async () => {
    const result = await train({ config: { ...TINY_CONFIG, steps: 1 }, stack: drive.stack, samples: drive.samples });
    const dir = await saveCheckpoint(join(workDir, 'damaged'), result.state);
    release(result);
    truncateSync(join(dir, 'weights.bin'), 400);
    await expect(loadCheckpoint(dir)).rejects.toMatchObject({ code: 'unreadable-file', path: dir });
  });
});
