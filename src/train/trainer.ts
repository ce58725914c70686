/**
 * The training loop: masked InfoNCE over batches from an image stack, with Adam, progress reports
 * and cancellation.
 *
 * A run starts from a seed or resumes from a checkpoint's state (weights, Adam moments, the batch
 * generator's random state and anchor order), so resuming after N steps continues exactly as an
 * uninterrupted run would.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { Rng } from '../core/rng.js';
import type { ImageStack } from '../dataset/images.js';
import type { Sample } from '../dataset/manifest.js';
import type { PairRef } from '../mask/groups.js';
import { initBackend } from './backend.js';
import { BatchSampler, type Batch, type DecisionUsage, type SamplerState } from './batches.js';
import { encoderConfigOf, parseRunConfig, totalSteps, type RunConfig, type RunConfigInput } from './config.js';
import { Encoder } from './encoder.js';
import { infoNceLoss } from './infonce.js';
import { computeStepMonitors, type StepMonitors } from './monitors/step-monitors.js';
import { createOptimizer } from './optimizer.js';

const log = createLogger('train');

export interface TrainProgress {
  /** Steps done, 1-based. */
  step: number;
  totalSteps: number;
  loss: number;
  /** Anchors of this step whose negatives were all masked (their loss is 0). */
  rowsWithoutNegatives: number;
  /** Fraction of this step's view pairs (other than a view and its positive) that were masked. */
  maskedFraction: number;
  /** Anchor samples per second over the run so far. Each anchor brings two images. */
  samplesPerSecond: number;
  /** Completed passes over the anchor samples. */
  epoch: number;
  /** The full monitors, on the steps where they are computed (every `monitorEvery` steps and the last). */
  monitors?: StepMonitors;
}

/** Steps between two computations of the full monitors: they read the batch's embeddings back from the backend. */
export const MONITOR_EVERY = 10;

/** Everything a run needs to continue: what checkpoints save. */
export interface TrainingState {
  config: RunConfig;
  encoder: Encoder;
  optimizer: tf.AdamOptimizer;
  /** Steps done so far. */
  step: number;
  /** The batch generator's random state and anchor order. */
  sampler: SamplerState | undefined;
}

export interface TrainOptions {
  config: RunConfigInput | RunConfig;
  /** Images in manifest order, decoded at `config.imageSize`. */
  stack: ImageStack;
  samples: readonly Sample[];
  /** Reviewers' `same` decisions. Every pair within one transitive group is masked. */
  samePairs?: readonly PairRef[];
  /** State to continue from instead of initialising from the seed. Its config replaces `config`. */
  resume?: TrainingState;
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** Preferred TensorFlow.js backend, as for initBackend. */
  backend?: string;
}

export interface TrainResult {
  state: TrainingState;
  /** Steps run by this call (fewer than planned when cancelled). */
  stepsRun: number;
  totalSteps: number;
  /** Loss of each step run by this call. */
  losses: number[];
  samplesPerSecond: number;
  cancelled: boolean;
  decisions: DecisionUsage;
  /** Samples that could be drawn as anchors. */
  anchorCount: number;
  backend: string;
}

