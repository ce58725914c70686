/** Checks and listings of the source folder that every importer starts with. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';

export interface FolderEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
}

/** Throw a not-found or invalid-input error unless `path` is an existing folder. */
export function requireFolder(path: string, label: string): void {
  if (!existsSync(path)) {
    throw new ApronError('not-found', `${label} not found: ${path}`, {
      path,
      hint: 'Check the path; it must name the dataset folder itself.',
    });
  }
  if (!statSync(path).isDirectory()) {
    throw new ApronError('invalid-input', `${label} ${path} is a file, not a folder`, {
      path,
      hint: 'Pass the folder that contains the dataset, or use the manifest layout for a manifest file.',
    });
  }
}

/**
 * List the entries of a folder sorted by name, following symbolic links. Hidden entries (a leading dot,
 * such as .DS_Store) are left out.
 */
export function listFolder(path: string): FolderEntry[] {
  const names = readdirSync(path).filter((name) => !name.startsWith('.'));
  names.sort();
  return names.map((name) => {
    const stats = statSync(join(path, name), { throwIfNoEntry: false });
    return { name, isFile: stats?.isFile() ?? false, isDirectory: stats?.isDirectory() ?? false };
  });
}

export function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
