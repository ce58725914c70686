import { existsSync, readFileSync } from 'node:fs';
import { ApronError } from '../../core/errors.js';
import { trainInWorkspace } from '../../loop/train.js';
import type { RunConfigInput } from '../../train/config.js';
import { numberOption, requireString, stringOption, UsageError, type ParsedCommand } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { hasMaskOptions, MASK_OPTIONS, maskOptionsHelp, maskRulesFromOptions } from '../mask-options.js';
import { hasPositivesOptions, positivesFromOptions, POSITIVES_OPTIONS } from '../positives-options.js';
import { createProgress } from '../progress.js';
import { withStore } from '../workspace-store.js';
import { datasetToTrain, noteOptionsIgnoredByResume } from '../resume-options.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train an encoder (InfoNCE, NT-Xent, MoCo or CPC); same decisions are masked',
  help: `Usage: apron train --dataset ID [options]

Trains a convolutional image encoder on each sample's BEV raster (or first camera image) with a
contrastive objective (masked InfoNCE by default), in a worker thread, on the best TensorFlow.js
backend that loads. Every pair that reviewers decided is the \`same\`, and every pair implied by
transitivity, is masked: it is never used as a negative. Writes a checkpoint and prints the run
id. Ctrl-C stops after the current step and saves a checkpoint of the steps done.

Options:
  --dataset ID            dataset id (see \`apron datasets\`)
  --config FILE           JSON run configuration (see docs/training.md); options below override it
  --steps N               optimizer steps (default 200)
  --epochs E              passes over the samples, instead of --steps
  --batch-size N          anchor samples per step (default 64)
  --learning-rate LR      Adam learning rate (default 0.001)
  --temperature T         InfoNCE temperature (default 0.1)
  --image-size WxH        encoder input size in pixels (default 64x64)
  --embedding-dim D       embedding dimension (default 128)
  --positives KIND        temporal: another sample of the same sequence within the window;
                          place: a sample of the same placeId in another sequence (across
                          seasons, weather or time of day);
                          augment: two augmented views of one sample (default temporal)
  --positive-window S     temporal positive window in seconds (default 1)
  --objective KIND        infonce: masked InfoNCE over the positives above (default);
                          nt-xent: SimCLR over two augmented views of each sample;
                          moco: queries against a queue of keys from a momentum encoder;
                          cpc: predict samples ahead in a sequence from a context network
  --queue-size K          moco: keys kept in the queue as negatives (default 4096, at least
                          the batch size)
  --momentum M            moco: key = M * key + (1 - M) * query after each step, 0 <= M < 1
                          (default 0.999)
  --hard-negatives        put reviewers' different pairs and the hard-negative set into batches
                          as negatives (infonce, nt-xent and moco; default 4 pairs per batch)
  --hard-negative-weight W
                          weight of a different pair in the loss denominator; 1 counts it as
                          any negative (default 1; implies --hard-negatives)
${maskOptionsHelp(26)}
  --workers N|auto        worker threads of the training steps: auto takes two on a machine with
                          two cores for infonce (default auto)
  --seed N                random seed (default 1)
  --no-decisions          ignore the store's decisions: no same pair is masked and no
                          different pair is used as a hard negative
  --resume RUN            continue the checkpoint of an earlier run, with its dataset and
                          configuration (only --steps changes it; --dataset may be left out)
${WORKSPACE_HELP}`,
  options: {
    dataset: { type: 'string' },
    config: { type: 'string' },
    steps: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    temperature: { type: 'string' },
    'image-size': { type: 'string' },
    'embedding-dim': { type: 'string' },
    ...POSITIVES_OPTIONS,
    objective: { type: 'string' },
    'queue-size': { type: 'string' },
    momentum: { type: 'string' },
    'hard-negatives': { type: 'boolean' },
    'hard-negative-weight': { type: 'string' },
    workers: { type: 'string' },
    seed: { type: 'string' },
    'no-decisions': { type: 'boolean' },
    resume: { type: 'string' },
    ...MASK_OPTIONS,
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const resumeRunId = stringOption(parsed.values, 'resume');
    // A resumed run takes its dataset from the store, so only a new run requires --dataset.
    const givenDatasetId = resumeRunId === undefined ? requireString(parsed.values, 'dataset') : stringOption(parsed.values, 'dataset');
    const config = runConfigFromOptions(parsed);
    if (resumeRunId !== undefined) noteOptionsIgnoredByResume(parsed);

    const loading = createProgress('load images');
    const progress = createProgress('train');
    let chance = '?';
    const outcome = await withStore(parsed, (workspace, store) =>
      trainInWorkspace(workspace, store, {
        datasetId: datasetToTrain(store, resumeRunId, givenDatasetId),
        config,
        useDecisions: parsed.values['no-decisions'] !== true,
        ...(resumeRunId === undefined ? {} : { resumeRunId }),
        signal: context.signal,
        onRunStarted: (run) =>
          context.onForcedExit(() => {
            store.updateTrainingRun(run.runId, { status: 'cancelled', error: 'stopped at once with a second Ctrl-C; no checkpoint was saved' });
          }),
        onLoadProgress: (done, total) => loading.update(done, total),
        onProgress: (step) => {
          const monitors = step.monitors;
          // The chance level ln K comes with the monitors, so between them the last one is shown.
          if (monitors !== undefined) chance = monitors.chanceLoss.toFixed(2);
          // Shown beside the loss so that a collapsing run is visible before it ends.
          const rank = monitors === undefined ? '' : `  rank ${monitors.effectiveRank.toFixed(1)}  top-1 ${monitors.topOneAccuracy.toFixed(2)}`;
          const queue = step.queueFilledFraction === undefined ? '' : `  queue ${(100 * step.queueFilledFraction).toFixed(0)}%`;
          const hard = step.hardNegativePairs > 0 ? `  hard ${step.hardNegativePairs}` : '';
          const collapse = monitors?.collapse.collapsed === true && step.step > 1 ? '  COLLAPSED?' : '';
          // MoCo's first step scores against an empty queue: its loss of 0 means no negatives, not a perfect encoder.
          const lossText = step.loss === 0 && step.rowsWithoutNegatives > 0 ? 'loss – (no negatives yet)' : `loss ${step.loss.toFixed(4)} (chance ${chance})`;
          progress.update(step.step, step.totalSteps, `${lossText}${rank}${queue}${hard}  ${step.samplesPerSecond.toFixed(0)} samples/s${collapse}`);
        },
      }),
    );

    const { run, result } = outcome;
    if (result.hardNegatives.pairsUsed > 0 || result.hardNegatives.pairsIgnored > 0) {
      process.stderr.write(`hard negatives: ${result.hardNegatives.pairsUsed} different pair(s) usable, ${result.hardNegatives.pairsIgnored} ignored\n`);
    }
    const first = result.firstLoss === 0 ? '0 at the first step (it had no negatives)' : `${result.firstLoss?.toFixed(4)} at the first step`;
    const loss = result.finalLoss === null ? 'no step ran' : `loss ${first}, ${result.finalLoss.toFixed(4)} (mean of the last ${Math.min(10, result.stepsRun)})`;
    progress.done(`${result.stepsRun} steps on ${result.backend}, ${loss}`);
    process.stderr.write(
      `masked ${result.decisions.pairsUsed} same decision(s) in ${result.decisions.groups} group(s)` +
        (result.decisions.pairsIgnored > 0 ? `, ignored ${result.decisions.pairsIgnored} naming unknown samples` : '') +
        '\n',
    );
    context.print(run.runId);
    return result.cancelled ? EXIT.cancelled : EXIT.ok;
  },
};

