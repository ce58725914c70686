/** The optimizer step shared by every objective: minimize, read the loss back, reject divergence. */
import type * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../../core/errors.js';
import type { TrainingState } from '../trainer.js';

/**
 * Returns the trainable variables of a run by name: the encoder's, then the CPC model's. The order
 * is the order of Adam's moments, which checkpoints rely on.
 */
export function trainableVariables(state: TrainingState): Map<string, tf.Variable> {
  const variables = new Map(state.encoder.variables);
  if (state.cpc !== undefined) for (const [name, variable] of state.cpc.variables) variables.set(name, variable);
  return variables;
}

/** Runs one Adam step on `lossFunction` over the run's trainable variables and returns the loss. */
export async function minimizeLoss(state: TrainingState, lossFunction: () => tf.Scalar): Promise<number> {
  const lossTensor = state.optimizer.minimize(lossFunction, true, [...trainableVariables(state).values()]);
  const loss = lossTensor === null ? Number.NaN : ((await lossTensor.data())[0] ?? Number.NaN);
  lossTensor?.dispose();
  if (!Number.isFinite(loss)) {
    throw new ApronError('invalid-input', `Training diverged: the loss at step ${state.step + 1} is ${loss}`, {
      hint: 'Lower learningRate or raise temperature, and start the run again.',
    });
  }
  return loss;
}
