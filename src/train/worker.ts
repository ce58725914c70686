/**
 * Entry point of a training or embedding worker thread: reads the request from `workerData`, does
 * the work, and posts progress and one result or error (see worker-protocol.ts). Start it through
 * run-in-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ApronError, toErrorInfo } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { loadImageStack, type ImageStack } from '../dataset/images.js';
import { readManifest } from '../dataset/manifest-io.js';
import { embedStack } from '../embed/embed.js';
import { initBackend } from './backend.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { parseRunConfig } from './config.js';
import { loadCrossModalCheckpoint, saveCrossModalCheckpoint } from './crossmodal/checkpoint.js';
import { parseCrossModalConfig, partnerOf } from './crossmodal/config.js';
import { loadCrossModalPairs } from './crossmodal/pairs.js';
import { disposeCrossModalState, trainCrossModal } from './crossmodal/trainer.js';
import { disposeTrainingState, train } from './trainer.js';
import type {
  CrossModalJobRequest,
  CrossModalJobResult,
  EmbedJobRequest,
  EmbedJobResult,
  FromWorkerMessage,
  JobRequest,
  ToWorkerMessage,
  TrainJobRequest,
  TrainJobResult,
} from './worker-protocol.js';

const log = createLogger('train-worker');

/** Seconds of training between two checkpoints of a running job. A save of the default encoder takes well under a second. */
const DEFAULT_CHECKPOINT_SECONDS = 60;

if (parentPort === null) throw new Error('worker.ts must run in a worker thread. Start it through run-in-worker.ts.');
const port = parentPort;
const cancellation = new AbortController();

port.on('message', (message: ToWorkerMessage) => {
  if (message.type === 'cancel') cancellation.abort();
});

