/**
 * The choice of workspace for the window: `--workspace <dir>` (or `--workspace=<dir>`) on the
 * command line, as `apron serve` takes it, else APRON_HOME, else the per-user default. Pure, so
 * that unit tests run it without Electron.
 */
import { resolve } from 'node:path';
import { ApronError } from '../src/core/errors.js';
import { defaultWorkspaceRoot } from '../src/core/workspace.js';

/** Return the absolute workspace folder; raises `invalid-input` for `--workspace` without a folder. */
export function chooseWorkspaceRoot(argv: readonly string[], cwd: string = process.cwd()): string {
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    let value: string | undefined;
    if (argument.startsWith('--workspace=')) value = argument.slice('--workspace='.length);
    else if (argument === '--workspace') value = argv[index + 1];
    else continue;

    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new ApronError('invalid-input', '--workspace needs a folder.', {
        hint: 'Start Apron with --workspace <folder>, or leave the option out to use the default workspace.',
      });
    }
    return resolve(cwd, value);
  }
  return defaultWorkspaceRoot();
}
