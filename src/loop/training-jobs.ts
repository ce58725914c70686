/**
 * Training jobs started from the UI: each runs `trainInWorkspace` in the background and keeps its
 * live state (status, step, loss, latest monitors) for the UI to poll. A workspace trains one run
 * at a time, because each run takes a core and its memory, and runs of one workspace share its cache.
 *
 * On creation the manager marks the runs that a process left `running` when it exited, and lists
 * them as `interrupted`. Such a run can be resumed when its checkpoint folder exists on disk.
 */
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { Workspace } from '../core/workspace.js';
import type { Store, TrainingRunRecord } from '../store/index.js';
import { parseRunConfig } from '../train/config.js';
import type { StepMonitors } from '../train/monitors/step-monitors.js';
import type { TrainProgress } from '../train/trainer.js';
import type { TrainingJob, TrainingJobMonitors } from '../api/contract-training.js';
import { isCrossModalConfig, parseCrossModalConfig } from '../train/crossmodal/config.js';
import { trainCrossModalInWorkspace, type CrossModalWorkspaceOptions } from '../train/crossmodal/workspace-run.js';
import { recoverInterruptedRuns } from './interrupted-runs.js';
import { trainInWorkspace, type TrainInWorkspaceOptions } from './train.js';

const log = createLogger('train');

// The contract's types depend on nothing, so the engine shares them instead of repeating them.
export type { TrainingJobMonitors, TrainingJobStatus } from '../api/contract-training.js';

/** A job's live state, as the training calls of the API return it. */
export type TrainingJobSnapshot = TrainingJob;

export interface StartTrainingRequest {
  datasetId: string;
  /** A run configuration for `parseRunConfig`; defaults fill the missing fields. */
  config: unknown;
  /** Mask the dataset's `same` decisions (default true). */
  useDecisions?: boolean;
}

interface Job {
  snapshot: TrainingJobSnapshot;
  controller: AbortController;
  settled: Promise<void>;
}

/** The callbacks a job gives its run. */
interface RunCallbacks {
  signal: AbortSignal;
  onRunStarted: (run: TrainingRunRecord) => void;
  onLoadProgress: (done: number, total: number) => void;
  onProgress: (progress: TrainProgress) => void;
}

/** Starts a run with the job's callbacks and resolves with its outcome once it has ended. */
type RunLauncher = (callbacks: RunCallbacks) => Promise<{ run: TrainingRunRecord; cancelled: boolean; step: number; totalSteps: number; backend: string }>;

export class TrainingJobManager {
  private readonly jobs = new Map<string, Job>();
  private active: Job | undefined;

  constructor(
    private readonly workspace: Workspace,
    private readonly store: Store,
  ) {
    this.recoverInterruptedRuns();
  }

  /** Starts a run in the background and returns its state once the store has recorded it. */
  async start(request: StartTrainingRequest): Promise<TrainingJobSnapshot> {
    this.rejectWhileTraining();
    this.store.getDataset(request.datasetId);
    if (isCrossModalConfig(request.config)) {
      // Validated here as well as in the run, so that the schema message reaches the caller as the error.
      const { objective: _objective, ...fields } = request.config as Record<string, unknown>;
      const config = parseCrossModalConfig(fields);
      return this.launch(this.crossModalRun({ datasetId: request.datasetId, config }), undefined);
    }
    const config = parseRunConfig(request.config);
    const options = { datasetId: request.datasetId, config, ...(request.useDecisions === undefined ? {} : { useDecisions: request.useDecisions }) };
    return this.launch(this.encoderRun(options), undefined);
  }

  /** Continues a stopped, failed or interrupted run from its checkpoint, as a new run. */
  async resume(runId: string, useDecisions?: boolean): Promise<TrainingJobSnapshot> {
    this.rejectWhileTraining();
    const previous = this.store.getTrainingRun(runId);
    if (previous.status === 'completed') {
      throw new ApronError('conflict', `Run ${runId} completed all its steps; there is nothing to resume.`, {
        hint: 'Start a new run with more steps instead.',
      });
    }
    if (previous.checkpointPath === null) {
      throw new ApronError('invalid-input', `Run ${runId} saved no checkpoint, so it cannot be resumed.`, {
        hint: 'A run saves its checkpoint when it completes or is stopped after its first step. Start a new run instead.',
      });
    }
    if (isCrossModalConfig(previous.config)) {
      return this.launch(this.crossModalRun({ datasetId: previous.datasetId, config: {}, resumeRunId: runId }), runId);
    }
    const options = {
      datasetId: previous.datasetId,
      config: previous.config as TrainInWorkspaceOptions['config'],
      resumeRunId: runId,
      ...(useDecisions === undefined ? {} : { useDecisions }),
    };
    return this.launch(this.encoderRun(options), runId);
  }

