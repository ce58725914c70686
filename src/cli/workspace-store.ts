/** Open the workspace and its store for one command, and close the store afterwards. */
import { openWorkspace, type Workspace } from '../core/workspace.js';
import { openStore, type Store } from '../store/index.js';
import { stringOption, type ParsedCommand } from './args.js';

export async function withStore<T>(
  parsed: ParsedCommand,
  body: (workspace: Workspace, store: Store) => Promise<T> | T,
): Promise<T> {
  const workspace = openWorkspace(stringOption(parsed.values, 'workspace'));
  const store = openStore(workspace.databasePath);
  try {
    return await body(workspace, store);
  } finally {
    store.close();
  }
}
