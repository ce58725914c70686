// The PointNet LiDAR encoder: output shape, invariance to point order, gradients through the max
// pooling, the wasm backend against the cpu backend, chunked forward passes and point resampling.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/train/backend.js';
import { POINT_FEATURES, PointNetEncoder, pointNetParameterSpecs, resamplePoints, type PointNetConfigInput } from '../../src/train/pointnet.js';

const SMALL: PointNetConfigInput = { pointCount: 64, widths: [16, 32], hiddenDim: 24, embeddingDim: 8 };

/** Draws a cloud of `count` points spread over about 40 m, with intensities in 0..1. */
function randomCloud(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const cloud = new Float32Array(count * POINT_FEATURES);
  for (let i = 0; i < count; i++) {
    cloud[i * 4] = (rng.next() - 0.5) * 40;
    cloud[i * 4 + 1] = (rng.next() - 0.5) * 40;
    cloud[i * 4 + 2] = (rng.next() - 0.5) * 4;
    cloud[i * 4 + 3] = rng.next();
  }
  return cloud;
}

function permute(cloud: Float32Array, seed: number): Float32Array {
  const count = cloud.length / POINT_FEATURES;
  const order = new Rng(seed).shuffle(Array.from({ length: count }, (_, i) => i));
  const permuted = new Float32Array(cloud.length);
  order.forEach((source, target) => permuted.set(cloud.subarray(source * 4, source * 4 + 4), target * 4));
  return permuted;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return largest;
}

/** Largest absolute difference over the largest magnitude of `expected`, as in the wasm kernel tests. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let largestMagnitude = 0;
  for (let i = 0; i < expected.length; i++) largestMagnitude = Math.max(largestMagnitude, Math.abs(expected[i] ?? 0));
  const difference = maxAbsDifference(actual, expected);
  return largestMagnitude === 0 ? difference : difference / largestMagnitude;
}

/** Gradients of a fixed scalar of the embeddings with respect to every parameter, by name. */
function gradientsOf(encoder: PointNetEncoder, clouds: Float32Array, batch: number): Map<string, Float32Array> {
  const names = [...encoder.variables.keys()];
  const points = tf.tensor3d(clouds, [batch, encoder.config.pointCount, POINT_FEATURES]);
  const weights = tf.tensor2d(Float32Array.from({ length: batch * encoder.config.embeddingDim }, (_, i) => Math.sin(i * 0.37)), [batch, encoder.config.embeddingDim]);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(encoder.embedUnnormalized(points), weights)) as tf.Scalar, [...encoder.variables.values()]);
  const result = new Map<string, Float32Array>();
  const byVariable = new Map([...encoder.variables].map(([name, variable]) => [variable.name, name]));
  for (const [variableName, gradient] of Object.entries(grads)) result.set(byVariable.get(variableName) ?? variableName, gradient.dataSync().slice() as Float32Array);
  tf.dispose([points, weights, ...Object.values(grads)]);
  expect(result.size).toBe(names.length);
  return result;
}

