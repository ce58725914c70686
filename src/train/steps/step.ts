/**
 * The interface between the training loop and one contrastive objective: a sampler that draws the
 * objective's batches and a step function that runs one optimizer step on a batch.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DecisionUsage, HardNegativeUsage, SamplerState } from '../batches.js';
import type { MonitorInputs } from '../monitors/step-monitors.js';
import type { TrainingState } from '../trainer.js';

export interface StepOutcome {
  loss: number;
  /** Loss rows whose negatives were all masked. */
  rowsWithoutNegatives: number;
  /** Fraction of the step's non-positive pairs that were masked. */
  maskedFraction: number;
  /** Decided `different` pairs that served as negatives in this step. */
  hardNegativePairs: number;
  /** MoCo only: filled fraction of the key queue after the step. */
  queueFilledFraction?: number;
  /** Inputs of computeStepMonitors, when the caller asked for them (the loss and temperature are added by the loop). */
  monitorInputs?: Omit<MonitorInputs, 'loss' | 'temperature'>;
}

/** Runs one optimizer step on one batch. It must update `state` in place and never keep the batch. */
export type StepFunction<B> = (state: TrainingState, batch: B, keepMonitorInputs: boolean) => Promise<StepOutcome>;

export interface StepSampler<B> {
  /** Samples that can enter a batch. */
  readonly anchorCount: number;
  /** Completed passes over those samples. */
  readonly epochs: number;
  readonly decisions: DecisionUsage;
  readonly hardNegatives: HardNegativeUsage;
  next(): B;
  save(): SamplerState;
}

/** An objective bound to a run: its sampler, its step and the anchors a batch of it counts. */
export interface ObjectiveRunner<B = unknown> {
  sampler: StepSampler<B>;
  step: StepFunction<B>;
  /** Anchor samples in a batch, for the samples-per-second figure. */
  anchorsOf(batch: B): number;
}

/** Keeps the embeddings of a step for the monitors as plain values. */
export async function readEmbeddings(tensor: tf.Tensor2D): Promise<{ values: Float32Array; rows: number; columns: number }> {
  const [rows, columns] = tensor.shape;
  return { values: (await tensor.data()) as Float32Array, rows, columns };
}

/** Fraction of a batch's view pairs, other than a view and its partner, that its mask removes. */
export function batchMaskedFraction(batch: { validNegatives: Uint8Array; candidatePairs: number }): number {
  if (batch.candidatePairs === 0) return 0;
  let valid = 0;
  for (const value of batch.validNegatives) valid += value;
  return 1 - valid / batch.candidatePairs;
}
