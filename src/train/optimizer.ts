/** The optimizer of every training run. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Adam with beta1 0.9, beta2 0.999 and epsilon 1e-7 (the values of Kingma and Ba, and Keras's
 * epsilon). Epsilon is set explicitly because TensorFlow.js otherwise takes the backend's, which
 * differs between backends (1e-7 on cpu and wasm, 1e-4 on WebGL).
 */
export function createOptimizer(learningRate: number): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
}
