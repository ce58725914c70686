/**
 * Contrastive predictive coding (CPC) over sequences of per-step embeddings.
 *
 * Input: z of shape S x T x D (S sequences of T steps). The context network is causal:
 * c_t = tanh(mean(z_{t-w+1..t}) W_c + b_c), the mean over the last w steps (fewer at the start).
 * For each offset k = 1..K, the prediction W_k c_t is scored against z_{t+k} of the same sequence
 * (the positive) and against negatives drawn from other times and other sequences. Candidates
 * within the neutral window |t' - (t+k)| <= neutralWindow of the same sequence are never
 * negatives: neighbouring steps show nearly the same scene, so they are false negatives.
 *
 * Scores are cosine similarities over a temperature, through infoNceLoss. A mean and one dense
 * layer train fast on the wasm backend, where a recurrent network would run T small steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng.js';
import { infoNceLoss, type InfoNceResult } from '../infonce.js';

export interface CpcConfig {
  /** Dimension D of the step embeddings z_t. */
  embeddingDim: number;
  /** Dimension of the context c_t. */
  contextDim: number;
  /** Steps w averaged by the context network. */
  contextWindow: number;
  /** Largest prediction offset K. */
  maxOffset: number;
}

/** One prediction: from the context at `time` of `sequence`, predict the step `time + offset`. */
export interface CpcAnchor {
  sequence: number;
  time: number;
  offset: number;
}

export interface CpcNegativeOptions {
  sequences: number;
  steps: number;
  anchors: readonly CpcAnchor[];
  /** Negatives drawn per anchor, without replacement. Fewer when fewer candidates are valid. */
  negativesPerAnchor: number;
  /** Steps either side of the positive, in its sequence, that are never negatives. */
  neutralWindow: number;
  rng: Rng;
}

/** Lists every (sequence, time, offset) whose target time t + k lies inside the sequence. */
export function cpcAnchors(sequences: number, steps: number, maxOffset: number): CpcAnchor[] {
  const anchors: CpcAnchor[] = [];
  for (let offset = 1; offset <= maxOffset; offset++) {
    for (let sequence = 0; sequence < sequences; sequence++) {
      for (let time = 0; time + offset < steps; time++) anchors.push({ sequence, time, offset });
    }
  }
  return anchors;
}

/** Returns the flat candidate index (sequence * T + time) of an anchor's positive. */
export function cpcPositiveIndex(anchor: CpcAnchor, steps: number): number {
  return anchor.sequence * steps + anchor.time + anchor.offset;
}

/**
 * Draws negatives for each anchor among the S x T steps, as flat indices sequence * T + time.
 * Steps of the anchor's sequence within the neutral window of its positive, the positive included,
 * are never drawn.
 */
export function sampleCpcNegatives(options: CpcNegativeOptions): number[][] {
  const { sequences, steps, neutralWindow, rng } = options;
  if (!Number.isInteger(neutralWindow) || neutralWindow < 0) throw new Error(`The neutral window must be a non-negative integer, got ${neutralWindow}`);
  const total = sequences * steps;
  return options.anchors.map((anchor) => {
    const target = anchor.time + anchor.offset;
    const pool: number[] = [];
    for (let index = 0; index < total; index++) {
      const sequence = Math.floor(index / steps);
      const time = index % steps;
      if (sequence === anchor.sequence && Math.abs(time - target) <= neutralWindow) continue;
      pool.push(index);
    }
    // Partial Fisher-Yates: the first `count` entries become a uniform draw without replacement.
    const count = Math.min(options.negativesPerAnchor, pool.length);
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(pool.length - i);
      const swap = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = swap;
    }
    return pool.slice(0, count);
  });
}

/** Builds the row-major anchors x (S*T) mask with 1 at each anchor's sampled negatives. */
export function negativeMaskOf(negatives: readonly number[][], candidates: number): Uint8Array {
  const mask = new Uint8Array(negatives.length * candidates);
  negatives.forEach((row, anchor) => {
    for (const index of row) mask[anchor * candidates + index] = 1;
  });
  return mask;
}

let modelCount = 0;

/** The context network and the K prediction matrices, as tf.Variables under stable names. */
export class CpcModel {
  readonly config: CpcConfig;
  /** `cpc/context/kernel`, `cpc/context/bias`, `cpc/predict1/kernel` .. `cpc/predictK/kernel`. */
  readonly variables: Map<string, tf.Variable>;

