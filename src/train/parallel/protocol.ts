/**
 * Messages between the data-parallel coordinator (stepper.ts) and its replica workers
 * (replica-worker.ts), and the layout of the shared memory they use during a step.
 *
 * The coordinator sends one `step` at a time and waits for every worker's `step-done` before it
 * sends the next, so the shared buffers are never written by the coordinator while a worker reads.
 */
import type { ErrorInfo } from '../../core/errors.js';
import type { EncoderConfigInput } from '../encoder.js';
import type { AdamState } from './adam-state.js';

/** Int32 slots of the control buffer. */
export const CONTROL_ARRIVED = 0;
export const CONTROL_GENERATION = 1;
/** Set to 1 by the coordinator or a failing worker, so that no worker waits for a partner that will not come. */
export const CONTROL_ABORTED = 2;
export const CONTROL_SLOTS = 3;

/** The start-up data of one replica worker. */
export interface ReplicaInit {
  /** This worker's position, 0-based. Worker w embeds the w-th block of rows of every batch. */
  rank: number;
  /** Number of replica workers (1 or 2). */
  workers: number;
  encoderConfig: EncoderConfigInput;
  /** Seed of the initial weights. Ignored for parameters given in `weights`. */
  seed: number;
  /** Initial weights by parameter name, for example from a checkpoint. */
  weights?: Map<string, Float32Array>;
  /** Adam's state to continue from, for example from a checkpoint. */
  optimizerState?: AdamState;
  learningRate: number;
  temperature: number;
  /** Int32Array of CONTROL_SLOTS over a SharedArrayBuffer, shared by all workers. */
  control: SharedArrayBuffer;
  /** Preferred TensorFlow.js backend, as for initBackend. */
  backend?: string;
}

/** Shared buffers of one step's size. They are replaced when a larger batch arrives. */
export interface StepBuffers {
  /** views x height x width float32 pixels, written by the coordinator. */
  pixels: SharedArrayBuffer;
  /** views x embeddingDim float32 unnormalised embeddings, each worker writing its own rows. */
  embeddings: SharedArrayBuffer;
  /** workers x parameterCount float32 gradients, each worker writing its own slot. */
  gradients: SharedArrayBuffer;
}

export interface StepRequest {
  type: 'step';
  views: number;
  /** First row (view) this worker embeds. */
  rowStart: number;
  /** One past the last row this worker embeds. */
  rowEnd: number;
  /** Index of each view's positive view. */
  positives: Int32Array;
  /** Row-major views x views, 1 where view k may be a negative for view i. */
  validNegatives: Uint8Array;
  /** Row-major views x views weights of the valid negatives, when hard negatives are up-weighted. */
  negativeWeights?: Float32Array;
  buffers: StepBuffers;
}

export type ToReplicaMessage = StepRequest | { type: 'read-weights' } | { type: 'read-optimizer' };

export type FromReplicaMessage =
  | { type: 'ready'; parameterCount: number; embeddingDim: number; backend: string }
  | { type: 'step-done'; loss: number; rowsWithoutNegatives: number }
  | { type: 'weights'; weights: Map<string, Float32Array> }
  /** Adam's state, or null before the first step. */
  | { type: 'optimizer'; state: AdamState | null }
  | { type: 'error'; error: ErrorInfo };
