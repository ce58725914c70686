#!/usr/bin/env node
// `npm start`: open Apron in its Electron window where Electron runs, otherwise serve the same
// UI to a browser with `apron serve`. Electron is an optional dependency because its binary is
// downloaded at install time, which fails on machines without access to its download host.
// A workspace without datasets first gets the airside demo (see `apron demo --prepare`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js')) || !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  process.stderr.write('error: Apron is not built yet\n  hint: run `npm install` (it builds), or `npm run build`\n');
  process.exit(1);
}

/** Path of the Electron binary, or the reason it cannot be used. */
function findElectron() {
  let binary;
  try {
    // The electron package exports the path of its binary and throws when the binary is missing.
    binary = require('electron');
  } catch (error) {
    return { reason: `Electron is not installed (${String(error.message).split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'the Electron binary is missing' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { binary };
}

const args = process.argv.slice(2);

/** Returns the `--workspace DIR` (or `--workspace=DIR`) among the arguments, as arguments for `apron demo`. */
function workspaceArgs() {
  const index = args.findIndex((arg) => arg === '--workspace' || arg.startsWith('--workspace='));
  if (index < 0) return [];
  return args[index].includes('=') ? [args[index]] : args.slice(index, index + 2);
}

/**
 * Sets up the embedded default: a workspace without datasets gets the airside demo with a trained encoder
 * and a mined queue before the UI opens (a few minutes, once). Returns the queue id, or null.
 */
function prepareDemo() {
  if (process.env.APRON_NO_DEMO === '1') return null;
  const result = spawnSync(process.execPath, [join(root, 'bin', 'apron.js'), 'demo', '--prepare', ...workspaceArgs()], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write('Setting up the demo dataset failed (see above); opening Apron without it. Set APRON_NO_DEMO=1 to skip the demo.\n');
    return null;
  }
  const queueId = result.stdout.trim();
  return queueId === '' ? null : queueId;
}

const demoQueue = prepareDemo();
if (demoQueue !== null) {
  const portIndex = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  const portArg = portIndex < 0 ? undefined : args[portIndex].startsWith('--port=') ? args[portIndex].slice('--port='.length) : args[portIndex + 1];
  const queuePath = `#/queues/${encodeURIComponent(demoQueue)}`;
  // Port 0 picks a free port, which only the server's own line below can tell.
  const where = portArg === '0' ? `open ${queuePath} at the address printed below` : `review its suspected false negatives at http://127.0.0.1:${portArg ?? '4780'}/${queuePath}`;
  process.stderr.write(`The airside demo is ready: ${where} (the queue page starts you at the first undecided pair).\n`);
}

const electron = findElectron();
let child;
if (electron.binary !== undefined && process.env.APRON_NO_ELECTRON !== '1') {
  // The engine runs under this Node.js binary, for which better-sqlite3 was built (see electron/engine-transport.ts).
  child = spawn(electron.binary, [root, ...args], { stdio: 'inherit', env: { ...process.env, APRON_ENGINE_NODE: process.execPath } });
} else {
  process.stderr.write(`Opening Apron in the browser instead of a desktop window: ${electron.reason ?? 'APRON_NO_ELECTRON=1'}.\n`);
  child = spawn(process.execPath, [join(root, 'bin', 'apron.js'), 'serve', ...args], { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
