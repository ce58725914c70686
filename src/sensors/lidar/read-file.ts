/**
 * Reading a point-cloud file from disk, choosing the reader by format or by file name.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';

import { ApronError } from '../../core/errors.js';
import { readArgoverse2Feather } from './feather.js';
import { readKittiBin, readNuscenesBin } from './float-records.js';
import { readPcd } from './pcd.js';
import { readPly } from './ply.js';
import { PointCloudError, type PointCloud, type PointCloudFormat } from './point-cloud.js';

const READERS: Record<PointCloudFormat, (bytes: Uint8Array, source: string) => PointCloud> = {
  'kitti-bin': readKittiBin,
  'nuscenes-bin': readNuscenesBin,
  pcd: readPcd,
  ply: readPly,
  'argoverse2-feather': readArgoverse2Feather,
};

// Node cannot hold a file larger than its maximum Buffer length; sweeps are a few megabytes.
const MAX_FILE_BYTES = 2 ** 31 - 1;

/** Returns the format a file name implies, or undefined when the extension is not a point-cloud one. */
export function detectPointCloudFormat(path: string): PointCloudFormat | undefined {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.pcd.bin')) return 'nuscenes-bin';
  if (name.endsWith('.bin')) return 'kitti-bin';
  if (name.endsWith('.pcd')) return 'pcd';
  if (name.endsWith('.ply')) return 'ply';
  if (name.endsWith('.feather') || name.endsWith('.arrow')) return 'argoverse2-feather';
  return undefined;
}

/** Reads a point-cloud file with the reader for `format`, or for its extension when `format` is omitted. */
export async function readPointCloudFile(path: string, format?: PointCloudFormat): Promise<PointCloud> {
  const chosen = format ?? detectPointCloudFormat(path);
  if (chosen === undefined) {
    throw new PointCloudError(path, 'its extension is not a known point-cloud format', 'Use .bin (KITTI), .pcd.bin (nuScenes), .pcd, .ply or .feather (Argoverse 2), or pass the format explicitly.');
  }

  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApronError('not-found', `Point-cloud file not found: ${path}`, { path, hint: 'Check the path and that the dataset folder is mounted.' });
    throw new PointCloudError(path, `the file cannot be opened (${code ?? String(error)})`, 'Check the file permissions.');
  }
  if (size > MAX_FILE_BYTES) throw new PointCloudError(path, `the file is ${size} bytes, larger than the ${MAX_FILE_BYTES}-byte maximum one read can hold`, 'Split the sweep into smaller files.');

  const bytes = await readFile(path);
  return READERS[chosen](bytes, path);
}
