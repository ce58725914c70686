/**
 * The cross-modal training loop: an image encoder on camera frames and a partner encoder, PointNet
 * on LiDAR points or a second convolutional encoder on BEV rasters. Both train with the symmetric
 * CLIP loss and a learnable temperature of that pair of modalities. The optimizer is Adam with
 * decoupled weight decay on the encoders' kernels. The logit scale is never decayed.
 *
 * A run starts from a seed or resumes from a checkpoint's state (both encoders, the logit scale,
 * Adam's moments and the sampler's random state), and a resumed run continues as an uninterrupted
 * run would.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { initBackend } from '../backend.js';
import { Encoder, l2Normalize } from '../encoder.js';
import { clipLoss, LogitScales } from '../objectives/clip.js';
import { createOptimizer } from '../optimizer.js';
import { computeStepMonitors, type StepMonitors } from '../monitors/step-monitors.js';
import { PointNetEncoder } from '../pointnet.js';
import { MONITOR_EVERY } from '../trainer.js';
import { CrossModalSampler, type CrossModalBatch, type CrossModalSamplerState } from './batches.js';
import {
  bevEncoderConfigOf,
  imageEncoderConfigOf,
  parseCrossModalConfig,
  partnerOf,
  pointNetConfigOf,
  type CrossModalConfig,
  type CrossModalConfigInput,
} from './config.js';
import { computeCrossModalMonitors, type CrossModalMonitors } from './monitors.js';
import type { CrossModalPair } from './pairs.js';

const log = createLogger('train');

export const CAMERA = 'camera';
export const LIDAR = 'lidar';
export const BEV = 'bev';

/** The name of each partner modality in logs and errors. */
const PARTNER_LABEL = { lidar: 'LiDAR', bev: 'BEV' } as const;

/** Everything a run needs to continue: what cross-modal checkpoints save. */
export interface CrossModalState {
  config: CrossModalConfig;
  imageEncoder: Encoder;
  /** PointNet for camera-LiDAR runs, a convolutional encoder for camera-BEV runs. */
  partnerEncoder: PointNetEncoder | Encoder;
  logitScales: LogitScales;
  optimizer: tf.AdamOptimizer;
  /** Steps done so far. */
  step: number;
  sampler: CrossModalSamplerState | undefined;
}

export interface CrossModalProgress {
  /** Steps done, 1-based. */
  step: number;
  totalSteps: number;
  /** Pairs per second over this call so far. */
  pairsPerSecond: number;
  epoch: number;
  monitors: CrossModalMonitors;
  /**
   * The monitors of single-encoder runs, with camera rows as anchors and partner rows as
   * candidates, on the first step, every tenth and the last, as `train` computes them.
   */
  stepMonitors?: StepMonitors;
  /** Fraction of the batch's cross pairs (other than a row and its own partner) masked as copies of one pair. */
  maskedFraction: number;
  /** The TensorFlow.js backend the run uses. */
  backend: string;
}

export interface CrossModalTrainOptions {
  config?: CrossModalConfigInput | CrossModalConfig;
  pairs: readonly CrossModalPair[];
  /** State to continue from instead of initialising from the seed. Its config replaces `config`. */
  resume?: CrossModalState;
  signal?: AbortSignal;
  onProgress?: (progress: CrossModalProgress) => void;
  /** Preferred TensorFlow.js backend, as for initBackend. */
  backend?: string;
  /**
   * Saves the state at most every `everySeconds` of training, after a step, so that a crash loses
   * at most that much work. The state passed is the live one: save it, do not keep it.
   */
  checkpoint?: { everySeconds: number; save: (state: CrossModalState) => Promise<void> };
}

export interface CrossModalTrainResult {
  state: CrossModalState;
  stepsRun: number;
  totalSteps: number;
  losses: number[];
  /** Monitors of the last step run, or null when no step ran. */
  lastMonitors: CrossModalMonitors | null;
  pairsPerSecond: number;
  cancelled: boolean;
  backend: string;
}

/** Creates the state of a new run from the config's seed. */
export function createCrossModalState(config: CrossModalConfig): CrossModalState {
  const logitScales = new LogitScales();
  // LogitScales creates every scale at CLIP's 0.07; the run's own initial temperature replaces it.
  const scale = logitScales.get(CAMERA, partnerOf(config));
  tf.tidy(() => scale.variable.assign(tf.scalar(Math.log(1 / config.initialTemperature))));
  // A seed of its own, so that the two encoders do not start from the same random stream.
  const partnerSeed = config.seed + 7919;
  return {
    config,
    imageEncoder: Encoder.create(imageEncoderConfigOf(config), { seed: config.seed }),
    partnerEncoder:
      partnerOf(config) === 'lidar'
        ? PointNetEncoder.create(pointNetConfigOf(config), { seed: partnerSeed })
        : Encoder.create(bevEncoderConfigOf(config), { seed: partnerSeed }),
    logitScales,
    optimizer: createOptimizer(config.learningRate),
    step: 0,
    sampler: undefined,
  };
}

