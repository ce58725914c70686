import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/train/backend.js';
import { BatchSampler, type Batch } from '../../src/train/batches.js';
import { encoderConfigOf, parseRunConfig } from '../../src/train/config.js';
import { Encoder } from '../../src/train/encoder.js';
import { infoNceLoss } from '../../src/train/infonce.js';
import { createOptimizer } from '../../src/train/optimizer.js';
import { splitRows } from '../../src/train/parallel/barrier.js';
import { createDataParallelStepper, type DataParallelStepper } from '../../src/train/parallel/stepper.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const config = parseRunConfig(TINY_CONFIG);
const encoderConfig = encoderConfigOf(config);
const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
const stepperOptions = { encoderConfig, seed: config.seed, learningRate: config.learningRate, temperature: config.temperature, backend: 'wasm' };

function drawBatches(batchSize: number, count: number): Batch[] {
  const sampler = new BatchSampler({
    samples: drive.samples,
    stack: drive.stack,
    batchSize,
    positives: config.positives,
    maskRules: config.maskRules,
    samePairs: [],
    augmentation: config.augmentation,
    rng: new Rng(config.seed + 1),
  });
  return Array.from({ length: count }, () => sampler.next());
}

/** Runs the trainer's single-thread step on each batch: Adam minimising masked InfoNCE over all 2B views at once. */
async function referenceSteps(batches: Batch[]): Promise<{ losses: number[]; weights: Map<string, Float32Array> }> {
  const encoder = Encoder.create(encoderConfig, { seed: config.seed });
  const optimizer = createOptimizer(config.learningRate);
  const losses: number[] = [];
  for (const batch of batches) {
    const images = tf.tensor4d(batch.pixels, [2 * batch.size, drive.stack.height, drive.stack.width, 1]);
    const loss = optimizer.minimize(
      () => {
        const embeddings = encoder.embedUnnormalized(images);
        return infoNceLoss({ anchors: embeddings, candidates: embeddings, positives: batch.positives, validNegatives: batch.validNegatives, temperature: config.temperature }).loss;
      },
      true,
      [...encoder.variables.values()],
    );
    images.dispose();
    losses.push((await loss!.data())[0]!);
    loss!.dispose();
  }
  const weights = await encoder.readWeights();
  encoder.dispose();
  optimizer.dispose();
  return { losses, weights };
}

/**
 * Lists the parameter entries where |a - b| > relative * max(|a|, |b|) + 1e-8. The absolute floor
 * covers entries whose first update cancels their initial value (init -0.00299, update +0.00300):
 * float32 rounding of those operands alone is about 2e-10, which is a large relative error of
 * the small result.
 */
function mismatches(expected: Map<string, Float32Array>, actual: Map<string, Float32Array>, relative: number): string[] {
  const found: string[] = [];
  for (const [name, values] of expected) {
    const other = actual.get(name);
    expect(other, `parameter ${name}`).toBeDefined();
    expect(other!.length, `length of ${name}`).toBe(values.length);
    for (let i = 0; i < values.length; i++) {
      const a = values[i]!;
      const b = other![i]!;
      if (Math.abs(a - b) > relative * Math.max(Math.abs(a), Math.abs(b)) + 1e-8) found.push(`${name}[${i}]: ${a} vs ${b}`);
    }
  }
  return found.slice(0, 5);
}

function countDifferentBits(first: Map<string, Float32Array>, second: Map<string, Float32Array>): number {
  let different = 0;
  for (const [name, values] of first) {
    const other = new Uint32Array(second.get(name)!.buffer);
    const bits = new Uint32Array(values.buffer);
    for (let i = 0; i < bits.length; i++) if (bits[i] !== other[i]) different++;
  }
  return different;
}

let open: DataParallelStepper[] = [];

async function stepper(workers: 1 | 2): Promise<DataParallelStepper> {
  const created = await createDataParallelStepper({ ...stepperOptions, workers });
  open.push(created);
  return created;
}

