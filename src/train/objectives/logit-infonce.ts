/**
 * Masked InfoNCE over a logit matrix that the caller has already built.
 *
 * infonce.ts computes its logits as cosine similarity over a fixed temperature. The objectives here
 * need logits that it cannot build: CLIP divides by a learnable temperature, MoCo scores a query
 * against its own key plus a queue, and hard-negative weighting adds log(w) to some negatives.
 * This module applies the same formula and conventions to any logits:
 *
 *   loss_ip = softplus( logSumExp_{n in N(i)} (s_in + o_in) - s_ip )
 *
 * where o_in is an optional per-pair offset (log of a negative's weight). A positive is never a
 * negative, rows without a positive do not count, and a row without a valid negative has loss 0
 * and is counted in `rowsWithoutNegatives`. With logits = cos / temperature and no offsets, the
 * result equals infoNceLoss.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Each anchor's positive as a candidate index (-1 for none), or a row-major N x M mask (1 = positive). */
export type Positives = ArrayLike<number> | { mask: Uint8Array };

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

export interface LogitInfoNceInputs {
  /** N x M logits: anchor i scored against candidate k. */
  logits: tf.Tensor2D;
  positives: Positives;
  /** Row-major N x M, 1 where candidate k may be used as a negative for anchor i. */
  validNegatives: Uint8Array;
  /**
   * Row-major N x M values added to the negatives' logits inside the log-sum-exp, such as log(w)
   * for a negative weighted by w. Entries of positives and masked pairs are ignored.
   */
  negativeLogitOffsets?: Float32Array;
}

/** Per-row counts that every masked InfoNCE variant reports. */
export interface RowCounts {
  positivesPerRow: Int32Array;
  /** Valid negatives of each row, positives excluded. */
  negativesPerRow: Int32Array;
  rowsWithoutNegatives: number;
  rowsWithoutPositives: number;
  maskedPairs: number;
  nonPositivePairs: number;
}

/**
 * Added to the logits of masked pairs before the log-sum-exp, as in infonce.ts. Logits of this
 * module's callers are at most 100 in size (temperature 0.01 or logit scale 100) plus log(weight),
 * so exp(logit - 1e4) is 0 in float32.
 */
const MASKED_LOGIT_OFFSET = -1e4;

/** Counts positives, valid negatives and masked pairs per row, as infoNceLoss does. */
export function countRows(positives: Uint8Array, validNegatives: Uint8Array, rows: number, columns: number): RowCounts {
  const positivesPerRow = new Int32Array(rows);
  const negativesPerRow = new Int32Array(rows);
  let rowsWithoutNegatives = 0;
  let rowsWithoutPositives = 0;
  let maskedPairs = 0;
  let nonPositivePairs = 0;
  for (let i = 0; i < rows; i++) {
    let positiveCount = 0;
    let negativeCount = 0;
    for (let k = 0; k < columns; k++) {
      const index = i * columns + k;
      if (positives[index] === 1) {
        positiveCount++;
        continue;
      }
      nonPositivePairs++;
      if (validNegatives[index] === 1) negativeCount++;
      else maskedPairs++;
    }
    positivesPerRow[i] = positiveCount;
    negativesPerRow[i] = negativeCount;
    if (positiveCount === 0) rowsWithoutPositives++;
    else if (negativeCount === 0) rowsWithoutNegatives++;
  }
  return { positivesPerRow, negativesPerRow, rowsWithoutNegatives, rowsWithoutPositives, maskedPairs, nonPositivePairs };
}

/**
 * Computes the masked InfoNCE loss from logits. Call it inside tf.tidy or an optimizer's loss
 * function: the returned scalar is the only tensor the caller has to dispose.
 */
export function infoNceFromLogits(inputs: LogitInfoNceInputs): InfoNceResult {
  const { logits } = inputs;
  const [rows, columns] = logits.shape;
  if (inputs.validNegatives.length !== rows * columns) {
    throw new Error(`The validNegatives mask has ${inputs.validNegatives.length} entries, expected ${rows} x ${columns} = ${rows * columns}`);
  }
  const extra = inputs.negativeLogitOffsets;
  if (extra !== undefined && extra.length !== rows * columns) {
    throw new Error(`negativeLogitOffsets has ${extra.length} entries, expected ${rows} x ${columns} = ${rows * columns}`);
  }

  const positives = positiveMask(inputs.positives, rows, columns);
  const counts = countRows(positives, inputs.validNegatives, rows, columns);

  const offsets = new Float32Array(rows * columns);
  const weights = new Float32Array(rows * columns);
  const anchorsWithPositives = rows - counts.rowsWithoutPositives;
  for (let i = 0; i < rows; i++) {
    const positiveCount = counts.positivesPerRow[i] ?? 0;
    for (let k = 0; k < columns; k++) {
      const index = i * columns + k;
      const isPositive = positives[index] === 1;
      if (isPositive || inputs.validNegatives[index] !== 1) offsets[index] = MASKED_LOGIT_OFFSET;
      else if (extra !== undefined) offsets[index] = extra[index] ?? 0;
      if (isPositive) weights[index] = 1 / (positiveCount * anchorsWithPositives);
    }
  }

  const loss = tf.tidy(() => {
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
