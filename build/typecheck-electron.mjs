// Type-check electron/ against Electron's own type definitions when they are installed.
// Where Electron's binary could not be downloaded, npm drops the optional `electron` package and
// its types with it; `ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install` keeps the types without the binary.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
if (!existsSync(join(root, 'node_modules', 'electron', 'electron.d.ts'))) {
  console.log('typecheck: skipped electron/ because the electron package is not installed (see README).');
  process.exit(0);
}
const result = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'electron/tsconfig.json'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