function runConfigFromOptions(parsed: ParsedCommand): RunConfigInput {
  const values = parsed.values;
  const config: Record<string, unknown> = { ...readConfigFile(stringOption(values, 'config')) };

  const set = (key: string, value: unknown): void => {
    if (value !== undefined) config[key] = value;
  };
  set('steps', numberOption(values, 'steps', { min: 1, integer: true }));
  set('epochs', numberOption(values, 'epochs', { min: 0.01 }));
  set('batchSize', numberOption(values, 'batch-size', { min: 2, max: 1024, integer: true }));
  const workers = stringOption(values, 'workers');
  if (workers !== undefined && !['auto', '1', '2'].includes(workers)) throw new UsageError(`--workers must be auto, 1 or 2, got "${workers}"`);
  if (workers !== undefined) set('workers', workers === 'auto' ? 'auto' : Number(workers));
  set('learningRate', numberOption(values, 'learning-rate', { min: 1e-7, max: 1 }));
  set('temperature', numberOption(values, 'temperature', { min: 0.01, max: 10 }));
  set('embeddingDim', numberOption(values, 'embedding-dim', { min: 2, max: 4096, integer: true }));
  set('seed', numberOption(values, 'seed', { min: 0, integer: true }));

  const size = stringOption(values, 'image-size');
  if (size !== undefined) {
    const match = /^(\d+)x(\d+)$/.exec(size);
    if (match === null) throw new UsageError(`--image-size must look like 64x64, got "${size}"`);
    config['imageSize'] = { width: Number(match[1]), height: Number(match[2]) };
  }

  // Positives set on the command line replace those of the --config file.
  if (hasPositivesOptions(values)) config['positives'] = positivesFromOptions(values);

  applyObjectiveOptions(parsed, config);

  if (hasMaskOptions(values) || config['maskRules'] === undefined) config['maskRules'] = maskRulesFromOptions(values);
  return config as RunConfigInput;
}

