/**
 * The engine worker thread of the Electron app. better-sqlite3 is synchronous, so store calls
 * run here, off the main process's event loop, which must stay free to paint the window and handle
 * input. Plain Node: no Electron imports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { dispatchApiCall, createApiHandlers } from '../src/api/handlers.js';
import { resolveDataToken } from '../src/api/sensors/resolve-data-token.js';
import { ApronError, toErrorInfo, type ErrorInfo } from '../src/core/errors.js';
import { createLogger } from '../src/core/log.js';
import { openWorkspace } from '../src/core/workspace.js';
import { TrainingJobManager } from '../src/loop/training-jobs.js';
import { openStore, type Store } from '../src/store/index.js';
import type { EngineRequest, EngineResponse, EngineWorkerData } from './engine-messages.js';
import { ENGINE_WORKSPACE_ENV } from './engine-transport.js';

const log = createLogger('engine-worker');

/** The message channel to the main process: a worker thread's port, or a child process's IPC channel. */
interface EnginePort {
  postMessage(response: EngineResponse): void;
  on(event: 'message', listener: (request: EngineRequest) => void): void;
  on(event: 'close', listener: () => void): void;
}

function connect(): { port: EnginePort; workspaceRoot: string } {
  if (parentPort !== null) {
    const threadPort = parentPort;
    return {
      port: {
        postMessage: (response) => threadPort.postMessage(response),
        on: (event: 'message' | 'close', listener: (request: EngineRequest) => void) => threadPort.on(event, listener),
      },
      workspaceRoot: (workerData as EngineWorkerData).workspaceRoot,
    };
  }
  const root = process.env[ENGINE_WORKSPACE_ENV];
  if (process.send === undefined || root === undefined) {
    throw new Error('engine-worker.js must run as a worker thread or as a child process started by engine-transport.ts');
  }
  return {
    port: {
      postMessage: (response) => process.send?.(response),
      on: (event: 'message' | 'close', listener: (request: EngineRequest) => void) => {
        if (event === 'message') process.on('message', (message) => listener(message as EngineRequest));
        else process.on('disconnect', () => (listener as () => void)());
      },
    },
    workspaceRoot: root,
  };
}

const { port, workspaceRoot } = connect();

// When the store cannot open, every call returns that error, so the window shows the reason and the hint.
let store: Store | undefined;
let trainingJobs: TrainingJobManager | undefined;
let openFailure: ErrorInfo | undefined;
try {
  // better-sqlite3 loads here only when built for this runtime: engine-transport.ts explains how
  // `npm start` runs this file under Node.js and a packaged app under Electron.
  const workspace = openWorkspace(workspaceRoot);
  store = openStore(workspace.databasePath);
  trainingJobs = new TrainingJobManager(workspace, store);
  log.info(`opened workspace ${workspaceRoot}`);
} catch (error) {
  openFailure = toErrorInfo(error);
  log.error(`cannot open workspace ${workspaceRoot}`, error);
}
const handlers = store === undefined ? undefined : createApiHandlers(store, trainingJobs === undefined ? {} : { trainingJobs });

async function answer(request: EngineRequest): Promise<EngineResponse> {
  if (request.kind === 'call') {
    if (handlers === undefined || openFailure !== undefined) {
      return { id: request.id, kind: 'reply', reply: { ok: false, error: openFailure ?? unknownFailure() } };
    }
    return { id: request.id, kind: 'reply', reply: await dispatchApiCall(handlers, request.method, request.args) };
  }

  if (store === undefined) return { id: request.id, kind: 'file-error', error: openFailure ?? unknownFailure() };
  try {
    return { id: request.id, kind: 'file', file: await resolveDataToken(store, request.token) };
  } catch (error) {
    if (!(error instanceof ApronError)) log.error(`resolving file token ${request.token} failed`, error);
    return { id: request.id, kind: 'file-error', error: toErrorInfo(error) };
  }
}

function unknownFailure(): ErrorInfo {
  return { code: 'internal', message: `The store of workspace ${workspaceRoot} is not open.` };
}

port.on('message', (request: EngineRequest) => {
  answer(request).then(
    (response) => port.postMessage(response),
    (error: unknown) => {
      log.error(`engine request ${request.kind} failed`, error);
      port.postMessage({ id: request.id, kind: 'reply', reply: { ok: false, error: toErrorInfo(error) } } satisfies EngineResponse);
    },
  );
});

port.on('close', () => {
  // A run still training is stopped and recorded `cancelled` before its store closes.
  void (trainingJobs?.close() ?? Promise.resolve())
    .catch((error: unknown) => log.error('stopping the training job failed', error))
    .finally(() => {
      store?.close();
      if (parentPort === null) process.exit(0);
    });
});
