/**
 * Symmetric cross-modal InfoNCE, as in CLIP, between the embeddings of two
 * modalities of the same N samples, with a learnable temperature.
 *
 * Row i of `a` and row i of `b` are a positive pair. The a -> b direction scores each a_i against
 * every b_j with mask[i][j]. The b -> a direction scores each b_j against every a_i, so it uses the
 * transposed mask. The loss is the mean of the two directions.
 *
 * The temperature is stored as the log of the logit scale (1 / temperature), initialised to
 * log(1 / 0.07) = 2.6592, the `logit_scale_init_value` of the released CLIP model configurations. The forward pass uses min(logScale, log 100), so the scale never
 * exceeds 100 even between an optimizer step and the clamp, and `clampAfterStep` writes the clamped
 * value back so the variable does not drift beyond it. The log scale is excluded from weight decay.
 */
import * as tf from '@tensorflow/tfjs-core';
import { positiveMask, type InfoNceResult, type Positives } from '../infonce.js';
import { l2Normalize } from '../encoder.js';
import { infoNceFromLogits } from './logit-infonce.js';

/** Initial temperature of CLIP. */
export const INITIAL_TEMPERATURE = 0.07;
/** Largest logit scale (1 / temperature), so the temperature never falls below 0.01. */
export const MAX_LOGIT_SCALE = 100;

const MAX_LOG_SCALE = Math.log(MAX_LOGIT_SCALE);

let scaleCount = 0;

/** A learnable logit scale, stored as its logarithm in a tf.Variable. */
export class LogitScale {
  readonly variable: tf.Variable<tf.Rank.R0>;
  /** Always true: decaying the log scale towards 0 would pull the temperature towards 1. */
  readonly excludeFromWeightDecay = true;

  constructor(name: string, initialTemperature = INITIAL_TEMPERATURE) {
    if (!(initialTemperature > 0) || 1 / initialTemperature > MAX_LOGIT_SCALE) {
      throw new Error(`The initial temperature must be at least ${1 / MAX_LOGIT_SCALE}, got ${initialTemperature}`);
    }
    const initial = tf.scalar(Math.log(1 / initialTemperature));
    // TensorFlow.js registers variable names globally; the counter lets several runs coexist.
    this.variable = tf.variable(initial, true, `logit-scale${++scaleCount}/${name}`);
    initial.dispose();
  }

  /**
   * Returns exp(min(logScale, log 100)), the scale the forward pass uses. Call it inside tf.tidy.
   * The outer minimum with 100 catches float32 rounding: exp of log(100) in float32 is 100.00001.
   */
  scale(): tf.Scalar {
    return tf.minimum(tf.exp(tf.minimum(this.variable, tf.scalar(MAX_LOG_SCALE))), tf.scalar(MAX_LOGIT_SCALE)) as tf.Scalar;
  }

  /** Returns the temperature (1 / clamped scale) as a number. */
  temperature(): number {
    const logScale = this.variable.dataSync()[0] ?? Math.log(1 / INITIAL_TEMPERATURE);
    return 1 / Math.min(Math.exp(Math.min(logScale, MAX_LOG_SCALE)), MAX_LOGIT_SCALE);
  }

  /** Writes min(logScale, log 100) back into the variable. Call it after every optimizer step. */
  clampAfterStep(): void {
    tf.tidy(() => this.variable.assign(tf.minimum(this.variable, tf.scalar(MAX_LOG_SCALE))));
  }

  dispose(): void {
    this.variable.dispose();
  }
}

/**
 * One logit scale per modality pair, keyed by the two modality names in sorted order
 * ('camera|lidar'), because the symmetric loss does not depend on which modality is `a`.
 */
export class LogitScales {
  private readonly scales = new Map<string, LogitScale>();

  static keyOf(modalityA: string, modalityB: string): string {
    if (modalityA === modalityB) throw new Error(`A cross-modal pair needs two different modalities, got "${modalityA}" twice`);
    return [modalityA, modalityB].sort().join('|');
  }

  /** Returns the pair's scale, creating it at the initial temperature on first use. */
  get(modalityA: string, modalityB: string): LogitScale {
    const key = LogitScales.keyOf(modalityA, modalityB);
    let scale = this.scales.get(key);
    if (scale === undefined) {
      scale = new LogitScale(key);
      this.scales.set(key, scale);
    }
    return scale;
  }

