/** Messages between the Electron main process and the engine worker thread. */
import type { ApiMethod, ApiReply } from '../src/api/contract.js';
import type { ErrorInfo } from '../src/core/errors.js';
import type { ResolvedFile } from '../src/server/server.js';

export interface EngineWorkerData {
  /** Workspace folder whose store the worker opens. */
  workspaceRoot: string;
}

export type EngineRequest =
  | { id: number; kind: 'call'; method: string; args: unknown }
  | { id: number; kind: 'resolve-file'; token: string };

export type EngineResponse =
  | { id: number; kind: 'reply'; reply: ApiReply<ApiMethod> }
  | { id: number; kind: 'file'; file: ResolvedFile }
  | { id: number; kind: 'file-error'; error: ErrorInfo };
