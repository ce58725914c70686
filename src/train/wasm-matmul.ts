/**
 * BatchMatMul and _FusedMatMul for the wasm backend with transposed operands made explicit.
 *
 * tfjs-backend-wasm 4.22 multiplies on XNNPACK only when neither operand is transposed, and on a
 * slow path otherwise. Every matMul gradient has a transposed operand (dA = dC B^T, dB = A^T dC),
 * so this wrapper transposes the operand with the Transpose kernel and runs the fast path.
 *
 * Measured with wasm-benchmark.ts on 512x512 by 512x512, in two runs: with transposeA the shipped
 * kernel takes 283-398 ms and this one 10 ms (28-39x). With transposeB it is 119-170 ms against
 * 11 ms (10-16x). Conditions: Node 20, one wasm thread, a 2-core machine shared with other jobs,
 * fastest of 7 runs.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { withKernelScope, type KernelTable } from './wasm-kernel-scope.js';

function swapLastTwoAxes(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Wrap the shipped `original` kernel so that it always runs with both transpose flags off. */
export function explicitTransposeMatMulConfig(kernelName: 'BatchMatMul' | '_FusedMatMul', original: KernelConfig, kernels: KernelTable): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    if (!transposeA && !transposeB) return original.kernelFunc(args);

    return withKernelScope(backend, kernels, (scope) => {
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      const plainA = transposeA ? scope.run('Transpose', { x: a }, { perm: swapLastTwoAxes(a.shape.length) }) : a;
      const plainB = transposeB ? scope.run('Transpose', { x: b }, { perm: swapLastTwoAxes(b.shape.length) }) : b;
      // Other inputs (bias, PReLU weights) and attributes (activation) pass through unchanged.
      const output = original.kernelFunc({
        inputs: { ...inputs, a: plainA, b: plainB },
        attrs: { ...attrs, transposeA: false, transposeB: false },
        backend,
      });
      if (Array.isArray(output)) throw new Error(`${kernelName} returned several outputs where one was expected`);
      return output;
    });
  };

  // The shipped setup binds the wasm function that `original.kernelFunc` calls; keeping it lets a
  // re-initialised backend bind it again.
  const config: KernelConfig = { kernelName, backendName: 'wasm', kernelFunc };
  if (original.setupFunc !== undefined) config.setupFunc = original.setupFunc;
  if (original.disposeFunc !== undefined) config.disposeFunc = original.disposeFunc;
  return config;
}
