/**
 * One replica of the data-parallel step, run inside a replica worker: an encoder and an Adam
 * optimizer that every worker creates from the same seed or weights, and the step that keeps
 * them identical.
 *
 * Each worker embeds only its block of the batch's rows. InfoNCE couples all rows, so inside the
 * gradient function the worker publishes its embeddings in shared memory, waits for the others',
 * and computes the full masked loss with the other blocks as constants. The gradient of that loss
 * with respect to this worker's parameters, through its own rows only, is this block's share of
 * the full gradient, and the shares sum to the gradient of the single-thread step. The workers
 * sum the shares through shared memory in a fixed order and apply the same Adam update.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Encoder } from '../encoder.js';
import { infoNceLoss } from '../infonce.js';
import { weightedInfoNceLoss } from '../objectives/hard-negatives.js';
import { createOptimizer } from '../optimizer.js';
import { readAdamState, restoreAdamState, type AdamState } from './adam-state.js';
import { arriveAndWait, sumSlots } from './barrier.js';
import type { ReplicaInit, StepRequest } from './protocol.js';

/**
 * How long a worker waits at a barrier for the others. A failing worker or the coordinator sets
 * the aborted flag at once, so this limit only ends the wait for a worker that hangs.
 */
const BARRIER_TIMEOUT_MS = 120_000;

export interface ReplicaStepResult {
  loss: number;
  rowsWithoutNegatives: number;
}

export class Replica {
  readonly encoder: Encoder;
  readonly parameterCount: number;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly control: Int32Array;
  private readonly names: string[];
  private readonly variables: tf.Variable[];

  /** Creates a replica from the seed or weights of `init`, with Adam's state restored when given. */
  static async create(init: ReplicaInit): Promise<Replica> {
    const replica = new Replica(init);
    try {
      if (init.optimizerState !== undefined) await restoreAdamState(replica.optimizer, init.optimizerState, replica.encoder.variables);
    } catch (error) {
      replica.dispose();
      throw error;
    }
    return replica;
  }

  private constructor(private readonly init: ReplicaInit) {
    const options: { seed: number; weights?: Map<string, Float32Array> } = { seed: init.seed };
    if (init.weights !== undefined) options.weights = init.weights;
    this.encoder = Encoder.create(init.encoderConfig, options);
    this.optimizer = createOptimizer(init.learningRate);
    this.control = new Int32Array(init.control);
    this.names = [...this.encoder.variables.keys()];
    this.variables = [...this.encoder.variables.values()];
    this.parameterCount = this.encoder.parameterCount;
  }

  /** Runs this replica's part of one Adam step. Every worker must call it with the same batch. */
  step(request: StepRequest): ReplicaStepResult {
    const { views, rowStart, rowEnd } = request;
    const { imageHeight: height, imageWidth: width, embeddingDim: dimension } = this.encoder.config;
    const sharedEmbeddings = new Float32Array(request.buffers.embeddings, 0, views * dimension);
    const pixelsPerImage = height * width;

    // A private copy, because the tensor may read its data after the coordinator reuses the buffer.
    const ownPixels = new Float32Array(request.buffers.pixels, rowStart * pixelsPerImage * 4, (rowEnd - rowStart) * pixelsPerImage).slice();
    const images = tf.tensor4d(ownPixels, [rowEnd - rowStart, height, width, 1]);

    let rowsWithoutNegatives = 0;
    const { value, grads } = tf.variableGrads(() => {
      const own = this.encoder.embedUnnormalized(images);
      sharedEmbeddings.set(own.dataSync(), rowStart * dimension);
      arriveAndWait(this.control, this.init.workers, BARRIER_TIMEOUT_MS);

      // Tensors built from the shared values are constants, so gradients flow through this block only.
      const blocks: tf.Tensor2D[] = [];
      if (rowStart > 0) blocks.push(tf.tensor2d(sharedEmbeddings.slice(0, rowStart * dimension), [rowStart, dimension]));
      blocks.push(own);
      if (rowEnd < views) blocks.push(tf.tensor2d(sharedEmbeddings.slice(rowEnd * dimension, views * dimension), [views - rowEnd, dimension]));
      const embeddings = blocks.length === 1 ? own : tf.concat2d(blocks, 0);

      const inputs = { anchors: embeddings, candidates: embeddings, positives: request.positives, validNegatives: request.validNegatives, temperature: this.init.temperature };
      const result = request.negativeWeights === undefined ? infoNceLoss(inputs) : weightedInfoNceLoss({ ...inputs, negativeWeights: request.negativeWeights });
      rowsWithoutNegatives = result.rowsWithoutNegatives;
      return result.loss;
    }, this.variables);
    images.dispose();

    const loss = value.dataSync()[0] ?? Number.NaN;
    value.dispose();
    const summed = this.init.workers === 1 ? grads : this.allReduce(grads, request.buffers.gradients);
    // Parameter order, as minimize() uses, so that Adam's moments are in the order checkpoints expect.
    this.optimizer.applyGradients(this.variables.map((variable) => ({ name: variable.name, tensor: summed[variable.name]! })));
    tf.dispose(grads);
    if (summed !== grads) tf.dispose(summed);
    return { loss, rowsWithoutNegatives };
  }

  /** Replaces this worker's gradients by the sum of every worker's, through the shared gradient buffer. */
  private allReduce(grads: tf.NamedTensorMap, buffer: SharedArrayBuffer): tf.NamedTensorMap {
    const shared = new Float32Array(buffer, 0, this.init.workers * this.parameterCount);
    let offset = this.init.rank * this.parameterCount;
    for (const variable of this.variables) {
      const gradient = grads[variable.name];
      if (gradient === undefined) throw new Error(`No gradient for parameter ${variable.name}`);
      shared.set(gradient.dataSync(), offset);
      offset += variable.size;
    }
    arriveAndWait(this.control, this.init.workers, BARRIER_TIMEOUT_MS);

    const total = new Float32Array(this.parameterCount);
    sumSlots(shared, this.init.workers, total);
    const summed: tf.NamedTensorMap = {};
    offset = 0;
    for (const variable of this.variables) {
      summed[variable.name] = tf.tensor(total.subarray(offset, offset + variable.size), variable.shape, 'float32');
      offset += variable.size;
    }
    return summed;
  }

  /** Copies the current weights out of the backend, by parameter name. */
  readWeights(): Map<string, Float32Array> {
    const weights = new Map<string, Float32Array>();
    this.names.forEach((name, position) => weights.set(name, this.variables[position]!.dataSync() as Float32Array));
    return weights;
  }

  /** Reads Adam's state, or returns undefined before the first step. */
  readOptimizerState(): Promise<AdamState | undefined> {
    return readAdamState(this.optimizer, this.encoder.variables);
  }

  dispose(): void {
    this.encoder.dispose();
    this.optimizer.dispose();
  }
}

