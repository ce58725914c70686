/** Open the workspace and its store for one command, and close the store afterwards. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApronError } from '../core/errors.js';
import { defaultWorkspaceRoot, openWorkspace, type Workspace } from '../core/workspace.js';
import { recoverInterruptedRuns } from '../loop/interrupted-runs.js';
import { openStore, type Store } from '../store/index.js';
import { stringOption, type ParsedCommand } from './args.js';

export interface WithStoreOptions {
  /** Create the workspace when it does not exist (import does); other commands reject a missing one. */
  create?: boolean;
}

export async function withStore<T>(
  parsed: ParsedCommand,
  body: (workspace: Workspace, store: Store) => Promise<T> | T,
  options: WithStoreOptions = {},
): Promise<T> {
  const root = resolve(stringOption(parsed.values, 'workspace') ?? defaultWorkspaceRoot());
  if (options.create !== true && !existsSync(join(root, 'apron.db'))) {
    // A mistyped --workspace would otherwise create an empty workspace and report every id missing.
    throw new ApronError('not-found', `No Apron workspace at ${root}`, {
      path: root,
      hint: 'Check --workspace (or APRON_HOME), or import a dataset first with `apron import`.',
    });
  }
  const workspace = openWorkspace(root);
  const store = openStore(workspace.databasePath);
  try {
    for (const run of recoverInterruptedRuns(workspace, store)) {
      const resumable = run.checkpointPath === null ? '' : `; resume it with --resume ${run.runId}`;
      process.stderr.write(`warning: training run ${run.runId} was left running by a process that no longer exists; marked failed${resumable}\n`);
    }
    return await body(workspace, store);
  } finally {
    store.close();
  }
}
