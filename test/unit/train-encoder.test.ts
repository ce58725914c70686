import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { Encoder, parameterSpecs, type EncoderConfigInput } from '../../src/train/encoder.js';
import { syntheticDrive } from './train-fixtures.js';

const CONFIG: EncoderConfigInput = { imageHeight: 32, imageWidth: 32, channels: [8, 16], normGroups: 4, hiddenDim: 32, embeddingDim: 16 };
const drive = syntheticDrive({ sequences: 1, framesPerSequence: 5, size: 32 });

function images(transform: (value: number) => number = (value) => value): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(drive.stack.data, transform), [5, 32, 32, 1]);
}

function embed(encoder: Encoder, input: tf.Tensor4D): Float32Array {
  return tf.tidy(() => encoder.embed(input).dataSync() as Float32Array);
}

describe('Encoder', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('names its parameters and counts them', () => {
    const names = parameterSpecs(CONFIG).map((spec) => spec.name);
    expect(names).toEqual([
      'conv1/kernel',
      'norm1/gamma',
      'norm1/beta',
      'conv2/kernel',
      'norm2/gamma',
      'norm2/beta',
      'dense/kernel',
      'dense/bias',
      'head1/kernel',
      'head1/bias',
      'head2/kernel',
      'head2/bias',
    ]);
    const encoder = Encoder.create(CONFIG, { seed: 5 });
    // Two stride-2 convolutions take 32x32 to 8x8, so flattening gives 8 * 8 * 16 = 1024 inputs:
    // 3*3*1*8 + 2*8 + 3*3*8*16 + 2*16 + (1024*32 + 32) + (32*32 + 32) + (32*16 + 16) = 35656.
    expect(encoder.parameterCount).toBe(35656);
    expect([...encoder.variables.keys()]).toEqual(names);
    encoder.dispose();

    // Average pooling feeds the 16 channels alone: 35656 - 1008 * 32 = 3400.
    const averaged = Encoder.create({ ...CONFIG, pooling: 'average' }, { seed: 5 });
    expect(averaged.parameterCount).toBe(3400);
    averaged.dispose();
  });

  it('draws its initial weights from the seed', async () => {
    const encoder = Encoder.create(CONFIG, { seed: 5 });
    const weights = await encoder.readWeights();
    // Rng(5) draws u1 = 0.68977491 and u2 = 0.77274327 first; He-normal with fan-in 9 and
    // Box-Muller give sqrt(2/9) * sqrt(-2 ln(1 - u1)) * cos(2 pi u2) = 0.10271651 and, with sin,
    // -0.71389950.
    expect(weights.get('conv1/kernel')![0]).toBeCloseTo(0.10271651, 6);
    expect(weights.get('conv1/kernel')![1]).toBeCloseTo(-0.7138995, 6);
    expect(Array.from(weights.get('norm1/gamma')!)).toEqual(new Array(8).fill(1));
    expect(Array.from(weights.get('dense/bias')!)).toEqual(new Array(32).fill(0));

    const same = Encoder.create(CONFIG, { seed: 5 });
    const other = Encoder.create(CONFIG, { seed: 6 });
    expect((await same.readWeights()).get('head2/kernel')).toEqual(weights.get('head2/kernel'));
    expect((await other.readWeights()).get('head2/kernel')).not.toEqual(weights.get('head2/kernel'));
    encoder.dispose();
    same.dispose();
    other.dispose();
  });

  it('returns unit-length embeddings of the configured dimension', () => {
    const encoder = Encoder.create(CONFIG, { seed: 5 });
    const input = images();
    const output = tf.tidy(() => encoder.embed(input));
    expect(output.shape).toEqual([5, 16]);
    const norms = tf.tidy(() => tf.norm(output, 2, 1).dataSync());
    for (const norm of norms) expect(norm).toBeCloseTo(1, 5);
    tf.dispose([input, output]);
    encoder.dispose();
  });

  it('ignores a change of brightness and contrast', () => {
    const encoder = Encoder.create(CONFIG, { seed: 5 });
    const plain = images();
    // 0.5 v + 40 keeps every value inside 0..255, so nothing clips.
    const dimmed = images((value) => 0.5 * value + 40);
    const a = embed(encoder, plain);
    const b = embed(encoder, dimmed);
    for (let index = 0; index < a.length; index++) expect(b[index]).toBeCloseTo(a[index]!, 4);
    tf.dispose([plain, dimmed]);
    encoder.dispose();
  });

  it('embeds an image the same alone or in a batch', () => {
    const encoder = Encoder.create(CONFIG, { seed: 5 });
    const batch = images();
    const alone = tf.slice(batch, [2, 0, 0, 0], [1, 32, 32, 1]);
    const inBatch = embed(encoder, batch).slice(2 * 16, 3 * 16);
    const single = embed(encoder, alone);
    for (let index = 0; index < 16; index++) expect(single[index]).toBeCloseTo(inBatch[index]!, 5);
    tf.dispose([batch, alone]);
    encoder.dispose();
  });

  it('frees every tensor it made on dispose', () => {
    const before = tf.memory().numTensors;
    Encoder.create(CONFIG, { seed: 5 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lets two encoders exist at once', () => {
    const first = Encoder.create(CONFIG, { seed: 1 });
    const second = Encoder.create(CONFIG, { seed: 1 });
    expect(first.variables.get('conv1/kernel')!.name).not.toBe(second.variables.get('conv1/kernel')!.name);
    first.dispose();
    second.dispose();
  });

  it('rejects images of another size', () => {
    const encoder = Encoder.create(CONFIG, { seed: 5 });
    const wrong = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D;
    expect(() => tf.tidy(() => encoder.embed(wrong))).toThrow(/expects images of 32x32 with 1 channel, got 16x16/);
    wrong.dispose();
    encoder.dispose();
  });

  it('rejects group counts that do not divide the channels', () => {
    expect(() => Encoder.create({ ...CONFIG, normGroups: 3 })).toThrow(/normGroups 3 must divide every channel count, but not 8/);
  });
});
