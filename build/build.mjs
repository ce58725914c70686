// Build every part of Apron into dist/: the engine and CLI (tsc), the Electron main process
// (transpiled, imports the engine from dist/src), the sandboxed preload (one bundled CommonJS
// file, because a sandboxed preload cannot require local files) and the renderer (Vite).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: ${command} ${args.join(' ')} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

// `npx apron` inside this folder installs the folder itself into npx's cache, and that install
// runs `prepare`. A rebuild then would delete dist/ under any Apron already running (a crashed
// `npm start`), so an existing build is kept; `npm run build` still rebuilds.
if (process.env.npm_command === 'exec' && existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('build: kept the existing dist/ (npx installs this folder as a package; run `npm run build` to rebuild)');
  process.exit(0);
}

rmSync(join(root, 'dist'), { recursive: true, force: true });

run(bin('tsc'), ['-p', 'tsconfig.build.json']);

const electronDir = join(root, 'electron');
const mainFiles = readdirSync(electronDir)
  .filter((name) => name.endsWith('.ts') && !name.startsWith('preload'))
  .map((name) => join(electronDir, name));
mkdirSync(join(root, 'dist', 'electron'), { recursive: true });
if (mainFiles.length > 0) {
  await esbuild.build({
    entryPoints: mainFiles,
    outdir: join(root, 'dist', 'electron'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: true,
    logLevel: 'warning',
  });
}
const preload = join(electronDir, 'preload.ts');
if (readdirSync(electronDir).includes('preload.ts')) {
  await esbuild.build({
    entryPoints: [preload],
    outfile: join(root, 'dist', 'electron', 'preload.cjs'),
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    bundle: true,
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
