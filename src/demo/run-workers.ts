/**
 * Splits the visits between worker threads and collects the rendered samples. Visits are dealt
 * out in turn (worker i takes visits i, i + n, ...) so that every worker gets a similar mix of
 * weather, which changes the render time.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApronError } from '../core/errors.js';
import type { ResolvedDemoOptions } from './options.js';
import type { RenderedSample } from './render-samples.js';
import type { DemoWorkerData, FromDemoWorker, ToDemoWorker } from './worker-protocol.js';

/**
 * Starts worker.js beside this module, or worker.ts with tsx registered when this module itself
 * runs from TypeScript source (vitest, tsx), because Node 20 does not apply `--import tsx` to a
 * worker's entry file.
 */
function startWorker(data: DemoWorkerData): Worker {
  const moduleUrl = import.meta.url;
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL('./worker.js', moduleUrl), { workerData: data });
  const tsxApi = pathToFileURL(createRequire(moduleUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', moduleUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** Renders every visit in `options.workers` worker threads, calling `onSample` on this thread for each sample. */
export async function renderInWorkers(
  options: ResolvedDemoOptions,
  folder: string,
  onSample: (sample: RenderedSample) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const shares: number[][] = Array.from({ length: options.workers }, () => []);
  for (let visit = 0; visit < options.visitCount; visit++) shares[visit % options.workers]!.push(visit);
  const workers = shares.filter((share) => share.length > 0).map((visitIndices) => startWorker({ options, folder, visitIndices }));

  const cancel = (): void => {
    const message: ToDemoWorker = { type: 'cancel' };
    for (const worker of workers) worker.postMessage(message);
  };
  signal?.addEventListener('abort', cancel, { once: true });

  try {
    await Promise.all(workers.map((worker) => waitForWorker(worker, onSample)));
  } catch (error) {
    // One failed worker makes the whole output useless, so the others stop at once.
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

function waitForWorker(worker: Worker, onSample: (sample: RenderedSample) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: FromDemoWorker) => {
      if (message.type === 'sample') onSample(message.sample);
      else if (message.type === 'done') {
        settled = true;
        resolve();
      } else {
        settled = true;
        const { code, message: text, hint, path } = message.error;
        reject(new ApronError(code, text, { ...(hint === undefined ? {} : { hint }), ...(path === undefined ? {} : { path }) }));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(new ApronError('internal', `A demo render worker failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new ApronError('internal', `A demo render worker exited with code ${code} before it finished`));
    });
  });
}
