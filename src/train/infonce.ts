/**
 * Masked InfoNCE.
 *
 * For anchor i with positive p and valid negatives N(i), with s_ik = cos(a_i, c_k) / temperature:
 *
 *   loss_ip = -log( exp(s_ip) / (exp(s_ip) + sum_{n in N(i)} exp(s_in)) )
 *           = softplus( logSumExp_{n in N(i)} s_in - s_ip )
 *
 * The right-hand form is what the code computes: it never exponentiates a large logit, and when
 * N(i) is empty the log-sum-exp tends to minus infinity and the term to exactly 0.
 *
 * Several positives per anchor: each positive gets its own term in which the anchor's other
 * positives appear neither as negatives nor in the denominator, and the anchor's loss is the mean
 * of its terms. (This differs from the supervised-contrastive form of Khosla et al. (2020), whose
 * denominator also contains the other positives.) The batch loss is the mean over anchors that have
 * at least one positive.
 *
 * Pairs that must not be negatives (mask rules, reviewers' `same` decisions, the anchor itself)
 * are left out of N(i) by the `validNegatives` mask; a positive is never a negative, whatever the
 * mask says.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './encoder.js';

/** Each anchor's positive as a candidate index (-1 for none), or a row-major N x M mask (1 = positive). */
export type Positives = ArrayLike<number> | { mask: Uint8Array };

export interface InfoNceInputs {
  /** N x D anchor embeddings. They need not be unit length, because the loss normalises them. */
  anchors: tf.Tensor2D;
  /** M x D candidate embeddings, normalised the same way. */
  candidates: tf.Tensor2D;
  positives: Positives;
  /** Row-major N x M, 1 where candidate k may be used as a negative for anchor i. */
  validNegatives: Uint8Array;
  /** Softmax temperature. Logits are cosine similarities divided by it. */
  temperature: number;
}

export interface InfoNceResult {
  /** Mean loss over anchors with at least one positive (0 when there are none). */
  loss: tf.Scalar;
  /** Anchors with a positive but no valid negative. Their loss is 0. */
  rowsWithoutNegatives: number;
  /** Anchors without a positive, which do not contribute. */
  rowsWithoutPositives: number;
  /** Masked entries among all anchor-candidate pairs that are not positives (self pairs included). */
  maskedFraction: number;
}

/**
 * Added to the logits of masked pairs before the log-sum-exp. Logits are at most 1/temperature in
 * size (100 at temperature 0.01), so exp(logit - 1e4) is 0 in float32 and masked pairs drop out.
 */
const MASKED_LOGIT_OFFSET = -1e4;

/** Builds the N x M positive mask from either form of `positives`, checking its size and indices. */
export function positiveMask(positives: Positives, rows: number, columns: number): Uint8Array {
  if ('mask' in positives) {
    if (positives.mask.length !== rows * columns) {
      throw new Error(`The positive mask has ${positives.mask.length} entries, expected ${rows} x ${columns} = ${rows * columns}`);
    }
    return positives.mask;
  }

  if (positives.length !== rows) throw new Error(`Expected one positive index per anchor (${rows}), got ${positives.length}`);
  const mask = new Uint8Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    const index = positives[i] ?? -1;
    if (index === -1) continue;
    if (!Number.isInteger(index) || index < 0 || index >= columns) {
      throw new Error(`Positive index ${index} of anchor ${i} is outside the ${columns} candidates`);
    }
    mask[i * columns + index] = 1;
  }
  return mask;
}

/**
 * Computes the masked InfoNCE loss. Call it inside tf.tidy or an optimizer's loss function: the
 * returned scalar is the only tensor the caller has to dispose.
 */
export function infoNceLoss(inputs: InfoNceInputs): InfoNceResult {
  const { anchors, candidates, temperature } = inputs;
  const [rows, dimension] = anchors.shape;
  const [columns, candidateDimension] = candidates.shape;
  if (dimension !== candidateDimension) {
    throw new Error(`Anchors have dimension ${dimension} but candidates have ${candidateDimension}`);
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`Temperature must be positive, got ${temperature}`);
  if (inputs.validNegatives.length !== rows * columns) {
    throw new Error(`The validNegatives mask has ${inputs.validNegatives.length} entries, expected ${rows} x ${columns} = ${rows * columns}`);
  }

  const positives = positiveMask(inputs.positives, rows, columns);
  const counts = countRows(positives, inputs.validNegatives, rows, columns);

  // Constant per-pair inputs: the offset that removes non-negatives from the log-sum-exp, and the
  // weight of each (anchor, positive) term in the batch mean.
  const offsets = new Float32Array(rows * columns);
  const weights = new Float32Array(rows * columns);
  const anchorsWithPositives = rows - counts.rowsWithoutPositives;
  for (let i = 0; i < rows; i++) {
    const positiveCount = counts.positivesPerRow[i] ?? 0;
    for (let k = 0; k < columns; k++) {
      const index = i * columns + k;
      const isPositive = positives[index] === 1;
      if (isPositive || inputs.validNegatives[index] !== 1) offsets[index] = MASKED_LOGIT_OFFSET;
      if (isPositive) weights[index] = 1 / (positiveCount * anchorsWithPositives);
    }
  }

  const loss = tf.tidy(() => {
    const logits = tf.div(
      tf.matMul(l2Normalize(anchors), tf.transpose(l2Normalize(candidates))),
      tf.scalar(temperature),
    );
    const negativeLogSumExp = tf.logSumExp(tf.add(logits, tf.tensor2d(offsets, [rows, columns])), 1, true);
    const terms = tf.softplus(tf.sub(negativeLogSumExp, logits));
    return tf.sum(tf.mul(terms, tf.tensor2d(weights, [rows, columns]))) as tf.Scalar;
  });

  return {
    loss,
    rowsWithoutNegatives: counts.rowsWithoutNegatives,
    rowsWithoutPositives: counts.rowsWithoutPositives,
    maskedFraction: counts.nonPositivePairs === 0 ? 0 : counts.maskedPairs / counts.nonPositivePairs,
  };
}

function countRows(positives: Uint8Array, validNegatives: Uint8Array, rows: number, columns: number) {
  const positivesPerRow = new Int32Array(rows);
  let rowsWithoutNegatives = 0;
  let rowsWithoutPositives = 0;
  let maskedPairs = 0;
  let nonPositivePairs = 0;
  for (let i = 0; i < rows; i++) {
    let negatives = 0;
    for (let k = 0; k < columns; k++) {
      const index = i * columns + k;
      if (positives[index] === 1) {
        positivesPerRow[i] = (positivesPerRow[i] ?? 0) + 1;
        continue;
      }
      nonPositivePairs++;
      if (validNegatives[index] === 1) negatives++;
      else maskedPairs++;
    }
    if (positivesPerRow[i] === 0) rowsWithoutPositives++;
    else if (negatives === 0) rowsWithoutNegatives++;
  }
  return { positivesPerRow, rowsWithoutNegatives, rowsWithoutPositives, maskedPairs, nonPositivePairs };
}
