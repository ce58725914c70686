/**
 * Starts a replica worker: replica-worker.js in compiled code (dist/src/train/parallel), and
 * replica-worker.ts with tsx registered when this module itself runs from TypeScript source
 * (vitest, `npx tsx`), as run-in-worker.ts does for the training worker.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReplicaInit } from './protocol.js';

export function startReplicaWorker(init: ReplicaInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./replica-worker.js', here), { workerData: init });

  // Node 20 does not apply loader hooks passed as execArgv ['--import', 'tsx'] to a worker's entry
  // file, so a two-line bootstrap registers tsx through its API first and then imports the entry.
  const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./replica-worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}
