/**
 * NT-Xent, the loss of SimCLR: 2N views of N samples, where view i and view
 * i + N show the same sample. Each view's positive is its partner, and the other 2N - 2 views are
 * its negatives. The view itself is never a candidate.
 *
 * It is the masked InfoNCE of infonce.ts with anchors = candidates = the 2N views, so a sample-level
 * mask of false negatives (N x N) removes both views of a masked sample from a row's negatives.
 * Rows left without negatives are left out of the mean and counted in `rowsWithoutNegatives`.
 * (infoNceLoss instead counts such rows as 0 in the mean.) The self pair counts as masked in
 * `maskedFraction`, as in infoNceLoss.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { infoNceLoss, positiveMask, type InfoNceResult } from '../infonce.js';
import { weightedInfoNceLoss } from './hard-negatives.js';
import { countRows } from './logit-infonce.js';

export interface NtXentInputs {
  /**
   * 2N x D view embeddings: rows 0..N-1 are the first view of samples 0..N-1, and rows N..2N-1 the
   * second view in the same sample order. They need not be unit length.
   */
  views: tf.Tensor2D;
  /**
   * Row-major N x N over samples, 1 where sample j may be a negative for sample i. Absent means
   * every other sample is a valid negative. The diagonal is ignored.
   */
  validSampleNegatives?: Uint8Array;
  /**
   * Row-major 2N x 2N over views, 1 where view k may be a negative for view i, for batches whose
   * two views show different samples (temporal positives, as Batch.validNegatives of batches.ts).
   * Self and partner pairs are removed even where it marks them valid. Give this or
   * validSampleNegatives.
   */
  validViewNegatives?: Uint8Array;
  /**
   * Row-major N x N over samples: the weight of sample j as a negative for sample i, applied to
   * both of its views (see hard-negatives.ts). Absent means every negative has weight 1.
   */
  negativeWeights?: Float32Array;
  /** Row-major 2N x 2N weights over views. Give this or negativeWeights. */
  viewNegativeWeights?: Float32Array;
  temperature: number;
}

/**
 * Expands a row-major N x N sample matrix to the 2N x 2N matrix over views, where view v shows
 * sample v mod N.
 */
export function expandToViews<T extends Uint8Array | Float32Array>(sampleMatrix: T, samples: number): T {
  if (sampleMatrix.length !== samples * samples) {
    throw new Error(`The sample matrix has ${sampleMatrix.length} entries, expected ${samples} x ${samples} = ${samples * samples}`);
  }
  const views = 2 * samples;
  const expanded = new (sampleMatrix.constructor as new (length: number) => T)(views * views);
  for (let row = 0; row < views; row++) {
    for (let column = 0; column < views; column++) {
      expanded[row * views + column] = sampleMatrix[(row % samples) * samples + (column % samples)] ?? 0;
    }
  }
  return expanded;
}

/** Returns each view's positive: the other view of its sample. */
export function ntXentPositives(samples: number): Int32Array {
  const positives = new Int32Array(2 * samples);
  for (let view = 0; view < 2 * samples; view++) positives[view] = (view + samples) % (2 * samples);
  return positives;
}

/**
 * Builds the 2N x 2N negative mask over views: every view except the anchor itself and its
 * partner, minus the views of samples that `validSampleNegatives` masks for the anchor's sample.
 */
export function ntXentValidNegatives(samples: number, validSampleNegatives?: Uint8Array): Uint8Array {
  const views = 2 * samples;
  const sampleMask = validSampleNegatives ?? new Uint8Array(samples * samples).fill(1);
  const mask = expandToViews(sampleMask, samples);
  for (let view = 0; view < views; view++) {
    // The same sample's views: the anchor itself (never a candidate) and its partner (the positive).
    mask[view * views + view] = 0;
    mask[view * views + ((view + samples) % views)] = 0;
  }
  return mask;
}

/**
 * Computes the NT-Xent loss. Call it inside tf.tidy or an optimizer's loss function: the returned
 * scalar is the only tensor the caller has to dispose.
 */
export function ntXentLoss(inputs: NtXentInputs): InfoNceResult {
  const [viewCount] = inputs.views.shape;
  if (viewCount % 2 !== 0 || viewCount === 0) {
    throw new Error(`NT-Xent expects 2N view embeddings (both views of each sample), got ${viewCount} rows`);
  }
  const samples = viewCount / 2;
  if (inputs.validSampleNegatives !== undefined && inputs.validViewNegatives !== undefined) {
    throw new Error('Give either validSampleNegatives or validViewNegatives, not both');
  }
  if (inputs.negativeWeights !== undefined && inputs.viewNegativeWeights !== undefined) {
    throw new Error('Give either negativeWeights or viewNegativeWeights, not both');
  }

  const validNegatives = viewMask(inputs, samples);
  // Rows left without negatives lose their positive, so infoNceLoss leaves them out of the mean,
  // and they are counted here instead.
  const positives = ntXentPositives(samples);
  const counts = countRows(positiveMask(positives, viewCount, viewCount), validNegatives, viewCount, viewCount);
  for (let view = 0; view < viewCount; view++) {
    if ((counts.negativesPerRow[view] ?? 0) === 0) positives[view] = -1;
  }

  const infoNceInputs = {
    anchors: inputs.views,
    candidates: inputs.views,
    positives,
    validNegatives,
    temperature: inputs.temperature,
  };
  const viewWeights = inputs.negativeWeights === undefined ? inputs.viewNegativeWeights : expandToViews(inputs.negativeWeights, samples);
  const result = viewWeights === undefined ? infoNceLoss(infoNceInputs) : weightedInfoNceLoss({ ...infoNceInputs, negativeWeights: viewWeights });

  return {
    loss: result.loss,
    rowsWithoutNegatives: counts.rowsWithoutNegatives,
    rowsWithoutPositives: 0,
    maskedFraction: counts.nonPositivePairs === 0 ? 0 : counts.maskedPairs / counts.nonPositivePairs,
  };
}

/** Builds the 2N x 2N view mask from either form of the input mask, without self or partner pairs. */
function viewMask(inputs: NtXentInputs, samples: number): Uint8Array {
  if (inputs.validViewNegatives === undefined) return ntXentValidNegatives(samples, inputs.validSampleNegatives);

  const views = 2 * samples;
  if (inputs.validViewNegatives.length !== views * views) {
    throw new Error(`The validViewNegatives mask has ${inputs.validViewNegatives.length} entries, expected ${views} x ${views} = ${views * views}`);
  }
  const mask = Uint8Array.from(inputs.validViewNegatives);
  for (let view = 0; view < views; view++) {
    mask[view * views + view] = 0;
    mask[view * views + ((view + samples) % views)] = 0;
  }
  return mask;
}
