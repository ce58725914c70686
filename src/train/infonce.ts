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
import { infoNceFromLogits, type InfoNceResult, type Positives } from './objectives/logit-infonce.js';

export { positiveMask, type InfoNceResult, type Positives } from './objectives/logit-infonce.js';


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

  // The logits are built here and scored by the shared masked form, inside one tidy so that only the loss survives.
  let result: InfoNceResult | undefined;
  tf.tidy(() => {
    const logits = tf.div(tf.matMul(l2Normalize(anchors), tf.transpose(l2Normalize(candidates))), tf.scalar(temperature)) as tf.Tensor2D;
    result = infoNceFromLogits({ logits, positives: inputs.positives, validNegatives: inputs.validNegatives });
    return result.loss;
  });
  return result!;
}
