/**
 * Messages between the engine and a training worker thread (see run-in-worker.ts and worker.ts).
 *
 * The request travels as `workerData`, and the engine sends `cancel` as a message. The worker
 * posts any number of progress messages and then exactly one `result` or `error`.
 */
import type { ErrorInfo } from '../core/errors.js';
import type { PairRef } from '../mask/groups.js';
import type { DecisionUsage, HardNegativeUsage } from './batches.js';
import type { RunConfigInput } from './config.js';
import type { CrossModalConfig, CrossModalConfigInput } from './crossmodal/config.js';
import type { CrossModalMonitors } from './crossmodal/monitors.js';
import type { CrossModalProgress } from './crossmodal/trainer.js';
import type { TrainProgress } from './trainer.js';

export interface TrainJobRequest {
  kind: 'train';
  /** The dataset's manifest file (or the folder holding apron-manifest.json). */
  manifestPath: string;
  /** File to read decoded images from and write them to, so later runs skip decoding. */
  imageCachePath?: string;
  config: RunConfigInput;
  /** Reviewers' `same` decisions. Each transitive group is masked as a whole. */
  samePairs?: PairRef[];
  /** Reviewers' `different` decisions and the hard-negative set, placed in batches when hardNegatives.enabled. */
  differentPairs?: PairRef[];
  /** Folder the checkpoint is written to (replaced atomically). */
  checkpointDir: string;
  /** Seconds of training between two checkpoints while the run goes on (default 60). The last step always saves one. */
  checkpointEverySeconds?: number;
  /** Checkpoint folder to resume from. Its configuration replaces `config`. */
  resumeFrom?: string;
  /** Preferred TensorFlow.js backend, as for initBackend. */
  backend?: string;
}

export interface EmbedJobRequest {
  kind: 'embed';
  manifestPath: string;
  imageCachePath?: string;
  checkpointDir: string;
  /** Images per forward pass (default 128). */
  batchSize?: number;
  backend?: string;
}

/** A cross-modal CLIP run: camera frames with LiDAR sweeps or BEV rasters. */
export interface CrossModalJobRequest {
  kind: 'crossmodal';
  manifestPath: string;
  config: CrossModalConfigInput;
  checkpointDir: string;
  /** Seconds of training between two checkpoints while the run goes on (default 60). */
  checkpointEverySeconds?: number;
  /** Cross-modal checkpoint folder to resume from. Its configuration wins, except that `config.steps` may raise the total. */
  resumeFrom?: string;
  backend?: string;
}

export type JobRequest = TrainJobRequest | EmbedJobRequest | CrossModalJobRequest;

export interface TrainJobResult {
  kind: 'train';
  /** The checkpoint written, or null when the run was cancelled before its first step. */
  checkpointDir: string | null;
  /** Steps done in total, including those of a resumed checkpoint. */
  step: number;
  totalSteps: number;
  stepsRun: number;
  cancelled: boolean;
  /** Mean loss of the last (up to) 10 steps run, or null when no step ran. */
  finalLoss: number | null;
  firstLoss: number | null;
  samplesPerSecond: number;
  decisions: DecisionUsage;
  hardNegatives: HardNegativeUsage;
  anchorCount: number;
  backend: string;
}

export interface EmbedJobResult {
  kind: 'embed';
  /** Row-major count x dimension unit vectors in manifest order. */
  vectors: Float32Array;
  dimension: number;
  count: number;
  backend: string;
}

export interface CrossModalJobResult {
  kind: 'crossmodal';
  /** The configuration trained, as the checkpoint records it. */
  config: CrossModalConfig;
  /** The checkpoint written, or null when the run was cancelled before its first step. */
  checkpointDir: string | null;
  step: number;
  totalSteps: number;
  stepsRun: number;
  cancelled: boolean;
  firstLoss: number | null;
  /** Mean loss of the last (up to) 10 steps run, or null when no step ran. */
  finalLoss: number | null;
  pairsPerSecond: number;
  pairCount: number;
  skippedPairs: { pairId: string; reason: string }[];
  lastMonitors: CrossModalMonitors | null;
  backend: string;
}

export type JobResult = TrainJobResult | EmbedJobResult | CrossModalJobResult;

/** Engine to worker. */
export type ToWorkerMessage = { type: 'cancel' };

/** Worker to engine. */
export type FromWorkerMessage =
  | { type: 'load-progress'; done: number; total: number }
  | { type: 'train-progress'; progress: TrainProgress }
  | { type: 'embed-progress'; done: number; total: number }
  | { type: 'crossmodal-progress'; progress: CrossModalProgress }
  | { type: 'result'; result: JobResult }
  | { type: 'error'; error: ErrorInfo };