/** Frees the state's tensors. */
export function disposeCrossModalState(state: CrossModalState): void {
  state.imageEncoder.dispose();
  state.partnerEncoder.dispose();
  state.logitScales.dispose();
  state.optimizer.dispose();
}

/** Returns the trainable variables in the fixed order the optimizer and checkpoints use. */
export function trainableVariables(state: CrossModalState): tf.Variable[] {
  return [...state.imageEncoder.variables.values(), ...state.partnerEncoder.variables.values(), state.logitScales.get(CAMERA, partnerOf(state.config)).variable];
}

/**
 * Trains (or continues) a cross-modal run. It resolves when `config.steps` are done, or after the
 * current step once the signal aborts, with `cancelled` set. The caller owns the returned state.
 */
export async function trainCrossModal(options: CrossModalTrainOptions): Promise<CrossModalTrainResult> {
  const config = options.resume?.config ?? parseCrossModalConfig(options.config ?? {});
  const backend = await initBackend(options.backend === undefined ? {} : { preferred: options.backend });
  const partner = partnerOf(config);
  const label = PARTNER_LABEL[partner];
  if (options.pairs.length < 2) {
    throw new ApronError('invalid-input', `Cross-modal training needs at least 2 camera-${label} pairs, got ${options.pairs.length}`, {
      hint: `Import a dataset whose samples have both a camera image and ${partner === 'lidar' ? 'a LiDAR sweep' : 'a BEV raster'}.`,
    });
  }

  const sampler = new CrossModalSampler({
    pairs: options.pairs,
    batchSize: config.batchSize,
    imageSize: config.imageSize,
    camera: config.augmentation.camera,
    partner:
      partner === 'lidar'
        ? { modality: 'lidar', pointCount: config.pointNet.pointCount, policy: config.augmentation.lidar }
        : { modality: 'bev', size: config.bevSize, policy: config.augmentation.bev },
    // Batches draw from their own stream, so that changing an architecture does not change them.
    seed: config.seed + 1,
  });
  if (options.resume?.sampler !== undefined) sampler.restore(options.resume.sampler);
  const state = options.resume ?? createCrossModalState(config);
  log.info(
    `cross-modal training: ${config.steps - state.step} step(s) to ${config.steps}, batch ${config.batchSize}, ` +
      `${options.pairs.length} camera-${label} pairs, ` +
      (partner === 'lidar' ? `${config.pointNet.pointCount} points per sweep` : `BEV rasters at ${config.bevSize.width}x${config.bevSize.height}`) +
      `, backend ${backend.name}`,
  );

  const losses: number[] = [];
  let lastMonitors: CrossModalMonitors | null = null;
  const started = performance.now();
  let lastCheckpoint = started;
  let pairsSeen = 0;
  let cancelled = false;
  while (state.step < config.steps) {
    if (options.signal?.aborted === true) {
      cancelled = true;
      break;
    }

    const batch = sampler.next();
    const monitorThisStep = (state.step + 1) % MONITOR_EVERY === 0 || state.step + 1 === config.steps || state.step === 0;
    const { monitors, stepMonitors } = await runStep(state, batch, monitorThisStep);
    state.step++;
    losses.push(monitors.loss);
    lastMonitors = monitors;
    pairsSeen += batch.size;
    options.onProgress?.({
      step: state.step,
      totalSteps: config.steps,
      pairsPerSecond: pairsSeen / ((performance.now() - started) / 1000),
      epoch: sampler.epochs,
      monitors,
      maskedFraction: maskedFractionOf(batch.validNegatives, batch.size),
      ...(stepMonitors === undefined ? {} : { stepMonitors }),
      backend: backend.name,
    });

    if (options.checkpoint !== undefined && state.step < config.steps && performance.now() - lastCheckpoint >= options.checkpoint.everySeconds * 1000) {
      state.sampler = sampler.save();
      await options.checkpoint.save(state);
      lastCheckpoint = performance.now();
    }

    // A macrotask break lets a cancel request arrive between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  state.sampler = sampler.save();
  const seconds = (performance.now() - started) / 1000;
  const pairsPerSecond = seconds > 0 ? pairsSeen / seconds : 0;
  log.info(
    `cross-modal training ${cancelled ? 'cancelled' : 'finished'} at step ${state.step}/${config.steps}` +
      (lastMonitors === null ? '' : `, last loss ${lastMonitors.loss.toFixed(4)}, temperature ${lastMonitors.temperature.toFixed(4)}`),
  );
  return { state, stepsRun: losses.length, totalSteps: config.steps, losses, lastMonitors, pairsPerSecond, cancelled, backend: backend.name };
}

/**
 * Runs one Adam step, the weight decay and the temperature clamp, and returns the step's monitors.
 * With `monitorThisStep` it also returns the single-encoder monitors, which read both embeddings back.
 */
async function runStep(state: CrossModalState, batch: CrossModalBatch, monitorThisStep: boolean): Promise<{ monitors: CrossModalMonitors; stepMonitors?: StepMonitors }> {
  const { config } = state;
  const logitScale = state.logitScales.get(CAMERA, partnerOf(config));
  const images = tf.tensor4d(batch.images, [batch.size, config.imageSize.height, config.imageSize.width, 1]);
  const partnerInput =
    partnerOf(config) === 'lidar'
      ? tf.tensor3d(batch.partner, [batch.size, config.pointNet.pointCount, 4])
      : tf.tensor4d(batch.partner, [batch.size, config.bevSize.height, config.bevSize.width, 1]);
  let similarity: tf.Tensor2D | undefined;
  let embeddingsForMonitors: [tf.Tensor2D, tf.Tensor2D] | undefined;

  const lossTensor = state.optimizer.minimize(
    () => {
      const cameraEmbeddings = state.imageEncoder.embedUnnormalized(images);
      const partnerEmbeddings = embedPartner(state.partnerEncoder, partnerInput);
      if (monitorThisStep) embeddingsForMonitors = [tf.keep(cameraEmbeddings), tf.keep(partnerEmbeddings)];
      similarity = tf.keep(tf.matMul(l2Normalize(cameraEmbeddings), l2Normalize(partnerEmbeddings), false, true) as tf.Tensor2D);
      return clipLoss({ a: cameraEmbeddings, b: partnerEmbeddings, validNegatives: batch.validNegatives, logitScale }).loss;
    },
    true,
    trainableVariables(state),
  );
  images.dispose();
  partnerInput.dispose();

  applyWeightDecay(state);
  state.logitScales.clampAfterStep();

  const loss = lossTensor === null ? Number.NaN : ((await lossTensor.data())[0] ?? Number.NaN);
  lossTensor?.dispose();
  const similarityValues = similarity === undefined ? new Float32Array(batch.size * batch.size) : ((await similarity.data()) as Float32Array);
  similarity?.dispose();
  if (!Number.isFinite(loss)) {
    tf.dispose(embeddingsForMonitors);
    throw new ApronError('invalid-input', `Cross-modal training diverged: the loss at step ${state.step + 1} is ${loss}`, {
      hint: 'Lower learningRate and start the run again.',
    });
  }
  const temperature = logitScale.temperature();
  const monitors = computeCrossModalMonitors({ similarity: similarityValues, pairIndices: batch.pairIndices, validNegatives: batch.validNegatives, loss, temperature });
  if (embeddingsForMonitors === undefined) return { monitors };

  // The camera to partner direction: each camera row's positive is its own partner row.
  const stepMonitors = computeStepMonitors({
    anchors: embeddingsForMonitors[0],
    candidates: embeddingsForMonitors[1],
    positives: Int32Array.from({ length: batch.size }, (_, row) => row),
    validNegatives: batch.validNegatives,
    loss,
    temperature,
    // clipLoss, like infoNceLoss, counts a row without negatives as 0 in its mean.
    rowsWithoutNegatives: 'zero',
  });
  tf.dispose(embeddingsForMonitors);
  return { monitors, stepMonitors };
}

/** Returns the fraction of the batch's cross pairs, other than each row's own partner, that the mask removes. */
function maskedFractionOf(validNegatives: Uint8Array, size: number): number {
  if (size < 2) return 0;
  let masked = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) if (i !== j && validNegatives[i * size + j] === 0) masked++;
  }
  return masked / (size * (size - 1));
}

/** Embeds a batch of the partner modality: points [B, N, 4] with PointNet, rasters [B, H, W, 1] with a convolutional encoder. */
function embedPartner(encoder: PointNetEncoder | Encoder, input: tf.Tensor3D | tf.Tensor4D): tf.Tensor2D {
  if (encoder instanceof PointNetEncoder) return encoder.embedUnnormalized(input as tf.Tensor3D);
  return encoder.embedUnnormalized(input as tf.Tensor4D);
}

/**
 * Shrinks every kernel by learningRate x weightDecay after the Adam step (decoupled weight decay,
 * Loshchilov and Hutter, 2019). Biases, normalisation parameters and the logit scale keep their values.
 */
function applyWeightDecay(state: CrossModalState): void {
  const factor = 1 - state.config.learningRate * state.config.weightDecay;
  if (factor === 1) return;
  const excluded = new Set(state.logitScales.weightDecayExclusions());
  tf.tidy(() => {
    for (const variable of trainableVariables(state)) {
      if (excluded.has(variable.name) || !variable.name.endsWith('/kernel')) continue;
      variable.assign(tf.mul(variable, factor));
    }
  });
}
