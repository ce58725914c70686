/**
 * Runs that a process left `running` when it exited (killed, crashed, power loss). Every process
 * that opens the workspace marks them, the CLI and the server alike, so the outcome must not depend
 * on which notices first. Each run is recorded `failed` and flagged as interrupted. It gets the
 * checkpoint the worker saved during the run, if there is one, and the progress of its monitor log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../core/workspace.js';
import type { Store, TrainingRunRecord } from '../store/index.js';
import type { TrainProgress } from '../train/trainer.js';
import { hasSavedCheckpoint } from './failed-run.js';
import { MONITOR_LOG_FILE } from './monitor-log.js';

/** Marks the workspace's orphaned runs and returns them as recorded. */
export function recoverInterruptedRuns(workspace: Workspace, store: Store): TrainingRunRecord[] {
  return store.failOrphanedRuns().map((orphan) => {
    const runFolder = join(workspace.runsDir, orphan.runId);
    const checkpoint = join(runFolder, 'checkpoint');
    const saved = orphan.checkpointPath === null && hasSavedCheckpoint(checkpoint);
    const reached = lastProgressIn(join(runFolder, MONITOR_LOG_FILE));
    const metrics = typeof orphan.metrics === 'object' && orphan.metrics !== null ? (orphan.metrics as Record<string, unknown>) : {};
    return store.updateTrainingRun(orphan.runId, {
      metrics: {
        ...metrics,
        ...(reached === undefined
          ? {}
          : {
              step: reached.last.step,
              totalSteps: reached.last.totalSteps,
              backend: reached.last.backend,
              ...(reached.monitors === undefined ? {} : { lastMonitors: reached.monitors }),
            }),
        // The store records the status as `failed`; this flag keeps the run listed as interrupted.
        interrupted: true,
      },
      ...(saved
        ? {
            checkpointPath: checkpoint,
            error: `The training process ended without recording an outcome, but it left a checkpoint in ${checkpoint}, so the run can be resumed.`,
          }
        : {}),
    });
  });
}

/** Reads the last complete step of a monitor log, and the last monitors in it. A cut last line is skipped. */
function lastProgressIn(path: string): { last: TrainProgress; monitors: TrainProgress['monitors'] } | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  let last: TrainProgress | undefined;
  let monitors: TrainProgress['monitors'];
  for (let index = lines.length - 1; index >= 0 && (last === undefined || monitors === undefined); index--) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    let progress: TrainProgress;
    try {
      progress = JSON.parse(line) as TrainProgress;
    } catch {
      continue;
    }
    last ??= progress;
    if (progress.monitors !== undefined) monitors = progress.monitors;
  }
  return last === undefined ? undefined : { last, monitors };
}
