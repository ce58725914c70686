/**
 * The training part of the API contract: start, stop and resume runs from the UI, and read their
 * live state. contract.ts spreads these schemas into `apiArgs` and extends `ApiResults` with these
 * results. Like contract.ts this file is imported by the renderer, so it depends on zod only.
 * The live curves of a run come from `getRunCurves`, because its monitor log grows during the run.
 */
import { z } from 'zod';

const id = z.string().min(1).max(200);

export const trainingApiArgs = {
  startTraining: z.object({
    datasetId: id,
    /** A run configuration; the engine validates it and fills the defaults of the missing fields. */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Mask the dataset's `same` decisions. Default true. */
    useDecisions: z.boolean().default(true),
  }),
  stopTraining: z.object({ runId: id }),
  /** Continues a run from its checkpoint, as a new run with the same configuration. */
  resumeTraining: z.object({ runId: id, useDecisions: z.boolean().default(true) }),
  getTrainingJob: z.object({ runId: id }),
  listTrainingJobs: z.object({ datasetId: id }),
} as const;

export const TRAINING_JOB_STATUSES = ['loading', 'running', 'stopping', 'completed', 'cancelled', 'failed', 'interrupted'] as const;

/**
 * `loading` while images are decoded, `stopping` between a stop request and the end of the current
 * step, `interrupted` for a run whose process exited while it was running.
 */
export type TrainingJobStatus = (typeof TRAINING_JOB_STATUSES)[number];

/** The monitors of the latest monitored step. */
export interface TrainingJobMonitors {
  step: number;
  /** Mean ln K over the batch's rows: the loss of an encoder that has learned nothing. */
  chanceLoss: number;
  effectiveRank: number;
  topOneAccuracy: number;
  alignment: number;
  uniformity: number;
  maskedFraction: number;
  positiveSimilarity: number;
  hardestNegativeSimilarity: number;
  temperature: number | null;
  queueFilledFraction: number | null;
  collapsed: boolean;
  collapseReasons: string[];
}

export interface TrainingJob {
  runId: string;
  datasetId: string;
  status: TrainingJobStatus;
  /** Steps done, including those of the checkpoint a resumed run started from. */
  step: number;
  totalSteps: number | null;
  imagesLoaded: number;
  imagesTotal: number | null;
  loss: number | null;
  /** Anchor samples per second over the run so far. */
  samplesPerSecond: number | null;
  lastMonitors: TrainingJobMonitors | null;
  /** Monitored steps after the first that raised the collapse flag. */
  collapseWarnings: number;
  /** The TensorFlow.js backend, reported with every step. */
  backend: string | null;
  error: string | null;
  /** The hint on what to do about `error`, when the failure carried one. Runs read back from the store have none. */
  errorHint?: string;
  resumedFrom: string | null;
  checkpointPath: string | null;
  /** True when `resumeTraining` can continue this run from its checkpoint. */
  resumable: boolean;
  startedAt: string;
  finishedAt: string | null;
}

export interface TrainingApiResults {
  startTraining: TrainingJob;
  stopTraining: TrainingJob;
  resumeTraining: TrainingJob;
  getTrainingJob: TrainingJob;
  listTrainingJobs: TrainingJob[];
}
