/** The `training_runs` table: one row per training run, from start to its final status. */
import { hostname } from 'node:os';
import { ApronError } from '../core/errors.js';
import { datasetNotFound } from './datasets.js';
import { fromJsonColumn, newId, toJsonColumn, type StoreContext } from './context.js';

export const RUN_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface TrainingRunRecord {
  runId: string;
  datasetId: string;
  /** The training configuration as given at start, parsed back from JSON. */
  config: unknown;
  status: RunStatus;
  checkpointPath: string | null;
  /** Number of reviewer decisions the run's mask and hard negatives were built from. */
  decisionsUsed: number | null;
  /** Final or latest metrics, parsed back from JSON. */
  metrics: unknown;
  startedAt: string;
  /** Set when the status leaves `running`. */
  finishedAt: string | null;
  error: string | null;
}

export interface StartTrainingRunInput {
  /** Generated (`run-<time>-<random>`) when omitted. */
  runId?: string;
  datasetId: string;
  config: unknown;
  decisionsUsed?: number;
}

export interface TrainingRunUpdate {
  status?: RunStatus;
  checkpointPath?: string;
  decisionsUsed?: number;
  metrics?: unknown;
  error?: string;
}

export interface TrainingRunMethods {
  /** Inserts a run with status `running`. */
  startTrainingRun(input: StartTrainingRunInput): TrainingRunRecord;
  /**
   * Changes the given fields. Leaving `running` sets `finishedAt`. A run that has finished cannot
   * change status again (`conflict`), because its results were already reported.
   */
  updateTrainingRun(runId: string, update: TrainingRunUpdate): TrainingRunRecord;
  getTrainingRun(runId: string): TrainingRunRecord;
  /** Runs of one dataset, or of all datasets, oldest first. */
  listTrainingRuns(datasetId?: string): TrainingRunRecord[];
  /**
   * Mark `failed` every run still `running` that this host started from a process that no longer
   * exists (killed, crashed, power loss). Runs of other hosts sharing the file are left alone.
   * Returns the runs marked.
   */
  failOrphanedRuns(isProcessAlive?: (pid: number) => boolean): TrainingRunRecord[];
}

/** True when a process with this id exists; EPERM means it exists but belongs to another user. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface RunRow {
  run_id: string;
  dataset_id: string;
  config_json: string;
  status: RunStatus;
  checkpoint_path: string | null;
  decisions_used: number | null;
  metrics_json: string | null;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  owner_pid: number | null;
  owner_host: string | null;
}

function toRecord(row: RunRow): TrainingRunRecord {
  return {
    runId: row.run_id,
    datasetId: row.dataset_id,
    config: fromJsonColumn(row.config_json),
    status: row.status,
    checkpointPath: row.checkpoint_path,
    decisionsUsed: row.decisions_used,
    metrics: fromJsonColumn(row.metrics_json),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

export function createTrainingRunMethods(context: StoreContext): TrainingRunMethods {
  const { db } = context;
  const datasetExists = db.prepare('SELECT 1 FROM datasets WHERE dataset_id = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO training_runs (run_id, dataset_id, config_json, status, decisions_used, started_at, owner_pid, owner_host)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE training_runs SET status = @status, checkpoint_path = @checkpointPath, decisions_used = @decisionsUsed,
       metrics_json = @metricsJson, finished_at = @finishedAt, error = @error
     WHERE run_id = @runId`,
  );
  const selectOne = db.prepare('SELECT * FROM training_runs WHERE run_id = ?');
  const selectAll = db.prepare('SELECT * FROM training_runs ORDER BY started_at, run_id');
  const selectByDataset = db.prepare('SELECT * FROM training_runs WHERE dataset_id = ? ORDER BY started_at, run_id');
  const selectRunningHere = db.prepare("SELECT * FROM training_runs WHERE status = 'running' AND owner_host = ? AND owner_pid IS NOT NULL ORDER BY started_at, run_id");
  const markOrphaned = db.prepare(
    "UPDATE training_runs SET status = 'failed', finished_at = @finishedAt, error = @error WHERE run_id = @runId AND status = 'running'",
  );

  const getTrainingRun = (runId: string): TrainingRunRecord => {
    const row = selectOne.get(runId) as RunRow | undefined;
    if (row === undefined) {
      throw new ApronError('not-found', `Training run "${runId}" is not in the store.`, {
        hint: 'Check the run id against the list of training runs (`apron datasets`).',
      });
    }
    return toRecord(row);
  };

  return {
    startTrainingRun(input) {
      if (datasetExists.get(input.datasetId) === undefined) throw datasetNotFound(input.datasetId);
      checkDecisionsUsed(input.decisionsUsed);
      const startedAt = context.now();
      const runId = input.runId ?? newId('run', startedAt);
      const configJson = toJsonColumn(input.config, `Training run "${runId}" config`);
      if (selectOne.get(runId) !== undefined) {
        throw new ApronError('conflict', `Training run "${runId}" already exists in the store.`, {
          hint: 'Leave the run id out to get a new one.',
        });
      }
      insert.run(runId, input.datasetId, configJson, input.decisionsUsed ?? null, startedAt, process.pid, hostname());
      return getTrainingRun(runId);
    },

    updateTrainingRun(runId, changes) {
      const current = getTrainingRun(runId);
      checkDecisionsUsed(changes.decisionsUsed);
      const status = changes.status ?? current.status;
      if (!RUN_STATUSES.includes(status)) {
        throw new ApronError('invalid-input', `Training run status "${status}" is not one of ${RUN_STATUSES.join(', ')}.`);
      }
      if (status !== current.status && current.status !== 'running') {
        throw new ApronError(
          'conflict',
          `Training run "${runId}" is already ${current.status}; it cannot become ${status}.`,
          { hint: 'Start a new run instead.' },
        );
      }
      const finishing = current.status === 'running' && status !== 'running';
      update.run({
        runId,
        status,
        checkpointPath: changes.checkpointPath ?? current.checkpointPath,
        decisionsUsed: changes.decisionsUsed ?? current.decisionsUsed,
        metricsJson:
          changes.metrics === undefined
            ? toJsonColumnOrNull(current.metrics, runId)
            : toJsonColumn(changes.metrics, `Training run "${runId}" metrics`),
        finishedAt: finishing ? context.now() : current.finishedAt,
        error: changes.error ?? current.error,
      });
      return getTrainingRun(runId);
    },

    getTrainingRun,

    listTrainingRuns(datasetId) {
      const rows = datasetId === undefined ? selectAll.all() : selectByDataset.all(datasetId);
      return (rows as RunRow[]).map(toRecord);
    },

    failOrphanedRuns(isProcessAlive = processExists) {
      const orphaned = (selectRunningHere.all(hostname()) as RunRow[]).filter((row) => !isProcessAlive(row.owner_pid!));
      for (const row of orphaned) {
        markOrphaned.run({
          runId: row.run_id,
          finishedAt: context.now(),
          error: `The training process (pid ${row.owner_pid}) ended without recording an outcome; no checkpoint was saved by it.`,
        });
      }
      return orphaned.map((row) => getTrainingRun(row.run_id));
    },
  };
}

function toJsonColumnOrNull(value: unknown, runId: string): string | null {
  return value === null ? null : toJsonColumn(value, `Training run "${runId}" metrics`);
}

function checkDecisionsUsed(value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new ApronError('invalid-input', `decisionsUsed must be a non-negative integer, got ${value}.`);
  }
}
