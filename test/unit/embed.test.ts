import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedStack } from '../../src/embed/embed.js';
import { initBackend } from '../../src/train/backend.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { encoderConfigOf, parseRunConfig } from '../../src/train/config.js';
import { Encoder } from '../../src/train/encoder.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 2, framesPerSequence: 25, size: 32 });
const config = parseRunConfig(TINY_CONFIG);
let workDir = '';
let encoder: Encoder;

describe('embedStack', () => {
  beforeAll(async () => {
    await initBackend();
    workDir = mkdtempSync(join(tmpdir(), 'apron-embed-'));
    encoder = Encoder.create(encoderConfigOf(config), { seed: 11 });
  });

  afterAll(() => {
    encoder.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('returns one unit vector per image in stack order', async () => {
    const { vectors, dimension } = await embedStack(encoder, drive.stack, { batchSize: 16 });
    expect(dimension).toBe(16);
    expect(vectors.length).toBe(50 * 16);
    for (let row = 0; row < 50; row++) {
      let squared = 0;
      for (let d = 0; d < 16; d++) squared += vectors[row * 16 + d]! ** 2;
      expect(Math.sqrt(squared)).toBeCloseTo(1, 5);
    }
    // Row 7 is the embedding of image 7 alone.
    const single = tf.tidy(() =>
      encoder.embed(tf.tensor4d(Float32Array.from(drive.stack.data.subarray(7 * 1024, 8 * 1024)), [1, 32, 32, 1])).dataSync(),
    );
    for (let d = 0; d < 16; d++) expect(vectors[7 * 16 + d]).toBeCloseTo(single[d]!, 5);
  });

  it('gives the same vectors for any batch size', async () => {
    const small = await embedStack(encoder, drive.stack, { batchSize: 3 });
    const large = await embedStack(encoder, drive.stack, { batchSize: 128 });
    for (let index = 0; index < small.vectors.length; index++) expect(small.vectors[index]).toBeCloseTo(large.vectors[index]!, 5);
  });

  it('reports progress up to the image count', async () => {
    const reports: [number, number][] = [];
    await embedStack(encoder, drive.stack, { batchSize: 20, onProgress: (done, total) => reports.push([done, total]) });
    expect(reports).toEqual([
      [20, 50],
      [40, 50],
      [50, 50],
    ]);
  });

  it('leaves no tensors behind, from an encoder or a checkpoint folder', async () => {
    const optimizer = tf.train.adam(1e-3);
    const dir = await saveCheckpoint(join(workDir, 'checkpoint'), { config, encoder, optimizer, step: 0, sampler: undefined });
    optimizer.dispose();
    await embedStack(encoder, drive.stack);
    const before = tf.memory().numTensors;
    await embedStack(encoder, drive.stack, { batchSize: 7 });
    await embedStack(dir, drive.stack, { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a stack of another size', async () => {
    const other = syntheticDrive({ sequences: 1, framesPerSequence: 3, size: 16 });
    await expect(embedStack(encoder, other.stack)).rejects.toThrow(/takes 32x32 images but the stack is 16x16/);
  });

  it('stops when the signal aborts', async () => {
    await expect(embedStack(encoder, drive.stack, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