  /** Asks a running job to stop after its current step; the run is then recorded `cancelled` with its checkpoint. */
  stop(runId: string): TrainingJobSnapshot {
    const job = this.jobs.get(runId);
    if (job === undefined || job !== this.active) {
      const status = job?.snapshot.status ?? this.get(runId).status;
      throw new ApronError('conflict', `Run ${runId} is not running in this process (status ${status}).`, {
        hint: 'Only a run started from this window or server can be stopped here. Stop an `apron train` run with Ctrl+C in its terminal.',
      });
    }
    if (job.snapshot.status !== 'stopping') {
      log.info(`stopping training run ${runId} after its current step`);
      job.snapshot.status = 'stopping';
      job.controller.abort();
    }
    return copy(job.snapshot);
  }

  /** Returns the live state of a job, or the recorded state of any other run of the store. */
  get(runId: string): TrainingJobSnapshot {
    const job = this.jobs.get(runId);
    if (job !== undefined) return copy(job.snapshot);
    return snapshotOfRecord(this.store.getTrainingRun(runId));
  }

  /** Lists the jobs of this process and the interrupted runs of a dataset, newest first. */
  list(datasetId: string): TrainingJobSnapshot[] {
    this.store.getDataset(datasetId);
    const interrupted = this.store
      .listTrainingRuns(datasetId)
      .filter((run) => !this.jobs.has(run.runId) && wasInterrupted(run))
      .map(snapshotOfRecord);
    const snapshots = [...[...this.jobs.values()].map((job) => job.snapshot), ...interrupted];
    return snapshots
      .filter((snapshot) => snapshot.datasetId === datasetId)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .map(copy);
  }

  /** Resolves when the job of `runId` has ended, with its final state. */
  async waitForEnd(runId: string): Promise<TrainingJobSnapshot> {
    const job = this.jobs.get(runId);
    if (job !== undefined) await job.settled;
    return this.get(runId);
  }

  /** Stops the running job, if any, and waits until its outcome is in the store. Call before closing the store. */
  async close(): Promise<void> {
    const job = this.active;
    if (job === undefined) return;
    if (job.snapshot.status !== 'stopping') this.stop(job.snapshot.runId);
    await job.settled;
  }

  private rejectWhileTraining(): void {
    if (this.active !== undefined) {
      const { runId, datasetId } = this.active.snapshot;
      throw new ApronError('conflict', `Run ${runId} of dataset ${datasetId} is still training; a workspace trains one run at a time.`, {
        hint: 'Stop that run or wait for it to finish, then start again.',
      });
    }

    // Runs of a process that has exited are marked first, so that only live ones block.
    this.recoverInterruptedRuns();
    const elsewhere = this.store.listTrainingRuns().find((run) => run.status === 'running');
    if (elsewhere !== undefined) {
      throw new ApronError('conflict', `Run ${elsewhere.runId} of dataset ${elsewhere.datasetId} is running in another process; a workspace trains one run at a time.`, {
        hint: 'Wait for that run (for example an `apron train` command) to finish, or stop it there.',
      });
    }
  }

  /** Returns a launcher of a single-encoder run (`apron train`), through trainInWorkspace. */
  private encoderRun(options: Omit<TrainInWorkspaceOptions, keyof RunCallbacks>): RunLauncher {
    return async (callbacks) => {
      const { run, result } = await trainInWorkspace(this.workspace, this.store, { ...options, ...callbacks });
      return { run, cancelled: result.cancelled, step: result.step, totalSteps: result.totalSteps, backend: result.backend };
    };
  }

  /** Returns a launcher of a cross-modal CLIP run (`apron train-crossmodal`), through trainCrossModalInWorkspace. */
  private crossModalRun(options: Omit<CrossModalWorkspaceOptions, keyof RunCallbacks | 'onTrainProgress'>): RunLauncher {
    return async ({ onProgress, ...callbacks }) => {
      const { run, result } = await trainCrossModalInWorkspace(this.workspace, this.store, { ...options, ...callbacks, onTrainProgress: onProgress });
      return { run, cancelled: result.cancelled, step: result.step, totalSteps: result.totalSteps, backend: result.backend };
    };
  }

