/**
 * `apron serve` in one call: open a workspace's store, wire the API handlers and file tokens to
 * the HTTP server, and close the store with the server.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiHandlers, dispatchApiCall } from '../api/handlers.js';
import { resolveDataToken } from '../api/sensors/resolve-data-token.js';
import { openWorkspace, type Workspace } from '../core/workspace.js';
import { TrainingJobManager } from '../loop/training-jobs.js';
import { openStore } from '../store/index.js';
import { startServer, type RunningServer } from './server.js';

export interface ServeWorkspaceOptions {
  /** Workspace folder; default APRON_HOME, else the per-user data folder. */
  workspaceRoot?: string;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; default 0, any free port. */
  port?: number;
  /** Folder of the built renderer; default dist/renderer of this checkout. */
  staticDir?: string;
}

export interface ServedWorkspace extends RunningServer {
  workspace: Workspace;
}

export async function serveWorkspace(options: ServeWorkspaceOptions = {}): Promise<ServedWorkspace> {
  const workspace = openWorkspace(options.workspaceRoot);
  const store = openStore(workspace.databasePath);
  const trainingJobs = new TrainingJobManager(workspace, store);
  const handlers = createApiHandlers(store, { trainingJobs });

  let server: RunningServer;
  try {
    server = await startServer({
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      dispatch: (method, args) => dispatchApiCall(handlers, method, args),
      resolveFile: (token) => resolveDataToken(store, token),
      staticDir: options.staticDir ?? defaultRendererDir(),
    });
  } catch (error) {
    store.close();
    throw error;
  }

  return {
    url: server.url,
    workspace,
    async close() {
      await server.close();
      // A run still training is stopped and recorded `cancelled` before its store closes.
      await trainingJobs.close();
      store.close();
    },
  };
}

/**
 * Return the renderer build of this checkout: dist/renderer beside the nearest package.json above
 * this module. The module runs from dist/src/server after the build and from src/server under tsx or vitest.
 */
export function defaultRendererDir(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return join(folder, 'dist', 'renderer');
}