function post(message: FromWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function loadStack(request: TrainJobRequest | EmbedJobRequest, size: { width: number; height: number }): Promise<{ stack: ImageStack; samples: ReturnType<typeof readManifest>['manifest']['samples'] }> {
  const dataset = readManifest(request.manifestPath);
  const options: Parameters<typeof loadImageStack>[2] = { onProgress: (done, total) => post({ type: 'load-progress', done, total }) };
  if (request.imageCachePath !== undefined) options.cachePath = request.imageCachePath;
  const stack = await loadImageStack(dataset, size, options);
  return { stack, samples: dataset.manifest.samples };
}

async function runTraining(request: TrainJobRequest): Promise<TrainJobResult> {
  await initBackend(request.backend === undefined ? {} : { preferred: request.backend });
  const resumed = request.resumeFrom === undefined ? undefined : await loadCheckpoint(request.resumeFrom);
  const requested = parseRunConfig(request.config);
  // A resumed run keeps its checkpoint's configuration, except for a new total of steps.
  if (resumed !== undefined && requested.steps !== undefined) {
    const { epochs: _epochs, ...kept } = resumed.state.config;
    resumed.state.config = { ...kept, steps: requested.steps };
  }
  const config = resumed?.state.config ?? requested;
  const { stack, samples } = await loadStack(request, config.imageSize);

  const options: Parameters<typeof train>[0] = {
    config,
    stack,
    samples,
    samePairs: request.samePairs ?? [],
    differentPairs: request.differentPairs ?? [],
    signal: cancellation.signal,
    onProgress: (progress) => post({ type: 'train-progress', progress }),
    // A crash or a killed process then loses at most this much training, and the run can resume.
    checkpoint: {
      everySeconds: request.checkpointEverySeconds ?? DEFAULT_CHECKPOINT_SECONDS,
      save: async (state) => {
        await saveCheckpoint(request.checkpointDir, state);
      },
    },
  };
  if (resumed !== undefined) options.resume = resumed.state;
  if (request.backend !== undefined) options.backend = request.backend;
  const result = await train(options);

  // A cancelled run keeps what it learned, so that it can be resumed or embedded.
  const checkpointDir = result.stepsRun > 0 || resumed !== undefined ? await saveCheckpoint(request.checkpointDir, result.state, { backend: result.backend }) : null;
  return {
    kind: 'train',
    checkpointDir,
    step: result.state.step,
    totalSteps: result.totalSteps,
    stepsRun: result.stepsRun,
    cancelled: result.cancelled,
    finalLoss: meanOfLast(result.losses, 10),
    firstLoss: result.losses[0] ?? null,
    samplesPerSecond: result.samplesPerSecond,
    decisions: result.decisions,
    hardNegatives: result.hardNegatives,
    anchorCount: result.anchorCount,
    backend: result.backend,
  };
}

async function runCrossModal(request: CrossModalJobRequest): Promise<CrossModalJobResult> {
  // Loading a checkpoint creates variables, which needs the backend ready first.
  await initBackend(request.backend === undefined ? {} : { preferred: request.backend });
  const resumed = request.resumeFrom === undefined ? undefined : (await loadCrossModalCheckpoint(request.resumeFrom)).state;
  if (resumed !== undefined) {
    // The checkpoint's architecture and schedule win, except that a resume may ask for more steps.
    const steps = request.config.steps ?? resumed.config.steps;
    resumed.config = { ...resumed.config, steps: Math.max(steps, resumed.step) };
  }
  const config = resumed?.config ?? parseCrossModalConfig(request.config);

  const loaded = await loadCrossModalPairs(readManifest(request.manifestPath), {
    partner: partnerOf(config),
    bevSize: config.bevSize,
    sourceSize: { width: Math.round(config.imageSize.width * config.sourceScale), height: Math.round(config.imageSize.height * config.sourceScale) },
    cropToFrustum: config.cropToFrustum,
    onProgress: (done, total) => post({ type: 'load-progress', done, total }),
  });

  const { state, ...result } = await trainCrossModal({
    config,
    pairs: loaded.pairs,
    ...(resumed === undefined ? {} : { resume: resumed }),
    signal: cancellation.signal,
    onProgress: (progress) => post({ type: 'crossmodal-progress', progress }),
    // A crash or a killed process then loses at most this much training, and the run can resume.
    checkpoint: {
      everySeconds: request.checkpointEverySeconds ?? DEFAULT_CHECKPOINT_SECONDS,
      save: async (live) => {
        await saveCrossModalCheckpoint(request.checkpointDir, live);
      },
    },
    ...(request.backend === undefined ? {} : { backend: request.backend }),
  });
  try {
    // A cancelled run keeps what it learned, so that it can be resumed.
    const checkpointDir = result.stepsRun > 0 || resumed !== undefined ? await saveCrossModalCheckpoint(request.checkpointDir, state, { backend: result.backend }) : null;
    return {
      kind: 'crossmodal',
      config: state.config,
      checkpointDir,
      step: state.step,
      totalSteps: result.totalSteps,
      stepsRun: result.stepsRun,
      cancelled: result.cancelled,
      firstLoss: result.losses[0] ?? null,
      finalLoss: meanOfLast(result.losses, 10),
      pairsPerSecond: result.pairsPerSecond,
      pairCount: loaded.pairs.length,
      skippedPairs: loaded.skipped,
      lastMonitors: result.lastMonitors,
      backend: result.backend,
    };
  } finally {
    disposeCrossModalState(state);
  }
}

/** Returns the mean of the last `count` values, or null when there are none. */
function meanOfLast(values: number[], count: number): number | null {
  const last = values.slice(-count);
  return last.length === 0 ? null : last.reduce((sum, value) => sum + value, 0) / last.length;
}

async function runEmbedding(request: EmbedJobRequest): Promise<EmbedJobResult> {
  const backend = await initBackend(request.backend === undefined ? {} : { preferred: request.backend });
  const checkpoint = await loadCheckpoint(request.checkpointDir);
  try {
    const { stack } = await loadStack(request, checkpoint.state.config.imageSize);
    const embeddings = await embedStack(checkpoint.state.encoder, stack, {
      batchSize: request.batchSize ?? 128,
      signal: cancellation.signal,
      onProgress: (done, total) => post({ type: 'embed-progress', done, total }),
    });
    return { kind: 'embed', vectors: embeddings.vectors, dimension: embeddings.dimension, count: stack.count, backend: backend.name };
  } finally {
    disposeTrainingState(checkpoint.state);
  }
}

async function main(): Promise<void> {
  const request = workerData as JobRequest;
  try {
    if (request.kind === 'train') {
      post({ type: 'result', result: await runTraining(request) });
    } else if (request.kind === 'crossmodal') {
      post({ type: 'result', result: await runCrossModal(request) });
    } else {
      const result = await runEmbedding(request);
      post({ type: 'result', result }, [result.vectors.buffer as ArrayBuffer]);
    }
  } catch (error) {
    const info = toErrorInfo(error);
    // Errors a user can act on are expected, so only bugs get a stack trace.
    if (error instanceof ApronError) log.warn(`${request.kind} job stopped: ${info.message}`);
    else log.error(`${request.kind} job failed`, error);
    post({ type: 'error', error: info });
  }
}

void main();
