// The wasm kernel replacements of src/train/wasm-fixes.ts, each checked against the cpu backend.
// Relative error is the largest absolute difference divided by the largest magnitude of the cpu
// result, so that entries near zero do not inflate it.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { installWasmFixes } from '../../src/train/wasm-fixes.js';

const TOLERANCE = 1e-5;

/** Deterministic values in [-1, 1] that are not a simple pattern, from the element index and a salt. */
function values(count: number, salt: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.731 + salt * 1.37) * Math.cos(i * 0.0173 + salt));
}

function sizeOf(shape: number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Run `compute` on one backend and copy its outputs out. */
function onBackend(backend: 'cpu' | 'wasm', compute: () => tf.Tensor | tf.Tensor[]): Array<Float32Array | Int32Array | Uint8Array> {
  tf.setBackend(backend);
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const copies = outputs.map((tensor) => tensor.dataSync().slice());
  tf.dispose(outputs);
  return copies;
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let largestDifference = 0;
  let largestMagnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    largestDifference = Math.max(largestDifference, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
    largestMagnitude = Math.max(largestMagnitude, Math.abs(expected[i] ?? 0));
  }
  return largestMagnitude === 0 ? largestDifference : largestDifference / largestMagnitude;
}

/** Compare wasm against cpu output by output. */
function expectWasmMatchesCpu(compute: () => tf.Tensor | tf.Tensor[]): void {
  const cpu = onBackend('cpu', compute);
  const wasm = onBackend('wasm', compute);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((expected, index) => {
    const actual = wasm[index]!;
    expect(actual.length).toBe(expected.length);
    expect(relativeError(actual, expected)).toBeLessThan(TOLERANCE);
  });
}

interface Geometry {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid';
}

// Odd and even sizes, strides 1 to 3 (also unequal), filters smaller than, equal to and larger
// than the stride, and the default encoder's first layer.
const GEOMETRIES: Geometry[] = [
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [1, 10, 11, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' },
  { x: [1, 10, 11, 2], filter: [5, 5, 2, 4], strides: 3, pad: 'same' },
  { x: [1, 10, 11, 2], filter: [2, 2, 2, 4], strides: 3, pad: 'valid' },
  { x: [1, 12, 9, 2], filter: [3, 2, 2, 3], strides: [2, 1], pad: 'same' },
  { x: [1, 7, 7, 1], filter: [1, 1, 1, 2], strides: 2, pad: 'same' },
  { x: [4, 64, 64, 1], filter: [3, 3, 1, 16], strides: 2, pad: 'same' },
];

function describeGeometry(geometry: Geometry): string {
  return `x ${geometry.x.join('x')}, filter ${geometry.filter.join('x')}, strides ${String(geometry.strides)}, ${geometry.pad}`;
}

beforeAll(async () => {
  const info = await initBackend({ preferred: 'wasm' });
  expect(info.name).toBe('wasm');
});

describe('wasm Conv2DBackpropFilter', () => {
  it.each(GEOMETRIES.map((geometry) => [describeGeometry(geometry), geometry] as const))('matches cpu for %s', (_name, geometry) => {
    expectWasmMatchesCpu(() => {
      const x = tf.tensor4d(values(sizeOf(geometry.x), 1), geometry.x);
      const forward = tf.conv2d(x, tf.zeros(geometry.filter) as tf.Tensor4D, geometry.strides, geometry.pad);
      const dy = tf.tensor(values(forward.size, 2), forward.shape);
      const attrs = { strides: geometry.strides, pad: geometry.pad, dataFormat: 'NHWC', filterShape: geometry.filter };
      return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
    });
  });
});

describe('wasm Conv2DBackpropInput', () => {
  it.each(GEOMETRIES.map((geometry) => [describeGeometry(geometry), geometry] as const))('matches cpu for %s', (_name, geometry) => {
    expectWasmMatchesCpu(() => {
      const filter = tf.tensor4d(values(sizeOf(geometry.filter), 3), geometry.filter);
      const forward = tf.conv2d(tf.zeros(geometry.x) as tf.Tensor4D, filter, geometry.strides, geometry.pad);
      const dy = tf.tensor(values(forward.size, 4), forward.shape);
      const attrs = { strides: geometry.strides, pad: geometry.pad, dataFormat: 'NHWC', inputShape: geometry.x };
      return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor;
    });
  });
});

describe('wasm convolution gradients', () => {
  it('match cpu through tf.grads', () => {
    expectWasmMatchesCpu(() => {
      const x = tf.tensor4d(values(2 * 16 * 16 * 4, 5), [2, 16, 16, 4]);
      const filter = tf.tensor4d(values(3 * 3 * 4 * 8, 6), [3, 3, 4, 8]);
      const loss = (input: tf.Tensor, weights: tf.Tensor): tf.Tensor =>
        tf.sum(tf.sin(tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, 2, 'same')));
      return tf.grads(loss)([x, filter]);
    });
  });
});

describe('wasm BatchMatMul', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['transposeA', [7, 5], [7, 3], true, false],
    ['transposeB', [5, 7], [3, 7], false, true],
    ['both transposed', [7, 5], [3, 7], true, true],
    ['batched, transposeA', [2, 6, 4], [2, 6, 3], true, false],
    ['broadcast batch, transposeB', [2, 4, 6], [3, 6], false, true],
  ];
  it.each(cases)('matches cpu with %s', (_name, aShape, bShape, transposeA, transposeB) => {
    expectWasmMatchesCpu(() => {
      const a = tf.tensor(values(sizeOf(aShape), 7), aShape);
      const b = tf.tensor(values(sizeOf(bShape), 8), bShape);
      return tf.matMul(a, b, transposeA, transposeB);
    });
  });

  it('matches cpu in a dense-layer gradient', () => {
    expectWasmMatchesCpu(() => {
      const x = tf.tensor2d(values(6 * 5, 9), [6, 5]);
      const weights = tf.tensor2d(values(5 * 4, 10), [5, 4]);
      return tf.grads((input: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.matMul(input, w))))([x, weights]);
    });
  });
});