describe('PointNet encoder', () => {
  beforeAll(async () => {
    await initBackend({ preferred: 'wasm' });
  });

  afterEach(() => {
    tf.setBackend('wasm');
  });

  it('names its parameters stably', () => {
    const names = pointNetParameterSpecs(SMALL).map((spec) => spec.name);
    expect(names).toEqual([
      'mlp1/kernel', 'mlp1/bias', 'norm1/gamma', 'norm1/beta',
      'mlp2/kernel', 'mlp2/bias', 'norm2/gamma', 'norm2/beta',
      'head1/kernel', 'head1/bias', 'head2/kernel', 'head2/bias',
    ]);
    expect(pointNetParameterSpecs({ ...SMALL, norm: 'none' }).some((spec) => spec.name.startsWith('norm'))).toBe(false);
  });

  it('embeds a batch into unit vectors', () => {
    const encoder = PointNetEncoder.create(SMALL, { seed: 3 });
    const clouds = new Float32Array([...randomCloud(64, 1), ...randomCloud(64, 2), ...randomCloud(64, 3)]);
    const embeddings = tf.tidy(() => encoder.embed(tf.tensor3d(clouds, [3, 64, 4])));

    expect(embeddings.shape).toEqual([3, 8]);
    const values = embeddings.arraySync();
    for (const row of values) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    embeddings.dispose();
    encoder.dispose();
  });

  it('ignores the order of the points', () => {
    const encoder = PointNetEncoder.create(SMALL, { seed: 4 });
    const cloud = randomCloud(64, 5);
    const embed = (points: Float32Array): Float32Array => tf.tidy(() => encoder.embedUnnormalized(tf.tensor3d(points, [1, 64, 4])).dataSync().slice() as Float32Array);

    const original = embed(cloud);
    for (const seed of [6, 7, 8]) expect(maxAbsDifference(embed(permute(cloud, seed)), original)).toBeLessThanOrEqual(1e-5);
    encoder.dispose();
  });

  it('rejects clouds of the wrong size', () => {
    const encoder = PointNetEncoder.create(SMALL, { seed: 4 });
    expect(() => tf.tidy(() => encoder.embed(tf.zeros([1, 32, 4]) as tf.Tensor3D))).toThrow('expects clouds of 64 points with 4 features, got 32 with 4');
    expect(() => PointNetEncoder.create({ ...SMALL, pointCount: 4 })).toThrow('Invalid PointNet configuration: pointCount');
    encoder.dispose();
  });

  it('gives finite gradients for an all-zero cloud', () => {
    for (const norm of ['layer', 'none'] as const) {
      const encoder = PointNetEncoder.create({ ...SMALL, norm }, { seed: 9 });
      const gradients = gradientsOf(encoder, new Float32Array(2 * 64 * 4), 2);
      for (const [name, values] of gradients) {
        expect(values.every(Number.isFinite), `${norm} ${name}`).toBe(true);
      }
      // A blank cloud still gives the head's bias a gradient, so the check above is not vacuous.
      expect(gradients.get('head2/bias')!.some((value) => value !== 0)).toBe(true);
      encoder.dispose();
    }
  });

  it('computes the same gradients on wasm and cpu', () => {
    const clouds = new Float32Array([...randomCloud(64, 11), ...randomCloud(64, 12)]);
    const onBackend = (backend: 'wasm' | 'cpu'): Map<string, Float32Array> => {
      tf.setBackend(backend);
      const encoder = PointNetEncoder.create(SMALL, { seed: 13 });
      const gradients = gradientsOf(encoder, clouds, 2);
      encoder.dispose();
      return gradients;
    };
    const cpu = onBackend('cpu');
    const wasm = onBackend('wasm');

    for (const [name, expected] of cpu) {
      expect(relativeError(wasm.get(name)!, expected), name).toBeLessThan(1e-5);
    }
  });

  it('gives the same embedding when the batch is split into chunks', () => {
    const whole = PointNetEncoder.create(SMALL, { seed: 14 });
    const weights = new Map([...whole.variables].map(([name, variable]) => [name, variable.dataSync().slice() as Float32Array]));
    const chunked = PointNetEncoder.create({ ...SMALL, maxActivationFloats: 64 * 32 * 2 }, { weights });
    expect(chunked.samplesPerChunk()).toBe(2);
    const clouds = new Float32Array(Array.from({ length: 5 }, (_, index) => [...randomCloud(64, 20 + index)]).flat());

    const embed = (encoder: PointNetEncoder): Float32Array => tf.tidy(() => encoder.embed(tf.tensor3d(clouds, [5, 64, 4])).dataSync().slice() as Float32Array);
    expect(maxAbsDifference(embed(chunked), embed(whole))).toBeLessThanOrEqual(1e-6);
    whole.dispose();
    chunked.dispose();
  });

  it('draws the same weights from the same seed', () => {
    const first = PointNetEncoder.create(SMALL, { seed: 21 });
    const second = PointNetEncoder.create(SMALL, { seed: 21 });
    const third = PointNetEncoder.create(SMALL, { seed: 22 });
    const kernel = (encoder: PointNetEncoder): Float32Array => encoder.variables.get('mlp1/kernel')!.dataSync() as Float32Array;

    expect(kernel(second)).toEqual(kernel(first));
    expect(kernel(third)).not.toEqual(kernel(first));
    for (const encoder of [first, second, third]) encoder.dispose();
  });
});

describe('resamplePoints', () => {
  it('subsamples distinct points from a large cloud', () => {
    const cloud = Float32Array.from({ length: 100 * 4 }, (_, i) => Math.floor(i / 4));
    const sampled = resamplePoints(cloud, 30, new Rng(1));
    const ids = new Set(Array.from({ length: 30 }, (_, i) => sampled[i * 4]));

    expect(sampled.length).toBe(120);
    expect(ids.size).toBe(30);
  });

  it('keeps every point of a small cloud and pads with copies', () => {
    const cloud = Float32Array.from({ length: 5 * 4 }, (_, i) => Math.floor(i / 4));
    const sampled = resamplePoints(cloud, 12, new Rng(2));
    const ids = Array.from({ length: 12 }, (_, i) => sampled[i * 4]!);

    expect(ids.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(ids.slice(5).every((id) => id >= 0 && id < 5)).toBe(true);
  });

  it('gives zeros for an empty cloud', () => {
    expect(resamplePoints(new Float32Array(0), 8, new Rng(3))).toEqual(new Float32Array(32));
  });

  it('repeats with the same random state', () => {
    const cloud = Float32Array.from({ length: 50 * 4 }, (_, i) => i);
    expect(resamplePoints(cloud, 20, new Rng(4))).toEqual(resamplePoints(cloud, 20, new Rng(4)));
  });
});
