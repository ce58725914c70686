/**
 * Entry point of a replica worker of the data-parallel stepper: initialises its own TensorFlow.js
 * backend and replica from `workerData` (a ReplicaInit), then runs the coordinator's requests one
 * at a time (see protocol.ts). Start it through start-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ApronError, toErrorInfo } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { initBackend } from '../backend.js';
import { abortBarrier } from './barrier.js';
import type { FromReplicaMessage, ReplicaInit, ToReplicaMessage } from './protocol.js';
import { Replica } from './replica.js';

const log = createLogger('train-replica');

if (parentPort === null) throw new Error('replica-worker.ts must run in a worker thread. Start it through start-worker.ts.');
const port = parentPort;
const init = workerData as ReplicaInit;

function post(message: FromReplicaMessage): void {
  port.postMessage(message);
}

/** Reports an error and wakes the other workers, which would otherwise wait for this one at the barrier. */
function fail(error: unknown, during: string): void {
  abortBarrier(new Int32Array(init.control));
  if (error instanceof ApronError) log.warn(`replica ${init.rank}: ${during} stopped: ${error.message}`);
  else log.error(`replica ${init.rank}: ${during} failed`, error);
  post({ type: 'error', error: toErrorInfo(error) });
}

async function main(): Promise<void> {
  let replica: Replica;
  try {
    const backend = await initBackend(init.backend === undefined ? {} : { preferred: init.backend });
    replica = await Replica.create(init);
    post({ type: 'ready', parameterCount: replica.parameterCount, embeddingDim: replica.encoder.config.embeddingDim, backend: backend.name });
  } catch (error) {
    fail(error, 'start-up');
    return;
  }

  port.on('message', (message: ToReplicaMessage) => {
    void handle(replica, message).catch((error: unknown) => fail(error, message.type));
  });
}

async function handle(replica: Replica, message: ToReplicaMessage): Promise<void> {
  switch (message.type) {
    case 'step':
      post({ type: 'step-done', ...replica.step(message) });
      break;
    case 'read-weights':
      post({ type: 'weights', weights: replica.readWeights() });
      break;
    case 'read-optimizer':
      post({ type: 'optimizer', state: (await replica.readOptimizerState()) ?? null });
      break;
  }
}

void main();