describe('wasm _FusedMatMul', () => {
  it('matches cpu with transposeB, bias and relu', () => {
    expectWasmMatchesCpu(() => {
      const a = tf.tensor2d(values(6 * 5, 11), [6, 5]);
      const b = tf.tensor2d(values(4 * 5, 12), [4, 5]);
      const bias = tf.tensor1d(values(4, 13));
      return tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' });
    });
  });
});

describe('wasm comparisons', () => {
  const special = [Infinity, -Infinity, NaN, -0, 0, 1.5, -2, 1.5, 3, NaN, -Infinity, 0];
  const kernels: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['Equal', tf.equal],
    ['NotEqual', tf.notEqual],
    ['Greater', tf.greater],
    ['GreaterEqual', tf.greaterEqual],
    ['Less', tf.less],
    ['LessEqual', tf.lessEqual],
  ];

  it.each(kernels)('%s matches cpu on broadcast float32 with infinities, NaN and -0', (_name, compare) => {
    const compute = (): tf.Tensor[] => {
      const a = tf.tensor2d(special, [3, 4]);
      const column = tf.tensor2d([1.5, -0, Infinity], [3, 1]);
      const row = tf.tensor1d([NaN, 0, 1.5, -Infinity]);
      return [compare(a, column), compare(column, a), compare(a, row), compare(column, row)];
    };
    expect(onBackend('wasm', compute)).toEqual(onBackend('cpu', compute));
  });

  it.each(kernels)('%s matches cpu on broadcast int32', (_name, compare) => {
    const compute = (): tf.Tensor => compare(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), tf.tensor1d([2, 2, 7], 'int32'));
    expect(onBackend('wasm', compute)).toEqual(onBackend('cpu', compute));
  });

  it('give the cpu gradient of max with ties', () => {
    // Row 0 has its maximum 3 twice: both get the upstream gradient, as tfjs defines it.
    const compute = (): tf.Tensor => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.max(x, 1), tf.tensor1d([1, 2]))))(tf.tensor2d([3, 1, 3, -1, 5, 2], [2, 3]));
    const wasm = onBackend('wasm', compute);
    expect(wasm).toEqual(onBackend('cpu', compute));
    expect(Array.from(wasm[0]!)).toEqual([1, 0, 1, 0, 2, 0]);
  });
});

describe('installWasmFixes', () => {
  it('is idempotent and registers the missing filter gradient', () => {
    const first = installWasmFixes();
    const second = installWasmFixes();
    expect(second).toEqual(first);
    expect(first).toEqual([
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'BatchMatMul',
      '_FusedMatMul',
      'Equal',
      'NotEqual',
      'Greater',
      'GreaterEqual',
      'Less',
      'LessEqual',
    ]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('replacements free their intermediate buffers', () => {
    tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor4d(values(2 * 9 * 7 * 3, 14), [2, 9, 7, 3]);
    const filter = tf.tensor4d(values(3 * 3 * 3 * 5, 15), [3, 3, 3, 5]);
    const dy = tf.tensor4d(values(2 * 5 * 4 * 5, 16), [2, 5, 4, 5]);
    const matrix = tf.tensor2d(values(12, 17), [3, 4]);
    const column = tf.tensor2d([1, 2, 3], [3, 1]);
    const buffersBefore = backend.numDataIds();

    const outputs = [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5] }) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 7, 3] }) as tf.Tensor,
      tf.matMul(matrix, matrix, true, false),
      tf.equal(matrix, column),
    ];
    // Exactly one new buffer per output: every intermediate was freed.
    expect(backend.numDataIds()).toBe(buffersBefore + outputs.length);

    tf.dispose([...outputs, x, filter, dy, matrix, column]);
  });
});
