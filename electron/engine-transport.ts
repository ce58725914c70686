/**
 * Transports from the main process to the engine: a worker thread inside Electron, or a child
 * process running a separate Node.js binary.
 *
 * better-sqlite3 links against V8 directly rather than N-API, so one build loads either in Node.js
 * or in Electron, never both. `npm install` builds it for Node.js (the CLI and `apron serve` need
 * that), so `npm start` passes the Node.js binary it runs under in APRON_ENGINE_NODE and the
 * engine runs there. A packaged app, whose native modules electron-builder rebuilt for Electron,
 * has no such variable and uses a worker thread. Plain Node: no Electron imports.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineRequest, EngineResponse, EngineWorkerData } from './engine-messages.js';

export interface EngineTransport {
  send(request: EngineRequest): void;
  onMessage(listener: (response: EngineResponse) => void): void;
  onError(listener: (error: Error) => void): void;
  onExit(listener: (code: number | null) => void): void;
  terminate(): Promise<void>;
}

export interface TransportOptions {
  script: URL;
  data: EngineWorkerData;
  execArgv?: string[];
  /** A Node.js binary to run the engine in a child process; a worker thread when absent. */
  nodeBinary?: string;
}

/** Environment variable through which the child process learns its workspace. */
export const ENGINE_WORKSPACE_ENV = 'APRON_ENGINE_WORKSPACE';

export function startTransport(options: TransportOptions): EngineTransport {
  return options.nodeBinary === undefined ? workerTransport(options) : childTransport(options, options.nodeBinary);
}

function workerTransport(options: TransportOptions): EngineTransport {
  const worker = new Worker(options.script, {
    workerData: options.data,
    ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
  });
  return {
    send: (request) => worker.postMessage(request),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    onExit: (listener) => worker.on('exit', listener),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

function childTransport(options: TransportOptions, nodeBinary: string): EngineTransport {
  const child = fork(fileURLToPath(options.script), [], {
    execPath: nodeBinary,
    execArgv: options.execArgv ?? [],
    // Structured clone keeps the same message shapes as a worker thread.
    serialization: 'advanced',
    env: { ...process.env, [ENGINE_WORKSPACE_ENV]: options.data.workspaceRoot, ELECTRON_RUN_AS_NODE: undefined },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    send: (request) => {
      child.send(request);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as EngineResponse)),
    onError: (listener) => child.on('error', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    terminate: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
