/**
 * Comparison kernels (Equal, Greater, ...) for the wasm backend that broadcast their operands first.
 *
 * tfjs-backend-wasm 4.22 compares operands of different shapes on a slow generic path, while its
 * Add broadcasts fast. The gradient of `max` (and so of `logSumExp`) compares x with its broadcast
 * maximum. Adding a zero tensor broadcasts without changing a value: x + 0 keeps infinities and
 * NaN, and -0 + 0 = +0, which compares equal to -0 as before.
 *
 * Measured with wasm-benchmark.ts on x [256, 4096] against its row max [256, 1], in two runs: the
 * shipped Equal takes 106-149 ms, this one 5.4-5.7 ms (18-27x). Conditions: Node 20, one wasm
 * thread, a 2-core machine shared with other jobs, fastest of 7 runs.
 */
import { backend_util, type DataType, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { withKernelScope, type KernelTable } from './wasm-kernel-scope.js';

export const COMPARISON_KERNELS = ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'] as const;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

function isNumeric(dtype: DataType): boolean {
  return dtype === 'float32' || dtype === 'int32';
}

/** Wrap the shipped comparison `original` so that it only ever receives operands of one shape. */
export function broadcastComparisonConfig(kernelName: string, original: KernelConfig, kernels: KernelTable): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    // Booleans cannot go through Add, and mixed dtypes keep the shipped kernel's own handling.
    if (sameShape(a.shape, b.shape) || a.dtype !== b.dtype || !isNumeric(a.dtype)) return original.kernelFunc(args);

    return withKernelScope(args.backend, kernels, (scope) => {
      const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const zeros = scope.run('Fill', {}, { shape, value: 0, dtype: a.dtype });
      const fullA = sameShape(a.shape, shape) ? a : scope.run('Add', { a, b: zeros });
      const fullB = sameShape(b.shape, shape) ? b : scope.run('Add', { a: b, b: zeros });
      const output = original.kernelFunc({ ...args, inputs: { a: fullA, b: fullB } });
      if (Array.isArray(output)) throw new Error(`${kernelName} returned several outputs where one was expected`);
      return output;
    });
  };

  const config: KernelConfig = { kernelName, backendName: 'wasm', kernelFunc };
  if (original.setupFunc !== undefined) config.setupFunc = original.setupFunc;
  if (original.disposeFunc !== undefined) config.disposeFunc = original.disposeFunc;
  return config;
}
