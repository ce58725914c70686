/**
 * Embeds every image of a stack with a trained encoder: N x D unit vectors in manifest order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../core/errors.js';
import type { ImageStack } from '../dataset/images.js';
import { initBackend } from '../train/backend.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import type { Encoder } from '../train/encoder.js';

export interface EmbedOptions {
  /** Images per forward pass (default 128). Larger batches run faster, up to memory limits. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Embeddings {
  /** Row-major N x dimension float32 unit vectors, in the stack's (manifest) order. */
  vectors: Float32Array;
  dimension: number;
}

/**
 * Embeds `stack` with the encoder of a checkpoint folder or with an encoder already loaded. A
 * checkpoint loaded here is disposed afterwards, while a passed encoder is left to its owner.
 */
export async function embedStack(source: string | Encoder, stack: ImageStack, options: EmbedOptions = {}): Promise<Embeddings> {
  await initBackend();
  const loaded = typeof source === 'string' ? await loadCheckpoint(source) : undefined;
  const encoder = loaded?.state.encoder ?? (source as Encoder);
  try {
    return await embedWith(encoder, stack, options);
  } finally {
    if (loaded !== undefined) {
      loaded.state.encoder.dispose();
      loaded.state.optimizer.dispose();
    }
  }
}

async function embedWith(encoder: Encoder, stack: ImageStack, options: EmbedOptions): Promise<Embeddings> {
  const { imageWidth, imageHeight, embeddingDim } = encoder.config;
  if (stack.width !== imageWidth || stack.height !== imageHeight) {
    throw new ApronError('invalid-input', `The encoder takes ${imageWidth}x${imageHeight} images but the stack is ${stack.width}x${stack.height}`, {
      hint: `Load the image stack at ${imageWidth}x${imageHeight} (the checkpoint's imageSize).`,
    });
  }
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ApronError('invalid-input', `Embedding batch size must be a positive integer, got ${batchSize}`);
  }

  const pixels = imageWidth * imageHeight;
  const vectors = new Float32Array(stack.count * embeddingDim);
  for (let start = 0; start < stack.count; start += batchSize) {
    if (options.signal?.aborted === true) throw new ApronError('cancelled', 'Embedding was cancelled');
    const count = Math.min(batchSize, stack.count - start);
    const batchPixels = Float32Array.from(stack.data.subarray(start * pixels, (start + count) * pixels));
    const output = tf.tidy(() => encoder.embed(tf.tensor4d(batchPixels, [count, imageHeight, imageWidth, 1])));
    vectors.set((await output.data()) as Float32Array, start * embeddingDim);
    output.dispose();
    options.onProgress?.(start + count, stack.count);
  }
  return { vectors, dimension: embeddingDim };
}
