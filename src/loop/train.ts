/**
 * Train an encoder on a workspace dataset in a worker thread, and record the run in the store:
 * its full configuration (with defaults filled, the objective included), the reviewers' `same`
 * decisions it masked, the `different` decisions it used as hard negatives, its outcome and its
 * checkpoint. A run that fails or is cancelled is recorded as such, never lost.
 */
import { recordFailedRun } from './failed-run.js';
import { MONITOR_LOG_FILE, MonitorLog } from './monitor-log.js';
import { join } from 'node:path';
import { ApronError } from '../core/errors.js';
import type { Workspace } from '../core/workspace.js';
import { readManifest } from '../dataset/manifest-io.js';
import type { PairRef } from '../mask/groups.js';
import { listHardNegativeDecisions } from '../retrieval/hard-negative-set.js';
import type { Store, TrainingRunRecord } from '../store/index.js';
import { parseRunConfig, type RunConfig, type RunConfigInput } from '../train/config.js';
import { isCrossModalConfig } from '../train/crossmodal/config.js';
import { effectivePolicy } from '../train/steps/nt-xent-step.js';
import { stackModality } from '../train/steps/objective.js';
import { runTrainingInWorker } from '../train/run-in-worker.js';
import type { TrainProgress } from '../train/trainer.js';
import type { TrainJobResult } from '../train/worker-protocol.js';

export interface TrainInWorkspaceOptions {
  datasetId: string;
  config: RunConfigInput;
  /**
   * Use the dataset's decisions (default true): mask `same` pairs, and with hardNegatives.enabled
   * put `different` pairs and the hard-negative set into batches.
   */
  useDecisions?: boolean;
  /** Continue the checkpoint of this earlier run of the same dataset. */
  resumeRunId?: string;
  signal?: AbortSignal;
  /** Called once the run is recorded, before training starts. */
  onRunStarted?: (run: TrainingRunRecord) => void;
  onLoadProgress?: (done: number, total: number) => void;
  onProgress?: (progress: TrainProgress) => void;
}

export interface TrainInWorkspaceResult {
  run: TrainingRunRecord;
  result: TrainJobResult;
}

/** Returns the path of a dataset's decoded-image cache at one encoder input size, shared by training and embedding. */
export function imageCachePath(workspace: Workspace, datasetId: string, config: RunConfig): string {
  return join(workspace.cacheDir, `${datasetId}-${config.imageSize.width}x${config.imageSize.height}.u8`);
}

export async function trainInWorkspace(
  workspace: Workspace,
  store: Store,
  options: TrainInWorkspaceOptions,
): Promise<TrainInWorkspaceResult> {
  const dataset = store.getDataset(options.datasetId);
  // A resumed run takes its configuration from the run, so the given one is read for its steps only.
  const { config, resumeFrom } =
    options.resumeRunId === undefined ? { config: parseRunConfig(options.config), resumeFrom: undefined } : resumedRun(store, dataset.datasetId, options.resumeRunId, options.config);

  const samePairs = options.useDecisions === false ? [] : store.listDecisionPairs(dataset.datasetId, 'same');
  const differentPairs = options.useDecisions === false || !config.hardNegatives.enabled ? [] : listDifferentPairs(store, dataset.datasetId);
  const run = store.startTrainingRun({ datasetId: dataset.datasetId, config, decisionsUsed: samePairs.length + differentPairs.length });
  const checkpointDir = join(workspace.runsDir, run.runId, 'checkpoint');
  const monitorLog = new MonitorLog(join(workspace.runsDir, run.runId, MONITOR_LOG_FILE));
  options.onRunStarted?.(run);

  let result: TrainJobResult;
  try {
    result = await runTrainingInWorker(
      {
        kind: 'train',
        manifestPath: dataset.manifestPath,
        imageCachePath: imageCachePath(workspace, dataset.datasetId, config),
        config,
        samePairs,
        differentPairs,
        checkpointDir,
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
      },
      {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onLoadProgress === undefined ? {} : { onLoadProgress: options.onLoadProgress }),
        onTrainProgress: (progress) => {
          monitorLog.record(progress);
          options.onProgress?.(progress);
        },
      },
    );
  } catch (error) {
    recordFailedRun(store, run.runId, error, { checkpointDir, monitorLog, resumedFrom: options.resumeRunId ?? null, metrics: { objective: config.objective.kind } });
    throw error;
  }

  const metrics = {
    backend: result.backend,
    step: result.step,
    totalSteps: result.totalSteps,
    stepsRun: result.stepsRun,
    firstLoss: result.firstLoss,
    finalLoss: result.finalLoss,
    samplesPerSecond: result.samplesPerSecond,
    anchorCount: result.anchorCount,
    lastMonitors: monitorLog.last ?? null,
    collapseWarnings: monitorLog.collapseWarnings,
    decisions: result.decisions,
    objective: config.objective.kind,
    ...(config.objective.kind === 'nt-xent' ? { augmentationPolicy: ntXentPolicy(config, dataset.manifestPath) } : {}),
    hardNegatives: { enabled: config.hardNegatives.enabled, differentPairsGiven: differentPairs.length, ...result.hardNegatives },
    resumedFrom: options.resumeRunId ?? null,
  };
  const finished = store.updateTrainingRun(run.runId, {
    status: result.cancelled ? 'cancelled' : 'completed',
    ...(result.checkpointDir === null ? {} : { checkpointPath: result.checkpointDir }),
    decisionsUsed: result.decisions.pairsUsed + result.hardNegatives.pairsUsed,
    metrics,
  });
  return { run: finished, result };
}

