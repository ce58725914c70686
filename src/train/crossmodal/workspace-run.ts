/**
 * Runs cross-modal CLIP training on a workspace dataset in this process, and records the run in the
 * store: its configuration (with objective `clip` and its two modalities, camera with LiDAR or
 * BEV), its outcome, monitors and checkpoint. A run that fails or is cancelled is recorded as such.
 */
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import type { Workspace } from '../../core/workspace.js';
import { readManifest } from '../../dataset/manifest-io.js';
import type { Store, TrainingRunRecord } from '../../store/index.js';
import { initBackend } from '../backend.js';
import { saveCrossModalCheckpoint, loadCrossModalCheckpoint } from './checkpoint.js';
import { parseCrossModalConfig, partnerOf, type CrossModalConfigInput } from './config.js';
import { loadCrossModalPairs } from './pairs.js';
import { disposeCrossModalState, trainCrossModal, type CrossModalProgress, type CrossModalTrainResult } from './trainer.js';

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
  backend?: string;
}

export interface CrossModalWorkspaceResult {
  run: TrainingRunRecord;
  result: Omit<CrossModalTrainResult, 'state'>;
  checkpointDir: string;
  pairCount: number;
}

/** Returns the configuration recorded for a cross-modal run: the parsed config (with its modalities) and the objective. */
function recordedConfig(config: ReturnType<typeof parseCrossModalConfig>): Record<string, unknown> {
  return { ...config, objective: 'clip' };
}

export async function trainCrossModalInWorkspace(workspace: Workspace, store: Store, options: CrossModalWorkspaceOptions): Promise<CrossModalWorkspaceResult> {
  const dataset = store.getDataset(options.datasetId);
  let config = parseCrossModalConfig(options.config);
  let resumeFrom: string | undefined;
  if (options.resumeRunId !== undefined) {
    const previous = store.getTrainingRun(options.resumeRunId);
    const previousConfig = previous.config as { objective?: unknown } | null;
    if (previous.datasetId !== dataset.datasetId || previous.checkpointPath === null || previousConfig?.objective !== 'clip') {
      throw new ApronError('invalid-input', `Run ${options.resumeRunId} cannot be resumed as a cross-modal run of dataset ${dataset.datasetId}`, {
        hint: 'Resume a cross-modal run of the same dataset that saved a checkpoint.',
      });
    }
    resumeFrom = previous.checkpointPath;
    // The record shows the run's own configuration (modalities, architecture), as its checkpoint will.
    const { objective: _objective, ...previousFields } = previousConfig as Record<string, unknown>;
    config = parseCrossModalConfig({ ...previousFields, ...(options.config.steps === undefined ? {} : { steps: options.config.steps }) });
  }

  const run = store.startTrainingRun({ datasetId: dataset.datasetId, config: recordedConfig(config) });
  const checkpointDir = join(workspace.runsDir, run.runId, 'checkpoint');
  options.onRunStarted?.(run);

  try {
    // Loading a checkpoint creates variables, which needs the backend ready first.
    await initBackend(options.backend === undefined ? {} : { preferred: options.backend });
    const resumed = resumeFrom === undefined ? undefined : (await loadCrossModalCheckpoint(resumeFrom)).state;
    if (resumed !== undefined) {
      // The checkpoint's architecture and schedule win, except that a resume may ask for more steps.
      const steps = options.config.steps ?? resumed.config.steps;
      resumed.config = { ...resumed.config, steps: Math.max(steps, resumed.step) };
      config = resumed.config;
      store.updateTrainingRun(run.runId, { metrics: { resumedFrom: options.resumeRunId, config: recordedConfig(config) } });
    }

    const loaded = await loadCrossModalPairs(readManifest(dataset.manifestPath), {
      partner: partnerOf(config),
      bevSize: config.bevSize,
      sourceSize: { width: Math.round(config.imageSize.width * config.sourceScale), height: Math.round(config.imageSize.height * config.sourceScale) },
      cropToFrustum: config.cropToFrustum,
      ...(options.onLoadProgress === undefined ? {} : { onProgress: options.onLoadProgress }),
    });

    const { state, ...result } = await trainCrossModal({
      config,
      pairs: loaded.pairs,
      ...(resumed === undefined ? {} : { resume: resumed }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.backend === undefined ? {} : { backend: options.backend }),
    });
    try {
      await saveCrossModalCheckpoint(checkpointDir, state, { backend: result.backend });
    } finally {
      disposeCrossModalState(state);
    }

    const metrics = {
      backend: result.backend,
      step: state.step,
      totalSteps: result.totalSteps,
      stepsRun: result.stepsRun,
      firstLoss: result.losses[0] ?? null,
      finalLoss: result.losses.at(-1) ?? null,
      pairsPerSecond: result.pairsPerSecond,
      pairCount: loaded.pairs.length,
      skippedPairs: loaded.skipped,
      lastMonitors: result.lastMonitors,
      resumedFrom: options.resumeRunId ?? null,
    };
    const finished = store.updateTrainingRun(run.runId, { status: result.cancelled ? 'cancelled' : 'completed', checkpointPath: checkpointDir, metrics });
    return { run: finished, result, checkpointDir, pairCount: loaded.pairs.length };
  } catch (error) {
    const cancelled = error instanceof ApronError && error.code === 'cancelled';
    store.updateTrainingRun(run.runId, { status: cancelled ? 'cancelled' : 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