/**
 * Trains (or continues training) an encoder. It resolves when the planned steps are done, or after
 * the current step once the signal aborts, with `cancelled` set. The caller owns the returned
 * state: save it with saveCheckpoint if needed, then dispose its encoder and optimizer.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = options.resume?.config ?? parseRunConfig(options.config);
  const backend = await initBackend(options.backend === undefined ? {} : { preferred: options.backend });
  const { stack } = options;
  if (stack.width !== config.imageSize.width || stack.height !== config.imageSize.height) {
    throw new ApronError(
      'invalid-input',
      `The image stack is ${stack.width}x${stack.height} but the run trains on ${config.imageSize.width}x${config.imageSize.height}`,
      { hint: 'Load the image stack at the configured imageSize (loadImageStack takes the size).' },
    );
  }

  const sampler = createSampler(options, config);
  const state: TrainingState = options.resume ?? {
    config,
    encoder: Encoder.create(encoderConfigOf(config), { seed: config.seed }),
    optimizer: createOptimizer(config.learningRate),
    step: 0,
    sampler: undefined,
  };
  const planned = totalSteps(config, sampler.anchorCount);
  const { decisions } = sampler;
  log.info(
    `training: ${planned - state.step} step(s) to ${planned}, batch ${config.batchSize}, ${sampler.anchorCount} anchor samples, ` +
      `backend ${backend.name}, same decisions: ${decisions.pairsUsed} pair(s) in ${decisions.groups} group(s)` +
      (decisions.pairsIgnored > 0 ? `, ${decisions.pairsIgnored} pair(s) ignored (sample not in dataset)` : ''),
  );

  const losses: number[] = [];
  const started = performance.now();
  let anchorsSeen = 0;
  let cancelled = false;
  while (state.step < planned) {
    if (options.signal?.aborted === true) {
      cancelled = true;
      break;
    }

    const batch = sampler.next();
    const monitorThisStep = (state.step + 1) % MONITOR_EVERY === 0 || state.step + 1 === planned || state.step === 0;
    const { loss, rowsWithoutNegatives, embeddings } = await runStep(state, batch, stack, monitorThisStep);
    state.step++;
    const monitors =
      embeddings === undefined
        ? undefined
        : computeStepMonitors({
            anchors: embeddings,
            positives: batch.positives,
            validNegatives: batch.validNegatives,
            loss,
            temperature: state.config.temperature,
            rowsWithoutNegatives: 'zero',
          });
    // Every run starts at chance with alike embeddings, so the first step's flag carries no information yet.
    if (monitors?.collapse.collapsed === true && state.step > 1) log.warn(`step ${state.step}: the embeddings look collapsed: ${monitors.collapse.reasons.join('; ')}`);
    losses.push(loss);
    anchorsSeen += batch.size;
    options.onProgress?.({
      step: state.step,
      totalSteps: planned,
      loss,
      rowsWithoutNegatives,
      maskedFraction: batch.candidatePairs === 0 ? 0 : 1 - countValid(batch.validNegatives) / batch.candidatePairs,
      samplesPerSecond: anchorsSeen / ((performance.now() - started) / 1000),
      epoch: sampler.epochs,
      ...(monitors === undefined ? {} : { monitors }),
    });

    // A macrotask break lets a worker receive its cancel message between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  state.sampler = sampler.save();
  const seconds = (performance.now() - started) / 1000;
  const samplesPerSecond = seconds > 0 ? anchorsSeen / seconds : 0;
  const lastLoss = losses.at(-1);
  log.info(
    `training ${cancelled ? 'cancelled' : 'finished'} at step ${state.step}/${planned}` +
      (lastLoss === undefined ? '' : `, last loss ${lastLoss.toFixed(4)}, ${samplesPerSecond.toFixed(1)} samples/s`),
  );
  return {
    state,
    stepsRun: losses.length,
    totalSteps: planned,
    losses,
    samplesPerSecond,
    cancelled,
    decisions,
    anchorCount: sampler.anchorCount,
    backend: backend.name,
  };
}

/** Creates the batch sampler of a run, positioned where a resumed run stopped. */
function createSampler(options: TrainOptions, config: RunConfig): BatchSampler {
  const saved = options.resume?.sampler;
  const sampler = new BatchSampler({
    samples: options.samples,
    stack: options.stack,
    batchSize: config.batchSize,
    positives: config.positives,
    maskRules: config.maskRules,
    samePairs: options.samePairs ?? [],
    augmentation: config.augmentation,
    // Batches draw from their own stream, so that changing the architecture does not change them.
    rng: saved === undefined ? new Rng(config.seed + 1) : Rng.fromState(saved.rngState),
  });
  if (saved !== undefined) sampler.restore(saved);
  return sampler;
}

interface StepOutcome {
  loss: number;
  rowsWithoutNegatives: number;
  /** The batch's embeddings before the scaling to unit length, when the monitors asked for them. */
  embeddings?: { values: Float32Array; rows: number; columns: number };
}

/** Runs one Adam step on one batch and returns the loss and the anchors that had no negative. */
async function runStep(state: TrainingState, batch: Batch, stack: ImageStack, keepEmbeddings: boolean): Promise<StepOutcome> {
  const views = 2 * batch.size;
  let rowsWithoutNegatives = 0;
  let keptEmbeddings: tf.Tensor2D | undefined;
  const images = tf.tensor4d(batch.pixels, [views, stack.height, stack.width, 1]);
  const lossTensor = state.optimizer.minimize(
    () => {
      // InfoNCE scales rows to unit length itself, so the loss is the same as with embed().
      const embeddings = state.encoder.embedUnnormalized(images);
      if (keepEmbeddings) keptEmbeddings = tf.keep(embeddings);
      const result = infoNceLoss({
        anchors: embeddings,
        candidates: embeddings,
        positives: batch.positives,
        validNegatives: batch.validNegatives,
        temperature: state.config.temperature,
      });
      rowsWithoutNegatives = result.rowsWithoutNegatives;
      return result.loss;
    },
    true,
    [...state.encoder.variables.values()],
  );
  images.dispose();

  let embeddings: StepOutcome['embeddings'];
  if (keptEmbeddings !== undefined) {
    const [rows, columns] = keptEmbeddings.shape;
    embeddings = { values: (await keptEmbeddings.data()) as Float32Array, rows, columns };
    keptEmbeddings.dispose();
  }
  const loss = lossTensor === null ? Number.NaN : ((await lossTensor.data())[0] ?? Number.NaN);
  lossTensor?.dispose();
  if (!Number.isFinite(loss)) {
    throw new ApronError('invalid-input', `Training diverged: the loss at step ${state.step + 1} is ${loss}`, {
      hint: 'Lower learningRate or raise temperature, and start the run again.',
    });
  }
  return { loss, rowsWithoutNegatives, ...(embeddings === undefined ? {} : { embeddings }) };
}

function countValid(mask: Uint8Array): number {
  let count = 0;
  for (const value of mask) count += value;
  return count;
}
