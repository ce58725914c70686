/**
 * Hard negatives from reviewers' `different` decisions: batches that contain both samples of
 * decided pairs, and an up-weighting of those pairs inside InfoNCE.
 *
 * A negative n with weight w enters the denominator as w * exp(s_in), which is the same as adding
 * log(w) to its logit inside the negative log-sum-exp:
 *
 *   loss_ip = softplus( logSumExp_{n in N(i)} (s_in + log w_in) - s_ip )
 *
 * So a weight of 2 counts the pair as two copies of that negative, and a weight of 1 changes
 * nothing. The weight acts only on negatives: a positive or a masked pair ignores it. Weights must
 * be positive, because a weight of 0 would be a mask (use validNegatives for that).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../core/rng.js';
import { l2Normalize } from '../encoder.js';
import type { InfoNceInputs, InfoNceResult } from '../infonce.js';
import { infoNceFromLogits } from './logit-infonce.js';

/** Two samples that a reviewer decided are different places, as indices into the sample list. */
export interface DifferentPair {
  a: number;
  b: number;
}

export interface HardNegativeBatchOptions {
  /** Samples that can be drawn, indexed 0..sampleCount-1. */
  sampleCount: number;
  batchSize: number;
  differentPairs: readonly DifferentPair[];
  /** Maximum number of decided pairs per batch. Default: half the batch size, so pairs can fill the whole batch. */
  maxPairs?: number;
  rng: Rng;
}

export interface HardNegativeBatch {
  /** Sample indices of the batch, distinct, in a shuffled order. */
  indices: number[];
  /** Decided pairs whose samples are both in the batch, as row positions into `indices` (row < column). */
  pairs: Array<{ row: number; column: number }>;
}

/**
 * Draws a batch that contains the samples of up to `maxPairs` decided pairs, chosen at random, and
 * fills the rest with other samples drawn uniformly without replacement.
 */
export function sampleHardNegativeBatch(options: HardNegativeBatchOptions): HardNegativeBatch {
  const { sampleCount, batchSize, rng } = options;
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new Error(`The batch size must be an integer of at least 2, got ${batchSize}`);
  if (sampleCount < batchSize) throw new Error(`Cannot draw a batch of ${batchSize} from ${sampleCount} samples; lower the batch size`);
  const maxPairs = options.maxPairs ?? Math.floor(batchSize / 2);

  for (const pair of options.differentPairs) {
    const inRange = (index: number): boolean => Number.isInteger(index) && index >= 0 && index < sampleCount;
    if (!inRange(pair.a) || !inRange(pair.b) || pair.a === pair.b) {
      throw new Error(`The different pair (${pair.a}, ${pair.b}) must name two distinct samples in 0..${sampleCount - 1}`);
    }
  }

  const chosen = new Set<number>();
  let pairsPlaced = 0;
  for (const pair of rng.shuffle([...options.differentPairs])) {
    if (pairsPlaced >= maxPairs) break;
    const missing = (chosen.has(pair.a) ? 0 : 1) + (chosen.has(pair.b) ? 0 : 1);
    if (chosen.size + missing > batchSize) continue;
    chosen.add(pair.a);
    chosen.add(pair.b);
    pairsPlaced++;
  }
  // Rejection sampling: cheap while the batch is much smaller than the sample list, slower as they near each other.
  while (chosen.size < batchSize) chosen.add(rng.int(sampleCount));

  const indices = rng.shuffle([...chosen]);
  const rowOf = new Map(indices.map((sample, row) => [sample, row]));
  const pairs: HardNegativeBatch['pairs'] = [];
  const seen = new Set<number>();
  for (const pair of options.differentPairs) {
    const first = rowOf.get(pair.a);
    const second = rowOf.get(pair.b);
    if (first === undefined || second === undefined) continue;
    const row = Math.min(first, second);
    const column = Math.max(first, second);
    // A pair decided twice (or in both orders) is weighted once.
    if (seen.has(row * batchSize + column)) continue;
    seen.add(row * batchSize + column);
    pairs.push({ row, column });
  }
  return { indices, pairs };
}

/**
 * Builds the row-major N x N weight matrix of a batch: `weight` for the decided pairs in both
 * directions, 1 elsewhere.
 */
export function hardNegativeWeights(batchSize: number, pairs: HardNegativeBatch['pairs'], weight: number): Float32Array {
  checkWeight(weight);
  const weights = new Float32Array(batchSize * batchSize).fill(1);
  for (const { row, column } of pairs) {
    if (row >= batchSize || column >= batchSize) throw new Error(`The pair (${row}, ${column}) is outside the batch of ${batchSize}`);
    weights[row * batchSize + column] = weight;
    weights[column * batchSize + row] = weight;
  }
  return weights;
}

/** Converts negative weights to the log(w) offsets that infoNceFromLogits adds to the logits. */
export function logWeights(weights: Float32Array): Float32Array {
  const offsets = new Float32Array(weights.length);
  for (let index = 0; index < weights.length; index++) {
    const weight = weights[index] ?? 1;
    checkWeight(weight);
    offsets[index] = Math.log(weight);
  }
  return offsets;
}

/**
 * Computes masked InfoNCE with cosine logits, like infoNceLoss, where each valid negative counts
 * `negativeWeights[i * M + k]` times in the denominator.
 */
export function weightedInfoNceLoss(inputs: InfoNceInputs & { negativeWeights: Float32Array }): InfoNceResult {
  const { anchors, candidates, temperature } = inputs;
  if (anchors.shape[1] !== candidates.shape[1]) {
    throw new Error(`Anchors have dimension ${anchors.shape[1]} but candidates have ${candidates.shape[1]}`);
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`Temperature must be positive, got ${temperature}`);
  const offsets = logWeights(inputs.negativeWeights);

  let result: InfoNceResult | undefined;
  const loss = tf.tidy(() => {
    const logits = tf.div(tf.matMul(l2Normalize(anchors), tf.transpose(l2Normalize(candidates))), tf.scalar(temperature)) as tf.Tensor2D;
    result = infoNceFromLogits({ logits, positives: inputs.positives, validNegatives: inputs.validNegatives, negativeLogitOffsets: offsets });
    return result.loss;
  });
  if (result === undefined) throw new Error('weightedInfoNceLoss: the loss was not computed');
  return { ...result, loss };
}

function checkWeight(weight: number): void {
  if (!(weight > 0) || !Number.isFinite(weight)) {
    throw new Error(`A negative's weight must be a positive finite number, got ${weight}; mask the pair in validNegatives to remove it`);
  }
}