  private async launch(start: RunLauncher, resumeRunId: string | undefined): Promise<TrainingJobSnapshot> {
    const controller = new AbortController();
    // Filled by the callbacks below; a holder object, because TypeScript does not track assignments made inside callbacks.
    const holder: { job?: Job } = {};

    // Both runners record the run before their first await, so `onRunStarted` has run by the
    // time the call returns, unless the call failed before recording anything.
    const running = start({
      signal: controller.signal,
      onRunStarted: (run) => {
        const snapshot = snapshotOfRecord(run);
        snapshot.status = 'loading';
        snapshot.resumedFrom = resumeRunId ?? null;
        snapshot.resumable = false;
        holder.job = { snapshot, controller, settled: Promise.resolve() };
      },
      onLoadProgress: (done, total) => {
        if (holder.job === undefined) return;
        holder.job.snapshot.imagesLoaded = done;
        holder.job.snapshot.imagesTotal = total;
      },
      onProgress: (progress) => {
        if (holder.job !== undefined) recordProgress(holder.job.snapshot, progress);
      },
    });

    if (holder.job === undefined) {
      await running;
      throw new ApronError('internal', 'The training run ended before the store recorded it.');
    }

    const started: Job = holder.job;
    started.settled = running.then(
      (outcome) => {
        const { run } = outcome;
        Object.assign(started.snapshot, {
          status: outcome.cancelled ? 'cancelled' : 'completed',
          step: outcome.step,
          totalSteps: outcome.totalSteps,
          backend: outcome.backend,
          checkpointPath: run.checkpointPath,
          resumable: outcome.cancelled && run.checkpointPath !== null,
          finishedAt: run.finishedAt,
        });
        log.info(`training run ${run.runId} ${started.snapshot.status} at step ${outcome.step} of ${outcome.totalSteps}`);
      },
      (error: unknown) => {
        const record = this.store.getTrainingRun(started.snapshot.runId);
        Object.assign(started.snapshot, {
          status: record.status === 'cancelled' ? 'cancelled' : 'failed',
          error: error instanceof Error ? error.message : String(error),
          checkpointPath: record.checkpointPath,
          resumable: record.checkpointPath !== null,
          finishedAt: record.finishedAt,
        });
        if (error instanceof ApronError && error.hint !== undefined) started.snapshot.errorHint = error.hint;
        log.error(`training run ${started.snapshot.runId} ${started.snapshot.status}`, error);
      },
    );
    void started.settled.finally(() => {
      if (this.active === started) this.active = undefined;
    });

    this.jobs.set(started.snapshot.runId, started);
    this.active = started;
    log.info(`training run ${started.snapshot.runId} started on dataset ${started.snapshot.datasetId}`);
    return copy(started.snapshot);
  }

  /** Marks the runs left `running` by exited processes, and makes those with a checkpoint on disk resumable. */
  private recoverInterruptedRuns(): void {
    for (const run of recoverInterruptedRuns(this.workspace, this.store)) {
      const snapshot = snapshotOfRecord(run);
      log.warn(`training run ${run.runId} was left running by a process that exited; marked failed${snapshot.resumable ? ', resumable from its checkpoint' : ''}`);
    }
  }
}

function recordProgress(snapshot: TrainingJobSnapshot, progress: TrainProgress): void {
  if (snapshot.status === 'loading') snapshot.status = 'running';
  snapshot.step = progress.step;
  snapshot.totalSteps = progress.totalSteps;
  snapshot.loss = progress.loss;
  snapshot.samplesPerSecond = progress.samplesPerSecond;
  snapshot.backend = progress.backend;
  if (progress.monitors === undefined) return;

  snapshot.lastMonitors = toJobMonitors(progress.step, progress.monitors);
  // The same rule as the monitor log: the first step is at chance by construction.
  if (progress.monitors.collapse.collapsed && progress.step > 1) snapshot.collapseWarnings++;
}

function toJobMonitors(step: number, monitors: StepMonitors): TrainingJobMonitors {
  return {
    step,
    chanceLoss: monitors.chanceLoss,
    effectiveRank: monitors.effectiveRank,
    topOneAccuracy: monitors.topOneAccuracy,
    alignment: monitors.alignment,
    uniformity: monitors.uniformity,
    maskedFraction: monitors.maskedFraction,
    positiveSimilarity: monitors.positiveSimilarityMean,
    hardestNegativeSimilarity: monitors.hardestNegativeSimilarityMean,
    temperature: monitors.temperature ?? null,
    queueFilledFraction: monitors.queueFilledFraction ?? null,
    collapsed: monitors.collapse.collapsed,
    collapseReasons: monitors.collapse.reasons,
  };
}

/** Builds the state of a run from its store record and the metrics `trainInWorkspace` saved. */
function snapshotOfRecord(run: TrainingRunRecord): TrainingJobSnapshot {
  const metrics = asObject(run.metrics);
  const number = (key: string): number | null => (typeof metrics[key] === 'number' ? metrics[key] : null);
  const last = metrics['lastMonitors'] as StepMonitors | null | undefined;
  const step = number('step') ?? 0;
  return {
    runId: run.runId,
    datasetId: run.datasetId,
    status: wasInterrupted(run) ? 'interrupted' : run.status,
    step,
    totalSteps: number('totalSteps'),
    imagesLoaded: 0,
    imagesTotal: null,
    loss: number('finalLoss'),
    samplesPerSecond: number('samplesPerSecond'),
    lastMonitors: last === null || last === undefined ? null : toJobMonitors(step, last),
    collapseWarnings: number('collapseWarnings') ?? 0,
    backend: typeof metrics['backend'] === 'string' ? metrics['backend'] : null,
    error: run.error,
    resumedFrom: typeof metrics['resumedFrom'] === 'string' ? metrics['resumedFrom'] : null,
    checkpointPath: run.checkpointPath,
    resumable: run.checkpointPath !== null && run.status !== 'completed' && run.status !== 'running',
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    ...(typeof metrics['errorHint'] === 'string' ? { errorHint: metrics['errorHint'] } : {}),
  };
}

/** Tells whether a process exited while running the run, as recoverInterruptedRuns marks it. */
function wasInterrupted(run: TrainingRunRecord): boolean {
  return run.status === 'failed' && asObject(run.metrics)['interrupted'] === true;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function copy(snapshot: TrainingJobSnapshot): TrainingJobSnapshot {
  return structuredClone(snapshot);
}
