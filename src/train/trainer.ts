/**
 * The training loop: one contrastive objective (masked InfoNCE, NT-Xent, MoCo or CPC, chosen by
 * `config.objective`) over batches from an image stack, with Adam, progress reports and
 * cancellation. Each objective's sampler and step live in steps/.
 *
 * A run starts from a seed or resumes from a checkpoint's state (weights, Adam moments, the batch
 * generator's random state and position, and the objective's own state), so resuming after N steps
 * continues exactly as an uninterrupted run would.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { ImageStack } from '../dataset/images.js';
import type { Sample } from '../dataset/manifest.js';
import type { PairRef } from '../mask/groups.js';
import { initBackend } from './backend.js';
import type { DecisionUsage, HardNegativeUsage, SamplerState } from './batches.js';
import { encoderConfigOf, parseRunConfig, totalSteps, type RunConfig, type RunConfigInput } from './config.js';
import { Encoder } from './encoder.js';
import { computeStepMonitors, type StepMonitors } from './monitors/step-monitors.js';
import type { CpcModel } from './objectives/cpc.js';
import { createOptimizer } from './optimizer.js';
import { disposeMocoState, type MocoState } from './steps/moco-step.js';
import { createObjectiveRunner, prepareObjectiveState } from './steps/objective.js';
import type { StepFunction } from './steps/step.js';
import { startParallelInfoNce, trainingWorkers, type ParallelInfoNce } from './steps/parallel-infonce-step.js';

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
  /** Anchor samples per second over the run so far. Each anchor brings two images (CPC: one). */
  samplesPerSecond: number;
  /** Decided `different` pairs that served as negatives in this step. */
  hardNegativePairs: number;
  /** MoCo only: filled fraction of the key queue after this step. */
  queueFilledFraction?: number;
  /** Completed passes over the anchor samples. */
  epoch: number;
  /** The full monitors, on the steps where they are computed (every `monitorEvery` steps and the last). */
  monitors?: StepMonitors;
  /** The TensorFlow.js backend the run uses. */
  backend: string;
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
  /** MoCo only: the key encoder and the queue of keys. */
  moco?: MocoState;
  /** CPC only: the context network and prediction matrices, trained with the encoder. */
  cpc?: CpcModel;
}

/** Disposes everything a training state holds on the backend. */
export function disposeTrainingState(state: TrainingState): void {
  state.encoder.dispose();
  state.optimizer.dispose();
  if (state.moco !== undefined) disposeMocoState(state.moco);
  state.cpc?.dispose();
}

export interface TrainOptions {
  config: RunConfigInput | RunConfig;
  /** Images in manifest order, decoded at `config.imageSize`. */
  stack: ImageStack;
  samples: readonly Sample[];
  /** Reviewers' `same` decisions. Every pair within one transitive group is masked. */
  samePairs?: readonly PairRef[];
  /**
   * Reviewers' `different` decisions and the hard-negative set. With `hardNegatives.enabled` the
   * sampler puts `perBatch` of these pairs into each batch.
   */
  differentPairs?: readonly PairRef[];
  /** State to continue from instead of initialising from the seed. Its config replaces `config`. */
  resume?: TrainingState;
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** Preferred TensorFlow.js backend, as for initBackend. */
  backend?: string;
  /**
   * Saves the state at most every `everySeconds` of training, after a step, so that a crash loses
   * at most that much work. The state passed is the live one: save it, do not keep it.
   */
  checkpoint?: { everySeconds: number; save: (state: TrainingState) => Promise<void> };
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
  /** `different` pairs the run could place in batches (none unless hardNegatives.enabled). */
  hardNegatives: HardNegativeUsage;
  /** Samples that could be drawn as anchors. */
  anchorCount: number;
  backend: string;
}

