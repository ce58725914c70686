/**
 * The workspace: one folder that contains the decision store and everything Apron derives from
 * datasets (manifests, checkpoints, embeddings, caches). Dataset files themselves stay where
 * they are.
 *
 *   <workspace>/apron.db                         SQLite store (WAL)
 *   <workspace>/datasets/<datasetId>/apron-manifest.json
 *   <workspace>/runs/<runId>/                    training run: config, log, checkpoint
 *   <workspace>/embeddings/<embeddingVersionId>.f32   row-major float32 vectors
 *   <workspace>/cache/                           decoded image stacks
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Workspace {
  root: string;
  databasePath: string;
  datasetsDir: string;
  runsDir: string;
  embeddingsDir: string;
  cacheDir: string;
}

/** Returns the default workspace: APRON_HOME, else the platform's per-user data folder. */
export function defaultWorkspaceRoot(): string {
  const fromEnv = process.env['APRON_HOME'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Apron');
  if (process.platform === 'win32') return join(process.env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Apron');
  const dataHome = process.env['XDG_DATA_HOME'];
  return join(dataHome !== undefined && dataHome !== '' ? dataHome : join(homedir(), '.local', 'share'), 'apron');
}

/** Resolve the workspace folders, creating them when missing. */
export function openWorkspace(root: string = defaultWorkspaceRoot()): Workspace {
  const absolute = resolve(root);
  const workspace: Workspace = {
    root: absolute,
    databasePath: join(absolute, 'apron.db'),
    datasetsDir: join(absolute, 'datasets'),
    runsDir: join(absolute, 'runs'),
    embeddingsDir: join(absolute, 'embeddings'),
    cacheDir: join(absolute, 'cache'),
  };
  for (const dir of [workspace.root, workspace.datasetsDir, workspace.runsDir, workspace.embeddingsDir, workspace.cacheDir]) {
    mkdirSync(dir, { recursive: true });
  }
  return workspace;
}
