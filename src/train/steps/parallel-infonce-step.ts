/**
 * Masked InfoNCE steps run by two replica worker threads (see ../parallel/stepper.ts) instead of
 * on the trainer's own thread. The trainer keeps its encoder and optimizer as the run's record:
 * they are copied into the replicas when the run starts and copied back before every checkpoint
 * and at the end, so checkpoints and resumes work as for one thread.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../batches.js';
import type { RunConfig } from '../config.js';
import { encoderConfigOf } from '../config.js';
import { readAdamState, restoreAdamState } from '../parallel/adam-state.js';
import { createDataParallelStepper, type DataParallelStepper } from '../parallel/stepper.js';
import type { TrainingState } from '../trainer.js';
import { batchMaskedFraction, type StepOutcome } from './step.js';

/**
 * Returns how many worker threads a run's steps use. Only masked InfoNCE (with or without hard
 * negatives) has a data-parallel step, and `auto` takes two where the machine has two cores.
 */
export function trainingWorkers(config: RunConfig): 1 | 2 {
  if (config.objective.kind !== 'infonce') return 1;
  if (config.workers === 'auto') return availableParallelism() >= 2 ? 2 : 1;
  return config.workers;
}

export interface ParallelInfoNce {
  step(state: TrainingState, batch: Batch, keepMonitorInputs: boolean): Promise<StepOutcome>;
  /** Copies the replicas' weights and Adam's state into the trainer's state. */
  sync(state: TrainingState): Promise<void>;
  readonly backend: string;
  dispose(): Promise<void>;
}

/** Starts the replicas from the state's current weights and Adam moments. */
export async function startParallelInfoNce(state: TrainingState, workers: 1 | 2, backend: string | undefined): Promise<ParallelInfoNce> {
  const parameters = state.encoder.variables;
  const weights = new Map<string, Float32Array>();
  for (const [name, variable] of parameters) weights.set(name, (await variable.data()) as Float32Array);
  const optimizerState = await readAdamState(state.optimizer, parameters);

  const stepper: DataParallelStepper = await createDataParallelStepper({
    workers,
    encoderConfig: encoderConfigOf(state.config),
    seed: state.config.seed,
    weights,
    ...(optimizerState === undefined ? {} : { optimizerState }),
    learningRate: state.config.learningRate,
    temperature: state.config.temperature,
    ...(backend === undefined ? {} : { backend }),
  });

  return {
    backend: stepper.backend,
    async step(_state, batch, keepMonitorInputs) {
      const result = await stepper.step(batch, { keepEmbeddings: keepMonitorInputs });
      const outcome: StepOutcome = {
        loss: result.loss,
        rowsWithoutNegatives: result.rowsWithoutNegatives,
        maskedFraction: batchMaskedFraction(batch),
        hardNegativePairs: batch.hardNegativePairs,
      };
      if (result.embeddings !== undefined) {
        outcome.monitorInputs = { anchors: result.embeddings, positives: batch.positives, validNegatives: batch.validNegatives, rowsWithoutNegatives: 'zero' };
      }
      return outcome;
    },
    async sync(target) {
      const trained = await stepper.readWeights();
      for (const [name, variable] of target.encoder.variables) {
        const values = trained.get(name);
        if (values === undefined) throw new Error(`Parameter ${name} is missing from the replicas' weights`);
        const update = tf.tensor(values, variable.shape);
        variable.assign(update);
        update.dispose();
      }
      const adam = await stepper.readOptimizerState();
      if (adam !== undefined) await restoreAdamState(target.optimizer, adam, target.encoder.variables);
    },
    dispose: () => stepper.dispose(),
  };
}
