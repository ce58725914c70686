/**
 * The main process's handle on the engine worker: API calls and file tokens go to the worker
 * thread and come back as messages. Plain Node: no Electron imports, so tests can start it.
 */
import type { ApiMethod, ApiReply } from '../src/api/contract.js';
import { ApronError, type ErrorInfo } from '../src/core/errors.js';
import { createLogger } from '../src/core/log.js';
import type { ApiDispatch, FileResolver, ResolvedFile } from '../src/server/server.js';
import type { EngineRequest, EngineResponse, EngineWorkerData } from './engine-messages.js';
import { startTransport } from './engine-transport.js';

const log = createLogger('electron');

export interface EngineClient {
  dispatch: ApiDispatch;
  resolveFile: FileResolver;
  /** Stop the worker; pending calls fail. */
  close(): Promise<void>;
}

/** A request before it gets its id; distributive, so each variant keeps its own fields. */
type UnsentRequest = EngineRequest extends infer Variant ? (Variant extends EngineRequest ? Omit<Variant, 'id'> : never) : never;

interface Pending {
  resolve(response: EngineResponse): void;
  reject(error: Error): void;
}

export interface EngineClientOptions {
  workspaceRoot: string;
  /** The worker script; default engine-worker.js beside this file (dist/electron/ after the build). */
  workerUrl?: URL;
  /** Node options for the worker, for example a TypeScript loader in tests. */
  execArgv?: string[];
  /** Run the engine in a child process of this Node.js binary instead of a worker thread (see engine-transport.ts). */
  nodeBinary?: string;
}

export function startEngineWorker(options: EngineClientOptions): EngineClient {
  const workerData: EngineWorkerData = { workspaceRoot: options.workspaceRoot };
  const worker = startTransport({
    script: options.workerUrl ?? new URL('./engine-worker.js', import.meta.url),
    data: workerData,
    ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    ...(options.nodeBinary === undefined ? {} : { nodeBinary: options.nodeBinary }),
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stopped: Error | undefined;

  const failAll = (error: Error): void => {
    stopped = error;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };

  worker.onMessage((response: EngineResponse) => {
    const entry = pending.get(response.id);
    pending.delete(response.id);
    entry?.resolve(response);
  });
  worker.onError((error) => {
    log.error('the engine worker crashed', error);
    failAll(new ApronError('internal', `The engine worker crashed: ${error.message}`, { hint: 'Restart Apron; the log has the details.' }));
  });
  worker.onExit((code) => {
    // After close() or a crash, `stopped` already contains the reason. An exit on its own is unexpected.
    if (stopped === undefined) log.error(`the engine worker exited with code ${code}`);
    failAll(stopped ?? new ApronError('internal', `The engine worker stopped (exit code ${code}).`, { hint: 'Restart Apron.' }));
  });

  const send = (request: UnsentRequest): Promise<EngineResponse> => {
    if (stopped !== undefined) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.send({ ...request, id } as EngineRequest);
    });
  };

  return {
    async dispatch(method: string, args: unknown): Promise<ApiReply<ApiMethod>> {
      try {
        const response = await send({ kind: 'call', method, args });
        if (response.kind === 'reply') return response.reply;
        return { ok: false, error: { code: 'internal', message: `The engine worker returned a ${response.kind} message for the API call ${method}.` } };
      } catch (error) {
        return { ok: false, error: errorInfoOf(error) };
      }
    },

    async resolveFile(token: string): Promise<ResolvedFile> {
      const response = await send({ kind: 'resolve-file', token });
      if (response.kind === 'file') return response.file;
      const info: ErrorInfo =
        response.kind === 'file-error' ? response.error : { code: 'internal', message: 'The engine worker returned an API reply for a file request.' };
      throw new ApronError(info.code, info.message, {
        ...(info.hint === undefined ? {} : { hint: info.hint }),
        ...(info.path === undefined ? {} : { path: info.path }),
      });
    },

    async close(): Promise<void> {
      stopped = new ApronError('cancelled', 'The engine worker was stopped.');
      await worker.terminate();
    },
  };
}

function errorInfoOf(error: unknown): ErrorInfo {
  if (error instanceof ApronError) return error.toInfo();
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
