/** Entry point of a demo render worker: renders its share of the visits and reports each sample. */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../core/errors.js';
import { renderVisits } from './render-samples.js';
import type { DemoWorkerData, FromDemoWorker, ToDemoWorker } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('demo/worker.ts must run in a worker thread');

const data = workerData as DemoWorkerData;
let cancelled = false;
port.on('message', (message: ToDemoWorker) => {
  if (message.type === 'cancel') cancelled = true;
});

const send = (message: FromDemoWorker): void => port.postMessage(message);

renderVisits(data.options, data.folder, data.visitIndices, (sample) => send({ type: 'sample', sample }), () => cancelled)
  .then(() => send({ type: 'done' }))
  .catch((error: unknown) => send({ type: 'error', error: toErrorInfo(error) }))
  .finally(() => port.close());
