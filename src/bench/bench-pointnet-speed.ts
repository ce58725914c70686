/**
 * Training throughput of the PointNet LiDAR encoder per batch size, and the arithmetic rate it
 * reaches as a share of the same backend's matrix-multiplication peak measured in the same run.
 *
 * FLOPs are counted from the architecture: each per-point layer costs 2 * Cin * Cout per point and
 * each head layer 2 * in * out per cloud. A training step costs about three forward passes (the
 * forward pass, then gradients for the inputs and for the weights). Layer normalisation, ReLU, the
 * max pooling and the loss are left out, so the rate is a lower bound of the work done.
 *
 * The loss is a fixed linear function of the embeddings, so the figure covers the encoder and
 * Adam's update and nothing of a contrastive loss or of the data pipeline.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';
import { initBackend } from '../train/backend.js';
import { createOptimizer } from '../train/optimizer.js';
import { POINT_FEATURES, PointNetEncoder, pointNetConfigSchema, samplesPerChunk, type PointNetConfig, type PointNetConfigInput } from '../train/pointnet.js';
import type { BenchResult } from './report.js';

const BATCH_SIZES = [8, 32, 64];
/** Timed steps per batch size, after one untimed step that sets up the kernels and Adam's moments. */
const STEPS = 4;
const PEAK_SIZE = 512;

/** Measures PointNet training steps per second at each batch size; the default architecture takes 1024 points per cloud. */
export async function benchPointNetSpeed(input: PointNetConfigInput = {}): Promise<BenchResult[]> {
  const backend = (await initBackend()).name;
  const config = pointNetConfigSchema.parse(input);
  const peak = matMulPeak();
  const results: BenchResult[] = [];

  for (const batchSize of BATCH_SIZES) {
    const samplesPerSecond = measureTraining(config, batchSize);
    const achieved = samplesPerSecond * 3 * forwardFlops(config);
    results.push({
      name: `PointNet training, batch ${batchSize} of ${config.pointCount} points: share of matMul peak`,
      figure: `${(achieved / 1e9).toFixed(2)} GFLOP/s (${samplesPerSecond.toFixed(1)} clouds/s)`,
      baseline: `${(peak / 1e9).toFixed(2)} GFLOP/s matMul ${PEAK_SIZE}x${PEAK_SIZE} on ${backend}`,
      ratio: achieved / peak,
      target: 'none set',
      met: null,
      notes:
        `Per-point and head matMul FLOPs only, ${STEPS} timed steps after one warm-up step, widths ${config.widths.join('-')}, ` +
        `norm ${config.norm}; the per-point MLP runs in chunks of ${samplesPerChunk(config)} clouds.`,
    });
  }
  return results;
}

/** Runs STEPS + 1 Adam steps on random clouds and returns the clouds per second of the timed steps. */
function measureTraining(config: PointNetConfig, batchSize: number): number {
  const encoder = PointNetEncoder.create(config, { seed: 1 });
  const optimizer = createOptimizer(1e-3);
  const rng = new Rng(2);
  const values = Float32Array.from({ length: batchSize * config.pointCount * POINT_FEATURES }, () => (rng.next() - 0.5) * 40);
  const points = tf.tensor3d(values, [batchSize, config.pointCount, POINT_FEATURES]);
  const direction = tf.randomNormal([batchSize, config.embeddingDim], 0, 1, 'float32', 3);

  const step = (): void => {
    const loss = optimizer.minimize(() => tf.sum(tf.mul(encoder.embedUnnormalized(points), direction)) as tf.Scalar, true, [...encoder.variables.values()]);
    // Reading the loss waits for the step to finish on every backend.
    loss?.dataSync();
    loss?.dispose();
  };
  step();
  const started = performance.now();
  for (let repeat = 0; repeat < STEPS; repeat++) step();
  const seconds = (performance.now() - started) / 1000;

  tf.dispose([points, direction]);
  optimizer.dispose();
  encoder.dispose();
  return (STEPS * batchSize) / seconds;
}

/** Floating-point operations of one forward pass of one cloud through the encoder. */
function forwardFlops(config: PointNetConfig): number {
  let channels = POINT_FEATURES;
  let perPoint = 0;
  for (const width of config.widths) {
    perPoint += 2 * channels * width;
    channels = width;
  }
  return config.pointCount * perPoint + 2 * channels * config.hiddenDim + 2 * config.hiddenDim * config.embeddingDim;
}

/** Measures the fastest of several square float32 matrix products, in FLOP/s. */
function matMulPeak(): number {
  const a = tf.randomNormal([PEAK_SIZE, PEAK_SIZE]);
  const b = tf.randomNormal([PEAK_SIZE, PEAK_SIZE]);
  let best = Infinity;
  for (let repeat = 0; repeat < 6; repeat++) {
    const started = performance.now();
    tf.tidy(() => tf.matMul(a, b).dataSync());
    best = Math.min(best, performance.now() - started);
  }
  a.dispose();
  b.dispose();
  return (2 * PEAK_SIZE ** 3) / (best / 1000);
}