  constructor(config: CpcConfig, seed = 0) {
    for (const [name, value] of Object.entries(config)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`CPC ${name} must be a positive integer, got ${value}`);
    }
    this.config = config;
    const rng = new Rng(seed);
    const prefix = `cpc${++modelCount}`;
    this.variables = new Map();
    const add = (name: string, shape: [number, number] | [number], fanIn: number): void => {
      const size = shape.reduce((product, dim) => product * dim, 1);
      const values = fanIn === 0 ? new Float32Array(size) : glorotUniform(size, fanIn, shape[shape.length - 1] ?? 1, rng);
      const initial = tf.tensor(values, shape);
      this.variables.set(name, tf.variable(initial, true, `${prefix}/${name}`));
      initial.dispose();
    };
    add('cpc/context/kernel', [config.embeddingDim, config.contextDim], config.embeddingDim);
    add('cpc/context/bias', [config.contextDim], 0);
    for (let offset = 1; offset <= config.maxOffset; offset++) {
      add(`cpc/predict${offset}/kernel`, [config.contextDim, config.embeddingDim], config.contextDim);
    }
  }

  private parameter(name: string): tf.Tensor {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new Error(`CPC model has no parameter ${name}`);
    return variable;
  }

  /** Computes the contexts c_t, S x T x contextDim, from z (S x T x D). Call it inside tf.tidy. */
  context(z: tf.Tensor3D): tf.Tensor3D {
    const [sequences, steps, dimension] = z.shape;
    // Row t of the T x T band matrix averages steps max(0, t-w+1)..t, so the mean is one matMul.
    const band = new Float32Array(steps * steps);
    for (let t = 0; t < steps; t++) {
      const first = Math.max(0, t - this.config.contextWindow + 1);
      for (let u = first; u <= t; u++) band[t * steps + u] = 1 / (t - first + 1);
    }
    const byTime = tf.reshape(tf.transpose(z, [1, 0, 2]), [steps, sequences * dimension]);
    const averaged = tf.transpose(tf.reshape(tf.matMul(tf.tensor2d(band, [steps, steps]), byTime), [steps, sequences, dimension]), [1, 0, 2]);
    const flat = tf.reshape(averaged, [sequences * steps, dimension]);
    const hidden = tf.tanh(tf.add(tf.matMul(flat, this.parameter('cpc/context/kernel') as tf.Tensor2D), this.parameter('cpc/context/bias')));
    return tf.reshape(hidden, [sequences, steps, this.config.contextDim]);
  }

  /** Returns W_k c_t for each anchor, anchors x D, in the anchors' order. Call it inside tf.tidy. */
  predict(contexts: tf.Tensor3D, anchors: readonly CpcAnchor[]): tf.Tensor2D {
    const [sequences, steps, contextDim] = contexts.shape;
    const flat = tf.reshape(contexts, [sequences * steps, contextDim]) as tf.Tensor2D;
    // Rows are picked by one-hot matrices, not tf.gather, because the gradient of gather needs
    // UnsortedSegmentSum, which the wasm backend (TensorFlow.js 4.22) does not have.
    let predictions: tf.Tensor2D | undefined;
    for (let offset = 1; offset <= this.config.maxOffset; offset++) {
      const selection = new Float32Array(anchors.length * sequences * steps);
      let used = false;
      anchors.forEach((anchor, row) => {
        if (anchor.offset < 1 || anchor.offset > this.config.maxOffset) {
          throw new Error(`Offset ${anchor.offset} is outside 1..${this.config.maxOffset}`);
        }
        if (anchor.offset !== offset) return;
        selection[row * sequences * steps + anchor.sequence * steps + anchor.time] = 1;
        used = true;
      });
      if (!used) continue;
      const picked: tf.Tensor2D = tf.matMul(tf.tensor2d(selection, [anchors.length, sequences * steps]), flat);
      const block: tf.Tensor2D = tf.matMul(picked, this.parameter(`cpc/predict${offset}/kernel`) as tf.Tensor2D);
      predictions = predictions === undefined ? block : tf.add<tf.Tensor2D>(predictions, block);
    }
    if (predictions === undefined) throw new Error('CPC needs at least one anchor');
    return predictions;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }
}

export interface CpcLossInputs {
  model: CpcModel;
  /** S x T x D step embeddings. */
  z: tf.Tensor3D;
  anchors: readonly CpcAnchor[];
  /** From sampleCpcNegatives, one list per anchor. */
  negatives: readonly number[][];
  temperature: number;
}

/**
 * Computes the CPC InfoNCE. Call it inside tf.tidy or an optimizer's loss function: the returned
 * scalar is the only tensor the caller has to dispose.
 */
export function cpcLoss(inputs: CpcLossInputs): InfoNceResult {
  const [sequences, steps, dimension] = inputs.z.shape;
  if (dimension !== inputs.model.config.embeddingDim) {
    throw new Error(`The CPC model expects embeddings of dimension ${inputs.model.config.embeddingDim}, got ${dimension}`);
  }
  if (inputs.negatives.length !== inputs.anchors.length) {
    throw new Error(`Expected one negative list per anchor (${inputs.anchors.length}), got ${inputs.negatives.length}`);
  }
  const candidates = sequences * steps;
  const positives = inputs.anchors.map((anchor) => cpcPositiveIndex(anchor, steps));
  const validNegatives = negativeMaskOf(inputs.negatives, candidates);

  let result: InfoNceResult | undefined;
  const loss = tf.tidy(() => {
    const predictions = inputs.model.predict(inputs.model.context(inputs.z), inputs.anchors);
    result = infoNceLoss({
      anchors: predictions,
      candidates: tf.reshape(inputs.z, [candidates, dimension]) as tf.Tensor2D,
      positives,
      validNegatives,
      temperature: inputs.temperature,
    });
    return result.loss;
  });
  if (result === undefined) throw new Error('cpcLoss: the loss was not computed');
  return { ...result, loss };
}

/** Draws Glorot-uniform weights, limit sqrt(6 / (fanIn + fanOut)), from the seeded generator. */
function glorotUniform(size: number, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * limit;
  return values;
}
