/**
 * Conv2DBackpropFilter for the wasm backend, which tfjs-backend-wasm 4.22 does not register (any
 * convolutional training step there fails with "Kernel 'Conv2DBackpropFilter' not registered").
 *
 * The filter gradient is itself a convolution. For a forward convolution with stride s,
 *   dW[a, b, ci, co] = sum over n, i, j of x[n, s*i + a - top, s*j + b - left, ci] * dy[n, i, j, co],
 * which is a stride-1 convolution with dilation s of the input, with batch and channels swapped
 * (ci becomes the batch, n the input channel), by the output gradient used as a filter
 * (dy as [Ho, Wo, n, co]). That runs on the backend's fast XNNPACK convolution.
 *
 * Measured with wasm-benchmark.ts on the default encoder's four layers at batch 128, in two runs:
 * 19-35 ms per layer, against 4-18 ms for the forward convolution of the same layer. Conditions:
 * Node 20, one wasm thread, a 2-core machine shared with other jobs, fastest of 7 runs.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { withKernelScope, type KernelTable } from './wasm-kernel-scope.js';

type Shape4 = [number, number, number, number];

export function conv2dBackpropFilterConfig(kernels: KernelTable): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') {
      throw new Error('Conv2DBackpropFilter on wasm supports NHWC only; transpose the input to channels-last first');
    }
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');

    return withKernelScope(backend, kernels, (scope) => {
      // Rows (columns) past the last one a filter tap reaches are not used; crop them so that the
      // bottom (right) padding below is never negative.
      const usedHeight = Math.min(info.inHeight, (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.padInfo.top);
      const usedWidth = Math.min(info.inWidth, (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.padInfo.left);
      let input = x;
      if (usedHeight < info.inHeight || usedWidth < info.inWidth) {
        input = scope.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [info.batchSize, usedHeight, usedWidth, info.inChannels] });
      }

      const inputAsBatch = scope.run('Transpose', { x: input }, { perm: [3, 1, 2, 0] });
      const gradientAsFilter = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });

      // Output size = padded input - (dilated filter extent) + 1 = filter size, which fixes bottom/right.
      const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - usedHeight - info.padInfo.top;
      const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - usedWidth - info.padInfo.left;
      const explicitPad = [
        [0, 0],
        [info.padInfo.top, bottom],
        [info.padInfo.left, right],
        [0, 0],
      ];
      const correlation = scope.run(
        'Conv2D',
        { x: inputAsBatch, filter: gradientAsFilter },
        {
          strides: [1, 1],
          dilations: [info.strideHeight, info.strideWidth],
          pad: explicitPad,
          dataFormat: 'NHWC',
        },
      );

      // [ci, a, b, co] -> [a, b, ci, co]
      return scope.run('Transpose', { x: correlation }, { perm: [1, 2, 0, 3] });
    });
  };

  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc };
}
