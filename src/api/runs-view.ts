/**
 * Training runs as the runs page shows them: each run's configuration, status and final metrics,
 * and the per-step curves from its monitor log (src/loop/monitor-log.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunCurves, RunCurvePoint, RunSummary } from './contract-runs.js';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { MONITOR_LOG_FILE } from '../loop/monitor-log.js';
import type { Store, TrainingRunRecord } from '../store/index.js';
import type { TrainProgress } from '../train/trainer.js';

const log = createLogger('api');

/** Monitor logs larger than this are read by their last part only, so that a long run does not stall the UI. */
const MAX_LOG_BYTES = 32 * 1024 * 1024;

export function toRunSummary(run: TrainingRunRecord): RunSummary {
  const metrics = (run.metrics ?? {}) as Record<string, unknown>;
  const last = metrics['lastMonitors'] as Record<string, unknown> | null | undefined;
  return {
    runId: run.runId,
    datasetId: run.datasetId,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    decisionsUsed: run.decisionsUsed,
    config: run.config,
    backend: typeof metrics['backend'] === 'string' ? metrics['backend'] : null,
    step: typeof metrics['step'] === 'number' ? metrics['step'] : null,
    stepsRun: typeof metrics['stepsRun'] === 'number' ? metrics['stepsRun'] : null,
    finalLoss: typeof metrics['finalLoss'] === 'number' ? metrics['finalLoss'] : null,
    samplesPerSecond: typeof metrics['samplesPerSecond'] === 'number' ? metrics['samplesPerSecond'] : null,
    collapseWarnings: typeof metrics['collapseWarnings'] === 'number' ? metrics['collapseWarnings'] : 0,
    effectiveRank: typeof last?.['effectiveRank'] === 'number' ? last['effectiveRank'] : null,
  };
}

/** Returns the folder of a run's files: the workspace's `runs/<runId>`, beside the store. */
export function runFolder(store: Store, runId: string): string {
  return join(dirname(store.path), 'runs', runId);
}

/** Reads the per-step curves of a run. A run from before the monitor log existed has none. */
export function readRunCurves(store: Store, runId: string): RunCurves {
  const run = store.getTrainingRun(runId);
  const path = join(runFolder(store, runId), MONITOR_LOG_FILE);
  if (!existsSync(path)) return { runId, points: [], truncated: false };

  let text = readFileSync(path, 'utf8');
  let truncated = false;
  if (text.length > MAX_LOG_BYTES) {
    text = text.slice(text.length - MAX_LOG_BYTES);
    text = text.slice(text.indexOf('\n') + 1);
    truncated = true;
  }

  const points: RunCurvePoint[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let progress: TrainProgress;
    try {
      progress = JSON.parse(line) as TrainProgress;
    } catch (error) {
      // The last line of a run killed mid-write may be cut short; every complete line still counts.
      if (index < lines.length - 2) {
        throw new ApronError('invalid-input', `Line ${index + 1} of the monitor log ${path} is not JSON: ${(error as Error).message}`, { path });
      }
      log.warn(`run ${run.runId}: ignoring the unfinished last line of ${path}`);
      continue;
    }
    const monitors = progress.monitors;
    points.push({
      step: progress.step,
      loss: progress.loss,
      maskedFraction: progress.maskedFraction,
      samplesPerSecond: progress.samplesPerSecond,
      ...(monitors === undefined
        ? {}
        : {
            chanceLoss: monitors.chanceLoss,
            effectiveRank: monitors.effectiveRank,
            topOneAccuracy: monitors.topOneAccuracy,
            alignment: monitors.alignment,
            uniformity: monitors.uniformity,
            normMean: monitors.normMean,
            normMin: monitors.normMin,
            positiveSimilarity: monitors.positiveSimilarityMean,
            hardestNegativeSimilarity: monitors.hardestNegativeSimilarityMean,
            ...(typeof monitors.temperature === 'number' ? { temperature: monitors.temperature } : {}),
            ...(typeof monitors.queueFilledFraction === 'number' ? { queueFilledFraction: monitors.queueFilledFraction } : {}),
            collapsed: monitors.collapse.collapsed,
            collapseReasons: monitors.collapse.reasons,
          }),
    });
  }
  return { runId, points, truncated };
}