const OBJECTIVES = ['infonce', 'nt-xent', 'moco', 'cpc'] as const;

/** Sets `objective` and `hardNegatives` from the flags, over what the --config file set. */
function applyObjectiveOptions(parsed: ParsedCommand, config: Record<string, unknown>): void {
  const values = parsed.values;
  const kind = stringOption(values, 'objective');
  if (kind !== undefined && !(OBJECTIVES as readonly string[]).includes(kind)) {
    throw new UsageError(`--objective must be one of ${OBJECTIVES.join(', ')}, got "${kind}"`);
  }
  const fromFile = typeof config['objective'] === 'object' && config['objective'] !== null ? (config['objective'] as Record<string, unknown>) : undefined;
  // A flag that names another objective than the file replaces the file's objective settings.
  const objective: Record<string, unknown> = kind === undefined || fromFile?.['kind'] === kind ? { ...fromFile } : { kind };
  const queueSize = numberOption(values, 'queue-size', { min: 2, max: 65536, integer: true });
  const momentum = numberOption(values, 'momentum', { min: 0, max: 0.999999 });
  if ((queueSize !== undefined || momentum !== undefined) && (objective['kind'] ?? 'infonce') !== 'moco') {
    throw new UsageError('--queue-size and --momentum apply to --objective moco only');
  }
  if (queueSize !== undefined) objective['queueSize'] = queueSize;
  if (momentum !== undefined) objective['momentum'] = momentum;
  if (objective['kind'] !== undefined) config['objective'] = objective;

  const weight = numberOption(values, 'hard-negative-weight', { min: 1e-3, max: 100 });
  if (values['hard-negatives'] === true || weight !== undefined) {
    const hardNegatives = typeof config['hardNegatives'] === 'object' && config['hardNegatives'] !== null ? (config['hardNegatives'] as Record<string, unknown>) : {};
    config['hardNegatives'] = { ...hardNegatives, enabled: true, ...(weight === undefined ? {} : { weight }) };
  }
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  if (!existsSync(path)) {
    throw new ApronError('not-found', `Run configuration not found: ${path}`, { path, hint: 'Check the --config path.' });
  }
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the top level must be an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ApronError('invalid-input', `Run configuration ${path} is not a JSON object: ${(error as Error).message}`, {
      path,
      hint: 'Fix the JSON; see docs/training.md for the fields.',
    });
  }
}
