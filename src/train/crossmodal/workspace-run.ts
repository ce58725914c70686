/**
 * Runs cross-modal CLIP training on a workspace dataset in a worker thread, and records the run in
 * the store: its configuration (with objective `clip` and its two modalities, camera with LiDAR or
 * BEV), its outcome, monitors and checkpoint. A run that fails or is cancelled is recorded as such,
 * with the latest checkpoint the worker saved.
 *
 * Each step is also written to the run's monitor log in the form single-encoder runs use, with
 * camera rows as anchors and partner rows as candidates, so the training page draws and compares
 * cross-modal runs like the others.
 */
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import type { Workspace } from '../../core/workspace.js';
import { recordFailedRun } from '../../loop/failed-run.js';
import { MONITOR_LOG_FILE, MonitorLog } from '../../loop/monitor-log.js';
import type { Store, TrainingRunRecord } from '../../store/index.js';
import { runCrossModalInWorker } from '../run-in-worker.js';
import type { TrainProgress } from '../trainer.js';
import type { CrossModalJobResult } from '../worker-protocol.js';
import { isCrossModalConfig, parseCrossModalConfig, type CrossModalConfig, type CrossModalConfigInput } from './config.js';
import type { CrossModalProgress } from './trainer.js';

export interface CrossModalWorkspaceOptions {
  datasetId: string;
  config: CrossModalConfigInput;
  /** Continue the checkpoint of this earlier cross-modal run of the same dataset; `config.steps` may raise its step count. */
  resumeRunId?: string;
  signal?: AbortSignal;
  /** Called once the run is recorded, before the pairs load. */
  onRunStarted?: (run: TrainingRunRecord) => void;
  onLoadProgress?: (done: number, total: number) => void;
  onProgress?: (progress: CrossModalProgress) => void;
  /** Each step in the form of single-encoder runs, as the monitor log records it. */
  onTrainProgress?: (progress: TrainProgress) => void;
  backend?: string;
  /** Seconds of training between two checkpoints while the run goes on (default 60). */
  checkpointEverySeconds?: number;
}

export interface CrossModalWorkspaceResult {
  run: TrainingRunRecord;
  result: CrossModalJobResult;
  checkpointDir: string;
  pairCount: number;
}

/** Returns the configuration recorded for a cross-modal run: the parsed config (with its modalities) and the objective. */
function recordedConfig(config: CrossModalConfig): Record<string, unknown> {
  return { ...config, objective: 'clip' };
}

/** Maps a cross-modal step onto the progress of single-encoder runs. */
export function toTrainProgress(progress: CrossModalProgress): TrainProgress {
  return {
    step: progress.step,
    totalSteps: progress.totalSteps,
    loss: progress.monitors.loss,
    rowsWithoutNegatives: 0,
    maskedFraction: progress.maskedFraction,
    samplesPerSecond: progress.pairsPerSecond,
    hardNegativePairs: 0,
    epoch: progress.epoch,
    ...(progress.stepMonitors === undefined ? {} : { monitors: progress.stepMonitors }),
    backend: progress.backend,
  };
}

export async function trainCrossModalInWorkspace(workspace: Workspace, store: Store, options: CrossModalWorkspaceOptions): Promise<CrossModalWorkspaceResult> {
  const dataset = store.getDataset(options.datasetId);
  let config = parseCrossModalConfig(options.config);
  let resumeFrom: string | undefined;
  if (options.resumeRunId !== undefined) {
    const previous = store.getTrainingRun(options.resumeRunId);
    if (previous.datasetId !== dataset.datasetId || previous.checkpointPath === null || !isCrossModalConfig(previous.config)) {
      throw new ApronError('invalid-input', `Run ${options.resumeRunId} cannot be resumed as a cross-modal run of dataset ${dataset.datasetId}`, {
        hint: 'Resume a cross-modal run of the same dataset that saved a checkpoint.',
      });
    }
    resumeFrom = previous.checkpointPath;
    // The record shows the run's own configuration (modalities, architecture), as its checkpoint will.
    const { objective: _objective, ...previousFields } = previous.config as Record<string, unknown>;
    config = parseCrossModalConfig({ ...previousFields, ...(options.config.steps === undefined ? {} : { steps: options.config.steps }) });
    const stoppedAt = (previous.metrics as { step?: unknown } | null)?.step;
    if (typeof stoppedAt === 'number' && config.steps <= stoppedAt) {
      throw new ApronError('invalid-input', `Run ${previous.runId} is already at step ${stoppedAt} of ${config.steps}, so resuming it would train nothing`, {
        hint: `Pass --steps with a total above ${stoppedAt} to train it further.`,
      });
    }
  }

  const run = store.startTrainingRun({ datasetId: dataset.datasetId, config: recordedConfig(config) });
  const checkpointDir = join(workspace.runsDir, run.runId, 'checkpoint');
  const monitorLog = new MonitorLog(join(workspace.runsDir, run.runId, MONITOR_LOG_FILE));
  options.onRunStarted?.(run);

  let result: CrossModalJobResult;
  try {
    result = await runCrossModalInWorker(
      {
        kind: 'crossmodal',
        manifestPath: dataset.manifestPath,
        config,
        checkpointDir,
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
        ...(options.checkpointEverySeconds === undefined ? {} : { checkpointEverySeconds: options.checkpointEverySeconds }),
        ...(options.backend === undefined ? {} : { backend: options.backend }),
      },
      {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onLoadProgress === undefined ? {} : { onLoadProgress: options.onLoadProgress }),
        onCrossModalProgress: (progress) => {
          const asTrainProgress = toTrainProgress(progress);
          monitorLog.record(asTrainProgress);
          options.onTrainProgress?.(asTrainProgress);
          options.onProgress?.(progress);
        },
      },
    );
  } catch (error) {
    recordFailedRun(store, run.runId, error, { checkpointDir, monitorLog, resumedFrom: options.resumeRunId ?? null });
    throw error;
  }

  const metrics = {
    backend: result.backend,
    step: result.step,
    totalSteps: result.totalSteps,
    stepsRun: result.stepsRun,
    firstLoss: result.firstLoss,
    finalLoss: result.finalLoss,
    samplesPerSecond: result.pairsPerSecond,
    pairsPerSecond: result.pairsPerSecond,
    pairCount: result.pairCount,
    skippedPairs: result.skippedPairs,
    // The single-encoder monitors, as the training page reads them; the CLIP ones beside them.
    lastMonitors: monitorLog.last ?? null,
    crossModalMonitors: result.lastMonitors,
    collapseWarnings: monitorLog.collapseWarnings,
    resumedFrom: options.resumeRunId ?? null,
  };
  const finished = store.updateTrainingRun(run.runId, {
    status: result.cancelled ? 'cancelled' : 'completed',
    ...(result.checkpointDir === null ? {} : { checkpointPath: result.checkpointDir }),
    metrics,
  });
  return { run: finished, result, checkpointDir, pairCount: result.pairCount };
}