describe('data-parallel stepper', () => {
  beforeAll(async () => {
    await initBackend({ preferred: 'wasm' });
  });

  afterEach(async () => {
    await Promise.all(open.map((created) => created.dispose()));
    open = [];
  });

  it('one worker matches the single-thread step', async () => {
    const [batch] = drawBatches(8, 1);
    const reference = await referenceSteps([batch!]);
    const single = await stepper(1);
    const result = await single.step(batch!);
    expect(single.backend).toBe('wasm');
    expect(result.loss).toBe(reference.losses[0]);
    expect(mismatches(reference.weights, await single.readWeights(), 0)).toEqual([]);
  });

  it('two workers match the single-thread step', async () => {
    const [batch] = drawBatches(8, 1);
    const reference = await referenceSteps([batch!]);
    const pair = await stepper(2);
    const result = await pair.step(batch!, { keepEmbeddings: true });
    expect(Math.abs(result.loss - reference.losses[0]!)).toBeLessThanOrEqual(1e-5);
    expect(mismatches(reference.weights, await pair.readWeights(0), 1e-5)).toEqual([]);
    expect(mismatches(reference.weights, await pair.readWeights(1), 1e-5)).toEqual([]);
    expect(result.embeddings?.rows).toBe(16);
    expect(result.embeddings?.columns).toBe(16);
    expect(result.embeddings?.values.every((value) => Number.isFinite(value))).toBe(true);
  });

  it('two replicas stay bit-identical over 5 steps', async () => {
    const batches = drawBatches(8, 5);
    const reference = await referenceSteps(batches);
    const pair = await stepper(2);
    const losses: number[] = [];
    for (const batch of batches) losses.push((await pair.step(batch)).loss);
    const first = await pair.readWeights(0);
    const second = await pair.readWeights(1);
    expect(countDifferentBits(first, second)).toBe(0);
    for (let step = 0; step < 5; step++) expect(Math.abs(losses[step]! - reference.losses[step]!), `loss of step ${step + 1}`).toBeLessThanOrEqual(1e-4);
    expect(mismatches(reference.weights, first, 1e-3)).toEqual([]);
  });

  it('two workers handle odd and one-anchor batches', async () => {
    // 3 anchors give each worker an odd block of 3 views. 1 anchor gives each worker a single view and no negatives.
    const batches = [...drawBatches(3, 1), ...drawBatches(1 + 1, 1).map((batch) => oneAnchor(batch))];
    for (const batch of batches) {
      const reference = await referenceSteps([batch]);
      const fresh = await stepper(2);
      const result = await fresh.step(batch);
      expect(Math.abs(result.loss - reference.losses[0]!), `loss with ${batch.size} anchor(s)`).toBeLessThanOrEqual(1e-5);
      expect(mismatches(reference.weights, await fresh.readWeights(1), 1e-5), `weights with ${batch.size} anchor(s)`).toEqual([]);
      if (batch.size === 1) expect(result.rowsWithoutNegatives).toBe(2);
    }
  });

  it('resumes from weights and Adam state', async () => {
    const batches = drawBatches(8, 3);
    const running = await stepper(2);
    expect(await running.readOptimizerState()).toBeUndefined();
    await running.step(batches[0]!);
    await running.step(batches[1]!);
    const weights = await running.readWeights();
    const optimizerState = await running.readOptimizerState();
    expect(optimizerState?.iterations).toBe(2);
    expect(optimizerState?.beta1Power).toBeCloseTo(0.9 ** 3, 6);
    expect(optimizerState?.firstMoments.size).toBe(weights.size);

    const resumed = await createDataParallelStepper({ ...stepperOptions, workers: 2, weights, optimizerState: optimizerState! });
    open.push(resumed);
    const continued = await running.step(batches[2]!);
    const afterResume = await resumed.step(batches[2]!);
    expect(afterResume.loss).toBe(continued.loss);
    expect(countDifferentBits(await running.readWeights(), await resumed.readWeights())).toBe(0);
  });

  it('splitRows covers uneven row counts', () => {
    expect(splitRows(7, 2)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 7 }]);
    expect(splitRows(6, 2)).toEqual([{ start: 0, end: 3 }, { start: 3, end: 6 }]);
    expect(splitRows(2, 2)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }]);
    expect(splitRows(5, 1)).toEqual([{ start: 0, end: 5 }]);
  });

  it('rejects a batch whose arrays disagree', async () => {
    const [batch] = drawBatches(4, 1);
    const single = await stepper(1);
    const broken = { ...batch!, pixels: batch!.pixels.subarray(0, 10) };
    await expect(single.step(broken)).rejects.toThrow(ApronError);
    await expect(single.step(broken)).rejects.toMatchObject({ code: 'invalid-input' });
    // A rejected batch does not break the stepper.
    const result = await single.step(batch!);
    expect(Number.isFinite(result.loss)).toBe(true);
  });

  it('worker error stops the stepper', async () => {
    const [batch] = drawBatches(4, 1);
    const pair = await stepper(2);
    const outOfRange = { ...batch!, positives: batch!.positives.map((index) => (index === 0 ? 99 : index)) };
    await expect(pair.step(outOfRange)).rejects.toThrow(/Replica worker \d: Positive index 99/);
    // The replicas may differ after a failed step, so the stepper takes no further step.
    await expect(pair.step(batch!)).rejects.toThrow(/stopped after an error/);
  });

  it('dispose stops both workers during a step', async () => {
    const [batch] = drawBatches(8, 1);
    const pair = await stepper(2);
    // The expectation is attached before dispose, because the wasm backend turns an unhandled rejection into a crash.
    const inFlight = expect(pair.step(batch!)).rejects.toMatchObject({ code: 'cancelled' });
    await pair.dispose();
    await inFlight;
    await expect(pair.step(batch!)).rejects.toThrow(/disposed/);
    // A second dispose returns at once.
    await pair.dispose();
  });
});

/** Keeps anchor 0 of a batch and its positive: 2 views whose only pair is the positive, so no negatives. */
function oneAnchor(batch: Batch): Batch {
  const pixelsPerImage = drive.stack.width * drive.stack.height;
  const views = [0, batch.size];
  const pixels = new Float32Array(2 * pixelsPerImage);
  views.forEach((view, index) => pixels.set(batch.pixels.subarray(view * pixelsPerImage, (view + 1) * pixelsPerImage), index * pixelsPerImage));
  return {
    ...batch,
    size: 1,
    viewSamples: Int32Array.from(views.map((view) => batch.viewSamples[view]!)),
    positives: Int32Array.from([1, 0]),
    validNegatives: new Uint8Array(4),
    pixels,
  };
}