/**
 * Trains (or continues training) an encoder. It resolves when the planned steps are done, or after
 * the current step once the signal aborts, with `cancelled` set. The caller owns the returned
 * state: save it with saveCheckpoint if needed, then dispose it with disposeTrainingState.
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

  const runner = createObjectiveRunner(config, {
    stack,
    samples: options.samples,
    samePairs: options.samePairs ?? [],
    differentPairs: options.differentPairs ?? [],
    saved: options.resume?.sampler,
  });
  const { sampler } = runner;
  const state: TrainingState = options.resume ?? {
    config,
    encoder: Encoder.create(encoderConfigOf(config), { seed: config.seed }),
    optimizer: createOptimizer(config.learningRate),
    step: 0,
    sampler: undefined,
  };
  prepareObjectiveState(state);
  const planned = totalSteps(config, sampler.anchorCount);
  const { decisions, hardNegatives } = sampler;
  log.info(
    `training ${config.objective.kind}: ${planned - state.step} step(s) to ${planned}, ${batchDescription(config)}, ${sampler.anchorCount} anchor samples, ` +
      `backend ${backend.name}, same decisions: ${decisions.pairsUsed} pair(s) in ${decisions.groups} group(s)` +
      (decisions.pairsIgnored > 0 ? `, ${decisions.pairsIgnored} pair(s) ignored (sample not in dataset)` : '') +
      (config.hardNegatives.enabled ? `, hard negatives: ${hardNegatives.pairsUsed} different pair(s), ${hardNegatives.pairsIgnored} ignored` : ''),
  );

  const workers = trainingWorkers(config);
  if (config.workers === 2 && workers === 1) {
    log.warn(`training ${config.objective.kind} in one thread: two workers apply to infonce only`);
  }
  const parallel = workers === 2 ? await startParallelInfoNce(state, workers, options.backend) : undefined;
  if (parallel !== undefined) log.info(`training steps run in ${workers} worker threads on ${parallel.backend}`);
  try {
    return await runLoop(options, state, runner, planned, backend.name, parallel);
  } finally {
    await parallel?.dispose();
  }
}

/** Runs the steps of a run and returns its result; with `parallel`, the replicas run the steps. */
async function runLoop(
  options: TrainOptions,
  state: TrainingState,
  runner: ReturnType<typeof createObjectiveRunner>,
  planned: number,
  backendName: string,
  parallel: ParallelInfoNce | undefined,
): Promise<TrainResult> {
  const { sampler } = runner;
  const { decisions, hardNegatives } = sampler;
  // The parallel step exists only for InfoNCE, whose batches are BatchSampler's (trainingWorkers checks).
  const step = parallel === undefined ? runner.step : (parallel.step as StepFunction<unknown>);
  const losses: number[] = [];
  const started = performance.now();
  let anchorsSeen = 0;
  let cancelled = false;
  let lastCheckpoint = started;
  while (state.step < planned) {
    if (options.signal?.aborted === true) {
      cancelled = true;
      break;
    }

    const batch = sampler.next();
    const monitorThisStep = (state.step + 1) % MONITOR_EVERY === 0 || state.step + 1 === planned || state.step === 0;
    const outcome = await step(state, batch, monitorThisStep);
    state.step++;
    const monitors =
      outcome.monitorInputs === undefined
        ? undefined
        : computeStepMonitors({
            ...outcome.monitorInputs,
            loss: outcome.loss,
            temperature: state.config.temperature,
            ...(outcome.queueFilledFraction === undefined ? {} : { queueFilledFraction: outcome.queueFilledFraction }),
          });
    // Every run starts at chance with alike embeddings, so the first step's flag carries no information yet.
    if (monitors?.collapse.collapsed === true && state.step > 1) log.warn(`step ${state.step}: the embeddings look collapsed: ${monitors.collapse.reasons.join('; ')}`);
    losses.push(outcome.loss);
    anchorsSeen += runner.anchorsOf(batch);
    options.onProgress?.({
      step: state.step,
      totalSteps: planned,
      loss: outcome.loss,
      rowsWithoutNegatives: outcome.rowsWithoutNegatives,
      maskedFraction: outcome.maskedFraction,
      samplesPerSecond: anchorsSeen / ((performance.now() - started) / 1000),
      epoch: sampler.epochs,
      hardNegativePairs: outcome.hardNegativePairs,
      ...(outcome.queueFilledFraction === undefined ? {} : { queueFilledFraction: outcome.queueFilledFraction }),
      ...(monitors === undefined ? {} : { monitors }),
      backend: backendName,
    });

    if (options.checkpoint !== undefined && state.step < planned && performance.now() - lastCheckpoint >= options.checkpoint.everySeconds * 1000) {
      state.sampler = sampler.save();
      await parallel?.sync(state);
      await options.checkpoint.save(state);
      lastCheckpoint = performance.now();
    }

    // A macrotask break lets a worker receive its cancel message between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  state.sampler = sampler.save();
  await parallel?.sync(state);
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
    hardNegatives,
    anchorCount: sampler.anchorCount,
    backend: backendName,
  };
}

function batchDescription(config: RunConfig): string {
  const { objective } = config;
  if (objective.kind === 'cpc') return `batch of ${objective.sequencesPerBatch} window(s) of ${objective.sequenceLength} samples`;
  return `batch ${config.batchSize}`;
}
