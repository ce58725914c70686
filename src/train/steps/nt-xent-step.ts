/**
 * One SimCLR step: NT-Xent over 2N augmented views of N samples. The sampler draws both views from
 * one sample (augment positives), with the augmentation that the run's per-modality policy sets.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../../core/errors.js';
import type { Augmentation } from '../augment.js';
import type { Batch } from '../batches.js';
import { DEFAULT_BEV_POLICY, DEFAULT_CAMERA_POLICY, policyFor, type AugmentationPolicy } from '../objectives/augment-policy.js';
import { ntXentLoss } from '../objectives/nt-xent.js';
import type { TrainingState } from '../trainer.js';
import { viewImages } from './infonce-step.js';
import { minimizeLoss } from './minimize.js';
import { batchMaskedFraction, readEmbeddings, type StepOutcome } from './step.js';

/** Image modalities the trainer's grey image stack can hold: a BEV raster or a camera frame. */
export type ImageModality = 'bev' | 'camera';

export async function ntXentStep(state: TrainingState, batch: Batch, keepMonitorInputs: boolean): Promise<StepOutcome> {
  let rowsWithoutNegatives = 0;
  let keptEmbeddings: tf.Tensor2D | undefined;
  const images = viewImages(batch, state);
  const loss = await minimizeLoss(state, () => {
    const views = state.encoder.embedUnnormalized(images);
    if (keepMonitorInputs) keptEmbeddings = tf.keep(views);
    const result = ntXentLoss({
      views,
      validViewNegatives: batch.validNegatives,
      ...(batch.negativeWeights === undefined ? {} : { viewNegativeWeights: batch.negativeWeights }),
      temperature: state.config.temperature,
    });
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
      // ntXentLoss leaves rows without negatives out of its mean.
      rowsWithoutNegatives: 'excluded',
    };
    keptEmbeddings.dispose();
  }
  return outcome;
}

/** Returns the policy a run applies: the configured one, or the default for the stack's modality. */
export function effectivePolicy(configured: AugmentationPolicy | undefined, modality: ImageModality): AugmentationPolicy {
  if (configured !== undefined) return configured;
  return { version: 1, modalities: [modality === 'bev' ? DEFAULT_BEV_POLICY : DEFAULT_CAMERA_POLICY] };
}

/**
 * Converts the policy of the stack's modality to the grey-image augmentation of augment.ts.
 * BEV: shifts and rotations only, because raster values are measurements, not colours.
 * Camera: random resized crop, flip, and brightness and contrast jitter. The stack contains grey
 * images, so saturation and hue jitter have nothing to change there.
 */
export function augmentationForPolicy(policy: AugmentationPolicy, modality: ImageModality): Augmentation {
  if (modality === 'bev') {
    const bev = policyFor(policy, 'bev');
    if (bev === undefined) throw missingModality(modality);
    return { maxShiftFraction: bev.maxTranslationFraction, maxRotationDegrees: bev.maxRotationDegrees, brightness: 0, contrast: 0 };
  }
  const camera = policyFor(policy, 'camera');
  if (camera === undefined) throw missingModality(modality);
  // NOTE: jitter is applied to every view, not with colourJitter.probability: the grey augmenter
  // draws one brightness and contrast per view, and a skipped draw would change the random stream.
  return {
    maxShiftFraction: 0,
    maxRotationDegrees: 0,
    brightness: camera.colourJitter.brightness,
    contrast: camera.colourJitter.contrast,
    crop: { scale: camera.crop.scale, aspectRatio: camera.crop.aspectRatio },
    horizontalFlipProbability: camera.horizontalFlipProbability,
  };
}

function missingModality(modality: ImageModality): ApronError {
  return new ApronError('invalid-input', `The NT-Xent augmentation policy has no entry for the dataset's ${modality} images`, {
    hint: `Add a "${modality}" entry to objective.policy.modalities, or leave the policy out to use the default.`,
  });
}
