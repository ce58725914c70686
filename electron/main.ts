/**
 * Electron main process: one window on the renderer build, the engine in a worker thread, and
 * the app://, apron-file:// and `apron:call` entry points into it. Started by `npm start` (bin/start.js)
 * with the same `--workspace <dir>` option as `apron serve`.
 */
import { fileURLToPath } from 'node:url';
import { app, dialog, type BrowserWindow } from 'electron';
import { formatError } from '../src/core/errors.js';
import { createLogger } from '../src/core/log.js';
import { startEngineWorker, type EngineClient } from './engine-client.js';
import { handleApiCalls } from './ipc.js';
import { installMenu } from './menu.js';
import { handleAppProtocol, handleFileProtocol, registerPrivilegedSchemes } from './protocols.js';
import { applyContentsRules, createMainWindow } from './window.js';
import { chooseWorkspaceRoot } from './workspace-choice.js';

const log = createLogger('electron');

/** dist/renderer, beside dist/electron where this file runs after the build. */
const RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url));

registerPrivilegedSchemes();

let window: BrowserWindow | null = null;
let workspaceRoot = '';
let engine: EngineClient | undefined;

function currentEngine(): EngineClient {
  if (engine === undefined) throw new Error('the engine is used before the app is ready');
  return engine;
}

async function openWorkspace(folder: string): Promise<void> {
  const previous = engine;
  workspaceRoot = folder;
  const nodeBinary = process.env['APRON_ENGINE_NODE'];
  engine = startEngineWorker({ workspaceRoot: folder, ...(nodeBinary === undefined || nodeBinary === '' ? {} : { nodeBinary }) });
  log.info(`workspace ${folder}`);
  await previous?.close();
  window?.webContents.reload();
}

async function start(): Promise<void> {
  try {
    workspaceRoot = chooseWorkspaceRoot(process.argv);
  } catch (error) {
    dialog.showErrorBox('Apron cannot start', formatError(error));
    app.exit(2);
    return;
  }

  await app.whenReady();
  applyContentsRules();
  handleAppProtocol(RENDERER_DIR);
  handleFileProtocol(() => currentEngine().resolveFile);
  handleApiCalls(() => currentEngine().dispatch);
  await openWorkspace(workspaceRoot);

  installMenu(() => window, { openWorkspace, currentWorkspace: () => workspaceRoot });
  window = createMainWindow();
  window.on('closed', () => {
    window = null;
  });
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => void engine?.close());

start().catch((error: unknown) => {
  log.error('start-up failed', error);
  dialog.showErrorBox('Apron cannot start', formatError(error));
  app.exit(1);
});
