/**
 * Command-line handling of `--resume`. A resumed run keeps the configuration of its checkpoint
 * (architecture, objective, schedule), and only the total of steps may change. Other training
 * options given beside `--resume` have no effect, so they are named on stderr.
 */
import { ApronError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import { UsageError, type ParsedCommand } from './args.js';

/** Options that keep their meaning with `--resume`. A --config file's steps apply, as --steps does. */
const KEPT_WITH_RESUME = new Set(['resume', 'steps', 'config', 'dataset', 'workspace', 'no-decisions']);

/** Returns the options given beside `--resume` that the resumed run ignores, as `--name` strings. */
export function optionsIgnoredByResume(parsed: ParsedCommand): string[] {
  return Object.entries(parsed.values)
    .filter(([name, value]) => !KEPT_WITH_RESUME.has(name) && value !== undefined && value !== false)
    .map(([name]) => `--${name}`);
}

/** Writes a note naming the options a resumed run ignores, if any. */
export function noteOptionsIgnoredByResume(parsed: ParsedCommand): void {
  const ignored = optionsIgnoredByResume(parsed);
  if (ignored.length === 0) return;
  process.stderr.write(
    `note: ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored with --resume: ` +
      'a resumed run keeps the configuration of its checkpoint, and only --steps changes it\n',
  );
}

/**
 * Returns the dataset to train: `--dataset` for a new run, and for a resumed run its own dataset,
 * so that `--resume RUN` needs no other option. A `--dataset` given with `--resume` must match it.
 */
export function datasetToTrain(store: Store, runId: string | undefined, datasetId: string | undefined): string {
  if (runId === undefined) {
    if (datasetId === undefined) throw new UsageError('missing required option --dataset');
    return datasetId;
  }
  const run = store.getTrainingRun(runId);
  if (datasetId !== undefined && datasetId !== run.datasetId) {
    throw new ApronError('invalid-input', `Run ${runId} trained on dataset ${run.datasetId}, not ${datasetId}`, {
      hint: `Leave --dataset out with --resume, or pass --dataset ${run.datasetId}.`,
    });
  }
  return run.datasetId;
}
