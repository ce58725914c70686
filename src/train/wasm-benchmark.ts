/**
 * Measure the wasm kernel replacements of wasm-fixes.ts against the kernels tfjs-backend-wasm
 * ships, on the shapes of Apron's default encoder (batch 128 of 64x64 grey images through four
 * stride-2 3x3 convolutions of 16, 32, 64 and 128 channels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { installWasmFixes, uninstallWasmFixes } from './wasm-fixes.js';

export interface WasmBenchmarkRow {
  kernel: string;
  shape: string;
  /** Fastest run of the shipped kernel in milliseconds; null where wasm ships none. */
  shippedMs: number | null;
  /** Fastest run of the replacement in milliseconds. */
  replacementMs: number;
}

interface Case {
  kernel: string;
  shape: string;
  run: () => tf.Tensor;
}

/** Return the fastest of `repeats` runs after one warm-up: the minimum, not the mean, because other processes share the cores. */
function fastestMs(run: () => tf.Tensor, repeats: number): number {
  tf.tidy(() => {
    run().dataSync();
  });
  let best = Infinity;
  for (let index = 0; index < repeats; index++) {
    const start = performance.now();
    // The callback returns nothing: tidy would walk a returned typed array element by element.
    tf.tidy(() => {
      run().dataSync();
    });
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function convolutionCases(inputs: tf.Tensor[]): Case[] {
  const layers: Array<[[number, number, number, number], [number, number, number, number]]> = [
    [[128, 64, 64, 1], [3, 3, 1, 16]],
    [[128, 32, 32, 16], [3, 3, 16, 32]],
    [[128, 16, 16, 32], [3, 3, 32, 64]],
    [[128, 8, 8, 64], [3, 3, 64, 128]],
  ];
  const cases: Case[] = [];
  for (const [inputShape, filterShape] of layers) {
    const x = tf.randomUniform(inputShape, -1, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomUniform(filterShape, -1, 1, 'float32', 2) as tf.Tensor4D;
    const outputShape = tf.tidy(() => tf.conv2d(x, filter, 2, 'same').shape);
    const dy = tf.randomUniform(outputShape, -1, 1, 'float32', 3);
    inputs.push(x, filter, dy);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC' } as const;
    const shape = `x ${inputShape.join('x')}, filter ${filterShape.join('x')}, stride 2`;
    cases.push({ kernel: 'Conv2D (forward, for scale)', shape, run: () => tf.conv2d(x, filter, 2, 'same') });
    cases.push({
      kernel: 'Conv2DBackpropFilter',
      shape,
      run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }) as tf.Tensor,
    });
    cases.push({
      kernel: 'Conv2DBackpropInput',
      shape,
      run: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape }) as tf.Tensor,
    });
  }
  return cases;
}

function matMulAndComparisonCases(inputs: tf.Tensor[]): Case[] {
  const a = tf.randomUniform([512, 512], -1, 1, 'float32', 4);
  const b = tf.randomUniform([512, 512], -1, 1, 'float32', 5);
  const x = tf.randomUniform([256, 4096], -1, 1, 'float32', 6);
  const rowMax = tf.max(x, 1, true);
  inputs.push(a, b, x, rowMax);
  return [
    { kernel: 'BatchMatMul transposeA', shape: '512x512 by 512x512', run: () => tf.matMul(a, b, true, false) },
    { kernel: 'BatchMatMul transposeB', shape: '512x512 by 512x512', run: () => tf.matMul(a, b, false, true) },
    { kernel: 'Equal (broadcast)', shape: '256x4096 with 256x1', run: () => tf.equal(x, rowMax) },
  ];
}

/**
 * Time every case with the shipped kernels and with the replacements; the wasm backend must be
 * active. Leaves the replacements installed.
 */
export function benchmarkWasmFixes(repeats = 5): WasmBenchmarkRow[] {
  if (tf.getBackend() !== 'wasm') throw new Error(`benchmarkWasmFixes needs the wasm backend; the active backend is ${tf.getBackend()}`);
  const inputs: tf.Tensor[] = [];
  try {
    const cases = [...convolutionCases(inputs), ...matMulAndComparisonCases(inputs)];

    uninstallWasmFixes();
    const shippedTimes = cases.map((benchmarkCase) => {
      const kernelName = benchmarkCase.kernel.split(' ')[0] ?? '';
      return tf.getKernel(kernelName, 'wasm') === undefined ? null : fastestMs(benchmarkCase.run, repeats);
    });
    installWasmFixes();

    return cases.map((benchmarkCase, index) => ({
      kernel: benchmarkCase.kernel,
      shape: benchmarkCase.shape,
      shippedMs: shippedTimes[index] ?? null,
      replacementMs: fastestMs(benchmarkCase.run, repeats),
    }));
  } finally {
    installWasmFixes();
    tf.dispose(inputs);
  }
}