  /** Returns the variables to pass to the optimizer, by pair key. */
  variables(): Map<string, tf.Variable> {
    return new Map([...this.scales].map(([key, scale]) => [key, scale.variable]));
  }

  /** Returns the names of the variables that weight decay must skip: every log scale. */
  weightDecayExclusions(): string[] {
    return [...this.scales.values()].map((scale) => scale.variable.name);
  }

  /** Returns each pair's current temperature, for the run log and monitors. */
  temperatures(): Record<string, number> {
    return Object.fromEntries([...this.scales].map(([key, scale]) => [key, scale.temperature()]));
  }

  clampAfterStep(): void {
    for (const scale of this.scales.values()) scale.clampAfterStep();
  }

  dispose(): void {
    for (const scale of this.scales.values()) scale.dispose();
    this.scales.clear();
  }
}

export interface ClipInputs {
  /** N x D embeddings of modality a. They need not be unit length. */
  a: tf.Tensor2D;
  /** N x D embeddings of modality b, row i from the same sample as row i of `a`. */
  b: tf.Tensor2D;
  /** Row-major N x N, 1 where b_j may be a negative for a_i. Absent means every j != i. */
  validNegatives?: Uint8Array;
  /** The a -> b positives. Absent means the diagonal. The b -> a positives are their transpose. */
  positives?: Positives;
  logitScale: LogitScale;
}

export interface ClipResult {
  /** Mean of the two directions. */
  loss: tf.Scalar;
  aToB: InfoNceResult;
  bToA: InfoNceResult;
}

/** Transposes a row-major rows x columns matrix. */
export function transposeMask<T extends Uint8Array | Float32Array>(mask: T, rows: number, columns: number): T {
  const transposed = new (mask.constructor as new (length: number) => T)(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < columns; k++) transposed[k * rows + i] = mask[i * columns + k] ?? 0;
  }
  return transposed;
}

/**
 * Computes the symmetric CLIP loss. Call it inside tf.tidy or an optimizer's loss function, which
 * frees the three returned scalars (`loss` and each direction's loss) unless they are returned.
 */
export function clipLoss(inputs: ClipInputs): ClipResult {
  const [rows, dimension] = inputs.a.shape;
  const [rowsB, dimensionB] = inputs.b.shape;
  if (rows !== rowsB || dimension !== dimensionB) {
    throw new Error(`Modality embeddings must have the same shape, got ${rows} x ${dimension} and ${rowsB} x ${dimensionB}`);
  }
  const validNegatives = inputs.validNegatives ?? offDiagonal(rows);
  const positives = positiveMask(inputs.positives ?? Int32Array.from({ length: rows }, (_, i) => i), rows, rows);

  let aToB: InfoNceResult | undefined;
  let bToA: InfoNceResult | undefined;
  const [loss, aToBLoss, bToALoss] = tf.tidy(() => {
    const similarity = tf.matMul(l2Normalize(inputs.a), tf.transpose(l2Normalize(inputs.b)));
    const logits = tf.mul(similarity, inputs.logitScale.scale()) as tf.Tensor2D;
    aToB = infoNceFromLogits({ logits, positives: { mask: positives }, validNegatives });
    bToA = infoNceFromLogits({
      logits: tf.transpose(logits),
      positives: { mask: transposeMask(positives, rows, rows) },
      validNegatives: transposeMask(validNegatives, rows, rows),
    });
    return [tf.mul(tf.add(aToB.loss, bToA.loss), 0.5) as tf.Scalar, aToB.loss, bToA.loss];
  });
  if (aToB === undefined || bToA === undefined || loss === undefined || aToBLoss === undefined || bToALoss === undefined) {
    throw new Error('clipLoss: the loss was not computed');
  }
  return { loss, aToB: { ...aToB, loss: aToBLoss }, bToA: { ...bToA, loss: bToALoss } };
}

function offDiagonal(size: number): Uint8Array {
  const mask = new Uint8Array(size * size).fill(1);
  for (let i = 0; i < size; i++) mask[i * size + i] = 0;
  return mask;
}
