/**
 * The engine worker thread of the Electron app. better-sqlite3 is synchronous, so store calls
 * run here, off the main process's event loop, which must stay free to paint the window and handle
 * input. Plain Node: no Electron imports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { dispatchApiCall, createApiHandlers, resolveFileToken } from '../src/api/handlers.js';
import { ApronError, toErrorInfo, type ErrorInfo } from '../src/core/errors.js';
import { createLogger } from '../src/core/log.js';
import { openWorkspace } from '../src/core/workspace.js';
import { openStore, type Store } from '../src/store/index.js';
import type { EngineRequest, EngineResponse, EngineWorkerData } from './engine-messages.js';

const log = createLogger('engine-worker');

if (parentPort === null) throw new Error('engine-worker.js must run as a worker thread');
const port = parentPort;
const { workspaceRoot } = workerData as EngineWorkerData;

// When the store cannot open, every call returns that error, so the window shows the reason and the hint.
let store: Store | undefined;
let openFailure: ErrorInfo | undefined;
try {
  // NOTE: better-sqlite3 links against V8 directly rather than N-API, so under Electron it loads only
  // after a rebuild for Electron's ABI (electron-rebuild), which needs Electron's headers.
  store = openStore(openWorkspace(workspaceRoot).databasePath);
  log.info(`opened workspace ${workspaceRoot}`);
} catch (error) {
  openFailure = toErrorInfo(error);
  log.error(`cannot open workspace ${workspaceRoot}`, error);
}
const handlers = store === undefined ? undefined : createApiHandlers(store);

async function answer(request: EngineRequest): Promise<EngineResponse> {
  if (request.kind === 'call') {
    if (handlers === undefined || openFailure !== undefined) {
      return { id: request.id, kind: 'reply', reply: { ok: false, error: openFailure ?? unknownFailure() } };
    }
    return { id: request.id, kind: 'reply', reply: await dispatchApiCall(handlers, request.method, request.args) };
  }

  if (store === undefined) return { id: request.id, kind: 'file-error', error: openFailure ?? unknownFailure() };
  try {
    return { id: request.id, kind: 'file', file: resolveFileToken(store, request.token) };
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

port.on('close', () => store?.close());
