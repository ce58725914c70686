/**
 * The demo's output folder. A run writes into a hidden staging folder beside the target and renames
 * it into place at the end, so an interrupted run leaves no folder that looks like a finished demo.
 * The marker file `apron-demo.json` marks a generated folder, so that a rerun replaces an earlier
 * demo but never a folder of someone's data.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ApronError } from '../core/errors.js';

export const MARKER_FILE = 'apron-demo.json';
export const MARKER_GENERATOR = 'apron-demo';

/** Returns true when `folder` contains a marker written by the demo generator. */
export function isDemoFolder(folder: string): boolean {
  const marker = join(folder, MARKER_FILE);
  if (!existsSync(marker)) return false;
  try {
    const parsed: unknown = JSON.parse(readFileSync(marker, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && (parsed as { generator?: unknown }).generator === MARKER_GENERATOR;
  } catch {
    return false;
  }
}

/** Checks that `outDir` may be written, and creates an empty staging folder beside it. */
export function createStaging(outDir: string): string {
  const target = resolve(outDir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new ApronError('conflict', `Demo output ${target} exists and is not a folder.`, {
        path: target,
        hint: 'Pick another --out folder, or remove the file.',
      });
    }
    if (readdirSync(target).length > 0 && !isDemoFolder(target)) {
      throw new ApronError('conflict', `Demo output folder ${target} is not empty and contains no Apron demo (no ${MARKER_FILE}).`, {
        path: target,
        hint: 'Pick a new or empty folder; an earlier demo folder is replaced, any other folder is left alone.',
      });
    }
  }
  removeAbandonedStaging(target);
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/** Removes staging folders for `target` left by runs whose process no longer exists (killed, or the machine stopped). */
function removeAbandonedStaging(target: string): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const prefix = `.${basename(target)}.partial-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without signalling it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Moves the finished staging folder to `outDir`, replacing an earlier demo or an empty folder there. */
export function commitStaging(staging: string, outDir: string): void {
  const target = resolve(outDir);
  if (!existsSync(target)) {
    renameSync(staging, target);
    return;
  }
  // Checked again, because the folder may have changed while the demo was generated.
  if (readdirSync(target).length > 0 && !isDemoFolder(target)) {
    throw new ApronError('conflict', `Demo output folder ${target} was filled by something else during generation.`, {
      path: target,
      hint: 'Run again with another --out folder.',
    });
  }
  const previous = join(dirname(target), `.${basename(target)}.previous-${process.pid}`);
  renameSync(target, previous);
  renameSync(staging, target);
  rmSync(previous, { recursive: true, force: true });
}
