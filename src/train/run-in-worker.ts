/**
 * Runs training or embedding in a worker thread, so that the caller's event loop (the Electron main
 * process, `apron serve`) stays responsive. Each job gets its own thread with its own TensorFlow.js
 * backend; on wasm that is one core per job.
 *
 * From TypeScript sources (tests under vitest, `tsx`), the worker starts from worker.ts with tsx
 * registered; from compiled code (dist/src/train/worker.js) it starts from the .js file.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { CrossModalProgress } from './crossmodal/trainer.js';
import type { TrainProgress } from './trainer.js';
import type {
  CrossModalJobRequest,
  CrossModalJobResult,
  EmbedJobRequest,
  EmbedJobResult,
  FromWorkerMessage,
  JobRequest,
  JobResult,
  ToWorkerMessage,
  TrainJobRequest,
  TrainJobResult,
} from './worker-protocol.js';

const log = createLogger('train');

/** How long a cancelled worker may take to stop on its own before it is terminated. */
const CANCEL_GRACE_MS = 30_000;

export interface JobCallbacks {
  /** Images decoded so far, before training or embedding starts. */
  onLoadProgress?: (done: number, total: number) => void;
  onTrainProgress?: (progress: TrainProgress) => void;
  onEmbedProgress?: (done: number, total: number) => void;
  onCrossModalProgress?: (progress: CrossModalProgress) => void;
  /**
   * Aborting sends the worker a cancel message. Training stops after the current step, saves a
   * checkpoint and resolves with `cancelled: true`. Embedding rejects with an ApronError of code
   * `cancelled`.
   */
  signal?: AbortSignal;
}

/**
 * Starts the worker beside this module with `request` as its workerData: worker.js in compiled
 * code, worker.ts when this module itself runs from TypeScript source.
 */
export function startWorker(request: JobRequest): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData: request });

  // Node 20.20 does not apply loader hooks passed as execArgv ['--import', 'tsx'] to a worker's
  // entry file (the worker fails with ERR_UNKNOWN_FILE_EXTENSION for worker.ts), so a two-line
  // bootstrap registers tsx through its API first and then imports worker.ts.
  const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request });
}

export function runTrainingInWorker(request: TrainJobRequest, callbacks: JobCallbacks = {}): Promise<TrainJobResult> {
  return runJob(request, callbacks) as Promise<TrainJobResult>;
}

export function runCrossModalInWorker(request: CrossModalJobRequest, callbacks: JobCallbacks = {}): Promise<CrossModalJobResult> {
  return runJob(request, callbacks) as Promise<CrossModalJobResult>;
}

export function runEmbeddingInWorker(request: EmbedJobRequest, callbacks: JobCallbacks = {}): Promise<EmbedJobResult> {
  return runJob(request, callbacks) as Promise<EmbedJobResult>;
}

function runJob(request: JobRequest, callbacks: JobCallbacks): Promise<JobResult> {
  if (callbacks.signal?.aborted === true) {
    return Promise.reject(new ApronError('cancelled', `The ${request.kind} job was cancelled before it started`));
  }
  log.debug(`starting a ${request.kind} worker`);
  const worker = startWorker(request);

  return new Promise<JobResult>((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      callbacks.signal?.removeEventListener('abort', onAbort);
      if (killTimer !== undefined) clearTimeout(killTimer);
      void worker.terminate();
      outcome();
    };

    const onAbort = (): void => {
      const message: ToWorkerMessage = { type: 'cancel' };
      worker.postMessage(message);
      killTimer = setTimeout(() => {
        log.warn(`${request.kind} worker did not stop within ${CANCEL_GRACE_MS} ms of cancellation; terminating it`);
        finish(() => reject(new ApronError('cancelled', `The ${request.kind} job was cancelled`)));
      }, CANCEL_GRACE_MS);
    };
    callbacks.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: FromWorkerMessage) => {
      switch (message.type) {
        case 'load-progress':
          callbacks.onLoadProgress?.(message.done, message.total);
          break;
        case 'train-progress':
          callbacks.onTrainProgress?.(message.progress);
          break;
        case 'embed-progress':
          callbacks.onEmbedProgress?.(message.done, message.total);
          break;
        case 'crossmodal-progress':
          callbacks.onCrossModalProgress?.(message.progress);
          break;
        case 'result':
          finish(() => resolve(message.result));
          break;
        case 'error': {
          const { code, message: text, hint, path } = message.error;
          const options: { hint?: string; path?: string } = {};
          if (hint !== undefined) options.hint = hint;
          if (path !== undefined) options.path = path;
          finish(() => reject(new ApronError(code, text, options)));
          break;
        }
      }
    });
    worker.on('error', (error) => {
      finish(() => reject(new ApronError('internal', `The ${request.kind} worker crashed: ${error.message}`, { cause: error })));
    });
    worker.on('exit', (code) => {
      finish(() => reject(new ApronError('internal', `The ${request.kind} worker exited with code ${code} before sending a result`)));
    });
  });
}
