// Backend choice: the order of trial, the handling of packages that fail to load, and the state
// (threads, gradients, kernel fixes) the engine is left in.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { BACKEND_NAMES, chooseBackend, initBackend } from '../../src/train/backend.js';

/** Import a package, failing for the native ones as a half-installed tfjs-node does: a plain Error without a code. */
function withoutNativePackages(name: string): Promise<unknown> {
  if (name === '@tensorflow/tfjs-node-gpu') return Promise.reject(new Error("Cannot find module '@tensorflow/tfjs-node-gpu'"));
  if (name === '@tensorflow/tfjs-node') {
    return Promise.reject(new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions..node'));
  }
  return import(name);
}

describe('chooseBackend', () => {
  it('falls back to wasm when the native packages fail to load', async () => {
    const info = await chooseBackend({ importModule: withoutNativePackages });

    expect(info.name).toBe('wasm');
    expect(info.engineName).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.attempts).toEqual([
      { backend: 'tfjs-node-gpu', loaded: false, error: "Cannot find module '@tensorflow/tfjs-node-gpu'" },
      { backend: 'tfjs-node', loaded: false, error: 'libtensorflow.so.2: cannot open shared object file: No such file or directory' },
      { backend: 'wasm', loaded: true },
    ]);
    expect(info.replacedKernels).toContain('Conv2DBackpropFilter');
  });

  it('runs wasm on one thread', async () => {
    await chooseBackend({ preferred: 'wasm', importModule: withoutNativePackages });

    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    expect(getThreadsCount()).toBe(1);
  });

  it('tries the preferred backend first', async () => {
    const info = await chooseBackend({ preferred: 'cpu', importModule: withoutNativePackages });

    expect(info.name).toBe('cpu');
    expect(info.attempts).toEqual([{ backend: 'cpu', loaded: true }]);
    expect(info.replacedKernels).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('registers the gradients that tfjs-core lacks', async () => {
    await chooseBackend({ preferred: 'cpu', importModule: withoutNativePackages });

    for (const kernel of ['Conv2D', 'BatchMatMul', 'Max', 'Sum', 'Relu']) expect(tf.getGradient(kernel), kernel).toBeDefined();
    const gradient = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, -2, 3])).arraySync());
    expect(gradient).toEqual([2, -4, 6]);
  });

  it('rejects an unknown backend name', async () => {
    const attempt = chooseBackend({ preferred: 'webgpu', importModule: withoutNativePackages });

    await expect(attempt).rejects.toBeInstanceOf(ApronError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-input', message: 'Unknown TensorFlow.js backend "webgpu"' });
  });

  it('reports a missing gradients package as backend-unavailable', async () => {
    const importModule = (name: string): Promise<unknown> =>
      name === '@tensorflow/tfjs' ? Promise.reject(new Error("Cannot find package '@tensorflow/tfjs'")) : withoutNativePackages(name);

    await expect(chooseBackend({ importModule })).rejects.toMatchObject({
      code: 'backend-unavailable',
      message: "Cannot load @tensorflow/tfjs, which provides the gradients for training: Cannot find package '@tensorflow/tfjs'",
    });
  });
});

describe('initBackend', () => {
  it('returns the first result on every later call', async () => {
    const first = await initBackend();
    const second = await initBackend({ preferred: 'cpu' });

    expect(second).toBe(first);
    expect(BACKEND_NAMES).toContain(first.name);
    expect(tf.getBackend()).toBe(first.engineName);
    // Every backend tried before the chosen one failed, with a reason.
    for (const attempt of first.attempts.slice(0, -1)) {
      expect(attempt.loaded).toBe(false);
      expect(attempt.error).toBeTruthy();
    }
  });
});
