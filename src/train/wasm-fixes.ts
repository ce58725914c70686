/**
 * Kernels that make convolutional training work, and run fast, on tfjs-backend-wasm 4.22:
 * - Conv2DBackpropFilter, which the backend lacks (wasm-conv-backprop-filter.ts);
 * - Conv2DBackpropInput, whose shipped version is a naive loop (wasm-conv-backprop-input.ts);
 * - BatchMatMul and _FusedMatMul with transposed operands (wasm-matmul.ts);
 * - comparisons of broadcast operands, used by the gradient of max (wasm-compare.ts).
 * test/unit/wasm-kernels.test.ts checks each against the cpu backend, and wasm-benchmark.ts
 * measures each against the shipped kernel.
 *
 * Together they halve a training step: 249 ms per step with every fix, 541 ms with only the
 * missing Conv2DBackpropFilter added. The encoder measured has four stride-2 3x3 convolutions (16
 * to 128 channels, ReLU), mean pooling and two dense layers, trained with an InfoNCE loss and Adam
 * on batches of 128 64x64 images. Conditions: Node 20, one wasm thread, a 2-core machine shared
 * with other jobs, fastest of 5 steps.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { createLogger } from '../core/log.js';
import { broadcastComparisonConfig, COMPARISON_KERNELS } from './wasm-compare.js';
import { conv2dBackpropFilterConfig } from './wasm-conv-backprop-filter.js';
import { conv2dBackpropInputConfig } from './wasm-conv-backprop-input.js';
import { BUILDING_BLOCK_KERNELS, captureKernels } from './wasm-kernel-scope.js';
import { explicitTransposeMatMulConfig } from './wasm-matmul.js';

const log = createLogger('train');

/** The shipped kernels that the replacements took the place of; undefined where wasm had none. */
const shipped = new Map<string, KernelConfig | undefined>();

function replaceKernel(config: KernelConfig): void {
  const current = getKernel(config.kernelName, config.backendName);
  if (!shipped.has(config.kernelName)) shipped.set(config.kernelName, current);
  // Unregistering first avoids tfjs' "already registered" warning.
  if (current !== undefined) unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

function shippedKernel(name: string): KernelConfig {
  const config = getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`Kernel ${name} is not registered for the wasm backend; is @tensorflow/tfjs-backend-wasm 4.22 installed?`);
  return config;
}

/**
 * Register the replacement kernels for the wasm backend and return their names. Call it after the
 * wasm backend is initialised, because the wrapped kernels need their setup to have run.
 * Idempotent: a second call changes nothing and returns the same names.
 */
export function installWasmFixes(): string[] {
  if (shipped.size > 0) return [...shipped.keys()];

  // Captured before any replacement, so that replacements compose the shipped kernels only.
  const kernels = captureKernels('wasm', BUILDING_BLOCK_KERNELS);
  const replacements: KernelConfig[] = [
    conv2dBackpropFilterConfig(kernels),
    conv2dBackpropInputConfig(kernels),
    explicitTransposeMatMulConfig('BatchMatMul', shippedKernel('BatchMatMul'), kernels),
    explicitTransposeMatMulConfig('_FusedMatMul', shippedKernel('_FusedMatMul'), kernels),
    ...COMPARISON_KERNELS.map((name) => broadcastComparisonConfig(name, shippedKernel(name), kernels)),
  ];
  for (const config of replacements) replaceKernel(config);

  const names = [...shipped.keys()];
  log.debug(`replaced wasm kernels: ${names.join(', ')}`);
  return names;
}

/** Put the shipped kernels back (and remove Conv2DBackpropFilter); for benchmarks and tests. */
export function uninstallWasmFixes(): void {
  for (const [name, original] of shipped) {
    if (getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
    if (original !== undefined) registerKernel(original);
  }
  shipped.clear();
}
