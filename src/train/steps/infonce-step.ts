/** One step of masked InfoNCE over a batch's 2B views, each view's partner its positive. */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../batches.js';
import { infoNceLoss } from '../infonce.js';
import { weightedInfoNceLoss } from '../objectives/hard-negatives.js';
import type { TrainingState } from '../trainer.js';
import { minimizeLoss } from './minimize.js';
import { batchMaskedFraction, readEmbeddings, type StepOutcome } from './step.js';

export async function infoNceStep(state: TrainingState, batch: Batch, keepMonitorInputs: boolean): Promise<StepOutcome> {
  let rowsWithoutNegatives = 0;
  let keptEmbeddings: tf.Tensor2D | undefined;
  const images = viewImages(batch, state);
  const loss = await minimizeLoss(state, () => {
    // InfoNCE scales rows to unit length itself, so the loss is the same as with embed().
    const embeddings = state.encoder.embedUnnormalized(images);
    if (keepMonitorInputs) keptEmbeddings = tf.keep(embeddings);
    const inputs = {
      anchors: embeddings,
      candidates: embeddings,
      positives: batch.positives,
      validNegatives: batch.validNegatives,
      temperature: state.config.temperature,
    };
    const result = batch.negativeWeights === undefined ? infoNceLoss(inputs) : weightedInfoNceLoss({ ...inputs, negativeWeights: batch.negativeWeights });
    rowsWithoutNegatives = result.rowsWithoutNegatives;
    return result.loss;
  });
  images.dispose();

  const outcome: StepOutcome = { loss, rowsWithoutNegatives, maskedFraction: batchMaskedFraction(batch), hardNegativePairs: batch.hardNegativePairs };
  if (keptEmbeddings !== undefined) {
    outcome.monitorInputs = {
      anchors: await readEmbeddings(keptEmbeddings),
      positives: batch.positives,
      validNegatives: batch.validNegatives,
      rowsWithoutNegatives: 'zero',
    };
    keptEmbeddings.dispose();
  }
  return outcome;
}

/** Returns the batch's 2B views as one [2B, H, W, 1] tensor, which the caller disposes. */
export function viewImages(batch: Batch, state: TrainingState): tf.Tensor4D {
  const { width, height } = state.config.imageSize;
  return tf.tensor4d(batch.pixels, [2 * batch.size, height, width, 1]);
}
