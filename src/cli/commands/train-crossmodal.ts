import { ApronError } from '../../core/errors.js';
import { trainCrossModalInWorkspace } from '../../train/crossmodal/workspace-run.js';
import { PARTNER_MODALITIES, type CrossModalConfigInput, type PartnerModality } from '../../train/crossmodal/config.js';
import { numberOption, requireString, stringOption, type ParsedCommand } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { withStore } from '../workspace-store.js';
import { datasetToTrain, noteOptionsIgnoredByResume } from '../resume-options.js';

export const trainCrossModalCommand: Command = {
  name: 'train-crossmodal',
  summary: 'train camera and LiDAR (or BEV) encoders together with the CLIP loss',
  help: `Usage: apron train-crossmodal --dataset ID [options]

Trains a convolutional encoder on camera frames (grey) and a PointNet encoder on LiDAR points
with the symmetric CLIP loss and a learnable temperature, on every camera-LiDAR pair of the
dataset (each camera of a sample that has a sweep). Points are cropped to the camera's frustum
where a calibration exists. With --modalities camera,bev the partner of each camera frame is
the sample's BEV raster instead, embedded by a second convolutional encoder, and the pair learns
a temperature of its own. Runs in a worker thread on the best TensorFlow.js backend that loads,
records the run in the store, writes a checkpoint under the run's folder (also every 60 s of
training) and prints the run id. Ctrl-C stops after the current step and saves a checkpoint of
the steps done.

Options:
  --dataset ID          dataset id (see \`apron datasets\`)
  --modalities M        camera,lidar (default) or camera,bev
  --steps N             optimizer steps (default 100)
  --batch-size B        pairs per step (default 16); a dataset with fewer pairs repeats
                        them, and copies of a pair are never negatives
  --points N            LiDAR points per sweep after resampling (default 1024)
  --learning-rate LR    Adam learning rate (default 0.001)
  --seed N              random seed (default 1)
  --no-frustum-crop     keep the whole sweep instead of the points inside the camera image
  --resume RUN          continue the checkpoint of an earlier cross-modal run, with its dataset
                        and configuration (only --steps changes it; --dataset may be left out)
${WORKSPACE_HELP}`,
  options: {
    dataset: { type: 'string' },
    modalities: { type: 'string' },
    steps: { type: 'string' },
    'batch-size': { type: 'string' },
    points: { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
    'no-frustum-crop': { type: 'boolean' },
    resume: { type: 'string' },
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const resumeRunId = stringOption(parsed.values, 'resume');
    // A resumed run takes its dataset from the store, so only a new run requires --dataset.
    const givenDatasetId = resumeRunId === undefined ? requireString(parsed.values, 'dataset') : stringOption(parsed.values, 'dataset');
    const config = configFromOptions(parsed);
    if (resumeRunId !== undefined) noteOptionsIgnoredByResume(parsed);
    // A resumed run keeps its modalities, so the progress line takes them from the recorded run.
    let partner: string = config.modalities?.[1] ?? 'lidar';

    const loading = createProgress('load pairs');
    const progress = createProgress('train-crossmodal');
    const outcome = await withStore(parsed, (workspace, store) =>
      trainCrossModalInWorkspace(workspace, store, {
        datasetId: datasetToTrain(store, resumeRunId, givenDatasetId),
        config,
        ...(resumeRunId === undefined ? {} : { resumeRunId }),
        signal: context.signal,
        onRunStarted: (run) => {
          partner = (run.config as { modalities?: string[] }).modalities?.[1] ?? partner;
          context.onForcedExit(() => {
            store.updateTrainingRun(run.runId, { status: 'cancelled', error: 'stopped at once with a second Ctrl-C; no checkpoint was saved' });
          });
        },
        onLoadProgress: (done, total) => loading.update(done, total),
        onProgress: (step) => {
          const { monitors } = step;
          progress.update(
            step.step,
            step.totalSteps,
            `loss ${monitors.loss.toFixed(4)} (chance ${monitors.chanceLoss.toFixed(2)})  T ${monitors.temperature.toFixed(4)}  ` +
              `top-1 cam->${partner} ${monitors.topOneCameraToPartner.toFixed(2)} ${partner}->cam ${monitors.topOnePartnerToCamera.toFixed(2)}  ${step.pairsPerSecond.toFixed(1)} pairs/s`,
          );
        },
      }),
    );

    const { run, result, pairCount, checkpointDir } = outcome;
    const first = result.firstLoss;
    const last = result.finalLoss;
    progress.done(
      `${result.stepsRun} steps on ${result.backend} over ${pairCount} pairs` +
        (first === null || last === null ? '' : `, loss ${first.toFixed(4)} at the first step, ${last.toFixed(4)} (mean of the last ${Math.min(10, result.stepsRun)})`),
    );
    process.stderr.write(`checkpoint: ${checkpointDir}\n`);
    context.print(run.runId);
    return result.cancelled ? EXIT.cancelled : EXIT.ok;
  },
};

function configFromOptions(parsed: ParsedCommand): CrossModalConfigInput {
  const values = parsed.values;
  const config: CrossModalConfigInput = {};
  const steps = numberOption(values, 'steps', { min: 1, integer: true });
  const batchSize = numberOption(values, 'batch-size', { min: 2, max: 1024, integer: true });
  const points = numberOption(values, 'points', { min: 16, max: 16384, integer: true });
  const learningRate = numberOption(values, 'learning-rate', { min: 1e-7, max: 1 });
  const seed = numberOption(values, 'seed', { min: 0, integer: true });
  const modalities = stringOption(values, 'modalities');
  if (modalities !== undefined) config.modalities = parseModalities(modalities);
  if (steps !== undefined) config.steps = steps;
  if (batchSize !== undefined) config.batchSize = batchSize;
  if (points !== undefined) config.pointNet = { pointCount: points };
  if (learningRate !== undefined) config.learningRate = learningRate;
  if (seed !== undefined) config.seed = seed;
  if (values['no-frustum-crop'] === true) config.cropToFrustum = false;
  return config;
}

/** Reads `camera,lidar` or `camera,bev`. */
function parseModalities(value: string): ['camera', PartnerModality] {
  const [first, second, ...rest] = value.split(',').map((part) => part.trim().toLowerCase());
  const partner = PARTNER_MODALITIES.find((modality) => modality === second);
  if (first !== 'camera' || partner === undefined || rest.length > 0) {
    throw new ApronError('invalid-input', `--modalities must be camera,lidar or camera,bev, got "${value}"`, {
      hint: 'Pair camera frames with LiDAR sweeps (camera,lidar) or with BEV rasters (camera,bev).',
    });
  }
  return ['camera', partner];
}
