/**
 * One CPC step: the encoder embeds every sample of the batch's windows, the context network runs
 * over each window, and each context predicts the embedding `offset` samples ahead against the
 * sampled negatives (cpcLoss). Adam updates the encoder and the CPC model together.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpcLoss, CpcModel, cpcPositiveIndex, negativeMaskOf } from '../objectives/cpc.js';
import type { RunConfig } from '../config.js';
import type { TrainingState } from '../trainer.js';
import type { CpcBatch } from './cpc-windows.js';
import { minimizeLoss } from './minimize.js';
import { readEmbeddings, type StepOutcome } from './step.js';

/** Creates the run's context network and prediction matrices, from a seed stream apart from the encoder's. */
export function createCpcModel(config: RunConfig): CpcModel {
  if (config.objective.kind !== 'cpc') throw new Error(`The run's objective is ${config.objective.kind}, not cpc`);
  const { contextDim, contextWindow, predictSteps } = config.objective;
  return new CpcModel({ embeddingDim: config.embeddingDim, contextDim, contextWindow, maxOffset: predictSteps }, config.seed + 2);
}

export async function cpcStep(state: TrainingState, batch: CpcBatch, keepMonitorInputs: boolean): Promise<StepOutcome> {
  const model = state.cpc;
  if (model === undefined) throw new Error('The CPC step needs the CPC model in the training state');
  const { width, height } = state.config.imageSize;
  const { sequences, steps } = batch;
  const images = tf.tensor4d(batch.pixels, [sequences * steps, height, width, 1]);

  let rowsWithoutNegatives = 0;
  let maskedFraction = 0;
  let keptPredictions: tf.Tensor2D | undefined;
  let keptSteps: tf.Tensor2D | undefined;
  const loss = await minimizeLoss(state, () => {
    const flat = state.encoder.embedUnnormalized(images);
    const z = tf.reshape(flat, [sequences, steps, state.config.embeddingDim]) as tf.Tensor3D;
    const result = cpcLoss({ model, z, anchors: batch.anchors, negatives: batch.negatives, temperature: state.config.temperature });
    if (keepMonitorInputs) {
      // The monitors score the same predictions, computed again from the weights before the update.
      keptPredictions = tf.keep(model.predict(model.context(z), batch.anchors));
      keptSteps = tf.keep(flat);
    }
    rowsWithoutNegatives = result.rowsWithoutNegatives;
    maskedFraction = result.maskedFraction;
    return result.loss;
  });
  images.dispose();

  const outcome: StepOutcome = { loss, rowsWithoutNegatives, maskedFraction, hardNegativePairs: 0 };
  if (keptPredictions !== undefined && keptSteps !== undefined) {
    outcome.monitorInputs = {
      anchors: await readEmbeddings(keptPredictions),
      candidates: await readEmbeddings(keptSteps),
      positives: Int32Array.from(batch.anchors, (anchor) => cpcPositiveIndex(anchor, steps)),
      validNegatives: negativeMaskOf(batch.negatives, sequences * steps),
      rowsWithoutNegatives: 'zero',
    };
  }
  tf.dispose([keptPredictions, keptSteps].filter((tensor) => tensor !== undefined));
  return outcome;
}
