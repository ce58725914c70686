#!/usr/bin/env node
// Entry point of the `apron` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('error: Apron is not built yet (dist/src/cli/main.js is missing)\n  hint: run `npm run build` in the Apron folder\n');
  process.exit(1);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
