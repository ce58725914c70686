/**
 * Training throughput of the image encoder per batch size, and the arithmetic rate it reaches as
 * a share of the same backend's matrix-multiplication peak measured in the same run.
 *
 * FLOPs per step are counted from the architecture. Each 3x3 stride-2 convolution costs
 * 2 * 9 * Cin * Cout per output pixel, and each dense layer 2 * in * out per image. A training step
 * costs about three forward passes (the forward pass, then gradients for the inputs and for the
 * weights) over the 2 x batch views. Normalisation, activations and the loss are left out, so the
 * share is a lower bound of the work done.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Sample } from '../dataset/manifest.js';
import { manifestSchema } from '../dataset/manifest.js';
import { initBackend } from '../train/backend.js';
import { encoderConfigOf, parseRunConfig, type RunConfigInput } from '../train/config.js';
import { train } from '../train/trainer.js';
import { Rng } from '../core/rng.js';
import type { BenchResult } from './report.js';

const BATCH_SIZES = [32, 64, 128];
const STEPS = 8;
const PEAK_SIZE = 512;

export async function benchTrainSpeed(): Promise<BenchResult[]> {
  const backend = (await initBackend()).name;
  const peak = matMulPeak();
  const results: BenchResult[] = [];

  for (const batchSize of BATCH_SIZES) {
    // One worker thread, to compare with the one-thread matMul peak. The two-worker bench measures the speed-up.
    const config: RunConfigInput = { steps: STEPS, batchSize, positives: { kind: 'augment' }, maskRules: { samePlace: false }, workers: 1 };
    const parsed = parseRunConfig(config);
    const { samples, stack } = randomStack(Math.max(256, batchSize * 2), parsed.imageSize.width, parsed.imageSize.height);

    const run = await train({ config, stack, samples });
    run.state.encoder.dispose();
    run.state.optimizer.dispose();
    // The rate covers every step, the first one too (kernel set-up and Adam's moments), so it errs low.
    const samplesPerSecond = run.samplesPerSecond;
    const flopsPerAnchor = 2 * 3 * forwardFlops(parsed);
    const achieved = samplesPerSecond * flopsPerAnchor;

    results.push({
      name: `training, batch ${batchSize} of ${parsed.imageSize.width}x${parsed.imageSize.height}: share of matMul peak`,
      figure: `${(achieved / 1e9).toFixed(2)} GFLOP/s (${samplesPerSecond.toFixed(0)} anchors/s)`,
      baseline: `${(peak / 1e9).toFixed(2)} GFLOP/s matMul ${PEAK_SIZE}x${PEAK_SIZE} on ${backend}`,
      ratio: achieved / peak,
      target: 'at least 0.5 of the peak',
      met: achieved / peak >= 0.5,
      notes:
        `Convolution and dense FLOPs only, ${STEPS} steps including the first, one worker thread; each anchor brings two views. ` +
        'On wasm the shipped square matMul is slower than the convolution kernels, so the share can exceed 1: it says the encoder is not limited by matMul, not that it reaches a hardware peak.',
    });
  }
  return results;
}

/** Floating-point operations of one forward pass of one image through the encoder. */
function forwardFlops(config: ReturnType<typeof parseRunConfig>): number {
  const encoder = encoderConfigOf(config);
  let height = encoder.imageHeight;
  let width = encoder.imageWidth;
  let channels = 1;
  let flops = 0;
  for (const outChannels of encoder.channels) {
    height = Math.ceil(height / 2);
    width = Math.ceil(width / 2);
    flops += 2 * 9 * channels * outChannels * height * width;
    channels = outChannels;
  }
  const pooled = encoder.pooling === 'flatten' ? height * width * channels : channels;
  flops += 2 * pooled * encoder.hiddenDim + 2 * encoder.hiddenDim * encoder.hiddenDim + 2 * encoder.hiddenDim * encoder.embeddingDim;
  return flops;
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

/** Random images and one sequence of samples, enough for augmented-view batches. */
function randomStack(count: number, width: number, height: number): { samples: Sample[]; stack: { width: number; height: number; count: number; data: Uint8Array } } {
  const rng = new Rng(5);
  const data = new Uint8Array(count * width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.next() * 256);
  const samples = manifestSchema.parse({
    format: 'apron-manifest',
    version: 1,
    name: 'bench',
    root: '.',
    samples: Array.from({ length: count }, (_, index) => ({ sampleId: `s${index}`, sequenceId: 'bench', timestampNs: String(index * 1e9), bev: [{ name: 'bev', path: 'x.png' }] })),
  }).samples;
  return { samples, stack: { width, height, count, data } };
}
