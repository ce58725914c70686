/**
 * Records a training run that stopped with an error as `cancelled` or `failed`. The record keeps
 * the message, the hint and how far the run got. It also keeps the latest checkpoint the worker
 * saved during the run, so that a run that fails late can resume from it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApronError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import type { MonitorLog } from './monitor-log.js';

/** Index files of a whole checkpoint: of single-encoder runs and of cross-modal runs. */
const CHECKPOINT_INDEX_FILES = ['checkpoint.json', 'crossmodal-checkpoint.json'];

/**
 * Tells whether a checkpoint folder contains a whole checkpoint, of a single-encoder or of a
 * cross-modal run. A checkpoint is written into a temporary folder, index last, and renamed into
 * place, so a save that stopped part-way leaves no index here.
 */
export function hasSavedCheckpoint(folder: string): boolean {
  return CHECKPOINT_INDEX_FILES.some((index) => existsSync(join(folder, index)));
}

export interface FailedRunContext {
  checkpointDir: string;
  /** The run's monitor log: how far the run got and its latest monitors. */
  monitorLog: MonitorLog;
  resumedFrom: string | null;
  /** Further metrics of the kind of run, such as its objective. */
  metrics?: Record<string, unknown>;
}

/** Records the run as `cancelled` (for a cancellation error) or `failed`. */
export function recordFailedRun(store: Store, runId: string, error: unknown, context: FailedRunContext): void {
  const cancelled = error instanceof ApronError && error.code === 'cancelled';
  const reached = context.monitorLog.lastProgress;
  store.updateTrainingRun(runId, {
    status: cancelled ? 'cancelled' : 'failed',
    error: error instanceof Error ? error.message : String(error),
    ...(hasSavedCheckpoint(context.checkpointDir) ? { checkpointPath: context.checkpointDir } : {}),
    metrics: {
      backend: reached?.backend ?? null,
      step: reached?.step ?? 0,
      totalSteps: reached?.totalSteps ?? null,
      lastMonitors: context.monitorLog.last ?? null,
      collapseWarnings: context.monitorLog.collapseWarnings,
      resumedFrom: context.resumedFrom,
      ...context.metrics,
      ...(error instanceof ApronError && error.hint !== undefined ? { errorHint: error.hint } : {}),
    },
  });
}