/** Returns the configuration and checkpoint of a run to resume, with the new total of steps when `requested` sets one. */
function resumedRun(store: Store, datasetId: string, runId: string, requested: unknown): { config: RunConfig; resumeFrom: string } {
  const previous = store.getTrainingRun(runId);
  if (isCrossModalConfig(previous.config)) {
    throw new ApronError('invalid-input', `Run ${previous.runId} is a cross-modal (clip) run`, {
      hint: `Resume it with \`apron train-crossmodal --resume ${previous.runId}\` (or Resume on the training page).`,
    });
  }
  if (previous.datasetId !== datasetId || previous.checkpointPath === null) {
    throw new ApronError('invalid-input', `Run ${runId} cannot be resumed for dataset ${datasetId}`, {
      hint: 'Resume a run of the same dataset that saved a checkpoint (see `apron datasets`).',
    });
  }
  let config = parseRunConfig(previous.config);
  // A resume keeps the run's configuration, except that it may set a new total of steps.
  const requestedSteps = (requested as { steps?: unknown } | undefined)?.steps;
  if (typeof requestedSteps === 'number') {
    const { epochs: _epochs, ...rest } = config;
    config = parseRunConfig({ ...rest, steps: requestedSteps });
  }
  const stoppedAt = (previous.metrics as { step?: unknown } | null)?.step;
  const planned = (previous.metrics as { totalSteps?: unknown } | null)?.totalSteps;
  if (typeof stoppedAt === 'number' && typeof planned === 'number') {
    const total = config.steps ?? planned;
    if (total <= stoppedAt) {
      throw new ApronError('invalid-input', `Run ${previous.runId} is already at step ${stoppedAt} of ${total}, so resuming it would train nothing`, {
        hint: `Pass --steps with a total above ${stoppedAt} to train it further.`,
      });
    }
  }
  return { config, resumeFrom: previous.checkpointPath };
}

/** Lists the dataset's `different` pairs and its hard-negative set, each pair once. */
export function listDifferentPairs(store: Store, datasetId: string): PairRef[] {
  const pairs = new Map<string, PairRef>();
  const add = (a: string, b: string): void => {
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (!pairs.has(key)) pairs.set(key, { a, b });
  };
  for (const pair of store.listDecisionPairs(datasetId, 'different')) add(pair.a, pair.b);
  // The set's confirmations are `different` decisions too, but a pair whose reviews disagree is
  // left out of listDecisionPairs while its latest confirmation still counts in the set.
  for (const decision of listHardNegativeDecisions(store, datasetId)) add(decision.sampleA, decision.sampleB);
  return [...pairs.values()];
}

/** Returns the augmentation policy an NT-Xent run applies, as the run record stores it. */
function ntXentPolicy(config: RunConfig, manifestPath: string): unknown {
  if (config.objective.kind !== 'nt-xent') return undefined;
  return effectivePolicy(config.objective.policy, stackModality(readManifest(manifestPath).manifest.samples));
}
